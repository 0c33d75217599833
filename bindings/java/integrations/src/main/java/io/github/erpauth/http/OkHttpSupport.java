package io.github.erpauth.http;

import java.io.IOException;
import java.util.Map;
import java.util.function.UnaryOperator;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/** What both OkHttp interceptors do the same way. */
final class OkHttpSupport {
    private OkHttpSupport() {}

    /**
     * Sends the request with the headers {@code authorize} adds; when the answer is the
     * server's token refusal, closes it, runs {@code invalidate} and sends the request once
     * more with fresh headers. A one-shot body is sent once, and the refusal passed on.
     */
    static Response proceedRetryingOnce(Interceptor.Chain chain, TokenInvalid refusal,
            UnaryOperator<Request> authorize, Runnable invalidate) throws IOException {
        Request request = chain.request();
        Response response = chain.proceed(authorize.apply(request));
        RequestBody body = request.body();
        if (!refusal.possible(response.code()) || (body != null && body.isOneShot())) {
            return response;
        }
        if (!refusal.is(response.code(), response.peekBody(TokenInvalid.MAX_REFUSAL_BYTES).string())) {
            return response;
        }
        response.close();
        invalidate.run();
        return chain.proceed(authorize.apply(request));
    }

    /** {@code request} with {@code headers} set, replacing any of the same names (a retry's old ones). */
    static Request withHeaders(Request request, Map<String, String> headers) {
        Request.Builder builder = request.newBuilder();
        for (Map.Entry<String, String> header : headers.entrySet()) {
            builder.header(header.getKey(), header.getValue());
        }
        return builder.build();
    }
}
