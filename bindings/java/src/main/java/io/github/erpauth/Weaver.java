package io.github.erpauth;

import java.util.Objects;

/**
 * Weaver e-cology 9 getToken signs (泛微 e9), computed by the native library. No I/O; every
 * method is thread-safe. For token fetching and caching use {@link WeaverClient}.
 */
public final class Weaver {
    private static final int SIGN_BUFFER = 128;

    private Weaver() {}

    /**
     * The getToken {@code sign} for the current time:
     * lower-hex(AES-ECB-PKCS5(aesKey, millis + "_" + UPPER(hex(MD5(appid + ":" + secret))))).
     * The time is strictly increasing across the whole process, so no two signs are ever
     * equal (the server accepts each sign only once), even from threads in the same millisecond.
     *
     * @param aesKey 16, 24 or 32 bytes of UTF-8 (AES-128/192/256), else
     *     {@link ErpAuthException} with {@link Status#INVALID_ARGUMENT}
     */
    public static String sign(String appid, String secret, String aesKey) {
        return sign(appid, secret, aesKey, 0);
    }

    /**
     * The getToken {@code sign} for a given time (for tests and vectors).
     *
     * @param timestampMs milliseconds since the epoch; {@code <= 0} means now, as
     *     {@link #sign(String, String, String)}
     */
    public static String sign(String appid, String secret, String aesKey, long timestampMs) {
        Objects.requireNonNull(appid, "appid");
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(aesKey, "aesKey");
        Natives.requireLoaded();
        return NativeCall.text(SIGN_BUFFER,
                NativeScratch.bound(appid) + NativeScratch.bound(secret) + NativeScratch.bound(aesKey),
                s -> Natives.erpauth_weaver_sign(s.string(appid, "appid"), s.string(secret, "secret"),
                        s.string(aesKey, "aesKey"), timestampMs, s.out(), s.outCap(), s.outLen()));
    }

    /**
     * A signer for many signs with one (appid, secret, aesKey): the same signs as
     * {@link #sign(String, String, String)}, with the secret's MD5 and the AES key schedule
     * computed once. Close it when done (try-with-resources).
     *
     * @throws ErpAuthException {@link Status#INVALID_ARGUMENT} for an {@code aesKey} that is
     *     not 16, 24 or 32 bytes of UTF-8
     */
    public static WeaverSigner signer(String appid, String secret, String aesKey) {
        return new WeaverSigner(appid, secret, aesKey);
    }
}
