using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace ErpAuth
{
    /// <summary>
    /// The base of the <see cref="HttpClient"/> handlers of <c>ErpAuth.Http.dll</c> (an assembly of
    /// its own, so that <c>ErpAuth.dll</c> needs no <c>System.Net.Http</c>). The retry rule both share: a request is sent again after a token-invalid answer
    /// only if its content can be sent twice unchanged (none, or a <see cref="ByteArrayContent"/>:
    /// <see cref="StringContent"/>, <see cref="FormUrlEncodedContent"/>). A stream is never
    /// buffered behind the caller's back, so a request with one is sent once.
    /// </summary>
    public abstract class ErpAuthHandler : DelegatingHandler
    {
        // Refusals are short; a longer answer is never read to look for one.
        private const long MaxRefusalBytes = 64 * 1024;

        internal ErpAuthHandler()
        {
        }

        internal ErpAuthHandler(HttpMessageHandler innerHandler)
            : base(innerHandler)
        {
        }

        /// <summary>Adds the authentication headers, sends, and on a token-invalid answer
        /// invalidates the cached token and sends once more when the content can be replayed.</summary>
        protected override async Task<HttpResponseMessage> SendAsync(
            HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request == null)
            {
                throw new ArgumentNullException("request");
            }
            await AddHeadersAsync(request, cancellationToken).ConfigureAwait(false);
            HttpResponseMessage response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (!Replayable(request.Content) || !await IsTokenInvalidAsync(response).ConfigureAwait(false))
            {
                return response;
            }
            response.Dispose();
            Invalidate();
            await AddHeadersAsync(request, cancellationToken).ConfigureAwait(false);
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        internal abstract Task<HeaderList> HeadersAsync(HttpRequestMessage request, CancellationToken cancellationToken);

        internal abstract bool IsTokenInvalid(HttpResponseMessage response, string body);

        internal abstract void Invalidate();

        private async Task AddHeadersAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            HeaderList headers = await HeadersAsync(request, cancellationToken).ConfigureAwait(false);
            foreach (KeyValuePair<string, string> header in headers)
            {
                // A retry replaces the first attempt's values (new nonce, new token).
                request.Headers.Remove(header.Key);
                if (!request.Headers.TryAddWithoutValidation(header.Key, header.Value))
                {
                    throw new ErpAuthException(Status.Internal, "the header " + header.Key + " could not be added to the request");
                }
            }
        }

        private static bool Replayable(HttpContent content)
        {
            return content == null || content is ByteArrayContent;
        }

        private async Task<bool> IsTokenInvalidAsync(HttpResponseMessage response)
        {
            HttpContent content = response.Content;
            if (content == null)
            {
                return IsTokenInvalid(response, string.Empty);
            }
            long? length = content.Headers.ContentLength;
            if (!length.HasValue || length.Value > MaxRefusalBytes)
            {
                return false;
            }
            // Buffered, so the caller can still read the body of an answer that is passed on.
            await content.LoadIntoBufferAsync().ConfigureAwait(false);
            string body = await content.ReadAsStringAsync().ConfigureAwait(false);
            return IsTokenInvalid(response, body);
        }
    }

    /// <summary>
    /// An <see cref="HttpClient"/> handler for the Kingdee gateway: signs every request with
    /// <see cref="KingdeeClient.GetHeaders"/> (the six gateway headers, <c>app-token</c>,
    /// <c>X-GW-Router-Addr</c>) for its method and target as sent, and when the gateway answers
    /// 4010/4011 (app-token invalid or expired) invalidates the token and sends once more.
    /// </summary>
    /// <example>
    /// <code>
    /// var http = new HttpClient(new KingdeeSigningHandler(kingdee) { InnerHandler = new HttpClientHandler() })
    /// {
    ///     BaseAddress = new Uri("https://api.kingdee.com"),
    /// };
    /// string json = await http.GetStringAsync("/jdy/v2/bd/customer?search=中文");
    /// </code>
    /// </example>
    public sealed class KingdeeSigningHandler : ErpAuthHandler
    {
        private readonly KingdeeClient client;

        /// <summary>A handler signing with <paramref name="client"/>; set <see cref="DelegatingHandler.InnerHandler"/>
        /// (or use it in an <c>IHttpClientFactory</c> pipeline).</summary>
        public KingdeeSigningHandler(KingdeeClient client)
        {
            if (client == null)
            {
                throw new ArgumentNullException("client");
            }
            this.client = client;
        }

        /// <summary>A handler signing with <paramref name="client"/> in front of <paramref name="innerHandler"/>.</summary>
        public KingdeeSigningHandler(KingdeeClient client, HttpMessageHandler innerHandler)
            : base(innerHandler)
        {
            if (client == null)
            {
                throw new ArgumentNullException("client");
            }
            this.client = client;
        }

        internal override Task<HeaderList> HeadersAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri == null || !request.RequestUri.IsAbsoluteUri)
            {
                throw new ArgumentException("the request needs an absolute RequestUri (or the HttpClient a BaseAddress)", "request");
            }
            // PathAndQuery is the target as it goes on the wire (non-ASCII percent-encoded as
            // UTF-8), which is what the gateway checks the signature against.
            return client.GetHeadersAsync(request.Method.Method, request.RequestUri.PathAndQuery, cancellationToken);
        }

        internal override bool IsTokenInvalid(HttpResponseMessage response, string body)
        {
            // The gateway refuses with HTTP 519 and {"code":4010|4011,...}.
            return (int)response.StatusCode == 519
                && (body.Contains("\"code\":4010") || body.Contains("\"code\":4011"));
        }

        internal override void Invalidate()
        {
            client.Invalidate();
        }
    }

    /// <summary>
    /// An <see cref="HttpClient"/> handler for Weaver e9 business calls: adds <c>appid</c>,
    /// <c>token</c> and, for a user, <c>userid</c> (<see cref="WeaverClient.GetHeaders(UserType, string)"/>)
    /// to every request, and when the server answers that the token is unknown or timed out
    /// (<c>token不存在或者超时</c>, <c>errorCode 002</c>) invalidates the tokens and sends once more.
    /// </summary>
    public sealed class WeaverTokenHandler : ErpAuthHandler
    {
        private readonly WeaverClient client;
        private readonly UserType? userType;
        private readonly string userContain;

        /// <summary>A handler adding the plain app token of <paramref name="client"/>.</summary>
        public WeaverTokenHandler(WeaverClient client)
        {
            if (client == null)
            {
                throw new ArgumentNullException("client");
            }
            this.client = client;
        }

        /// <summary>A handler acting as the user whose <paramref name="userType"/> is <paramref name="userContain"/>.</summary>
        public WeaverTokenHandler(WeaverClient client, UserType userType, string userContain)
            : this(client)
        {
            if (!Enum.IsDefined(typeof(UserType), userType))
            {
                throw new ArgumentOutOfRangeException("userType", (int)userType, "userType is not a UserType value");
            }
            if (userContain == null)
            {
                throw new ArgumentNullException("userContain");
            }
            this.userType = userType;
            this.userContain = userContain;
        }

        internal override Task<HeaderList> HeadersAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            return userType.HasValue
                ? client.GetHeadersAsync(userType.Value, userContain, cancellationToken)
                : client.GetHeadersAsync(cancellationToken);
        }

        internal override bool IsTokenInvalid(HttpResponseMessage response, string body)
        {
            return body.Contains("token不存在或者超时")
                || (body.Contains("\"errorCode\"") && body.Contains("\"002\""));
        }

        internal override void Invalidate()
        {
            client.Invalidate();
        }
    }
}
