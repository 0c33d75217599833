package io.github.erpauth;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
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
public final class WeaverClient extends NativeObject implements WeaverAuth {
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

    private final String appid;

    private WeaverClient(Builder builder) {
        super("WeaverClient", builder.newClient(Natives::erpauth_weaver_client_new),
                Natives::erpauth_weaver_client_free, "WeaverClient" + builder.settings());
        this.appid = builder.shown("appid");
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
    @Override
    public String token() {
        return tokenOf(null, null);
    }

    /**
     * The token for the user whose {@code userType} attribute is {@code userContain}
     * ({@link UserType#LOGINID}, {@code "zhangs"}); cached per user.
     *
     * @throws NullPointerException naming {@code userType} or {@code userContain}
     * @throws ErpAuthException as {@link #token()}
     * @throws IllegalStateException if the client is closed
     */
    @Override
    public String token(UserType userType, String userContain) {
        Objects.requireNonNull(userType, "userType");
        Objects.requireNonNull(userContain, "userContain");
        return tokenOf(userType.wireName, userContain);
    }

    /**
     * The encrypted user id the server returned with that user's token (same cache entry as
     * {@link #token(UserType, String)}, fetched if needed), for the calls that check user rights.
     *
     * @throws NullPointerException naming {@code userType} or {@code userContain}
     * @throws ErpAuthException as {@link #token()}
     * @throws IllegalStateException if the client is closed
     */
    public String userid(UserType userType, String userContain) {
        Objects.requireNonNull(userType, "userType");
        Objects.requireNonNull(userContain, "userContain");
        return useridOf(userType.wireName, userContain);
    }

    /**
     * The headers of an e9 business call without a user, in order: {@code appid},
     * {@code token} (the plain app token).
     *
     * @return an unmodifiable map in that order
     */
    @Override
    public Map<String, String> headers() {
        return headerMap(token(), null);
    }

    /**
     * The headers of an e9 business call as one user, in order: {@code appid}, {@code token}
     * (that user's token) and {@code userid} (the encrypted user id the server returned with it).
     *
     * @return an unmodifiable map in that order
     */
    @Override
    public Map<String, String> headers(UserType userType, String userContain) {
        String token = token(userType, userContain);
        return headerMap(token, userid(userType, userContain));
    }

    private Map<String, String> headerMap(String token, String userid) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("appid", appid);
        headers.put("token", token);
        if (userid != null) {
            headers.put("userid", userid);
        }
        return Collections.unmodifiableMap(headers);
    }

    /**
     * Performs one e9 business call without a user and returns the answer, whatever its HTTP
     * status: {@code appid} and {@code token}. When the server says the token is unknown or
     * timed out, the client fetches a new one once and sends once more; nothing else is retried.
     *
     * @param method GET, POST, PUT, DELETE or PATCH
     * @param pathAndQuery the request target as sent, e.g. {@code /api/workflow/paService/getToDoWorkflowRequestList}
     * @param body the body, sent as UTF-8; {@code null} for none
     * @param contentType the body's type; {@code null} for {@code application/json}
     * @throws ErpAuthException when no HTTP answer came
     * @throws IllegalStateException if the client is closed
     */
    public ErpAuthResponse call(String method, String pathAndQuery, String body, String contentType) {
        return callAs(method, pathAndQuery, body, contentType, null, null);
    }

    /**
     * As {@link #call(String, String, String, String)}, as one user: the request also carries
     * that user's token and encrypted {@code userid}.
     */
    public ErpAuthResponse call(String method, String pathAndQuery, String body, String contentType,
            UserType userType, String userContain) {
        Objects.requireNonNull(userType, "userType");
        Objects.requireNonNull(userContain, "userContain");
        return callAs(method, pathAndQuery, body, contentType, userType.wireName, userContain);
    }

    private ErpAuthResponse callAs(String method, String pathAndQuery, String body, String contentType,
            String userType, String userContain) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(pathAndQuery, "pathAndQuery");
        long arguments = NativeScratch.bound(method) + NativeScratch.bound(pathAndQuery) + NativeScratch.bound(body)
                + NativeScratch.bound(contentType) + NativeScratch.bound(userType) + NativeScratch.bound(userContain);
        long response = handle.map(client -> NativeCall.newHandle(arguments,
                s -> Natives.erpauth_weaver_client_call(client, s.string(method, "method"),
                        s.string(pathAndQuery, "pathAndQuery"), s.string(body, "body"),
                        s.string(contentType, "contentType"), s.string(userType, "userType"),
                        s.string(userContain, "userContain"), s.outLen())));
        return ErpAuthResponse.read(response);
    }

    /** The token for a wire userType, for tests of what the server answers to any text. */
    String tokenOf(String userType, String userContain) {
        return handle.map(client -> NativeCall.text(TOKEN_BUFFER,
                NativeScratch.bound(userType) + NativeScratch.bound(userContain),
                s -> Natives.erpauth_weaver_client_token(client, s.string(userType, "userType"),
                        s.string(userContain, "userContain"), s.out(), s.outCap(), s.outLen())));
    }

    String useridOf(String userType, String userContain) {
        return handle.map(client -> NativeCall.text(TOKEN_BUFFER,
                NativeScratch.bound(userType) + NativeScratch.bound(userContain),
                s -> Natives.erpauth_weaver_client_userid(client, s.string(userType, "userType"),
                        s.string(userContain, "userContain"), s.out(), s.outCap(), s.outLen())));
    }

    /**
     * Drops every cached token of this client, so the next call fetches anew: for when a
     * business call answers that the token is invalid or timed out.
     *
     * @throws IllegalStateException if the client is closed
     */
    @Override
    public void invalidate() {
        handle.run(client -> Natives.erpauth_weaver_client_invalidate(client));
    }

    /**
     * Typed configuration of a {@link WeaverClient}. Setters reject {@code null}; the native
     * library checks the values when {@link #build()} runs.
     */
    public static final class Builder extends ClientBuilder<Builder> {
        private Builder() {
            super("WeaverClient", "appid", "baseUrl");
        }

        /** The OA server, e.g. {@code http://oa.example.com:8080}. Required. */
        public Builder baseUrl(String baseUrl) {
            return putShown("base_url", baseUrl, "baseUrl");
        }

        /** The application id issued by the OA administrator. Required. */
        public Builder appid(String appid) {
            return putShown("appid", appid, "appid");
        }

        /** The application secret. Required. */
        public Builder secret(String secret) {
            return put("secret", secret, "secret");
        }

        /** The AES key: 16, 24 or 32 bytes of UTF-8. Required. */
        public Builder aesKey(String aesKey) {
            return put("aes_key", aesKey, "aesKey");
        }

        /** At most this many users' tokens are cached (default 10 000; the least recently used go first). */
        public Builder maxUsers(long maxUsers) {
            return put("max_users", maxUsers);
        }

        /** How long the server keeps a token (default 30 min; whole seconds). */
        public Builder tokenTtl(Duration ttl) {
            return putSeconds("token_ttl_s", ttl, "tokenTtl");
        }

        /**
         * Creates the client. No request is made yet.
         *
         * @throws ErpAuthException {@link Status#INVALID_ARGUMENT} naming the builder method of
         *     the missing or bad setting
         */
        public WeaverClient build() {
            return new WeaverClient(this);
        }
    }
}
