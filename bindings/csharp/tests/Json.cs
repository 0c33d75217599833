using System;
using System.Collections.Generic;
using System.Web.Script.Serialization;

namespace ErpAuth.Tests
{
    /// <summary>
    /// Reads the JSON the tests meet (vector files, emulator answers, the library's own output)
    /// with the reader .NET Framework and Mono both ship: <c>JavaScriptSerializer</c> of
    /// System.Web.Extensions. Objects become <c>Dictionary&lt;string, object&gt;</c>, arrays
    /// <c>object[]</c>, integers <c>int</c> or <c>long</c>.
    /// <para>
    /// It reads; it does not judge. On Mono 6.8 it accepts a raw newline in a string, single-quoted
    /// and bare names, NaN and a text that stops before its closing brace (the other stock
    /// reader, <c>JsonReaderWriterFactory</c>, accepts trailing commas and leading zeros). So a
    /// test that must prove a text is valid JSON hands it to the library, whose config parser
    /// is strict (see <see cref="OptionsJsonTests"/>).
    /// </para>
    /// </summary>
    internal static class Json
    {
        internal static Dictionary<string, object> ParseObject(string text)
        {
            // The default limit (2 M characters) is for web requests, not for test files.
            var serializer = new JavaScriptSerializer { MaxJsonLength = int.MaxValue };
            var result = serializer.DeserializeObject(text) as Dictionary<string, object>;
            if (result == null)
            {
                throw new FormatException("JSON text is not an object: " + text);
            }
            return result;
        }

        /// <summary>An integer as the reader returns it (<c>int</c> or <c>long</c>), else null.</summary>
        internal static long? Integer(object value)
        {
            if (value is int)
            {
                return (int)value;
            }
            if (value is long)
            {
                return (long)value;
            }
            return null;
        }
    }
}
