using System;

namespace ErpAuth
{
    /// <summary>
    /// Kingdee <c>X-Api-Signature</c>s for one client secret, prepared once: the same signatures
    /// as <see cref="Kingdee.Signature"/>, with the HMAC-SHA256 key expanded when the signer is
    /// made instead of on every call, and one argument fewer to marshal per call. The native
    /// signer keeps only the expanded key, not the secret, and wipes it when freed. Make one with
    /// <c>new KingdeeSigner(clientSecret)</c> and keep it for as long as the secret is in use.
    /// </summary>
    /// <remarks>
    /// Every method is safe to call from many threads at once, on the same signer too.
    /// Dispose it when done: the native signer is freed once the calls already running on it
    /// have returned; a second Dispose does nothing, and any later call throws
    /// <see cref="ObjectDisposedException"/>. A signer that is never disposed is freed by its
    /// <c>SafeHandle</c>'s finalizer.
    /// </remarks>
    public sealed class KingdeeSigner : IDisposable
    {
        private const string ObjectName = "KingdeeSigner";

        private readonly KingdeeSignerHandle handle;

        /// <summary>A signer for <paramref name="clientSecret"/>, the developer app's client secret.</summary>
        public KingdeeSigner(string clientSecret)
        {
            byte[] secret = Utf8.ToNative(clientSecret, "clientSecret");
            try
            {
                handle = NativeHandle.Create("signer", (out KingdeeSignerHandle signer) =>
                    NativeMethods.erpauth_kingdee_signer_new(secret, out signer));
            }
            finally
            {
                // The secret in the UTF-8 copy goes now rather than whenever the GC reuses the memory.
                Array.Clear(secret, 0, secret.Length);
            }
        }

        /// <summary>
        /// <c>X-Api-Signature</c> for one request under this signer's client secret: the same
        /// result as <see cref="Kingdee.Signature"/> with that secret. <paramref name="pathAndQuery"/>
        /// is the request target as it goes on the wire (<c>/path?k=v</c>);
        /// <paramref name="nonce"/> and <paramref name="timestamp"/> (milliseconds since the Unix
        /// epoch) are decimal digits. A bad method, target, nonce or timestamp throws
        /// <see cref="ArgumentException"/>.
        /// </summary>
        public string Signature(string method, string pathAndQuery, string nonce, string timestamp)
        {
            byte[] m = Utf8.ToNative(method, "method");
            byte[] target = Utf8.ToNative(pathAndQuery, "pathAndQuery");
            byte[] n = Utf8.ToNative(nonce, "nonce");
            byte[] t = Utf8.ToNative(timestamp, "timestamp");
            return handle.Use(ObjectName, signer =>
                Interop.CallForString((IntPtr b, UIntPtr c, out UIntPtr l) =>
                    NativeMethods.erpauth_kingdee_signer_signature(signer, m, target, n, t, b, c, out l)));
        }

        /// <summary>Frees the native signer once no call on it is running. Safe to call twice.</summary>
        public void Dispose()
        {
            handle.RequestClose();
        }

        /// <summary>The type and whether it is disposed; never the secret.</summary>
        public override string ToString()
        {
            return ObjectName + (handle.IsCloseRequested ? " (disposed)" : string.Empty);
        }
    }
}
