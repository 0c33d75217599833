package io.github.erpauth;

/**
 * The caller-owned buffer contract of the C ABI, handled once for every function that
 * returns text: call with a first buffer sized for the usual answer; on
 * {@code ERPAUTH_BUFFER_TOO_SMALL} ({@code *out_len} then holds the size needed) grow and
 * call again; on any other failure read this thread's {@code erpauth_last_error} and throw.
 */
final class NativeCall {
    static final int OK = 0;
    static final int BUFFER_TOO_SMALL = 1;

    /** Every answer of the library is far below this; a larger one is refused as a bug. */
    private static final long MAX_OUTPUT = 64L * 1024 * 1024;
    /** Room for answers that change length between attempts (a new nonce, a newer timestamp). */
    private static final int MAX_ATTEMPTS = 8;

    /**
     * One C function with the {@code (char *out, size_t out_cap, size_t *out_len)} triple:
     * writes its arguments into the scratch memory and calls the function with
     * {@link NativeScratch#out()}, {@link NativeScratch#outCap()}, {@link NativeScratch#outLen()}.
     * May run more than once.
     */
    interface TextFunction {
        int call(NativeScratch scratch);
    }

    /** A {@code *_client_new} function: {@code (const char *config_json, T **out_client)}. */
    interface NewClientFunction {
        int call(long configJson, long outClient);
    }

    private NativeCall() {}

    /**
     * The text the function writes, decoded as UTF-8.
     *
     * @param firstSize the first output buffer size in bytes, NUL included: large enough for
     *     the usual answer, so one native call is the common case
     * @param argumentBytes an upper bound of the bytes of all string arguments
     *     (the sum of {@link NativeScratch#bound(String)})
     */
    static String text(int firstSize, long argumentBytes, TextFunction function) {
        return output(firstSize, argumentBytes, function, false);
    }

    /** As {@link #text(int, long, TextFunction)}, for output that is bytes, not UTF-8 text. */
    static byte[] bytes(int firstSize, long argumentBytes, TextFunction function) {
        return output(firstSize, argumentBytes, function, true);
    }

    @SuppressWarnings("unchecked")
    private static <T> T output(int firstSize, long argumentBytes, TextFunction function, boolean bytes) {
        int outCap = firstSize;
        for (int attempt = 1; ; attempt++) {
            NativeScratch scratch = NativeScratch.begin(outCap, argumentBytes);
            scratch.clearOutLen();
            int status = function.call(scratch);
            long length = scratch.outLenValue();
            if (status == OK) {
                int n = checkedLength(length, outCap - 1L);
                return (T) (bytes ? scratch.outBytes(n) : scratch.outText(n));
            }
            if (status != BUFFER_TOO_SMALL) {
                throw lastError(status);
            }
            if (attempt == MAX_ATTEMPTS) {
                throw new ErpAuthException(Status.INTERNAL, "erpauth asked for a bigger buffer "
                        + MAX_ATTEMPTS + " times in a row (last " + length + " bytes): a bug, please report it");
            }
            long needed = checkedLength(length, MAX_OUTPUT) + 1L;
            outCap = (int) Math.max(needed, Math.min(2L * outCap, MAX_OUTPUT + 1));
        }
    }

    /**
     * Creates a native client from its JSON configuration; the scratch copy of the JSON,
     * which holds secrets, is wiped after the call.
     *
     * @return the client's address, never 0
     */
    static long newClient(String configJson, NewClientFunction function) {
        return newClient(configJson, function, null);
    }

    /**
     * As {@link #newClient(String, NewClientFunction)}, with errors naming the settings of
     * {@code builder} (e.g. {@code "KingdeeClient.Builder"}).
     */
    static long newClient(String configJson, NewClientFunction function, String builder) {
        return newHandle(NativeScratch.bound(configJson),
                s -> function.call(s.string(configJson, "configuration"), s.outLen()), builder);
    }

    /**
     * A {@code *_new} function whose last parameter receives the handle: writes its string
     * arguments into the scratch memory and passes {@link NativeScratch#outLen()} as that
     * parameter.
     */
    interface NewHandleFunction {
        int call(NativeScratch scratch);
    }

    /**
     * Creates a native handle (client or signer); the scratch copies of the arguments, which
     * hold secrets, are wiped after the call.
     *
     * @param argumentBytes an upper bound of the bytes of all string arguments
     * @return the handle's address, never 0
     */
    static long newHandle(long argumentBytes, NewHandleFunction function) {
        return newHandle(argumentBytes, function, null);
    }

    private static long newHandle(long argumentBytes, NewHandleFunction function, String builder) {
        NativeScratch scratch = NativeScratch.begin(0, argumentBytes);
        scratch.clearOutLen();
        int status;
        try {
            status = function.call(scratch);
        } finally {
            scratch.wipeArguments();
        }
        long handle = scratch.outLenValue();
        if (status != OK) {
            throw lastError(status, builder);
        }
        if (handle == 0) {
            throw new ErpAuthException(Status.INTERNAL, "erpauth returned OK and no handle: a bug, please report it");
        }
        return handle;
    }

    /**
     * A function that returns only a status, such as a setter: its string arguments, which may
     * hold secrets, are wiped after the call; a failure throws.
     */
    static void status(long argumentBytes, NewHandleFunction function) {
        NativeScratch scratch = NativeScratch.begin(0, argumentBytes);
        int status;
        try {
            status = function.call(scratch);
        } finally {
            scratch.wipeArguments();
        }
        if (status != OK) {
            throw lastError(status);
        }
    }

    private static int checkedLength(long length, long max) {
        if (length < 0 || length > max) {
            throw new ErpAuthException(Status.INTERNAL,
                    "erpauth reported an output length of " + length + " bytes (at most " + max
                            + " expected): a bug, please report it");
        }
        return (int) length;
    }

    /**
     * The exception for a failed call: its status and this thread's last error message.
     * Must run on the thread that made the failing call, before any other erpauth call.
     */
    static ErpAuthException lastError(int statusCode) {
        return lastError(statusCode, null);
    }

    private static ErpAuthException lastError(int statusCode, String builder) {
        Status status = Status.ofFailure(statusCode);
        String message = lastErrorMessage();
        if (message.isEmpty()) {
            message = "erpauth failed with status " + statusCode + " and gave no message";
        }
        if (status == null) {
            status = Status.INTERNAL;
            message = "erpauth returned status " + statusCode + ", unknown to this binding: " + message;
        }
        return new ErpAuthException(status, ErrorText.translate(status, message, builder));
    }

    private static String lastErrorMessage() {
        int outCap = 512;
        for (int attempt = 1; attempt <= 2; attempt++) {
            NativeScratch scratch = NativeScratch.begin(outCap, 0);
            scratch.clearOutLen();
            int status = Natives.erpauth_last_error(scratch.out(), scratch.outCap(), scratch.outLen());
            long length = scratch.outLenValue();
            if (status == OK && length >= 0 && length < outCap) {
                return scratch.outText((int) length);
            }
            if (status != BUFFER_TOO_SMALL || length < 0 || length >= MAX_OUTPUT) {
                return "(erpauth_last_error failed with status " + status + ")";
            }
            // erpauth_last_error never replaces the stored message, so a retry reads the same one.
            outCap = (int) length + 1;
        }
        return "(erpauth_last_error kept asking for a bigger buffer)";
    }
}
