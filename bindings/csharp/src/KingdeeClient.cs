using System;
using System.Collections.Generic;

namespace ErpAuth
{
    /// <summary>
    /// A Kingdee gateway client: credentials, an HTTP connection pool and an app-token cache in
    /// the native library. One instance serves the whole process; every method is safe to call
    /// from many threads at once, and concurrent callers that find no token share one request.
    /// Dispose it when done (a second Dispose does nothing; any other call afterwards throws
    /// <see cref="ObjectDisposedException"/>).
    /// </summary>
    public sealed class KingdeeClient : IDisposable
    {
        private readonly KingdeeClientHandle handle;

        /// <summary>
        /// Creates the client. No request is made yet. A missing or bad option throws
        /// <see cref="ErpAuthException"/> with <see cref="Status.InvalidArgument"/> naming the config key.
        /// </summary>
        public KingdeeClient(KingdeeClientOptions options)
        {
            if (options == null)
            {
                throw new ArgumentNullException("options");
            }
            handle = ClientFactory.Create<KingdeeClientHandle>(options, NativeMethods.erpauth_kingdee_client_new);
        }

        /// <summary>
        /// The app-token: from the cache, or fetched (once, however many threads ask) and cached
        /// until shortly before it expires.
        /// </summary>
        public string AppToken()
        {
            return handle.Use("KingdeeClient", client =>
                Interop.CallForString((IntPtr b, UIntPtr c, out UIntPtr l) =>
                    NativeMethods.erpauth_kingdee_client_app_token(client, b, c, out l)));
        }

        /// <summary>
        /// Every header a business call needs: the six signed gateway headers for this method and
        /// target, <c>app-token</c>, and <c>X-GW-Router-Addr</c> when a domain is configured.
        /// Fetches the app-token first if none is cached. Names are looked up case-insensitively.
        /// </summary>
        public IDictionary<string, string> Headers(string method, string pathAndQuery)
        {
            byte[] m = Utf8.ToNative(method, "method");
            byte[] target = Utf8.ToNative(pathAndQuery, "pathAndQuery");
            string lines = handle.Use("KingdeeClient", client =>
                Interop.CallForString((IntPtr b, UIntPtr c, out UIntPtr l) =>
                    NativeMethods.erpauth_kingdee_client_headers(client, m, target, b, c, out l)));
            return HeaderLines.Parse(lines);
        }

        /// <summary>
        /// Drops the cached app-token, so the next call fetches a new one; for when the gateway
        /// answered a business call with 4010/4011 (token invalid or expired).
        /// </summary>
        public void Invalidate()
        {
            handle.Use("KingdeeClient", client =>
            {
                NativeMethods.erpauth_kingdee_client_invalidate(client);
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
