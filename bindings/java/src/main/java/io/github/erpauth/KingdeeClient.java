package io.github.erpauth;

import java.util.Map;
import java.util.Objects;

/**
 * A Kingdee API gateway client: credentials, an HTTP connection pool and an app-token cache,
 * all in the native library.
 *
 * <pre>{@code
 * try (KingdeeClient kingdee = KingdeeClient.builder()
 *         .clientId("...").clientSecret("...").appKey("...").appSecret("...")
 *         .domain("https://tf.jdy.com")
 *         .build()) {
 *     Map<String, String> headers = kingdee.headers("GET", "/jdy/v2/bd/customer?page=1");
 *     // send the request with these headers
 * }
 * }</pre>
 *
 * <p><b>Thread safety:</b> one client is meant to be shared by the whole application; every
 * method may be called from any number of threads at once. However many threads ask for the
 * app-token at the same moment, the gateway is asked once. {@link #close()} waits for calls in
 * flight; a client that is never closed is freed after the garbage collector finds it
 * unreachable, but closing it (try-with-resources) frees it at a known time.
 */
public final class KingdeeClient extends NativeObject implements KingdeeAuth {
    private static final int TOKEN_BUFFER = 256;
    private static final int HEADERS_BUFFER = 1024;

    private KingdeeClient(Builder builder) {
        super("KingdeeClient", builder.newClient(Natives::erpauth_kingdee_client_new),
                Natives::erpauth_kingdee_client_free, "KingdeeClient" + builder.settings());
    }

    /** A builder; {@code clientId}, {@code clientSecret}, {@code appKey} and {@code appSecret} are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The app-token: from the cache, or fetched from the gateway once however many threads
     * ask. Cached for its lifetime (24 h, or what the answer says) less a refresh margin.
     *
     * @throws ErpAuthException {@link Status#REJECTED} with the gateway's code and words (for
     *     example errcode 1030002006 when the app secret has rotated), {@link Status#NETWORK},
     *     {@link Status#HTTP} or {@link Status#BAD_RESPONSE}
     * @throws IllegalStateException if the client is closed
     */
    @Override
    public String appToken() {
        return handle.map(client -> NativeCall.text(TOKEN_BUFFER, 0,
                    s -> Natives.erpauth_kingdee_client_app_token(client, s.out(), s.outCap(), s.outLen())));
    }

    /**
     * Every header one business call needs: the six signed gateway headers for this method
     * and target (fresh nonce and time), {@code app-token} (cached as in {@link #appToken()}),
     * and {@code X-GW-Router-Addr} when a domain is configured.
     *
     * @param method the HTTP method, e.g. {@code "GET"}
     * @param pathAndQuery the request target as sent, e.g. {@code "/jdy/v2/bd/customer?page=1"}
     * @return an unmodifiable map in the order the headers should be sent
     * @throws ErpAuthException as {@link #appToken()}, or {@link Status#INVALID_ARGUMENT}
     * @throws IllegalStateException if the client is closed
     */
    @Override
    public Map<String, String> headers(String method, String pathAndQuery) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(pathAndQuery, "pathAndQuery");
        String lines = handle.map(client -> NativeCall.text(HEADERS_BUFFER,
                NativeScratch.bound(method) + NativeScratch.bound(pathAndQuery),
                s -> Natives.erpauth_kingdee_client_headers(client, s.string(method, "method"),
                        s.string(pathAndQuery, "pathAndQuery"), s.out(), s.outCap(), s.outLen())));
        return Kingdee.parseHeaderLines(lines);
    }

    /**
     * Performs one signed business call and returns the answer, whatever its HTTP status: the
     * six gateway headers signed for this request, {@code app-token} and
     * {@code X-GW-Router-Addr}. When the gateway answers 4010/4011 (token invalid or expired)
     * the client fetches a new token once and sends the request once more; nothing else is
     * retried.
     *
     * @param method GET, POST, PUT, DELETE or PATCH
     * @param pathAndQuery the request target as sent, e.g. {@code /jdy/v2/bd/customer?page=1}
     * @param body the body, sent as UTF-8; {@code null} for none
     * @param contentType the body's type; {@code null} for {@code application/json}
     * @throws ErpAuthException when no HTTP answer came ({@link Status#NETWORK}, a refused
     *     token fetch) or the answer is over the size limit
     * @throws IllegalStateException if the client is closed
     */
    public ErpAuthResponse call(String method, String pathAndQuery, String body, String contentType) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(pathAndQuery, "pathAndQuery");
        long arguments = NativeScratch.bound(method) + NativeScratch.bound(pathAndQuery) + NativeScratch.bound(body)
                + NativeScratch.bound(contentType);
        long response = handle.map(client -> NativeCall.newHandle(arguments,
                s -> Natives.erpauth_kingdee_client_call(client, s.string(method, "method"),
                        s.string(pathAndQuery, "pathAndQuery"), s.string(body, "body"),
                        s.string(contentType, "contentType"), s.outLen())));
        return ErpAuthResponse.read(response);
    }

    /**
     * Replaces the app secret of this live client, for a host that receives the new one from
     * Kingdee's authorization push, and drops the cached app-token so that the next call
     * fetches one signed with it.
     *
     * @throws NullPointerException naming {@code appSecret}
     * @throws ErpAuthException {@link Status#INVALID_ARGUMENT} for an empty secret
     * @throws IllegalStateException if the client is closed
     */
    public void updateAppSecret(String appSecret) {
        Objects.requireNonNull(appSecret, "appSecret");
        handle.run(client -> NativeCall.status(NativeScratch.bound(appSecret),
                s -> Natives.erpauth_kingdee_client_set_app_secret(client, s.string(appSecret, "appSecret"))));
    }

    /**
     * The authorization in use, as a JSON object:
     * {@code {"app_key":..,"domain":..|null,"source":"config"|"push_app_authorize"|"set_app_secret",
     * "outer_instance_id":..|null,"details":{..}}}. Never the app secret. Pulls the
     * authorization first when the client was built with {@link Builder#outerInstanceId(String)}
     * and has none yet.
     *
     * @throws ErpAuthException as {@link #appToken()}
     * @throws IllegalStateException if the client is closed
     */
    public String authorization() {
        return handle.map(client -> NativeCall.text(HEADERS_BUFFER, 0,
                s -> Natives.erpauth_kingdee_client_authorization(client, s.out(), s.outCap(), s.outLen())));
    }

    /** A call without a body, as {@link #call(String, String, String, String)}. */
    public ErpAuthResponse call(String method, String pathAndQuery) {
        return call(method, pathAndQuery, null, null);
    }

    /**
     * Drops the cached app-token, so the next call fetches a new one: for when a business
     * call answers 4010/4011 (token invalid or expired).
     *
     * @throws IllegalStateException if the client is closed
     */
    @Override
    public void invalidate() {
        handle.run(client -> Natives.erpauth_kingdee_client_invalidate(client));
    }

    /**
     * Typed configuration of a {@link KingdeeClient}. Setters reject {@code null}; the
     * native library checks the values when {@link #build()} runs.
     */
    public static final class Builder extends ClientBuilder<Builder> {
        private Builder() {
            super("KingdeeClient", "clientId", "baseUrl");
            showDefault("baseUrl", "https://api.kingdee.com"); // the native default, not sent
        }

        /** The app's client id ({@code X-Api-ClientID}). Required. */
        public Builder clientId(String clientId) {
            return putShown("client_id", clientId, "clientId");
        }

        /** The app's client secret (signs every request). Required. */
        public Builder clientSecret(String clientSecret) {
            return put("client_secret", clientSecret, "clientSecret");
        }

        /** The account authorization's app key. Required. */
        public Builder appKey(String appKey) {
            return put("app_key", appKey, "appKey");
        }

        /** The account authorization's app secret (rotates every 24 h). Required. */
        public Builder appSecret(String appSecret) {
            return put("app_secret", appSecret, "appSecret");
        }

        /** The gateway, default {@code https://api.kingdee.com}. */
        public Builder baseUrl(String baseUrl) {
            return putShown("base_url", baseUrl, "baseUrl");
        }

        /** Ask for the app-token of this cloud-account user of the same enterprise. */
        public Builder uid(String uid) {
            return put("uid", uid, "uid");
        }

        /** Ask for the app-token of this cloud-account user of the same enterprise. */
        public Builder uid(long uid) {
            return put("uid", uid);
        }

        /**
         * The instance id of Kingdee's authorization push: with it, {@code appKey},
         * {@code appSecret} and {@code domain} may be left out, and the client pulls them
         * ({@code push_app_authorize}) and pulls again when the gateway says the app secret
         * has rotated (errcode 1030002006).
         */
        public Builder outerInstanceId(String outerInstanceId) {
            return put("outer_instance_id", outerInstanceId, "outerInstanceId");
        }

        /**
         * Allow a plain {@code http://} gateway that is not on this machine (default: refused, so
         * that credentials and tokens never cross a network in clear by mistake).
         */
        public Builder allowInsecureHttp(boolean allow) {
            return put("allow_insecure_http", allow);
        }

        /** The account's domain, e.g. {@code https://tf.jdy.com}, sent as {@code X-GW-Router-Addr}. */
        public Builder domain(String domain) {
            return put("domain", domain, "domain");
        }

        /**
         * Creates the client. No request is made yet.
         *
         * @throws ErpAuthException {@link Status#INVALID_ARGUMENT} naming the builder method of
         *     the missing or bad setting
         */
        public KingdeeClient build() {
            return new KingdeeClient(this);
        }
    }
}
