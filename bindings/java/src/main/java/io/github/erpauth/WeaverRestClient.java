package io.github.erpauth;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * A Weaver e-cology 9 client for the standard REST authentication ({@code /api/ec/dev/auth/regist}
 * and {@code applytoken}, RSA): registration kept in a state file (or given), a token cache and
 * an HTTP connection pool, all in the native library.
 *
 * <pre>{@code
 * try (WeaverRestClient oa = WeaverRestClient.builder()
 *         .baseUrl("http://oa.example.com:8080").appid("...")
 *         .stateFile(Paths.get("/var/lib/myapp/e9-registration.json"))   // registered once, kept
 *         .build()) {
 *     ErpAuthResponse todo = oa.call("GET", "/api/workflow/paService/getToDoWorkflowRequestList", null, null, "9");
 * }
 * }</pre>
 *
 * <p>Registering again makes e9 rotate the keys and breaks every other client of the appid, so
 * keep the state file (or the {@code spk}/{@code secrit} of {@link #register()}) across
 * restarts. Thread-safe; {@link #close()} waits for calls in flight.
 */
public final class WeaverRestClient extends NativeObject {
    private static final int TOKEN_BUFFER = 256;
    private static final int HEADERS_BUFFER = 1024;
    private static final int STATE_BUFFER = 2048;

    private WeaverRestClient(Builder builder) {
        super("WeaverRestClient", builder.newClient(Natives::erpauth_weaver_rest_client_new),
                Natives::erpauth_weaver_rest_client_free, "WeaverRestClient" + builder.settings());
    }

    /** A builder; {@code baseUrl}, {@code appid} and either {@code stateFile} or {@code spk} + {@code secrit} are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Registers now unless a registration exists (given or in the state file) and returns it as
     * a JSON object: {@code {"appid","spk","secrit","cpk","registered_at_ms","state_file"}}.
     * It holds {@code secrit}: treat it as a secret.
     */
    public String register() {
        return handle.map(client -> NativeCall.text(STATE_BUFFER, 0,
                s -> Natives.erpauth_weaver_rest_client_register(client, s.out(), s.outCap(), s.outLen())));
    }

    /** The token from applytoken: cached, fetched once however many threads ask, refreshed before it ends. */
    public String token() {
        return handle.map(client -> NativeCall.text(TOKEN_BUFFER, 0,
                s -> Natives.erpauth_weaver_rest_client_token(client, s.out(), s.outCap(), s.outLen())));
    }

    /** The {@code userid} header for the OA user id {@code userid}: Base64(RSA(spk, userid)). */
    public String userid(String userid) {
        Objects.requireNonNull(userid, "userid");
        return handle.map(client -> NativeCall.text(HEADERS_BUFFER, NativeScratch.bound(userid),
                s -> Natives.erpauth_weaver_rest_client_userid(client, s.string(userid, "userid"),
                        s.out(), s.outCap(), s.outLen())));
    }

    /** The headers of a business call without a user, in order: {@code appid}, {@code token}. */
    public Map<String, String> headers() {
        return headersFor(null);
    }

    /** The headers of a business call as the OA user {@code userid}: {@code appid}, {@code token}, {@code userid}. */
    public Map<String, String> headers(String userid) {
        return headersFor(Objects.requireNonNull(userid, "userid"));
    }

    private Map<String, String> headersFor(String userid) {
        String lines = handle.map(client -> NativeCall.text(HEADERS_BUFFER, NativeScratch.bound(userid),
                s -> Natives.erpauth_weaver_rest_client_headers(client, s.string(userid, "userid"),
                        s.out(), s.outCap(), s.outLen())));
        return Kingdee.parseHeaderLines(lines);
    }

    /**
     * Performs one e9 business call and returns the answer, whatever its HTTP status. When the
     * server says the token is unknown or timed out, the client fetches a new one once and sends
     * once more; nothing else is retried.
     *
     * @param body the body, sent as UTF-8; {@code null} for none
     * @param contentType the body's type; {@code null} for {@code application/json}
     * @param userid the OA user id to act as; {@code null} for none
     */
    public ErpAuthResponse call(String method, String pathAndQuery, String body, String contentType, String userid) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(pathAndQuery, "pathAndQuery");
        long arguments = NativeScratch.bound(method) + NativeScratch.bound(pathAndQuery) + NativeScratch.bound(body)
                + NativeScratch.bound(contentType) + NativeScratch.bound(userid);
        long response = handle.map(client -> NativeCall.newHandle(arguments,
                s -> Natives.erpauth_weaver_rest_client_call(client, s.string(method, "method"),
                        s.string(pathAndQuery, "pathAndQuery"), s.string(body, "body"),
                        s.string(contentType, "contentType"), s.string(userid, "userid"), s.outLen())));
        return ErpAuthResponse.read(response);
    }

    /** Drops the cached token (the registration stays), for a token-invalid answer. */
    public void invalidate() {
        handle.run(client -> Natives.erpauth_weaver_rest_client_invalidate(client));
    }

    /** Typed configuration of a {@link WeaverRestClient}. */
    public static final class Builder extends ClientBuilder<Builder> {
        private Builder() {
            super("WeaverRestClient", "appid", "baseUrl");
        }

        /** The OA server, e.g. {@code http://oa.example.com:8080}. Required. */
        public Builder baseUrl(String baseUrl) {
            return putShown("base_url", baseUrl, "baseUrl");
        }

        /** The application id the OA administrator set up for REST access. Required. */
        public Builder appid(String appid) {
            return putShown("appid", appid, "appid");
        }

        /**
         * Where the client keeps its RSA key pair, {@code spk} and {@code secrit}: registered
         * once on first use, written atomically with owner-only permissions, safely shared by
         * several processes.
         */
        public Builder stateFile(Path stateFile) {
            config.put("state_file", Objects.requireNonNull(stateFile, "stateFile").toString());
            return this;
        }

        /** The server's public key of an earlier registration (Base64 DER), with {@link #secrit(String)}. */
        public Builder spk(String spk) {
            return put("spk", spk, "spk");
        }

        /** The secret of an earlier registration (e9 spells it {@code secrit}), with {@link #spk(String)}. */
        public Builder secrit(String secrit) {
            return put("secrit", secrit, "secrit");
        }

        /** The token lifetime asked of applytoken (default 30 min; whole seconds). */
        public Builder tokenTtl(Duration ttl) {
            return putSeconds("token_ttl_s", ttl, "tokenTtl");
        }

        /** Creates the client. No request is made and no file is read yet. */
        public WeaverRestClient build() {
            return new WeaverRestClient(this);
        }
    }
}
