package io.github.erpauth;

import java.nio.charset.StandardCharsets;

/**
 * The answer to a business call made by a client ({@link KingdeeClient#call(String, String, String, String)}),
 * whatever its HTTP status, a refusal by the server included. Holds a copy of the body; nothing
 * native remains to close.
 */
public final class ErpAuthResponse {
    private static final int BODY_BUFFER = 4096;

    private final int statusCode;
    private final byte[] body;

    private ErpAuthResponse(int statusCode, byte[] body) {
        this.statusCode = statusCode;
        this.body = body;
    }

    /** The HTTP status code, e.g. 200, or 519 for a gateway refusal. */
    public int statusCode() {
        return statusCode;
    }

    /** Whether {@link #statusCode()} is 2xx. */
    public boolean isSuccessful() {
        return statusCode >= 200 && statusCode < 300;
    }

    /** A copy of the body, byte for byte as it came. */
    public byte[] body() {
        return body.clone();
    }

    /** The body as UTF-8 text (bytes that are not UTF-8 become U+FFFD). */
    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** The status and the body's size; never the body, which may hold personal data. */
    @Override
    public String toString() {
        return "ErpAuthResponse[" + statusCode + ", " + body.length + " bytes]";
    }

    /** Reads status and body of a native answer, then frees it. */
    static ErpAuthResponse read(long response) {
        try {
            int status = Natives.erpauth_response_status(response);
            byte[] bytes = NativeCall.bytes(BODY_BUFFER, 0,
                    s -> Natives.erpauth_response_body(response, s.out(), s.outCap(), s.outLen()));
            return new ErpAuthResponse(status, bytes);
        } finally {
            Natives.erpauth_response_free(response);
        }
    }
}
