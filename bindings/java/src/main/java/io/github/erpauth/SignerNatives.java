package io.github.erpauth;

import com.sun.jna.Native;

/**
 * JNA direct mapping of the signer functions of the C ABI, registered apart from
 * {@link Natives} so that the one-shot functions keep working with a library that predates
 * the signers. Types are mapped as explained in {@link Natives}; an opaque signer is its
 * address in a {@code long}.
 */
final class SignerNatives {
    private static final Throwable LOAD_FAILURE;

    static {
        Throwable failure = null;
        try {
            Native.register(SignerNatives.class, Natives.library());
        } catch (Throwable t) { // remembered and rethrown by every requireLoaded()
            failure = t;
        }
        LOAD_FAILURE = failure;
    }

    private SignerNatives() {}

    static void requireLoaded() {
        Natives.requireLoaded(); // a library that did not load at all is reported as such
        if (LOAD_FAILURE != null) {
            UnsatisfiedLinkError error = new UnsatisfiedLinkError(
                    "the erpauth signer functions could not be loaded (is the native library older than "
                            + "this binding?): " + LOAD_FAILURE.getMessage());
            error.initCause(LOAD_FAILURE);
            throw error;
        }
    }

    static native int erpauth_kingdee_signer_new(long clientSecret, long outSigner);

    static native int erpauth_kingdee_signer_signature(long signer, long method, long pathAndQuery, long nonce,
            long timestamp, long out, long outCap, long outLen);

    static native void erpauth_kingdee_signer_free(long signer);

    static native int erpauth_weaver_signer_new(long appid, long secret, long aesKey, long outSigner);

    static native int erpauth_weaver_signer_sign(long signer, long timestampMs, long out, long outCap, long outLen);

    static native void erpauth_weaver_signer_free(long signer);
}
