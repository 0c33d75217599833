package io.github.erpauth;

/**
 * What kind of failure an {@link ErpAuthException} reports ({@link ErpAuthException#getStatus()}).
 * The numbers are those of the C ABI's {@code erpauth_status}.
 */
public enum Status {
    /**
     * A bad argument or setting: a malformed escape, a bad key, text that is not Unicode, a
     * missing builder setting. The message names the Java parameter or builder method.
     */
    INVALID_ARGUMENT(2),
    /** DNS, connect, TLS, I/O or timeout. Usually worth retrying later. */
    NETWORK(3),
    /** An unexpected HTTP status with no usable body (see {@link ErpAuthException#getHttpStatus()}). */
    HTTP(4),
    /**
     * The server answered and refused; see {@link ErpAuthException#getServerCode()} and
     * {@link ErpAuthException#getServerMessage()}.
     */
    REJECTED(5),
    /** The answer was not of the documented shape. */
    BAD_RESPONSE(6),
    /** A bug in erpauth (a caught panic included), or a status code this binding does not know. */
    INTERNAL(7);

    private final int code;

    Status(int code) {
        this.code = code;
    }

    /** The numeric value on the C ABI. */
    public int code() {
        return code;
    }

    /** The constant for a failure code of the C ABI; {@code null} for one this binding does not know. */
    static Status ofFailure(int code) {
        for (Status status : values()) {
            if (status.code == code) {
                return status;
            }
        }
        return null;
    }
}
