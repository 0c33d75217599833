using System;

namespace ErpAuth
{
    /// <summary>
    /// A Weaver e9 getToken client: credentials, an HTTP connection pool and a token cache per
    /// (userType, userContain) in the native library. Every method is safe to call from many
    /// threads at once, and concurrent callers that find no token share one request. Dispose
    /// it when done (a second Dispose does nothing; any other call afterwards throws
    /// <see cref="ObjectDisposedException"/>).
    /// </summary>
    public sealed class WeaverClient : IDisposable
    {
        private readonly WeaverClientHandle handle;

        /// <summary>
        /// Creates the client. No request is made yet. A missing or bad option throws
        /// <see cref="ErpAuthException"/> with <see cref="Status.InvalidArgument"/> naming the config key.
        /// </summary>
        public WeaverClient(WeaverClientOptions options)
        {
            if (options == null)
            {
                throw new ArgumentNullException("options");
            }
            handle = ClientFactory.Create<WeaverClientHandle>(options, NativeMethods.erpauth_weaver_client_new);
        }

        /// <summary>
        /// A token: from the cache, or fetched (once, however many threads ask). With both
        /// arguments null, the plain app token; with <paramref name="userType"/> (<c>id</c>,
        /// <c>loginid</c>, <c>workcode</c>, <c>idnum</c>, <c>email</c>, <c>outkey</c>) and
        /// <paramref name="userContain"/> (that user's value), the token for that user.
        /// A refusal by the server is an <see cref="ErpAuthException"/> with
        /// <see cref="Status.Rejected"/> and the server's <c>msg</c>.
        /// </summary>
        public string Token(string userType = null, string userContain = null)
        {
            byte[] type = Utf8.ToNativeOrNull(userType, "userType");
            byte[] contain = Utf8.ToNativeOrNull(userContain, "userContain");
            return handle.Use("WeaverClient", client =>
                Interop.CallForString((IntPtr b, UIntPtr c, out UIntPtr l) =>
                    NativeMethods.erpauth_weaver_client_token(client, type, contain, b, c, out l)));
        }

        /// <summary>
        /// The encrypted user id the server returned with the token for this user (the same cache
        /// entry as <see cref="Token"/>; fetches it if needed), for the calls that check user rights.
        /// </summary>
        public string UserId(string userType, string userContain)
        {
            byte[] type = Utf8.ToNative(userType, "userType");
            byte[] contain = Utf8.ToNative(userContain, "userContain");
            return handle.Use("WeaverClient", client =>
                Interop.CallForString((IntPtr b, UIntPtr c, out UIntPtr l) =>
                    NativeMethods.erpauth_weaver_client_userid(client, type, contain, b, c, out l)));
        }

        /// <summary>Drops every cached token, so the next call fetches anew.</summary>
        public void Invalidate()
        {
            handle.Use("WeaverClient", client =>
            {
                NativeMethods.erpauth_weaver_client_invalidate(client);
                return true;
            });
        }

        /// <summary>Frees the native client once no call on it is running. Safe to call twice.</summary>
        public void Dispose()
        {
            handle.RequestClose();
        }
    }
}
