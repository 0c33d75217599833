package io.github.erpauth;

import java.util.Objects;

/**
 * Weaver e9 getToken signs for one (appid, secret, aesKey), prepared once: the same signs as
 * {@link Weaver#sign(String, String, String)}, with MD5(appid:secret) and the AES key
 * schedule computed when the signer is made instead of on every sign. The native signer keeps
 * neither the secret nor the key, only what is derived from them, and wipes that when freed.
 *
 * <pre>{@code
 * try (WeaverSigner signer = Weaver.signer(appid, secret, aesKey)) {
 *     String sign = signer.sign();   // for the getToken "sign" header
 * }
 * }</pre>
 *
 * <p><b>Thread safety:</b> every method may be called from any number of threads at once.
 * {@link #close()} waits for calls in flight; a signer that is never closed is freed after the
 * garbage collector finds it unreachable.
 */
public final class WeaverSigner extends NativeObject {
    private static final int SIGN_BUFFER = 128;

    /** {@code toString()} shows the appid, never a secret. */
    WeaverSigner(String appid, String secret, String aesKey) {
        super("WeaverSigner", create(appid, secret, aesKey), Natives::erpauth_weaver_signer_free,
                "WeaverSigner[appid=" + appid + "]");
    }

    private static long create(String appid, String secret, String aesKey) {
        Objects.requireNonNull(appid, "appid");
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(aesKey, "aesKey");
        Natives.requireLoaded();
        return NativeCall.newHandle(
                NativeScratch.bound(appid) + NativeScratch.bound(secret) + NativeScratch.bound(aesKey),
                s -> Natives.erpauth_weaver_signer_new(s.string(appid, "appid"), s.string(secret, "secret"),
                        s.string(aesKey, "aesKey"), s.outLen()));
    }

    /**
     * The getToken {@code sign} for the current time, strictly increasing across the whole
     * process (shared with {@link Weaver#sign(String, String, String)}), so no two signs are
     * ever equal.
     *
     * @throws IllegalStateException if the signer is closed
     */
    public String sign() {
        return sign(0);
    }

    /**
     * The getToken {@code sign} for a given time (for tests and vectors).
     *
     * @param timestampMs milliseconds since the epoch; {@code <= 0} means now, as {@link #sign()}
     * @throws IllegalStateException if the signer is closed
     */
    public String sign(long timestampMs) {
        return handle.map(signer -> NativeCall.text(SIGN_BUFFER, 0,
                    s -> Natives.erpauth_weaver_signer_sign(signer, timestampMs, s.out(), s.outCap(), s.outLen())));
    }
}
