using System;
using System.Globalization;
using System.Text;

namespace ErpAuth
{
    /// <summary>
    /// Writes one flat JSON object of strings and integers: all a client config needs, and
    /// .NET Framework 4.6.2 has no JSON serializer to do it. Strings are escaped as RFC 8259
    /// requires (<c>"</c>, <c>\</c> and the control characters U+0000..U+001F, the latter as
    /// <c>\u00XX</c>); everything else, non-ASCII included, is written as is and reaches the
    /// library as UTF-8. Numbers are written with the invariant culture, never as "1 000" or
    /// "1.000" of the current one.
    /// </summary>
    internal sealed class JsonObjectWriter
    {
        private readonly StringBuilder text = new StringBuilder("{");
        private bool empty = true;

        /// <summary>Adds <c>"name": "value"</c>; a null value is left out.</summary>
        internal JsonObjectWriter String(string name, string value)
        {
            if (value != null)
            {
                Name(name);
                Quoted(value);
            }
            return this;
        }

        /// <summary>Adds <c>"name": value</c>; a null value is left out.</summary>
        internal JsonObjectWriter Integer(string name, long? value)
        {
            if (value.HasValue)
            {
                Name(name);
                text.Append(value.Value.ToString(CultureInfo.InvariantCulture));
            }
            return this;
        }

        /// <summary>Adds <c>"name": true|false</c>; a null value is left out.</summary>
        internal JsonObjectWriter Boolean(string name, bool? value)
        {
            if (value.HasValue)
            {
                Name(name);
                text.Append(value.Value ? "true" : "false");
            }
            return this;
        }

        /// <summary>The finished object.</summary>
        public override string ToString()
        {
            return text.ToString() + "}";
        }

        private void Name(string name)
        {
            if (!empty)
            {
                text.Append(',');
            }
            empty = false;
            Quoted(name);
            text.Append(':');
        }

        private void Quoted(string value)
        {
            text.Append('"');
            foreach (char c in value)
            {
                switch (c)
                {
                    case '"':
                        text.Append("\\\"");
                        break;
                    case '\\':
                        text.Append("\\\\");
                        break;
                    default:
                        if (c < 0x20)
                        {
                            text.Append("\\u00").Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
                        }
                        else
                        {
                            text.Append(c);
                        }
                        break;
                }
            }
            text.Append('"');
        }
    }
}
