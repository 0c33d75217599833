package io.github.erpauth;

import java.util.Objects;

/**
 * Kingdee {@code X-Api-Signature}s for one client secret, prepared once: the same signatures
 * as {@link Kingdee#signature(String, String, String, String, String)}, with the HMAC-SHA256
 * key expanded when the signer is made instead of on every signature. The native signer keeps
 * only the key's HMAC states, not the secret, and wipes them when freed.
 *
 * <pre>{@code
 * try (KingdeeSigner signer = Kingdee.signer(clientSecret)) {
 *     String signature = signer.signature("GET", "/jdy/v2/bd/customer?page=1", nonce, timestamp);
 * }
 * }</pre>
 *
 * <p>Arguments and errors are those of {@link Kingdee#signature}. <b>Thread safety:</b> every
 * method may be called from any number of threads at once. {@link #close()} waits for calls
 * in flight; a signer that is never closed is freed after the garbage collector finds it
 * unreachable.
 */
public final class KingdeeSigner extends NativeObject {
    private static final int SIGNATURE_BUFFER = 128;

    /** {@code toString()} never shows the secret. */
    KingdeeSigner(String clientSecret) {
        super("KingdeeSigner", create(clientSecret), Natives::erpauth_kingdee_signer_free, "KingdeeSigner");
    }

    private static long create(String clientSecret) {
        Objects.requireNonNull(clientSecret, "clientSecret");
        Natives.requireLoaded();
        return NativeCall.newHandle(NativeScratch.bound(clientSecret),
                s -> Natives.erpauth_kingdee_signer_new(s.string(clientSecret, "clientSecret"), s.outLen()));
    }

    /**
     * {@code X-Api-Signature} for one request under this signer's secret.
     *
     * @param pathAndQuery the request target as it goes on the wire, {@code /path?k=v}
     * @param nonce decimal digits, as sent in {@code X-Api-Nonce}
     * @param timestamp milliseconds since the epoch in decimal, as sent in {@code X-Api-TimeStamp}
     * @throws ErpAuthException {@link Status#INVALID_ARGUMENT} for a bad method, target,
     *     nonce or timestamp
     * @throws IllegalStateException if the signer is closed
     */
    public String signature(String method, String pathAndQuery, String nonce, String timestamp) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(pathAndQuery, "pathAndQuery");
        Objects.requireNonNull(nonce, "nonce");
        Objects.requireNonNull(timestamp, "timestamp");
        long arguments = NativeScratch.bound(method) + NativeScratch.bound(pathAndQuery) + NativeScratch.bound(nonce)
                + NativeScratch.bound(timestamp);
        return handle.map(signer -> NativeCall.text(SIGNATURE_BUFFER, arguments,
                    s -> Natives.erpauth_kingdee_signer_signature(signer, s.string(method, "method"),
                            s.string(pathAndQuery, "pathAndQuery"), s.string(nonce, "nonce"),
                            s.string(timestamp, "timestamp"), s.out(), s.outCap(), s.outLen())));
    }
}
