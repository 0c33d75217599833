package io.github.erpauth;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * A Weaver e-cology 9 token client ({@code /api/cus/token/auth/getToken}): credentials, an
 * HTTP connection pool and a token cache per user, all in the native library.
 *
 * <pre>{@code
 * try (WeaverClient oa = WeaverClient.builder()
 *         .baseUrl("http://oa.example.com:8080")
 *         .appid("...").secret("...").aesKey("...")
 *         .build()) {
 *     String token = oa.token(WeaverClient.UserType.LOGINID, "zhangs");
 *     String userid = oa.userid(WeaverClient.UserType.LOGINID, "zhangs");
 * }
 * }</pre>
 *
 * <p><b>Thread safety:</b> one client is meant to be shared by the whole application; every
 * method may be called from any number of threads at once. However many threads ask for the
 * same user's token at the same moment, the server is asked once, and every request carries a
 * sign never used before. {@link #close()} waits for calls in flight; a client that is never
 * closed is freed after the garbage collector finds it unreachable.
 */
public final class WeaverClient implements AutoCloseable {
    private static final int TOKEN_BUFFER = 256;

    /** The e9 {@code userType} values: which attribute of the user {@code userContain} holds. */
    public enum UserType {
        /** The numeric user id. */
        ID("id"),
        /** The login name. */
        LOGINID("loginid"),
        /** The employee number. */
        WORKCODE("workcode"),
        /** The identity card number. */
        IDNUM("idnum"),
        /** The e-mail address. */
        EMAIL("email"),
        /** The external key. */
        OUTKEY("outkey");

        private final String wireName;

        UserType(String wireName) {
            this.wireName = wireName;
        }

        /** The value sent in the {@code userType} header, e.g. {@code "loginid"}. */
        public String wireName() {
            return wireName;
        }
    }

    private final NativeHandle handle;
    private final HandleCleaner.Cleanable cleanable;
    private final String description;

    private WeaverClient(Builder builder) {
        String json = builder.config.toJson();
        ClientNatives.requireLoaded();
        long address = NativeCall.newClient(json, ClientNatives::erpauth_weaver_client_new);
        this.handle = new NativeHandle("WeaverClient", address, ClientNatives::erpauth_weaver_client_free);
        this.cleanable = HandleCleaner.register(this, handle);
        this.description = "WeaverClient[appid=" + builder.appid + ", baseUrl=" + builder.baseUrl + "]";
    }

    /** A builder; {@code baseUrl}, {@code appid}, {@code secret} and {@code aesKey} are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The plain app token (no user): from the cache, or fetched once however many threads ask.
     *
     * @throws ErpAuthException {@link Status#REJECTED} with the server's {@code msg} verbatim
     *     (for example an appid disabled), {@link Status#NETWORK}, {@link Status#HTTP} or
     *     {@link Status#BAD_RESPONSE}
     * @throws IllegalStateException if the client is closed
     */
    public String token() {
        return token((String) null, null);
    }

    /** The token for one user, as {@link #token(String, String)}. */
    public String token(UserType userType, String userContain) {
        return token(Objects.requireNonNull(userType, "userType").wireName, userContain);
    }

    /**
     * The token for the user whose {@code userType} attribute is {@code userContain}
     * ({@code "loginid"}, {@code "zhangs"}), or the plain app token when both are {@code null}.
     * Cached per pair.
     *
     * @throws ErpAuthException {@link Status#INVALID_ARGUMENT} if only one of the two is given;
     *     otherwise as {@link #token()}
     * @throws IllegalStateException if the client is closed
     */
    public String token(String userType, String userContain) {
        long client = handle.acquire();
        try {
            return NativeCall.text(TOKEN_BUFFER, NativeScratch.bound(userType) + NativeScratch.bound(userContain),
                    s -> ClientNatives.erpauth_weaver_client_token(client, s.string(userType, "userType"),
                            s.string(userContain, "userContain"), s.out(), s.outCap(), s.outLen()));
        } finally {
            handle.release();
        }
    }

    /** The encrypted user id for one user, as {@link #userid(String, String)}. */
    public String userid(UserType userType, String userContain) {
        return userid(Objects.requireNonNull(userType, "userType").wireName, userContain);
    }

    /**
     * The encrypted user id the server returned with that user's token (same cache entry as
     * {@link #token(String, String)}, fetched if needed), for the calls that check user rights.
     *
     * @throws ErpAuthException {@link Status#INVALID_ARGUMENT} unless both are given;
     *     otherwise as {@link #token()}
     * @throws IllegalStateException if the client is closed
     */
    public String userid(String userType, String userContain) {
        long client = handle.acquire();
        try {
            return NativeCall.text(TOKEN_BUFFER, NativeScratch.bound(userType) + NativeScratch.bound(userContain),
                    s -> ClientNatives.erpauth_weaver_client_userid(client, s.string(userType, "userType"),
                            s.string(userContain, "userContain"), s.out(), s.outCap(), s.outLen()));
        } finally {
            handle.release();
        }
    }

    /**
     * Drops every cached token of this client, so the next call fetches anew: for when a
     * business call answers that the token is invalid or timed out.
     *
     * @throws IllegalStateException if the client is closed
     */
    public void invalidate() {
        long client = handle.acquire();
        try {
            ClientNatives.erpauth_weaver_client_invalidate(client);
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

    /** Appid and base URL; never a secret. */
    @Override
    public String toString() {
        return description + (handle.isFreed() ? " (closed)" : "");
    }

    /**
     * Typed configuration of a {@link WeaverClient}. Setters reject {@code null}; the native
     * library checks the values when {@link #build()} runs.
     */
    public static final class Builder {
        private final ConfigJson config = new ConfigJson();
        private String appid;
        private String baseUrl;

        private Builder() {}

        /** The OA server, e.g. {@code http://oa.example.com:8080}. Required. */
        public Builder baseUrl(String baseUrl) {
            config.put("base_url", baseUrl);
            this.baseUrl = baseUrl;
            return this;
        }

        /** The application id issued by the OA administrator. Required. */
        public Builder appid(String appid) {
            config.put("appid", appid);
            this.appid = appid;
            return this;
        }

        /** The application secret. Required. */
        public Builder secret(String secret) {
            config.put("secret", secret);
            return this;
        }

        /** The AES key: 16, 24 or 32 bytes of UTF-8. Required. */
        public Builder aesKey(String aesKey) {
            config.put("aes_key", aesKey);
            return this;
        }

        /** How long the server keeps a token (default 30 min; whole seconds). */
        public Builder tokenTtl(Duration ttl) {
            config.put("token_ttl_s", Objects.requireNonNull(ttl, "ttl").getSeconds());
            return this;
        }

        /** Bound on each whole request, connect to last byte (default 10 s; whole milliseconds). */
        public Builder timeout(Duration timeout) {
            config.put("timeout_ms", Objects.requireNonNull(timeout, "timeout").toMillis());
            return this;
        }

        /** Refresh a token this long before it ends (default 5 min, at most a tenth of its life; whole seconds). */
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
        public WeaverClient build() {
            return new WeaverClient(this);
        }

        /** Never shows a secret. */
        @Override
        public String toString() {
            return "WeaverClient.Builder[appid=" + appid + ", baseUrl=" + baseUrl + "]";
        }
    }
}
