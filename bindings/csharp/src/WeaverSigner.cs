using System;

namespace ErpAuth
{
    /// <summary>
    /// Weaver e9 getToken signs for one (appid, secret, aesKey), prepared once: the same signs
    /// as <see cref="Weaver.Sign"/>, with MD5(appid:secret) and the AES key schedule computed
    /// when the signer is made instead of on every call, and no strings to marshal per call.
    /// The native signer keeps neither the secret nor the key, only what is derived from them,
    /// and wipes that when freed. Make one with
    /// <c>new WeaverSigner(appId, secret, aesKey)</c> and keep it for as
    /// long as the credentials are in use.
    /// </summary>
    /// <remarks>
    /// Every method is safe to call from many threads at once, on the same signer too.
    /// Dispose it when done: the native signer is freed once the calls already running on it
    /// have returned; a second Dispose does nothing, and any later call throws
    /// <see cref="ObjectDisposedException"/>. A signer that is never disposed is freed by its
    /// <c>SafeHandle</c>'s finalizer.
    /// </remarks>
    public sealed class WeaverSigner : IDisposable
    {
        private const string ObjectName = "WeaverSigner";

        private readonly WeaverSignerHandle handle;
        private readonly string appid;

        /// <summary>
        /// A signer for these credentials. An <paramref name="aesKey"/> that is not 16, 24 or 32
        /// bytes of UTF-8 throws <see cref="ArgumentException"/>.
        /// </summary>
        /// <param name="appId">The application id issued by the OA administrator.</param>
        /// <param name="secret">The application secret.</param>
        /// <param name="aesKey">The AES key: 16, 24 or 32 bytes of UTF-8.</param>
        public WeaverSigner(string appId, string secret, string aesKey)
        {
            byte[] id = Utf8.ToNative(appId, "appId");
            byte[] s = Utf8.ToNative(secret, "secret");
            byte[] key = Utf8.ToNative(aesKey, "aesKey");
            try
            {
                handle = NativeHandle.Create("signer", (out WeaverSignerHandle signer) =>
                    NativeMethods.erpauth_weaver_signer_new(id, s, key, out signer));
            }
            finally
            {
                // The secrets in the UTF-8 copies go now rather than whenever the GC reuses the memory.
                Array.Clear(s, 0, s.Length);
                Array.Clear(key, 0, key.Length);
            }
            this.appid = appId;
        }

        /// <summary>
        /// The <c>sign</c> header of <c>/api/cus/token/auth/getToken</c> for the current time,
        /// strictly increasing across the whole process (shared with <see cref="Weaver.Sign"/>),
        /// so that no two signs are ever equal (the server accepts each sign once).
        /// </summary>
        public string Sign()
        {
            return Sign(0);
        }

        /// <summary>
        /// The <c>sign</c> header for <paramref name="timestampMs"/> milliseconds since the Unix
        /// epoch (for tests and vectors): the same result as <see cref="Weaver.Sign"/> with this
        /// signer's credentials. 0 or less signs the current time, as <see cref="Sign()"/>.
        /// </summary>
        public string Sign(long timestampMs)
        {
            return handle.Use(ObjectName, signer =>
                Interop.CallForString((IntPtr b, UIntPtr c, out UIntPtr l) =>
                    NativeMethods.erpauth_weaver_signer_sign(signer, timestampMs, b, c, out l)));
        }

        /// <summary>Frees the native signer once no call on it is running. Safe to call twice.</summary>
        public void Dispose()
        {
            handle.RequestClose();
        }

        /// <summary>The type, the appid and whether it is disposed; never the secret or the AES key.</summary>
        public override string ToString()
        {
            return ObjectName + "[appid=" + appid + "]" + (handle.IsCloseRequested ? " (disposed)" : string.Empty);
        }
    }
}
