using System;
using System.Threading;
using System.Threading.Tasks;

namespace ErpAuth
{
    /// <summary>
    /// A Weaver e9 client for the standard REST authentication (<c>/api/ec/dev/auth/regist</c> and
    /// <c>applytoken</c>, RSA): the registration kept in a state file (or given), a token cache and
    /// an HTTP connection pool in the native library. Registering again makes e9 rotate the keys
    /// and breaks every other client of the appid, so keep the state file (or the spk and secrit
    /// of <see cref="Register"/>) across restarts. Every method is safe from many threads at once.
    /// </summary>
    public sealed class WeaverRestClient : IDisposable
    {
        private const string ObjectName = "WeaverRestClient";

        private readonly WeaverRestClientHandle handle;
        private readonly string appId;

        /// <summary>Creates the client. No request is made and no file is read yet. A missing or bad
        /// option throws <see cref="ArgumentException"/> naming the <see cref="WeaverRestClientOptions"/> property.</summary>
        public WeaverRestClient(WeaverRestClientOptions options)
        {
            if (options == null)
            {
                throw new ArgumentNullException("options");
            }
            handle = ClientFactory.Create<WeaverRestClientHandle>(options, NativeMethods.erpauth_weaver_rest_client_new);
            appId = options.AppId;
        }

        /// <summary>Registers now unless a registration exists and returns it as JSON:
        /// <c>{"appid","spk","secrit","cpk","registered_at_ms","state_file"}</c>. It holds secrit: treat it as a secret.</summary>
        public string Register()
        {
            return handle.Use(ObjectName, client =>
                Interop.CallForString((IntPtr b, UIntPtr c, out UIntPtr l) =>
                    NativeMethods.erpauth_weaver_rest_client_register(client, b, c, out l)));
        }

        /// <summary>The token from applytoken: cached, fetched once however many threads ask.</summary>
        public string GetToken()
        {
            return handle.Use(ObjectName, client =>
                Interop.CallForString((IntPtr b, UIntPtr c, out UIntPtr l) =>
                    NativeMethods.erpauth_weaver_rest_client_token(client, b, c, out l)));
        }

        /// <summary><see cref="GetToken"/> on the thread pool (cancellation as for <see cref="KingdeeClient"/>).</summary>
        public Task<string> GetTokenAsync(CancellationToken cancellationToken = default(CancellationToken))
        {
            return AsyncCall.Run(GetToken, cancellationToken);
        }

        /// <summary>The <c>userid</c> header for the OA user id <paramref name="userId"/>: Base64(RSA(spk, userId)).</summary>
        public string GetUserId(string userId)
        {
            byte[] id = Utf8.ToNative(userId, "userId");
            return handle.Use(ObjectName, client =>
                Interop.CallForString((IntPtr b, UIntPtr c, out UIntPtr l) =>
                    NativeMethods.erpauth_weaver_rest_client_userid(client, id, b, c, out l)));
        }

        /// <summary>The headers of a business call, in order: <c>appid</c>, <c>token</c> and, when
        /// <paramref name="userId"/> is not null, the encrypted <c>userid</c>.</summary>
        public HeaderList GetHeaders(string userId = null)
        {
            byte[] id = Utf8.ToNativeOrNull(userId, "userId");
            return HeaderLines.Parse(handle.Use(ObjectName, client =>
                Interop.CallForString((IntPtr b, UIntPtr c, out UIntPtr l) =>
                    NativeMethods.erpauth_weaver_rest_client_headers(client, id, b, c, out l))));
        }

        /// <summary><see cref="GetHeaders"/> on the thread pool.</summary>
        public Task<HeaderList> GetHeadersAsync(string userId = null, CancellationToken cancellationToken = default(CancellationToken))
        {
            Utf8.ToNativeOrNull(userId, "userId");
            return AsyncCall.Run(() => GetHeaders(userId), cancellationToken);
        }

        /// <summary>
        /// Performs one e9 business call and returns the answer, whatever its HTTP status, as the OA
        /// user <paramref name="userId"/> (null for none). When the server says the token is unknown
        /// or timed out, the client fetches a new one once and sends once more; nothing else is retried.
        /// </summary>
        public ErpAuthResponse Call(
            string method, string pathAndQuery, string body = null, string contentType = null, string userId = null)
        {
            byte[] m = Utf8.ToNative(method, "method");
            byte[] target = Utf8.ToNative(pathAndQuery, "pathAndQuery");
            byte[] b = Utf8.ToNativeOrNull(body, "body");
            byte[] type = Utf8.ToNativeOrNull(contentType, "contentType");
            byte[] id = Utf8.ToNativeOrNull(userId, "userId");
            ResponseHandle response = handle.Use(ObjectName, client =>
                NativeHandle.Create("response", (out ResponseHandle r) =>
                    NativeMethods.erpauth_weaver_rest_client_call(client, m, target, b, type, id, out r)));
            return ErpAuthResponse.Read(response);
        }

        /// <summary><see cref="Call"/> on the thread pool (a request already sent is not withdrawn).</summary>
        public Task<ErpAuthResponse> CallAsync(
            string method, string pathAndQuery, string body = null, string contentType = null, string userId = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            Utf8.ToNative(method, "method");
            Utf8.ToNative(pathAndQuery, "pathAndQuery");
            return AsyncCall.Run(() => Call(method, pathAndQuery, body, contentType, userId), cancellationToken);
        }

        /// <summary>Drops the cached token (the registration stays).</summary>
        public void Invalidate()
        {
            handle.Use(ObjectName, client =>
            {
                NativeMethods.erpauth_weaver_rest_client_invalidate(client);
                return true;
            });
        }

        /// <summary>Frees the native client once no call on it is running. Safe to call twice.</summary>
        public void Dispose()
        {
            handle.RequestClose();
        }

        /// <summary>The type, appid and whether it is disposed; never a secret.</summary>
        public override string ToString()
        {
            return ObjectName + "[AppId=" + appId + "]" + (handle.IsCloseRequested ? " (disposed)" : string.Empty);
        }
    }
}
