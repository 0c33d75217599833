package io.github.erpauth;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Kingdee API gateway signatures (金蝶 API 网关), computed by the native library. No I/O;
 * every method is thread-safe. For token fetching and caching use {@link KingdeeClient}.
 *
 * <p>{@code pathAndQuery} is the request target as it goes on the wire, {@code /path} or
 * {@code /path?k=v&k2=v2}: {@code %XX} escapes are decoded in path and query and {@code +}
 * is a space in the query before the string to sign is built. Every argument is required:
 * {@code null} throws {@link NullPointerException}. Bad input throws {@link ErpAuthException}
 * with {@link Status#INVALID_ARGUMENT} and a message saying what is wrong.
 */
public final class Kingdee {
    private static final int SIGNATURE_BUFFER = 128;
    private static final int HEADERS_BUFFER = 512;

    private Kingdee() {}

    /**
     * {@code app_signature} for the app-token request:
     * Base64(lower-hex(HMAC-SHA256(key = appSecret, msg = appKey))).
     */
    public static String appSignature(String appKey, String appSecret) {
        Objects.requireNonNull(appKey, "appKey");
        Objects.requireNonNull(appSecret, "appSecret");
        Natives.requireLoaded();
        return NativeCall.text(SIGNATURE_BUFFER, NativeScratch.bound(appKey) + NativeScratch.bound(appSecret),
                s -> Natives.erpauth_kingdee_app_signature(s.string(appKey, "appKey"), s.string(appSecret, "appSecret"),
                        s.out(), s.outCap(), s.outLen()));
    }

    /**
     * The exact five-line string that {@code X-Api-Signature} signs (each line ending in
     * {@code "\n"}), for comparing with what the gateway or another implementation computed.
     *
     * @param nonce decimal digits, as sent in {@code X-Api-Nonce}
     * @param timestamp milliseconds since the epoch in decimal, as sent in {@code X-Api-TimeStamp}
     */
    public static String stringToSign(String method, String pathAndQuery, String nonce, String timestamp) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(pathAndQuery, "pathAndQuery");
        Objects.requireNonNull(nonce, "nonce");
        Objects.requireNonNull(timestamp, "timestamp");
        Natives.requireLoaded();
        long arguments = NativeScratch.bound(method) + NativeScratch.bound(pathAndQuery) + NativeScratch.bound(nonce)
                + NativeScratch.bound(timestamp);
        // Escapes decoded and encoded twice can grow a target about fivefold.
        return NativeCall.text(128 + (int) Math.min(arguments * 2, 1 << 20), arguments,
                s -> Natives.erpauth_kingdee_string_to_sign(s.string(method, "method"),
                        s.string(pathAndQuery, "pathAndQuery"), s.string(nonce, "nonce"),
                        s.string(timestamp, "timestamp"), s.out(), s.outCap(), s.outLen()));
    }

    /**
     * {@code X-Api-Signature} for one request:
     * Base64(lower-hex(HMAC-SHA256(key = clientSecret, msg = stringToSign(...)))).
     */
    public static String signature(String clientSecret, String method, String pathAndQuery,
            String nonce, String timestamp) {
        Objects.requireNonNull(clientSecret, "clientSecret");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(pathAndQuery, "pathAndQuery");
        Objects.requireNonNull(nonce, "nonce");
        Objects.requireNonNull(timestamp, "timestamp");
        Natives.requireLoaded();
        long arguments = NativeScratch.bound(clientSecret) + NativeScratch.bound(method)
                + NativeScratch.bound(pathAndQuery) + NativeScratch.bound(nonce) + NativeScratch.bound(timestamp);
        return NativeCall.text(SIGNATURE_BUFFER, arguments,
                s -> Natives.erpauth_kingdee_signature(s.string(clientSecret, "clientSecret"), s.string(method, "method"),
                        s.string(pathAndQuery, "pathAndQuery"), s.string(nonce, "nonce"),
                        s.string(timestamp, "timestamp"), s.out(), s.outCap(), s.outLen()));
    }

    /**
     * A signer for many signatures with one client secret: the same signatures as
     * {@link #signature(String, String, String, String, String)}, with the HMAC key expanded
     * once. Close it when done (try-with-resources).
     */
    public static KingdeeSigner signer(String clientSecret) {
        return new KingdeeSigner(clientSecret);
    }

    /**
     * The six gateway headers for one request, with a fresh random nonce and the current
     * time, in documented order: {@code X-Api-ClientID}, {@code X-Api-Auth-Version},
     * {@code X-Api-TimeStamp}, {@code X-Api-Nonce}, {@code X-Api-SignHeaders},
     * {@code X-Api-Signature}.
     *
     * @return an unmodifiable map in that order
     */
    public static Map<String, String> signHeaders(String clientId, String clientSecret, String method,
            String pathAndQuery) {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(clientSecret, "clientSecret");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(pathAndQuery, "pathAndQuery");
        Natives.requireLoaded();
        long arguments = NativeScratch.bound(clientId) + NativeScratch.bound(clientSecret) + NativeScratch.bound(method)
                + NativeScratch.bound(pathAndQuery);
        String lines = NativeCall.text(HEADERS_BUFFER + 3 * clientId.length(), arguments,
                s -> Natives.erpauth_kingdee_sign_headers(s.string(clientId, "clientId"),
                        s.string(clientSecret, "clientSecret"), s.string(method, "method"),
                        s.string(pathAndQuery, "pathAndQuery"), s.out(), s.outCap(), s.outLen()));
        return parseHeaderLines(lines);
    }

    /** {@code "Name: value\r\n"} lines, as the C ABI writes headers, into an ordered map. */
    static Map<String, String> parseHeaderLines(String lines) {
        Map<String, String> headers = new LinkedHashMap<>();
        int start = 0;
        while (start < lines.length()) {
            int end = lines.indexOf("\r\n", start);
            if (end < 0) {
                end = lines.length();
            }
            int colon = lines.indexOf(": ", start);
            if (colon < 0 || colon > end) {
                throw new ErpAuthException(Status.INTERNAL,
                        "erpauth wrote a header line without \": \": a bug, please report it");
            }
            headers.put(lines.substring(start, colon), lines.substring(colon + 2, end));
            start = end + 2;
        }
        return Collections.unmodifiableMap(headers);
    }
}
