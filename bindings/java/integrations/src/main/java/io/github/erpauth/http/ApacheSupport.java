package io.github.erpauth.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
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
