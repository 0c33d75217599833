using System;
using System.Collections.Generic;

namespace ErpAuth
{
    /// <summary>
    /// Kingdee API gateway signatures (金蝶 <c>api.kingdee.com</c>). Pure functions: no I/O,
    /// safe from any thread. Every failure of the native library is an
    /// <see cref="ErpAuthException"/>; a bad argument is an <see cref="ArgumentException"/>
    /// (<see cref="ArgumentNullException"/> for a null) naming the parameter.
    /// </summary>
    /// <remarks>
    /// <c>pathAndQuery</c> is the request target as it goes on the wire: <c>/path</c> or
    /// <c>/path?k=v&amp;k2=v2</c>. <c>%XX</c> escapes are decoded before signing, and in the
    /// query <c>+</c> is a space, so <c>/a%20b?q=%E4%B8%AD+x</c> signs the path <c>/a b</c> and the
    /// value <c>中 x</c>.
    /// </remarks>
    public static class Kingdee
    {
        /// <summary>
        /// The <c>app_signature</c> query parameter of the app-token request:
        /// Base64(lower-hex(HMAC-SHA256(key = appSecret, message = appKey))).
        /// </summary>
        public static string AppSignature(string appKey, string appSecret)
        {
            byte[] key = Utf8.ToNative(appKey, "appKey");
            byte[] secret = Utf8.ToNative(appSecret, "appSecret");
            return Interop.CallForString((IntPtr b, UIntPtr c, out UIntPtr l) =>
                NativeMethods.erpauth_kingdee_app_signature(key, secret, b, c, out l));
        }

        /// <summary>
        /// The exact five-line string that <c>X-Api-Signature</c> signs, each line ending in
        /// <c>"\n"</c>; for comparing with what the gateway expects when a signature is refused.
        /// </summary>
        public static string StringToSign(string method, string pathAndQuery, string nonce, string timestamp)
        {
            byte[] m = Utf8.ToNative(method, "method");
            byte[] target = Utf8.ToNative(pathAndQuery, "pathAndQuery");
            byte[] n = Utf8.ToNative(nonce, "nonce");
            byte[] t = Utf8.ToNative(timestamp, "timestamp");
            return Interop.CallForString((IntPtr b, UIntPtr c, out UIntPtr l) =>
                NativeMethods.erpauth_kingdee_string_to_sign(m, target, n, t, b, c, out l));
        }

        /// <summary>
        /// <c>X-Api-Signature</c> for one request, keyed by the app's <paramref name="clientSecret"/>
        /// (not the per-account app_secret). <paramref name="nonce"/> and <paramref name="timestamp"/>
        /// (milliseconds since the Unix epoch) are decimal digits.
        /// </summary>
        public static string Signature(
            string clientSecret, string method, string pathAndQuery, string nonce, string timestamp)
        {
            byte[] secret = Utf8.ToNative(clientSecret, "clientSecret");
            byte[] m = Utf8.ToNative(method, "method");
            byte[] target = Utf8.ToNative(pathAndQuery, "pathAndQuery");
            byte[] n = Utf8.ToNative(nonce, "nonce");
            byte[] t = Utf8.ToNative(timestamp, "timestamp");
            return Interop.CallForString((IntPtr b, UIntPtr c, out UIntPtr l) =>
                NativeMethods.erpauth_kingdee_signature(secret, m, target, n, t, b, c, out l));
        }

        /// <summary>Use <c>new KingdeeSigner(clientSecret)</c>.</summary>
        [Obsolete("Use new KingdeeSigner(clientSecret).")]
        public static KingdeeSigner Signer(string clientSecret)
        {
            return new KingdeeSigner(clientSecret);
        }

        /// <summary>
        /// The six gateway headers for one request, with a fresh random nonce and the current
        /// time: <c>X-Api-ClientID</c>, <c>X-Api-Auth-Version</c>, <c>X-Api-TimeStamp</c>,
        /// <c>X-Api-Nonce</c>, <c>X-Api-SignHeaders</c>, <c>X-Api-Signature</c>, in that order.
        /// Names are looked up case-insensitively.
        /// </summary>
        public static HeaderList GetSignHeaders(
            string clientId, string clientSecret, string method, string pathAndQuery)
        {
            byte[] id = Utf8.ToNative(clientId, "clientId");
            byte[] secret = Utf8.ToNative(clientSecret, "clientSecret");
            byte[] m = Utf8.ToNative(method, "method");
            byte[] target = Utf8.ToNative(pathAndQuery, "pathAndQuery");
            return HeaderLines.Parse(Interop.CallForString((IntPtr b, UIntPtr c, out UIntPtr l) =>
                NativeMethods.erpauth_kingdee_sign_headers(id, secret, m, target, b, c, out l)));
        }
   
        /// <summary>Use <see cref="GetSignHeaders"/>, which keeps the order of the headers.</summary>
        [Obsolete("Use GetSignHeaders(clientId, clientSecret, method, pathAndQuery).")]
        public static IDictionary<string, string> SignHeaders(
            string clientId, string clientSecret, string method, string pathAndQuery)
        {
            return GetSignHeaders(clientId, clientSecret, method, pathAndQuery).ToDictionary();
        }
    }
}
