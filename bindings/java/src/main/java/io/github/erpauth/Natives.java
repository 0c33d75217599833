package io.github.erpauth;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * JNA direct mapping of the C ABI ({@code include/erpauth.h}): the one class through which the
 * binding calls the native library. Opaque handles (clients, signers) are their address in a
 * {@code long}.
 *
 * <p>Type mapping, chosen so that it is exact by construction:
 * <ul>
 *   <li>every pointer ({@code const char *} in, {@code char *out}, {@code size_t *out_len},
 *       an opaque client): a Java {@code long} holding the address, in native memory from
 *       {@link NativeScratch}. Strings are written there as NUL-terminated UTF-8, never
 *       through a Java {@code String} conversion (which would use the platform's default
 *       charset), and the output is decoded as UTF-8. All-{@code long} parameters are JNA's
 *       cheapest direct call: nothing is pinned, copied or converted;</li>
 *   <li>{@code size_t}: Java {@code long}. {@code size_t} and pointers are 64 bits on every
 *       64-bit platform, LP64 (Linux, macOS) and LLP64 (Windows) alike, and
 *       {@link NativeLibraryLoader} refuses a JVM where they are not. {@code NativeLong}
 *       would be wrong: it is C {@code long}, 32 bits on 64-bit Windows;</li>
 *   <li>{@code erpauth_status} ({@code int32_t}): Java {@code int}; {@code int64_t}: {@code long}.</li>
 * </ul>
 *
 * <p>Every caller first calls {@link #requireLoaded()}, so a library that cannot be loaded
 * gives the same clear {@link UnsatisfiedLinkError} on every call, not only on the first.
 */
final class Natives {
    private static final Throwable LOAD_FAILURE;
    private static final NativeLibraryLoader.Loaded LOADED;

    static {
        Throwable failure = null;
        NativeLibraryLoader.Loaded loaded = null;
        try {
            loaded = NativeLibraryLoader.load();
            Native.register(Natives.class, loaded.library);
        } catch (Throwable t) { // remembered and rethrown by every requireLoaded()
            failure = t;
        }
        LOAD_FAILURE = failure;
        LOADED = failure == null ? loaded : null;
    }

    private Natives() {}

    static void requireLoaded() {
        if (LOAD_FAILURE != null) {
            UnsatisfiedLinkError error = new UnsatisfiedLinkError(
                    "the erpauth native library could not be loaded: " + LOAD_FAILURE.getMessage());
            error.initCause(LOAD_FAILURE);
            throw error;
        }
    }

    static String location() {
        requireLoaded();
        return LOADED.location;
    }

    /**
     * The one opened library. Every other registration must use this same instance: the
     * last error is thread-local state inside the library, so functions taken from a second
     * copy would leave {@code erpauth_last_error} reading the wrong copy's message.
     */
    static NativeLibrary library() {
        requireLoaded();
        return LOADED.library;
    }

    static native int erpauth_last_error(long out, long outCap, long outLen);

    static native Pointer erpauth_version();

    static native int erpauth_kingdee_app_signature(long appKey, long appSecret, long out, long outCap, long outLen);

    static native int erpauth_kingdee_string_to_sign(long method, long pathAndQuery, long nonce, long timestamp,
            long out, long outCap, long outLen);

    static native int erpauth_kingdee_signature(long clientSecret, long method, long pathAndQuery, long nonce,
            long timestamp, long out, long outCap, long outLen);

    static native int erpauth_kingdee_sign_headers(long clientId, long clientSecret, long method,
            long pathAndQuery, long out, long outCap, long outLen);

    static native int erpauth_weaver_sign(long appid, long secret, long aesKey, long timestampMs,
            long out, long outCap, long outLen);

    // ---- signers ----

    static native int erpauth_kingdee_signer_new(long clientSecret, long outSigner);

    static native int erpauth_kingdee_signer_signature(long signer, long method, long pathAndQuery, long nonce,
            long timestamp, long out, long outCap, long outLen);

    static native void erpauth_kingdee_signer_free(long signer);

    static native int erpauth_weaver_signer_new(long appid, long secret, long aesKey, long outSigner);

    static native int erpauth_weaver_signer_sign(long signer, long timestampMs, long out, long outCap, long outLen);

    static native void erpauth_weaver_signer_free(long signer);

    // ---- clients ----

    static native int erpauth_kingdee_client_new(long configJson, long outClient);

    static native int erpauth_kingdee_client_app_token(long client, long out, long outCap, long outLen);

    static native int erpauth_kingdee_client_headers(long client, long method, long pathAndQuery,
            long out, long outCap, long outLen);

    static native void erpauth_kingdee_client_invalidate(long client);

    static native int erpauth_kingdee_client_call(long client, long method, long pathAndQuery, long body,
            long contentType, long outResponse);

    static native int erpauth_response_status(long response);

    static native int erpauth_response_body(long response, long out, long outCap, long outLen);

    static native void erpauth_response_free(long response);

    static native void erpauth_kingdee_client_free(long client);

    static native int erpauth_weaver_client_new(long configJson, long outClient);

    static native int erpauth_weaver_client_token(long client, long userType, long userContain,
            long out, long outCap, long outLen);

    static native int erpauth_weaver_client_userid(long client, long userType, long userContain,
            long out, long outCap, long outLen);

    static native void erpauth_weaver_client_invalidate(long client);

    static native void erpauth_weaver_client_free(long client);

    static native int erpauth_weaver_client_call(long client, long method, long pathAndQuery, long body,
            long contentType, long userType, long userContain, long outResponse);

    static native int erpauth_kingdee_client_set_app_secret(long client, long appSecret);

    static native int erpauth_kingdee_client_authorization(long client, long out, long outCap, long outLen);

    // ---- Weaver e9 REST client ----

    static native int erpauth_weaver_rest_client_new(long configJson, long outClient);

    static native int erpauth_weaver_rest_client_register(long client, long out, long outCap, long outLen);

    static native int erpauth_weaver_rest_client_token(long client, long out, long outCap, long outLen);

    static native int erpauth_weaver_rest_client_userid(long client, long userid, long out, long outCap, long outLen);

    static native int erpauth_weaver_rest_client_headers(long client, long userid, long out, long outCap, long outLen);

    static native int erpauth_weaver_rest_client_call(long client, long method, long pathAndQuery, long body,
            long contentType, long userid, long outResponse);

    static native void erpauth_weaver_rest_client_invalidate(long client);

    static native void erpauth_weaver_rest_client_free(long client);
}
