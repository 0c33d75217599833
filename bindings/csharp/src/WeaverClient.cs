using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace ErpAuth
{
    /// <summary>The e9 <c>userType</c> values: which attribute of the user <c>userContain</c> holds.</summary>
    public enum UserType
    {
        /// <summary>The numeric user id (<c>id</c>).</summary>
        Id,

        /// <summary>The login name (<c>loginid</c>).</summary>
        LoginId,

        /// <summary>The employee number (<c>workcode</c>).</summary>
        WorkCode,

        /// <summary>The identity card number (<c>idnum</c>).</summary>
        IdNum,

        /// <summary>The e-mail address (<c>email</c>).</summary>
        Email,

        /// <summary>The external key (<c>outkey</c>).</summary>
        OutKey,
    }

    /// <summary>
    /// A Weaver e9 getToken client: credentials, an HTTP connection pool and a token cache per
    /// user in the native library. Every method is safe to call from many threads at once, and
    /// concurrent callers that find no token share one request. Dispose it when done (a second
    /// Dispose does nothing; any other call afterwards throws <see cref="ObjectDisposedException"/>).
    /// </summary>
    /// <remarks>
    /// The <c>*Async</c> methods run the blocking native call on the thread pool. Cancellation
    /// stops a call that has not started; one already running cannot be interrupted: the task
    /// is cancelled at once and the native call finishes in the background, within
    /// <see cref="ClientOptions.Timeout"/>.
    /// </remarks>
    public sealed class WeaverClient : IDisposable
    {
        private const string ObjectName = "WeaverClient";

        private readonly WeaverClientHandle handle;
        private readonly string appId;

        /// <summary>
        /// Creates the client. No request is made yet. A missing or bad option throws
        /// <see cref="ArgumentException"/> naming the <see cref="WeaverClientOptions"/> property.
        /// </summary>
        public WeaverClient(WeaverClientOptions options)
        {
            if (options == null)
            {
                throw new ArgumentNullException("options");
            }
            handle = ClientFactory.Create<WeaverClientHandle>(options, NativeMethods.erpauth_weaver_client_new);
            appId = options.AppId;
        }

        /// <summary>
        /// Checks a user's arguments and returns the wire value of <paramref name="userType"/>. The
        /// <c>*Async</c> overloads call it on the caller's thread, so a bad argument throws there
        /// and then rather than inside the returned task.
        /// </summary>
        private static string CheckUser(UserType userType, string userContain)
        {
            string type = WireName(userType);
            Utf8.ToNative(userContain, "userContain");
            return type;
        }

        /// <summary>The wire value of <paramref name="userType"/>, e.g. <c>loginid</c>.</summary>
        internal static string WireName(UserType userType)
        {
            switch (userType)
            {
                case UserType.Id:
                    return "id";
                case UserType.LoginId:
                    return "loginid";
                case UserType.WorkCode:
                    return "workcode";
                case UserType.IdNum:
                    return "idnum";
                case UserType.Email:
                    return "email";
                case UserType.OutKey:
                    return "outkey";
                default:
                    throw new ArgumentOutOfRangeException("userType", (int)userType, "userType is not a UserType value");
            }
        }

        /// <summary>
        /// The plain app token (no user): from the cache, or fetched (once, however many threads ask).
        /// </summary>
        /// <exception cref="ErpAuthException">The server refused (<see cref="ErpAuthException.ServerMessage"/>
        /// holds its <c>msg</c>), or the network, HTTP or answer failed.</exception>
        public string GetToken()
        {
            return TokenFor(null, null);
        }

        /// <summary>
        /// The token for the user whose <paramref name="userType"/> attribute is
        /// <paramref name="userContain"/> (e.g. <see cref="UserType.LoginId"/>, <c>"zhangs"</c>);
        /// cached per user.
        /// </summary>
        public string GetToken(UserType userType, string userContain)
        {
            return TokenFor(CheckUser(userType, userContain), userContain);
        }

        /// <summary><see cref="GetToken()"/> on the thread pool (see the remarks on cancellation).</summary>
        public Task<string> GetTokenAsync(CancellationToken cancellationToken = default(CancellationToken))
        {
            return AsyncCall.Run(() => GetToken(), cancellationToken);
        }

        /// <summary><see cref="GetToken(UserType, string)"/> on the thread pool (see the remarks on cancellation).</summary>
        public Task<string> GetTokenAsync(
            UserType userType, string userContain, CancellationToken cancellationToken = default(CancellationToken))
        {
            CheckUser(userType, userContain);
            return AsyncCall.Run(() => GetToken(userType, userContain), cancellationToken);
        }

        /// <summary>
        /// The encrypted user id the server returned with that user's token (the same cache
        /// entry as <see cref="GetToken(UserType, string)"/>; fetched if needed), for the calls
        /// that check user rights.
        /// </summary>
        public string GetUserId(UserType userType, string userContain)
        {
            byte[] type = Utf8.ToNative(WireName(userType), "userType");
            byte[] contain = Utf8.ToNative(userContain, "userContain");
            return handle.Use(ObjectName, client =>
                Interop.CallForString((IntPtr b, UIntPtr c, out UIntPtr l) =>
                    NativeMethods.erpauth_weaver_client_userid(client, type, contain, b, c, out l)));
        }

        /// <summary><see cref="GetUserId"/> on the thread pool (see the remarks on cancellation).</summary>
        public Task<string> GetUserIdAsync(
            UserType userType, string userContain, CancellationToken cancellationToken = default(CancellationToken))
        {
            CheckUser(userType, userContain);
            return AsyncCall.Run(() => GetUserId(userType, userContain), cancellationToken);
        }

        /// <summary>
        /// The headers of an e9 business call, in order: <c>appid</c>, <c>token</c> (the plain
        /// app token).
        /// </summary>
        public HeaderList GetHeaders()
        {
            return Headers(GetToken(), null);
        }

        /// <summary>
        /// The headers of an e9 business call made as this user, in order: <c>appid</c>,
        /// <c>token</c> (that user's token) and <c>userid</c> (the encrypted user id the server
        /// returned with it).
        /// </summary>
        public HeaderList GetHeaders(UserType userType, string userContain)
        {
            string token = GetToken(userType, userContain);
            return Headers(token, GetUserId(userType, userContain));
        }

        /// <summary><see cref="GetHeaders()"/> on the thread pool (see the remarks on cancellation).</summary>
        public Task<HeaderList> GetHeadersAsync(CancellationToken cancellationToken = default(CancellationToken))
        {
            return AsyncCall.Run(() => GetHeaders(), cancellationToken);
        }

        /// <summary><see cref="GetHeaders(UserType, string)"/> on the thread pool (see the remarks on cancellation).</summary>
        public Task<HeaderList> GetHeadersAsync(
            UserType userType, string userContain, CancellationToken cancellationToken = default(CancellationToken))
        {
            CheckUser(userType, userContain);
            return AsyncCall.Run(() => GetHeaders(userType, userContain), cancellationToken);
        }

        private HeaderList Headers(string token, string userId)
        {
            var headers = new List<KeyValuePair<string, string>>(3)
            {
                new KeyValuePair<string, string>("appid", appId),
                new KeyValuePair<string, string>("token", token),
            };
            if (userId != null)
            {
                headers.Add(new KeyValuePair<string, string>("userid", userId));
            }
            return new HeaderList(headers);
        }

        private string TokenFor(string userType, string userContain)
        {
            byte[] type = Utf8.ToNativeOrNull(userType, "userType");
            byte[] contain = Utf8.ToNativeOrNull(userContain, "userContain");
            return handle.Use(ObjectName, client =>
                Interop.CallForString((IntPtr b, UIntPtr c, out UIntPtr l) =>
                    NativeMethods.erpauth_weaver_client_token(client, type, contain, b, c, out l)));
        }

        /// <summary>Use <see cref="GetToken()"/> or <see cref="GetToken(UserType, string)"/>.</summary>
        [Obsolete("Use GetToken() or GetToken(UserType, userContain).")]
        public string Token(string userType = null, string userContain = null)
        {
            return TokenFor(userType, userContain);
        }

        /// <summary>Use <see cref="GetUserId"/>.</summary>
        [Obsolete("Use GetUserId(UserType, userContain).")]
        public string UserId(string userType, string userContain)
        {
            byte[] type = Utf8.ToNative(userType, "userType");
            byte[] contain = Utf8.ToNative(userContain, "userContain");
            return handle.Use(ObjectName, client =>
                Interop.CallForString((IntPtr b, UIntPtr c, out UIntPtr l) =>
                    NativeMethods.erpauth_weaver_client_userid(client, type, contain, b, c, out l)));
        }

        /// <summary>
        /// Performs one e9 business call and returns the answer, whatever its HTTP status: without
        /// a user (<paramref name="userType"/> null) <c>appid</c> and <c>token</c>; as a user also
        /// that user's token and encrypted <c>userid</c>. When the server says the token is unknown
        /// or timed out, the client fetches a new one once and sends once more; nothing else is retried.
        /// </summary>
        /// <param name="method">GET, POST, PUT, DELETE or PATCH.</param>
        /// <param name="pathAndQuery">The request target as sent.</param>
        /// <param name="body">The body, sent as UTF-8; null for none.</param>
        /// <param name="contentType">The body's type; null for <c>application/json</c>.</param>
        /// <param name="userType">Which attribute <paramref name="userContain"/> holds; null for no user.</param>
        /// <param name="userContain">The user's value of that attribute.</param>
        public ErpAuthResponse Call(
            string method, string pathAndQuery, string body = null, string contentType = null,
            UserType? userType = null, string userContain = null)
        {
            byte[] m = Utf8.ToNative(method, "method");
            byte[] target = Utf8.ToNative(pathAndQuery, "pathAndQuery");
            byte[] b = Utf8.ToNativeOrNull(body, "body");
            byte[] type = Utf8.ToNativeOrNull(contentType, "contentType");
            byte[] ut = null;
            byte[] uc = null;
            if (userType.HasValue)
            {
                ut = Utf8.ToNative(WireName(userType.Value), "userType");
                uc = Utf8.ToNative(userContain, "userContain");
            }
            else if (userContain != null)
            {
                throw new ArgumentException("userContain needs a userType", "userContain");
            }
            ResponseHandle response = handle.Use(ObjectName, client =>
                NativeHandle.Create("response", (out ResponseHandle r) =>
                    NativeMethods.erpauth_weaver_client_call(client, m, target, b, type, ut, uc, out r)));
            return ErpAuthResponse.Read(response);
        }

        /// <summary><see cref="Call"/> on the thread pool (see the remarks on cancellation: a request
        /// already sent is not withdrawn).</summary>
        public Task<ErpAuthResponse> CallAsync(
            string method, string pathAndQuery, string body = null, string contentType = null,
            UserType? userType = null, string userContain = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            Utf8.ToNative(method, "method");
            Utf8.ToNative(pathAndQuery, "pathAndQuery");
            return AsyncCall.Run(() => Call(method, pathAndQuery, body, contentType, userType, userContain), cancellationToken);
        }

        /// <summary>Drops every cached token, so the next call fetches anew.</summary>
        public void Invalidate()
        {
            handle.Use(ObjectName, client =>
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

        /// <summary>The type, appid and whether it is disposed; never a secret.</summary>
        public override string ToString()
        {
            return ObjectName + "[AppId=" + appId + "]" + (handle.IsCloseRequested ? " (disposed)" : string.Empty);
        }
    }
}
