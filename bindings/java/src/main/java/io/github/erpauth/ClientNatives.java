package io.github.erpauth;

import com.sun.jna.Native;

/**
 * JNA direct mapping of the client functions of the C ABI, registered apart from
 * {@link Natives} so that the signature functions keep working with a library that
 * predates the clients. Types are mapped as explained in {@link Natives}; an opaque
 * client is its address in a {@code long}.
 */
final class ClientNatives {
    private static final Throwable LOAD_FAILURE;

    static {
        Throwable failure = null;
        try {
            Native.register(ClientNatives.class, Natives.library());
        } catch (Throwable t) { // remembered and rethrown by every requireLoaded()
            failure = t;
        }
        LOAD_FAILURE = failure;
    }

    private ClientNatives() {}

    static void requireLoaded() {
        Natives.requireLoaded(); // a library that did not load at all is reported as such
        if (LOAD_FAILURE != null) {
            UnsatisfiedLinkError error = new UnsatisfiedLinkError(
                    "the erpauth client functions could not be loaded (is the native library older than "
                            + "this binding?): " + LOAD_FAILURE.getMessage());
            error.initCause(LOAD_FAILURE);
            throw error;
        }
    }

    static native int erpauth_kingdee_client_new(long configJson, long outClient);

    static native int erpauth_kingdee_client_app_token(long client, long out, long outCap, long outLen);

    static native int erpauth_kingdee_client_headers(long client, long method, long pathAndQuery,
            long out, long outCap, long outLen);

    static native void erpauth_kingdee_client_invalidate(long client);

    static native void erpauth_kingdee_client_free(long client);

    static native int erpauth_weaver_client_new(long configJson, long outClient);

    static native int erpauth_weaver_client_token(long client, long userType, long userContain,
            long out, long outCap, long outLen);

    static native int erpauth_weaver_client_userid(long client, long userType, long userContain,
            long out, long outCap, long outLen);

    static native void erpauth_weaver_client_invalidate(long client);

    static native void erpauth_weaver_client_free(long client);
}
