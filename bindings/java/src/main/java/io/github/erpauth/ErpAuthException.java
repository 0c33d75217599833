package io.github.erpauth;

/**
 * A call into erpauth failed. {@link #getStatus()} says what kind of failure
 * it was; {@link #getMessage()} is the library's own one-line explanation
 * (for {@link Status#REJECTED}, with the server's code and words verbatim).
 * Messages never contain secrets.
 */
public class ErpAuthException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Status status;

    /**
     * @param status what kind of failure this is (never {@code null})
     * @param message the explanation
     */
    public ErpAuthException(Status status, String message) {
        super(message);
        if (status == null) {
            throw new NullPointerException("status");
        }
        this.status = status;
    }

    /** The kind of failure. */
    public Status getStatus() {
        return status;
    }

    @Override
    public String toString() {
        return getClass().getName() + " [" + status + "]: " + getMessage();
    }
}
