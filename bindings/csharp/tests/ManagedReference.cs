using System;
using System.Collections.Generic;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ErpAuth.Tests
{
    /// <summary>
    /// The signatures of docs/protocol/kingdee.md and docs/protocol/weaver.md written again from the spec with
    /// System.Security.Cryptography alone (HMACSHA256, MD5, Aes in ECB mode), sharing no code
    /// with the native library. The tests compare the binding with it on random inputs; the
    /// benchmark times it against the binding.
    /// </summary>
    internal static class ManagedReference
    {
        private static readonly UTF8Encoding Utf8 = new UTF8Encoding(false, true);

        /// <summary>Base64(lower-hex(HMAC-SHA256(key = appSecret, message = appKey))).</summary>
        internal static string AppSignature(string appKey, string appSecret)
        {
            return HmacHexBase64(appSecret, appKey);
        }

        /// <summary>A parameter of the query, decoded.</summary>
        internal struct Parameter
        {
            internal Parameter(string name, string value)
            {
                Name = name;
                Value = value;
            }

            internal string Name;
            internal string Value;
        }

        /// <summary>The five-line string to sign for an already decoded path and query.</summary>
        internal static string StringToSign(
            string method, string decodedPath, IList<Parameter> decodedQuery, string nonce, string timestamp)
        {
            var pairs = new List<string>(decodedQuery.Count);
            foreach (Parameter p in decodedQuery)
            {
                pairs.Add(Encode(p.Name, GatewayKeeps) + "=" + Encode(p.Value, JavaKeeps));
            }
            // Every pair is ASCII after encoding, so ordinal order is the spec's byte order.
            pairs.Sort(string.CompareOrdinal);
            var query = new StringBuilder();
            for (int i = 0; i < pairs.Count; i++)
            {
                int equals = pairs[i].IndexOf('=');
                if (equals < 1)
                {
                    continue; // apigwclient 0.1.5 getQueryEncode: an empty name is not signed
                }
                if (query.Length > 0)
                {
                    query.Append('&');
                }
                query.Append(Encode(pairs[i].Substring(0, equals), GatewayKeeps))
                    .Append('=')
                    .Append(Encode(pairs[i].Substring(equals + 1), GatewayKeeps));
            }
            return method.ToUpperInvariant() + "\n"
                + Encode(decodedPath, GatewayKeeps) + "\n"
                + query + "\n"
                + "x-api-nonce:" + nonce + "\n"
                + "x-api-timestamp:" + timestamp + "\n";
        }

        /// <summary>The string to sign for a request target as it goes on the wire.</summary>
        internal static string StringToSign(string method, string pathAndQuery, string nonce, string timestamp)
        {
            string path;
            List<Parameter> query;
            DecodeTarget(pathAndQuery, out path, out query);
            return StringToSign(method, path, query, nonce, timestamp);
        }

        /// <summary>X-Api-Signature: Base64(lower-hex(HMAC-SHA256(clientSecret, string to sign))).</summary>
        internal static string Signature(
            string clientSecret, string method, string pathAndQuery, string nonce, string timestamp)
        {
            return HmacHexBase64(clientSecret, StringToSign(method, pathAndQuery, nonce, timestamp));
        }

        /// <summary>The Weaver getToken sign for a given time.</summary>
        internal static string WeaverSign(string appid, string secret, string aesKey, long timestampMs)
        {
            string text = WeaverSignText(appid, secret, timestampMs);
            using (Aes aes = Aes.Create())
            {
                aes.Mode = CipherMode.ECB;
                aes.Padding = PaddingMode.PKCS7;
                aes.Key = Utf8.GetBytes(aesKey);
                using (ICryptoTransform encryptor = aes.CreateEncryptor())
                {
                    byte[] plain = Utf8.GetBytes(text);
                    return LowerHex(encryptor.TransformFinalBlock(plain, 0, plain.Length));
                }
            }
        }

        /// <summary>timestamp + "_" + UPPER(hex(MD5(appid + ":" + secret))).</summary>
        internal static string WeaverSignText(string appid, string secret, long timestampMs)
        {
            using (MD5 md5 = MD5.Create())
            {
                string digest = LowerHex(md5.ComputeHash(Utf8.GetBytes(appid + ":" + secret))).ToUpperInvariant();
                return timestampMs.ToString(CultureInfo.InvariantCulture) + "_" + digest;
            }
        }

        /// <summary>Decrypts a Weaver sign back to its text (to check signs of the current time).</summary>
        internal static string WeaverDecrypt(string aesKey, string signHex)
        {
            byte[] cipher = new byte[signHex.Length / 2];
            for (int i = 0; i < cipher.Length; i++)
            {
                cipher[i] = byte.Parse(signHex.Substring(2 * i, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            }
            using (Aes aes = Aes.Create())
            {
                aes.Mode = CipherMode.ECB;
                aes.Padding = PaddingMode.PKCS7;
                aes.Key = Utf8.GetBytes(aesKey);
                using (ICryptoTransform decryptor = aes.CreateDecryptor())
                {
                    return Utf8.GetString(decryptor.TransformFinalBlock(cipher, 0, cipher.Length));
                }
            }
        }

        private const string JavaKeeps = ".-*_";
        private const string GatewayKeeps = ".-_~";

        /// <summary>Percent-encodes the UTF-8 bytes, upper-case hex, space as '+'.</summary>
        internal static string Encode(string text, string keeps)
        {
            var result = new StringBuilder(text.Length * 3);
            foreach (byte b in Utf8.GetBytes(text))
            {
                char c = (char)b;
                if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (b < 0x80 && keeps.IndexOf(c) >= 0))
                {
                    result.Append(c);
                }
                else if (c == ' ')
                {
                    result.Append('+');
                }
                else
                {
                    result.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
                }
            }
            return result.ToString();
        }

        private static void DecodeTarget(string pathAndQuery, out string path, out List<Parameter> query)
        {
            int mark = pathAndQuery.IndexOf('?');
            string rawPath = mark < 0 ? pathAndQuery : pathAndQuery.Substring(0, mark);
            path = Decode(rawPath, false);
            query = new List<Parameter>();
            if (mark < 0)
            {
                return;
            }
            foreach (string piece in pathAndQuery.Substring(mark + 1).Split('&'))
            {
                if (piece.Length == 0)
                {
                    continue;
                }
                int equals = piece.IndexOf('=');
                string name = equals < 0 ? piece : piece.Substring(0, equals);
                string value = equals < 0 ? string.Empty : piece.Substring(equals + 1);
                query.Add(new Parameter(Decode(name, true), Decode(value, true)));
            }
        }

        private static string Decode(string text, bool plusIsSpace)
        {
            var bytes = new List<byte>(text.Length);
            byte[] raw = Utf8.GetBytes(text);
            for (int i = 0; i < raw.Length; i++)
            {
                if (raw[i] == '%')
                {
                    bytes.Add(byte.Parse(Encoding.ASCII.GetString(raw, i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
                    i += 2;
                }
                else if (raw[i] == '+' && plusIsSpace)
                {
                    bytes.Add((byte)' ');
                }
                else
                {
                    bytes.Add(raw[i]);
                }
            }
            return Utf8.GetString(bytes.ToArray());
        }

        private static string HmacHexBase64(string key, string message)
        {
            using (var hmac = new HMACSHA256(Utf8.GetBytes(key)))
            {
                string hex = LowerHex(hmac.ComputeHash(Utf8.GetBytes(message)));
                return Convert.ToBase64String(Encoding.ASCII.GetBytes(hex));
            }
        }

        internal static string LowerHex(byte[] bytes)
        {
            var result = new StringBuilder(bytes.Length * 2);
            foreach (byte b in bytes)
            {
                result.Append(b.ToString("x2", CultureInfo.InvariantCulture));
            }
            return result.ToString();
        }
    }
}
