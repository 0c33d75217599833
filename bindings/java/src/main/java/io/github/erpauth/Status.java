package io.github.erpauth;

/**
 * The status codes of the erpauth C ABI ({@code erpauth_status}), carried by
 * {@link ErpAuthException#getStatus()}.
 */
public enum Status {
    /** Success (never carried by an exception). */
    OK(0),
    /** The output buffer was too small (handled inside the binding; never carried by an exception). */
    BUFFER_TOO_SMALL(1),
    /** A null where a value is required, text that is not Unicode, a malformed escape, a bad key or a bad configuration. */
    INVALID_ARGUMENT(2),
    /** DNS, connect, TLS, I/O or timeout. */
    NETWORK(3),
    /** An unexpected HTTP status with no usable body. */
    HTTP(4),
    /** The server answered and refused; the message holds the server's own code and words. */
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

    /**
     * The constant for a numeric code; {@link #INTERNAL} for a code this
     * version of the binding does not know.
     */
    public static Status fromCode(int code) {
        switch (code) {
            case 0: return OK;
            case 1: return BUFFER_TOO_SMALL;
            case 2: return INVALID_ARGUMENT;
            case 3: return NETWORK;
            case 4: return HTTP;
            case 5: return REJECTED;
            case 6: return BAD_RESPONSE;
            default: return INTERNAL;
        }
    }
}
