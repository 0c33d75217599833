package io.github.erpauth.http;

import io.github.erpauth.KingdeeAuth;
import java.io.IOException;
import java.util.Objects;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * An OkHttp application interceptor for the Kingdee gateway: adds the signed gateway headers,
 * {@code app-token} and {@code X-GW-Router-Addr} of {@link KingdeeAuth#headers(String, String)}
 * for each request's method and target as sent, and when the gateway answers 4010/4011
 * (app-token invalid or expired) invalidates the token and sends the request once more (not
 * for a one-shot body).
 *
 * <pre>{@code
 * OkHttpClient http = new OkHttpClient.Builder()
 *         .addInterceptor(new KingdeeInterceptor(kingdeeClient))
 *         .build();
 * }</pre>
 *
 * Add it with {@code addInterceptor}, not {@code addNetworkInterceptor}: a network interceptor
 * may not send a request twice.
 */
public final class KingdeeInterceptor implements Interceptor {
    private final KingdeeAuth auth;

    /** @param auth the client that signs (a {@link io.github.erpauth.KingdeeClient}) */
    public KingdeeInterceptor(KingdeeAuth auth) {
        this.auth = Objects.requireNonNull(auth, "auth");
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        return OkHttpSupport.proceedRetryingOnce(chain, TokenInvalid.KINGDEE, this::signed, auth::invalidate);
    }

    private Request signed(Request request) {
        String target = TokenInvalid.target(request.url().encodedPath(), request.url().encodedQuery());
        return OkHttpSupport.withHeaders(request, auth.headers(request.method(), target));
    }
}
