using System;
using System.Text;

namespace ErpAuth
{
    /// <summary>
    /// Explicit UTF-8 conversion for everything that crosses the C ABI. Both directions are
    /// strict: a lone UTF-16 surrogate going in, or bytes that are not UTF-8 coming out, raise
    /// an exception instead of being silently replaced by U+FFFD (which would sign a
    /// different string from the one the caller passed).
    /// </summary>
    internal static class Utf8
    {
        private static readonly UTF8Encoding Strict = new UTF8Encoding(false, true);

        /// <summary>
        /// <paramref name="value"/> as NUL-terminated UTF-8. Throws
        /// <see cref="ArgumentNullException"/> for null and <see cref="ArgumentException"/> for
        /// an embedded NUL (C would silently cut the string there) or a lone surrogate.
        /// </summary>
        internal static byte[] ToNative(string value, string paramName)
        {
            if (value == null)
            {
                throw new ArgumentNullException(paramName);
            }
            return Encode(value, paramName);
        }

        /// <summary>As <see cref="ToNative"/>, but null gives null (a NULL pointer).</summary>
        internal static byte[] ToNativeOrNull(string value, string paramName)
        {
            return value == null ? null : Encode(value, paramName);
        }

        private static byte[] Encode(string value, string paramName)
        {
            if (value.IndexOf('\0') >= 0)
            {
                throw new ArgumentException(
                    "the string contains a NUL character ('\\0'), which C strings cannot carry",
                    paramName);
            }
            try
            {
                int count = Strict.GetByteCount(value);
                byte[] bytes = new byte[count + 1];
                Strict.GetBytes(value, 0, value.Length, bytes, 0);
                return bytes;
            }
            catch (EncoderFallbackException)
            {
                throw new ArgumentException(
                    "the string is not valid UTF-16 (it contains a lone surrogate) and has no UTF-8 form",
                    paramName);
            }
        }

        /// <summary>The first <paramref name="length"/> bytes of <paramref name="buffer"/> as text.</summary>
        internal static string FromNative(byte[] buffer, int length)
        {
            try
            {
                return Strict.GetString(buffer, 0, length);
            }
            catch (DecoderFallbackException)
            {
                throw new ErpAuthException(
                    Status.Internal, "erpauth returned bytes that are not UTF-8 (a bug in the native library)");
            }
        }
    }
}
