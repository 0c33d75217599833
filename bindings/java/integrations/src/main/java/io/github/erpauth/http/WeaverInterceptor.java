package io.github.erpauth.http;

import io.github.erpauth.WeaverAuth;
import io.github.erpauth.WeaverClient;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * An OkHttp application interceptor for Weaver e9 business calls: adds {@code appid},
 * {@code token} and, for a user, {@code userid} ({@link WeaverAuth#headers(WeaverClient.UserType, String)}),
 * and when the server answers that the token is unknown or timed out invalidates the tokens
 * and sends the request once more (not for a one-shot body).
 *
 * <pre>{@code
 * OkHttpClient http = new OkHttpClient.Builder()
 *         .addInterceptor(new WeaverInterceptor(weaverClient, WeaverClient.UserType.LOGINID, "zhangs"))
 *         .build();
 * }</pre>
 */
public final class WeaverInterceptor implements Interceptor {
    private final WeaverAuth auth;
    private final WeaverClient.UserType userType;
    private final String userContain;

    /** Adds the plain app token. */
    public WeaverInterceptor(WeaverAuth auth) {
        this.auth = Objects.requireNonNull(auth, "auth");
        this.userType = null;
        this.userContain = null;
    }

    /** Acts as the user whose {@code userType} attribute is {@code userContain}. */
    public WeaverInterceptor(WeaverAuth auth, WeaverClient.UserType userType, String userContain) {
        this.auth = Objects.requireNonNull(auth, "auth");
        this.userType = Objects.requireNonNull(userType, "userType");
        this.userContain = Objects.requireNonNull(userContain, "userContain");
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        Request request = chain.request();
        Response response = chain.proceed(withToken(request));
        RequestBody body = request.body();
        if (body != null && body.isOneShot()) {
            return response;
        }
        if (!TokenInvalid.weaver(response.code(), response.peekBody(TokenInvalid.MAX_REFUSAL_BYTES).string())) {
            return response;
        }
        response.close();
        auth.invalidate();
        return chain.proceed(withToken(request));
    }

    private Request withToken(Request request) {
        Map<String, String> headers = userType == null ? auth.headers() : auth.headers(userType, userContain);
        Request.Builder builder = request.newBuilder();
        for (Map.Entry<String, String> header : headers.entrySet()) {
            builder.header(header.getKey(), header.getValue());
        }
        return builder.build();
    }
}
