using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace ErpAuth.Tests
{
    /// <summary>
    /// Random text for the cross-checks: ASCII letters, the punctuation the encoders treat
    /// differently, CJK, and characters outside the BMP (surrogate pairs in .NET, four UTF-8
    /// bytes). The seed is fixed so a failure reproduces; ERPAUTH_TEST_SEED picks another.
    /// </summary>
    internal sealed class RandomInputs
    {
        private const string Ascii = "abcXYZ019";
        private const string Punctuation = " .-*_~!\"#$%&'()+,/:;<=>?@[\\]^`{|}";
        private static readonly string[] Wide = { "中", "文", "金", "蝶", "é", "ß", "\U0001F600", "\U00020BB7" };

        private readonly Random random;

        internal RandomInputs(int salt)
        {
            string configured = Environment.GetEnvironmentVariable("ERPAUTH_TEST_SEED");
            Seed = (string.IsNullOrEmpty(configured) ? 20240611 : int.Parse(configured, CultureInfo.InvariantCulture)) + salt;
            random = new Random(Seed);
        }

        /// <summary>Reported in failure messages.</summary>
        internal int Seed { get; private set; }

        internal int Next(int below)
        {
            return random.Next(below);
        }

        internal int Next(int from, int below)
        {
            return random.Next(from, below);
        }

        /// <summary>Text of 0 to <paramref name="maxLength"/> characters from every class.</summary>
        internal string Text(int maxLength)
        {
            int length = random.Next(maxLength + 1);
            var text = new StringBuilder();
            for (int i = 0; i < length; i++)
            {
                switch (random.Next(4))
                {
                    case 0:
                    case 1:
                        text.Append(Ascii[random.Next(Ascii.Length)]);
                        break;
                    case 2:
                        text.Append(Punctuation[random.Next(Punctuation.Length)]);
                        break;
                    default:
                        text.Append(Wide[random.Next(Wide.Length)]);
                        break;
                }
            }
            return text.ToString();
        }

        /// <summary>Non-empty decimal digits.</summary>
        internal string Digits(int length)
        {
            var text = new StringBuilder();
            for (int i = 0; i < length; i++)
            {
                text.Append((char)('0' + random.Next(10)));
            }
            return text.ToString();
        }

        /// <summary>An HTTP method in random letter case.</summary>
        internal string Method()
        {
            string[] methods = { "GET", "post", "Put", "DELETE", "patch" };
            return methods[random.Next(methods.Length)];
        }

        /// <summary>A Kingdee request to sign: method, target, nonce and timestamp.</summary>
        internal KingdeeRequest Request()
        {
            var request = new KingdeeRequest();
            string path;
            List<ManagedReference.Parameter> query;
            request.Target = Target(out path, out query);
            request.Path = path;
            request.Query = query;
            request.Method = Method();
            request.Nonce = Digits(10);
            request.Timestamp = Digits(13);
            return request;
        }

        /// <summary>Weaver credentials: an appid, a secret and an AES key.</summary>
        internal WeaverCredentials Weaver()
        {
            return new WeaverCredentials { Appid = Text(16), Secret = Text(32), AesKey = AesKey() };
        }

        /// <summary>A Weaver AES key: 16, 24 or 32 UTF-8 bytes.</summary>
        internal string AesKey()
        {
            int[] byteLengths = { 16, 24, 32 };
            return KeyOfBytes(byteLengths[random.Next(byteLengths.Length)]);
        }

        /// <summary>A Unix time in milliseconds, anywhere from 1 to about 2.1e12.</summary>
        internal long TimestampMs()
        {
            return 1 + (long)random.Next(int.MaxValue) * random.Next(1, 1000);
        }

        /// <summary>A key of exactly <paramref name="byteLength"/> UTF-8 bytes, mixing 1-, 2- and 3-byte characters.</summary>
        internal string KeyOfBytes(int byteLength)
        {
            var key = new StringBuilder();
            int left = byteLength;
            while (left > 0)
            {
                int pick = random.Next(3);
                if (pick == 2 && left >= 3)
                {
                    key.Append("中金蝶"[random.Next(3)]);
                    left -= 3;
                }
                else if (pick == 1 && left >= 2)
                {
                    key.Append("éß"[random.Next(2)]);
                    left -= 2;
                }
                else
                {
                    key.Append(Ascii[random.Next(Ascii.Length)]);
                    left -= 1;
                }
            }
            return key.ToString();
        }

        /// <summary>
        /// A request target built from decoded parts: every byte that must be escaped is
        /// escaped, and each safe byte is escaped or not at random (both decode the same); a
        /// space in the query is '+' or %20 at random.
        /// </summary>
        internal string Target(out string decodedPath, out List<ManagedReference.Parameter> decodedQuery)
        {
            string rest = Text(12);
            decodedPath = "/" + rest;
            decodedQuery = new List<ManagedReference.Parameter>();
            // The leading '/' stays literal: a target must start with one.
            var target = new StringBuilder("/").Append(WireEncode(rest, false));
            int count = random.Next(5);
            for (int i = 0; i < count; i++)
            {
                // Sometimes repeat a name: every occurrence is signed.
                string name = i > 0 && random.Next(4) == 0 ? decodedQuery[0].Name : Text(6);
                string value = Text(10);
                decodedQuery.Add(new ManagedReference.Parameter(name, value));
                target.Append(i == 0 ? '?' : '&').Append(WireEncode(name, true)).Append('=').Append(WireEncode(value, true));
            }
            return target.ToString();
        }

        /// <summary>A request target as <see cref="Target(out string, out List{ManagedReference.Parameter})"/> builds it.</summary>
        internal string Target()
        {
            string path;
            List<ManagedReference.Parameter> query;
            return Target(out path, out query);
        }

        private string WireEncode(string text, bool inQuery)
        {
            var wire = new StringBuilder();
            foreach (byte b in Encoding.UTF8.GetBytes(text))
            {
                char c = (char)b;
                bool safe = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || ".-_~*!$'(),;:@/".IndexOf(c) >= 0;
                if (inQuery && c == ' ' && random.Next(2) == 0)
                {
                    wire.Append('+');
                }
                else if (safe && b < 0x80 && random.Next(4) != 0)
                {
                    wire.Append(c);
                }
                else
                {
                    wire.Append('%').Append(b.ToString(random.Next(2) == 0 ? "X2" : "x2", CultureInfo.InvariantCulture));
                }
            }
            return wire.ToString();
        }

        /// <summary>See <see cref="Request"/>.</summary>
        internal sealed class KingdeeRequest
        {
            internal string Method { get; set; }

            /// <summary>The request target as sent (see <see cref="RandomInputs.Target"/>).</summary>
            internal string Target { get; set; }

            /// <summary>The decoded path <see cref="Target"/> was built from.</summary>
            internal string Path { get; set; }

            /// <summary>The decoded query <see cref="Target"/> was built from.</summary>
            internal List<ManagedReference.Parameter> Query { get; set; }

            internal string Nonce { get; set; }

            internal string Timestamp { get; set; }
        }

        /// <summary>See <see cref="Weaver"/>.</summary>
        internal sealed class WeaverCredentials
        {
            internal string Appid { get; set; }

            internal string Secret { get; set; }

            internal string AesKey { get; set; }
        }
    }
}
