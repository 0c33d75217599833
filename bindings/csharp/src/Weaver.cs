using System;

namespace ErpAuth
{
    /// <summary>
    /// Weaver e-cology 9 (泛微 e9) getToken signs. Pure functions: no I/O, safe from any thread.
    /// </summary>
    public static class Weaver
    {
        /// <summary>
        /// The <c>sign</c> header of <c>/api/cus/token/auth/getToken</c>:
        /// lower-hex(AES-ECB-PKCS5(aesKey, timestamp + "_" + UPPER(hex(MD5(appid + ":" + secret))))).
        /// </summary>
        /// <param name="appId">The application id issued by the OA administrator.</param>
        /// <param name="secret">The application secret.</param>
        /// <param name="aesKey">The AES key: 16, 24 or 32 bytes of UTF-8, else <see cref="ArgumentException"/>.</param>
        /// <param name="timestampMs">Milliseconds since the Unix epoch to sign (for tests and
        /// vectors); 0 or less signs the current time, strictly increasing across the whole
        /// process so that no two signs are ever equal (the server accepts each sign once).</param>
        public static string Sign(string appId, string secret, string aesKey, long timestampMs = 0)
        {
            byte[] id = Utf8.ToNative(appId, "appId");
            byte[] s = Utf8.ToNative(secret, "secret");
            byte[] key = Utf8.ToNative(aesKey, "aesKey");
            return Interop.CallForString((IntPtr b, UIntPtr c, out UIntPtr l) =>
                NativeMethods.erpauth_weaver_sign(id, s, key, timestampMs, b, c, out l));
        }

        /// <summary>Use <c>new WeaverSigner(appId, secret, aesKey)</c>.</summary>
        [Obsolete("Use new WeaverSigner(appId, secret, aesKey).")]
        public static WeaverSigner Signer(string appId, string secret, string aesKey)
        {
            return new WeaverSigner(appId, secret, aesKey);
        }
    }
}
