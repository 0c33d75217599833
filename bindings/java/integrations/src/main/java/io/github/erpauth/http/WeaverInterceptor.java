package io.github.erpauth.http;

import io.github.erpauth.WeaverAuth;
import io.github.erpauth.WeaverClient;
import java.io.IOException;
import java.util.Objects;
import okhttp3.Interceptor;
import okhttp3.Request;
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
        return OkHttpSupport.proceedRetryingOnce(chain, TokenInvalid.WEAVER, this::withToken, auth::invalidate);
    }

    private Request withToken(Request request) {
        return OkHttpSupport.withHeaders(request,
                userType == null ? auth.headers() : auth.headers(userType, userContain));
    }
}
