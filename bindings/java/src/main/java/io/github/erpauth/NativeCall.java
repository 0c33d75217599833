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

    /** Every status of the library is below this; larger answers are refused as a bug. */
    private static final long MAX_OUTPUT = 64L * 1024 * 1024;
    /** Room for answers that change length between attempts (a new nonce, a newer timestamp). */
    private static final int MAX_ATTEMPTS = 8;

    /** One C function with the {@code (char *out, size_t out_cap, size_t *out_len)} triple. */
    interface TextFunction {
        int call(byte[] out, long outCap, long[] outLen);
    }

    private NativeCall() {}

    /**
     * The text the function writes, decoded as UTF-8.
     *
     * @param firstSize the first buffer size in bytes, NUL included: large enough for the
     *     usual answer, so one native call is the common case
     */
    static String text(int firstSize, TextFunction function) {
        byte[] out = new byte[firstSize];
        long[] outLen = new long[1];
        for (int attempt = 1; ; attempt++) {
            int status = function.call(out, out.length, outLen);
            if (status == OK) {
                return Utf8.decode(out, checkedLength(outLen[0], out.length - 1));
            }
            if (status != BUFFER_TOO_SMALL) {
                throw lastError(status);
            }
            if (attempt == MAX_ATTEMPTS) {
                throw new ErpAuthException(Status.INTERNAL, "erpauth asked for a bigger buffer "
                        + MAX_ATTEMPTS + " times in a row (last " + outLen[0] + " bytes): a bug, please report it");
            }
            long needed = checkedLength(outLen[0], MAX_OUTPUT) + 1L;
            out = new byte[(int) Math.max(needed, Math.min(2L * out.length, MAX_OUTPUT + 1))];
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
        Status status = Status.fromCode(statusCode);
        String message = lastErrorMessage();
        if (status == Status.INTERNAL && statusCode != Status.INTERNAL.code()) {
            message = "erpauth returned status " + statusCode + ", unknown to this binding: " + message;
        }
        if (message.isEmpty()) {
            message = "erpauth failed with " + status + " and gave no message";
        }
        return new ErpAuthException(status, message);
    }

    private static String lastErrorMessage() {
        byte[] out = new byte[256];
        long[] outLen = new long[1];
        int status = Natives.erpauth_last_error(out, out.length, outLen);
        if (status == BUFFER_TOO_SMALL && outLen[0] >= 0 && outLen[0] < MAX_OUTPUT) {
            // erpauth_last_error never replaces the stored message, so a retry reads the same one.
            out = new byte[(int) outLen[0] + 1];
            status = Natives.erpauth_last_error(out, out.length, outLen);
        }
        if (status != OK || outLen[0] < 0 || outLen[0] >= out.length) {
            return "(erpauth_last_error failed with status " + status + ")";
        }
        return Utf8.decode(out, (int) outLen[0]);
    }
}
