using System;
using System.Collections;
using System.Collections.Generic;

namespace ErpAuth
{
    /// <summary>
    /// Request headers in the order they are to be sent, read-only. Enumeration gives them in
    /// that order; lookups by name ignore case, as HTTP header names do.
    /// </summary>
    public sealed class HeaderList : IReadOnlyDictionary<string, string>
    {
        private readonly List<KeyValuePair<string, string>> ordered;
        private readonly Dictionary<string, string> byName;

        internal HeaderList(List<KeyValuePair<string, string>> ordered)
        {
            this.ordered = ordered;
            byName = new Dictionary<string, string>(ordered.Count, StringComparer.OrdinalIgnoreCase);
            foreach (var header in ordered)
            {
                byName[header.Key] = header.Value;
            }
        }

        /// <summary>The value of the header with this name (any case).</summary>
        /// <exception cref="KeyNotFoundException">No header has this name.</exception>
        public string this[string key]
        {
            get { return byName[key]; }
        }

        /// <summary>How many headers there are.</summary>
        public int Count
        {
            get { return ordered.Count; }
        }

        /// <summary>The names, in order.</summary>
        public IEnumerable<string> Keys
        {
            get
            {
                foreach (var header in ordered)
                {
                    yield return header.Key;
                }
            }
        }

        /// <summary>The values, in order.</summary>
        public IEnumerable<string> Values
        {
            get
            {
                foreach (var header in ordered)
                {
                    yield return header.Value;
                }
            }
        }

        /// <summary>Whether a header has this name (any case).</summary>
        public bool ContainsKey(string key)
        {
            return byName.ContainsKey(key);
        }

        /// <summary>The value of the header with this name (any case), if there is one.</summary>
        public bool TryGetValue(string key, out string value)
        {
            return byName.TryGetValue(key, out value);
        }

        /// <summary>The headers, in the order to send them.</summary>
        public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
        {
            return ordered.GetEnumerator();
        }

        IEnumerator IEnumerable.GetEnumerator()
        {
            return GetEnumerator();
        }

        /// <summary>A mutable copy, for the members that returned <see cref="IDictionary{TKey,TValue}"/>.</summary>
        internal IDictionary<string, string> ToDictionary()
        {
            return new Dictionary<string, string>(byName, StringComparer.OrdinalIgnoreCase);
        }

        /// <summary>The names only; never the values, which include credentials.</summary>
        public override string ToString()
        {
            return "HeaderList[" + string.Join(", ", Keys) + "]";
        }
    }

    /// <summary>Turns the library's <c>"Name: value\r\n"</c> lines into a <see cref="HeaderList"/>.</summary>
    internal static class HeaderLines
    {
        internal static HeaderList Parse(string lines)
        {
            var headers = new List<KeyValuePair<string, string>>(8);
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
                headers.Add(new KeyValuePair<string, string>(
                    lines.Substring(start, colon - start), lines.Substring(colon + 2, end - colon - 2)));
                start = end + 2;
            }
            return new HeaderList(headers);
        }

        private static ErpAuthException Malformed()
        {
            return new ErpAuthException(
                Status.Internal, "erpauth returned header lines not of the form \"Name: value\\r\\n\" (a bug in the native library)");
        }
    }
}
