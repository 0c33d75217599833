package io.github.erpauth.http;

import io.github.erpauth.KingdeeAuth;
import java.util.Objects;
import org.apache.http.HttpRequest;
import org.apache.http.HttpRequestInterceptor;
import org.apache.http.HttpResponse;
import org.apache.http.client.ServiceUnavailableRetryStrategy;
import org.apache.http.protocol.HttpContext;

/**
 * Apache HttpClient 4 support for the Kingdee gateway, in two roles of one object: as an
 * {@link HttpRequestInterceptor} it sets the signed gateway headers, {@code app-token} and
 * {@code X-GW-Router-Addr} for each request's method and target as sent; as a
 * {@link ServiceUnavailableRetryStrategy} it invalidates the app-token when the gateway answers
 * 4010/4011 and has HttpClient send the request once more (HttpClient itself skips the retry
 * for a body that is not repeatable).
 *
 * <pre>{@code
 * KingdeeApacheInterceptor kingdee = new KingdeeApacheInterceptor(kingdeeClient);
 * CloseableHttpClient http = HttpClients.custom()
 *         .addInterceptorLast((HttpRequestInterceptor) kingdee)
 *         .setServiceUnavailableRetryStrategy(kingdee)
 *         .build();
 * }</pre>
 */
public final class KingdeeApacheInterceptor implements HttpRequestInterceptor, ServiceUnavailableRetryStrategy {
    private final KingdeeAuth auth;

    /** @param auth the client that signs (a {@link io.github.erpauth.KingdeeClient}) */
    public KingdeeApacheInterceptor(KingdeeAuth auth) {
        this.auth = Objects.requireNonNull(auth, "auth");
    }

    @Override
    public void process(HttpRequest request, HttpContext context) {
        String method = request.getRequestLine().getMethod();
        ApacheSupport.setHeaders(request, auth.headers(method, ApacheSupport.target(request)));
    }

    @Override
    public boolean retryRequest(HttpResponse response, int executionCount, HttpContext context) {
        return ApacheSupport.retryOnce(response, executionCount, TokenInvalid.KINGDEE, auth::invalidate);
    }

    @Override
    public long getRetryInterval() {
        return 0;
    }
}
