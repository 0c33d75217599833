using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace ErpAuth
{
    /// <summary>
    /// A Kingdee gateway client: credentials, an HTTP connection pool and an app-token cache in
    /// the native library. One instance serves the whole process; every method is safe to call
    /// from many threads at once, and concurrent callers that find no token share one request.
    /// Dispose it when done (a second Dispose does nothing; any other call afterwards throws
    /// <see cref="ObjectDisposedException"/>).
    /// </summary>
    /// <remarks>
    /// The <c>*Async</c> methods run the blocking native call on the thread pool. Cancellation
    /// stops a call that has not started; one already running cannot be interrupted: the task
    /// is cancelled at once and the native call finishes in the background, within
    /// <see cref="ClientOptions.Timeout"/>.
    /// </remarks>
    public sealed class KingdeeClient : IDisposable
    {
        private const string ObjectName = "KingdeeClient";

        private readonly KingdeeClientHandle handle;

        /// <summary>
        /// Creates the client. No request is made yet. A missing or bad option throws
        /// <see cref="ArgumentException"/> naming the <see cref="KingdeeClientOptions"/> property.
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
        /// <exception cref="ErpAuthException">The gateway refused (see <see cref="ErpAuthException.ServerCode"/>),
        /// or the network, HTTP or answer failed.</exception>
        public string GetAppToken()
        {
            return handle.Use(ObjectName, client =>
                Interop.CallForString((IntPtr b, UIntPtr c, out UIntPtr l) =>
                    NativeMethods.erpauth_kingdee_client_app_token(client, b, c, out l)));
        }

        /// <summary><see cref="GetAppToken"/> on the thread pool (see the remarks on cancellation).</summary>
        public Task<string> GetAppTokenAsync(CancellationToken cancellationToken = default(CancellationToken))
        {
            return AsyncCall.Run(GetAppToken, cancellationToken);
        }

        /// <summary>
        /// Every header a business call needs, in the order to send them: the six signed gateway
        /// headers for this method and target (<c>X-Api-ClientID</c>, <c>X-Api-Auth-Version</c>,
        /// <c>X-Api-TimeStamp</c>, <c>X-Api-Nonce</c>, <c>X-Api-SignHeaders</c>,
        /// <c>X-Api-Signature</c>), then <c>app-token</c>, then <c>X-GW-Router-Addr</c> when a
        /// domain is configured. Fetches the app-token first if none is cached.
        /// </summary>
        /// <param name="method">The HTTP method, e.g. <c>GET</c>.</param>
        /// <param name="pathAndQuery">The request target as sent, e.g. <c>/jdy/v2/bd/customer?page=1</c>.</param>
        public HeaderList GetHeaders(string method, string pathAndQuery)
        {
            byte[] m = Utf8.ToNative(method, "method");
            byte[] target = Utf8.ToNative(pathAndQuery, "pathAndQuery");
            string lines = handle.Use(ObjectName, client =>
                Interop.CallForString((IntPtr b, UIntPtr c, out UIntPtr l) =>
                    NativeMethods.erpauth_kingdee_client_headers(client, m, target, b, c, out l)));
            return HeaderLines.Parse(lines);
        }

        /// <summary><see cref="GetHeaders"/> on the thread pool (see the remarks on cancellation).</summary>
        public Task<HeaderList> GetHeadersAsync(
            string method, string pathAndQuery, CancellationToken cancellationToken = default(CancellationToken))
        {
            // Arguments are checked now, not when the task runs.
            Utf8.ToNative(method, "method");
            Utf8.ToNative(pathAndQuery, "pathAndQuery");
            return AsyncCall.Run(() => GetHeaders(method, pathAndQuery), cancellationToken);
        }

        /// <summary>
        /// Performs one signed business call and returns the answer, whatever its HTTP status:
        /// the six gateway headers signed for this request, <c>app-token</c> and
        /// <c>X-GW-Router-Addr</c>. When the gateway answers 4010/4011 (token invalid or
        /// expired) the client fetches a new token once and sends the request once more; nothing
        /// else is retried.
        /// </summary>
        /// <param name="method">GET, POST, PUT, DELETE or PATCH.</param>
        /// <param name="pathAndQuery">The request target as sent, e.g. <c>/jdy/v2/bd/customer?page=1</c>.</param>
        /// <param name="body">The body, sent as UTF-8; null for none.</param>
        /// <param name="contentType">The body's type; null for <c>application/json</c>.</param>
        /// <exception cref="ErpAuthException">No HTTP answer (network, the token fetch refused), or
        /// an answer over the size limit.</exception>
        public ErpAuthResponse Call(string method, string pathAndQuery, string body = null, string contentType = null)
        {
            byte[] m = Utf8.ToNative(method, "method");
            byte[] target = Utf8.ToNative(pathAndQuery, "pathAndQuery");
            byte[] b = Utf8.ToNativeOrNull(body, "body");
            byte[] type = Utf8.ToNativeOrNull(contentType, "contentType");
            ResponseHandle response = handle.Use(ObjectName, client =>
                NativeHandle.Create("response", (out ResponseHandle r) =>
                    NativeMethods.erpauth_kingdee_client_call(client, m, target, b, type, out r)));
            return ErpAuthResponse.Read(response);
        }

        /// <summary><see cref="Call"/> on the thread pool (see the remarks on cancellation: a request
        /// already sent is not withdrawn).</summary>
        public Task<ErpAuthResponse> CallAsync(
            string method, string pathAndQuery, string body = null, string contentType = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            Utf8.ToNative(method, "method");
            Utf8.ToNative(pathAndQuery, "pathAndQuery");
            Utf8.ToNativeOrNull(body, "body");
            Utf8.ToNativeOrNull(contentType, "contentType");
            return AsyncCall.Run(() => Call(method, pathAndQuery, body, contentType), cancellationToken);
        }

        /// <summary>
        /// Replaces the app secret of this live client, for a host that receives the new one from
        /// Kingdee's authorization push, and drops the cached app-token so that the next call
        /// fetches one signed with it. An empty secret throws <see cref="ArgumentException"/>.
        /// </summary>
        public void UpdateAppSecret(string appSecret)
        {
            byte[] secret = Utf8.ToNative(appSecret, "appSecret");
            try
            {
                handle.Use(ObjectName, client =>
                {
                    int status = NativeMethods.erpauth_kingdee_client_set_app_secret(client, secret);
                    if (status != Interop.Ok)
                    {
                        throw Interop.LastError(status);
                    }
                    return true;
                });
            }
            finally
            {
                Array.Clear(secret, 0, secret.Length);
            }
        }

        /// <summary>
        /// The authorization in use, as a JSON object:
        /// <c>{"app_key":..,"domain":..|null,"source":"config"|"push_app_authorize"|"set_app_secret","outer_instance_id":..|null,"details":{..}}</c>.
        /// Never the app secret. Pulls the authorization first when the client was configured with
        /// <see cref="KingdeeClientOptions.OuterInstanceId"/> and has none yet.
        /// </summary>
        public string GetAuthorization()
        {
            return handle.Use(ObjectName, client =>
                Interop.CallForString((IntPtr b, UIntPtr c, out UIntPtr l) =>
                    NativeMethods.erpauth_kingdee_client_authorization(client, b, c, out l)));
        }

        /// <summary>
        /// Drops the cached app-token, so the next call fetches a new one; for when the gateway
        /// answered a business call with 4010/4011 (token invalid or expired).
        /// </summary>
        public void Invalidate()
        {
            handle.Use(ObjectName, client =>
            {
                NativeMethods.erpauth_kingdee_client_invalidate(client);
                return true;
            });
        }

        /// <summary>Use <see cref="GetAppToken"/>.</summary>
        [Obsolete("Use GetAppToken().")]
        public string AppToken()
        {
            return GetAppToken();
        }

        /// <summary>Use <see cref="GetHeaders"/>, which keeps the order of the headers.</summary>
        [Obsolete("Use GetHeaders(method, pathAndQuery), which keeps the order of the headers.")]
        public IDictionary<string, string> Headers(string method, string pathAndQuery)
        {
            return GetHeaders(method, pathAndQuery).ToDictionary();
        }

        /// <summary>Frees the native client once no call on it is running. Safe to call twice.</summary>
        public void Dispose()
        {
            handle.RequestClose();
        }

        /// <summary>The type and whether it is disposed; never a secret.</summary>
        public override string ToString()
        {
            return ObjectName + (handle.IsCloseRequested ? " (disposed)" : string.Empty);
        }
    }
}
