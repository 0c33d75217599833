package io.github.erpauth.http;

import io.github.erpauth.WeaverAuth;
import io.github.erpauth.WeaverClient;
import java.util.Objects;
import org.apache.http.HttpRequest;
import org.apache.http.HttpRequestInterceptor;
import org.apache.http.HttpResponse;
import org.apache.http.client.ServiceUnavailableRetryStrategy;
import org.apache.http.protocol.HttpContext;

/**
 * Apache HttpClient 4 support for Weaver e9 business calls (what e9 itself and most Java 8
 * middleware use), in two roles of one object: as an {@link HttpRequestInterceptor} it sets
 * {@code appid}, {@code token} and, for a user, {@code userid}; as a
 * {@link ServiceUnavailableRetryStrategy} it invalidates the tokens when the server answers
 * that the token is unknown or timed out and has HttpClient send the request once more.
 *
 * <pre>{@code
 * WeaverApacheInterceptor oa = new WeaverApacheInterceptor(weaverClient, WeaverClient.UserType.LOGINID, "zhangs");
 * CloseableHttpClient http = HttpClients.custom()
 *         .addInterceptorLast((HttpRequestInterceptor) oa)
 *         .setServiceUnavailableRetryStrategy(oa)
 *         .disableCookieManagement() // e9 acts as the wrong user when JSESSIONID is sent back
 *         .build();
 * }</pre>
 */
public final class WeaverApacheInterceptor implements HttpRequestInterceptor, ServiceUnavailableRetryStrategy {
    private final WeaverAuth auth;
    private final WeaverClient.UserType userType;
    private final String userContain;

    /** Sets the plain app token. */
    public WeaverApacheInterceptor(WeaverAuth auth) {
        this.auth = Objects.requireNonNull(auth, "auth");
        this.userType = null;
        this.userContain = null;
    }

    /** Acts as the user whose {@code userType} attribute is {@code userContain}. */
    public WeaverApacheInterceptor(WeaverAuth auth, WeaverClient.UserType userType, String userContain) {
        this.auth = Objects.requireNonNull(auth, "auth");
        this.userType = Objects.requireNonNull(userType, "userType");
        this.userContain = Objects.requireNonNull(userContain, "userContain");
    }

    @Override
    public void process(HttpRequest request, HttpContext context) {
        ApacheSupport.setHeaders(request, userType == null ? auth.headers() : auth.headers(userType, userContain));
    }

    @Override
    public boolean retryRequest(HttpResponse response, int executionCount, HttpContext context) {
        return ApacheSupport.retryOnce(response, executionCount, TokenInvalid.WEAVER, auth::invalidate);
    }

    @Override
    public long getRetryInterval() {
        return 0;
    }
}
