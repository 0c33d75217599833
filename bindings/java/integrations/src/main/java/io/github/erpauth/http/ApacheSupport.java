package io.github.erpauth.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.http.HttpEntity;
import org.apache.http.HttpRequest;
import org.apache.http.HttpResponse;
import org.apache.http.client.methods.HttpUriRequest;
import org.apache.http.entity.BufferedHttpEntity;
import org.apache.http.util.EntityUtils;

/** What both Apache integrations need from HttpClient's request and response objects. */
final class ApacheSupport {
    private ApacheSupport() {}

    /**
     * The request target as it goes on the wire. The request line holds it (absolute when
     * HttpClient talks to a proxy): its raw path and query, without scheme and host.
     */
    static String target(HttpRequest request) {
        String uri = request.getRequestLine().getUri();
        if (request instanceof HttpUriRequest && !uri.startsWith("/")) {
            uri = ((HttpUriRequest) request).getURI().toASCIIString();
        }
        URI parsed = URI.create(uri);
        String path = parsed.getRawPath() == null || parsed.getRawPath().isEmpty() ? "/" : parsed.getRawPath();
        return TokenInvalid.target(path, parsed.getRawQuery());
    }

    /**
     * The retry strategy of both integrations: once, after the server's token refusal, with the
     * token invalidated first ({@code invalidate}); HttpClient itself does not resend a body
     * that is not repeatable.
     */
    static boolean retryOnce(HttpResponse response, int executionCount, TokenInvalid refusal, Runnable invalidate) {
        int status = response.getStatusLine().getStatusCode();
        if (executionCount > 1 || !refusal.possible(status)) {
            return false;
        }
        if (!refusal.is(status, bufferedBody(response))) {
            return false;
        }
        invalidate.run();
        return true;
    }

    /** Sets {@code headers} on {@code request}, replacing any of the same names (a retry's old ones). */
    static void setHeaders(HttpRequest request, Map<String, String> headers) {
        for (Map.Entry<String, String> header : headers.entrySet()) {
            request.setHeader(header.getKey(), header.getValue());
        }
    }

    /**
     * The body of a short answer as text, left readable for the caller (the entity is replaced
     * by a buffered copy); "" for a long or unsized one, which is never a refusal.
     */
    static String bufferedBody(HttpResponse response) {
        HttpEntity entity = response.getEntity();
        if (entity == null) {
            return "";
        }
        long length = entity.getContentLength();
        if (length < 0 || length > TokenInvalid.MAX_REFUSAL_BYTES) {
            return "";
        }
        try {
            BufferedHttpEntity buffered = new BufferedHttpEntity(entity);
            response.setEntity(buffered);
            return EntityUtils.toString(buffered, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the answer to look for a token refusal", e);
        }
    }
}
