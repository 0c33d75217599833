using System;
using System.Collections.Generic;

namespace ErpAuth
{
    /// <summary>Turns the library's <c>"Name: value\r\n"</c> lines into a dictionary.</summary>
    internal static class HeaderLines
    {
        /// <summary>
        /// The headers in the library's order (the dictionary keeps insertion order as long as
        /// nothing is removed). Names compare case-insensitively, as HTTP header names do.
        /// </summary>
        internal static IDictionary<string, string> Parse(string lines)
        {
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            int start = 0;
            while (start < lines.Length)
            {
                int end = lines.IndexOf("\r\n", start, StringComparison.Ordinal);
                if (end < 0)
                {
                    throw Malformed();
                }
                int colon = lines.IndexOf(": ", start, end - start, StringComparison.Ordinal);
                if (colon <= start)
                {
                    throw Malformed();
                }
                headers[lines.Substring(start, colon - start)] = lines.Substring(colon + 2, end - colon - 2);
                start = end + 2;
            }
            return headers;
        }

        private static ErpAuthException Malformed()
        {
            return new ErpAuthException(
                Status.Internal, "erpauth returned header lines not of the form \"Name: value\\r\\n\" (a bug in the native library)");
        }
    }
}
