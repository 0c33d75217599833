package io.github.erpauth;

import java.nio.file.Path;
import java.time.Duration;
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
public final class KingdeeClient implements AutoCloseable {
    private static final int TOKEN_BUFFER = 256;
    private static final int HEADERS_BUFFER = 1024;

    private final NativeHandle handle;
    private final HandleCleaner.Cleanable cleanable;
    private final String description;

    private KingdeeClient(Builder builder) {
        String json = builder.config.toJson();
        ClientNatives.requireLoaded();
        long address = NativeCall.newClient(json, ClientNatives::erpauth_kingdee_client_new);
        this.handle = new NativeHandle("KingdeeClient", address, ClientNatives::erpauth_kingdee_client_free);
        this.cleanable = HandleCleaner.register(this, handle);
        this.description = "KingdeeClient[clientId=" + builder.clientId + ", baseUrl=" + builder.baseUrl + "]";
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
    public String appToken() {
        long client = handle.acquire();
        try {
            return NativeCall.text(TOKEN_BUFFER, 0,
                    s -> ClientNatives.erpauth_kingdee_client_app_token(client, s.out(), s.outCap(), s.outLen()));
        } finally {
            handle.release();
        }
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
    public Map<String, String> headers(String method, String pathAndQuery) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(pathAndQuery, "pathAndQuery");
        long client = handle.acquire();
        String lines;
        try {
            lines = NativeCall.text(HEADERS_BUFFER, NativeScratch.bound(method) + NativeScratch.bound(pathAndQuery),
                    s -> ClientNatives.erpauth_kingdee_client_headers(client, s.string(method, "method"),
                            s.string(pathAndQuery, "pathAndQuery"), s.out(), s.outCap(), s.outLen()));
        } finally {
            handle.release();
        }
        return Kingdee.parseHeaderLines(lines);
    }

    /**
     * Drops the cached app-token, so the next call fetches a new one: for when a business
     * call answers 4010/4011 (token invalid or expired).
     *
     * @throws IllegalStateException if the client is closed
     */
    public void invalidate() {
        long client = handle.acquire();
        try {
            ClientNatives.erpauth_kingdee_client_invalidate(client);
        } finally {
            handle.release();
        }
    }

    /** Frees the native client after the calls in flight return. Closing twice is harmless. */
    @Override
    public void close() {
        cleanable.clean();
    }

    /** The handle, for tests of the leak cleanup (they must not keep the client reachable). */
    NativeHandle nativeHandle() {
        return handle;
    }

    /** Client id and base URL; never a secret. */
    @Override
    public String toString() {
        return description + (handle.isFreed() ? " (closed)" : "");
    }

    /**
     * Typed configuration of a {@link KingdeeClient}. Setters reject {@code null}; the
     * native library checks the values when {@link #build()} runs.
     */
    public static final class Builder {
        private final ConfigJson config = new ConfigJson();
        private String clientId;
        private String baseUrl = "https://api.kingdee.com";

        private Builder() {}

        /** The app's client id ({@code X-Api-ClientID}). Required. */
        public Builder clientId(String clientId) {
            config.put("client_id", clientId);
            this.clientId = clientId;
            return this;
        }

        /** The app's client secret (signs every request). Required. */
        public Builder clientSecret(String clientSecret) {
            config.put("client_secret", clientSecret);
            return this;
        }

        /** The account authorization's app key. Required. */
        public Builder appKey(String appKey) {
            config.put("app_key", appKey);
            return this;
        }

        /** The account authorization's app secret (rotates every 24 h). Required. */
        public Builder appSecret(String appSecret) {
            config.put("app_secret", appSecret);
            return this;
        }

        /** The gateway, default {@code https://api.kingdee.com}. */
        public Builder baseUrl(String baseUrl) {
            config.put("base_url", baseUrl);
            this.baseUrl = baseUrl;
            return this;
        }

        /** Ask for the app-token of this cloud-account user of the same enterprise. */
        public Builder uid(String uid) {
            config.put("uid", uid);
            return this;
        }

        /** Ask for the app-token of this cloud-account user of the same enterprise. */
        public Builder uid(long uid) {
            config.put("uid", uid);
            return this;
        }

        /** The account's domain, e.g. {@code https://tf.jdy.com}, sent as {@code X-GW-Router-Addr}. */
        public Builder domain(String domain) {
            config.put("domain", domain);
            return this;
        }

        /** Bound on each whole request, connect to last byte (default 10 s; whole milliseconds). */
        public Builder timeout(Duration timeout) {
            config.put("timeout_ms", Objects.requireNonNull(timeout, "timeout").toMillis());
            return this;
        }

        /** Refresh the token this long before it ends (default 5 min, at most a tenth of its life; whole seconds). */
        public Builder refreshMargin(Duration margin) {
            config.put("refresh_margin_s", Objects.requireNonNull(margin, "margin").getSeconds());
            return this;
        }

        /** Which certificate authorities to trust (default {@link TlsRoots#WEBPKI}). */
        public Builder tlsRoots(TlsRoots roots) {
            config.put("tls_roots", Objects.requireNonNull(roots, "roots").configValue);
            return this;
        }

        /** A PEM file of the certificate authorities to trust instead of the built-in web roots, e.g. an internal CA. */
        public Builder caFile(Path pemFile) {
            config.put("ca_file", Objects.requireNonNull(pemFile, "pemFile").toString());
            return this;
        }

        /** An HTTP proxy such as {@code http://user:pass@proxy:3128}. Without one, no proxy is used. */
        public Builder proxy(String proxyUrl) {
            config.put("proxy", proxyUrl);
            return this;
        }

        /**
         * Use the proxy of the environment variables {@code HTTPS_PROXY}/{@code HTTP_PROXY}
         * (never used unless asked for, so that an intranet server is not sent to a proxy).
         */
        public Builder proxyFromEnvironment() {
            config.put("proxy", "env");
            return this;
        }

        /**
         * Creates the client. No request is made yet.
         *
         * @throws ErpAuthException {@link Status#INVALID_ARGUMENT} naming the missing or bad setting
         */
        public KingdeeClient build() {
            return new KingdeeClient(this);
        }

        /** Never shows a secret. */
        @Override
        public String toString() {
            return "KingdeeClient.Builder[clientId=" + clientId + ", baseUrl=" + baseUrl + "]";
        }
    }
}
