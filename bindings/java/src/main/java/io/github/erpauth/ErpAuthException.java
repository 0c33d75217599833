package io.github.erpauth;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A call into erpauth failed. {@link #getStatus()} says what kind of failure it was;
 * {@link #getMessage()} is the library's own one-line explanation, naming builder methods and
 * Java parameters. For {@link Status#REJECTED} the server's own code and words are also in
 * {@link #getServerCode()} and {@link #getServerMessage()}. Messages never contain secrets.
 */
public class ErpAuthException extends RuntimeException {
    private static final long serialVersionUID = 2L;

    // The library writes a refusal as "... code N: server words (advice)" (Kingdee) or
    // "e9 refused ...: server words (advice)" (Weaver), and an HTTP failure as "host answered
    // HTTP N". The tests check these against the emulator's real refusals.
    private static final Pattern CODE_AND_WORDS = Pattern.compile("\\b(?:errcode|code) (-?\\d{1,18}): (.*)$", Pattern.DOTALL);
    private static final Pattern WEAVER_REFUSAL = Pattern.compile("^e9 refused [^:]+: (.*)$", Pattern.DOTALL);
    private static final Pattern HTTP = Pattern.compile("\\bHTTP (\\d{3})\\b");

    private final Status status;
    private final Long serverCode;
    private final String serverMessage;
    private final Integer httpStatus;

    /**
     * @param status what kind of failure this is (never {@code null})
     * @param message the explanation; the server details are read from it
     */
    public ErpAuthException(Status status, String message) {
        this(status, message, null);
    }

    /**
     * @param status what kind of failure this is (never {@code null})
     * @param message the explanation; the server details are read from it
     * @param cause the underlying failure, or {@code null}
     */
    public ErpAuthException(Status status, String message, Throwable cause) {
        super(message, cause);
        if (status == null) {
            throw new NullPointerException("status");
        }
        this.status = status;
        String text = message == null ? "" : message;
        Integer http = null;
        Long code = null;
        String words = null;
        Matcher httpMatch = HTTP.matcher(text);
        if ((status == Status.HTTP || status == Status.REJECTED) && httpMatch.find()) {
            http = Integer.valueOf(httpMatch.group(1));
        }
        if (status == Status.REJECTED) {
            if (text.startsWith("Kingdee refused the app-token request")) {
                http = 200; // the gateway answers the app-token call with 200 and an errcode
            }
            Matcher coded = CODE_AND_WORDS.matcher(text);
            Matcher weaver = WEAVER_REFUSAL.matcher(text);
            if (coded.find()) {
                code = Long.valueOf(coded.group(1));
                words = withoutAdvice(coded.group(2));
            } else if (weaver.find()) {
                words = withoutAdvice(weaver.group(1));
            }
        }
        this.httpStatus = http;
        this.serverCode = code;
        this.serverMessage = words;
    }

    /** The server's words without the library's advice: " (advice)" at the end, never nested. */
    static String withoutAdvice(String words) {
        if (!words.endsWith(")")) {
            return words;
        }
        int open = words.lastIndexOf(" (");
        if (open < 0 || words.indexOf(')', open) != words.length() - 1) {
            return words;
        }
        return words.substring(0, open);
    }

    /** The kind of failure. */
    public Status getStatus() {
        return status;
    }

    /**
     * The server's numeric code of a refusal: a Kingdee {@code errcode}/{@code code} such as
     * 1030002006 (app secret rotated), 4008 (signature invalid) or 4010 (token invalid);
     * {@code null} when the server gave none (Weaver answers carry only words) or the failure is
     * not a refusal.
     */
    public Long getServerCode() {
        return serverCode;
    }

    /** The server's own words of a refusal, verbatim (e.g. {@code 授权密钥校验失败}); {@code null} otherwise. */
    public String getServerMessage() {
        return serverMessage;
    }

    /**
     * The HTTP status of the answer when the library reported one (519 for a gateway refusal,
     * 502 from a proxy, ...); {@code null} for network failures and when it was not stated.
     */
    public Integer getHttpStatus() {
        return httpStatus;
    }

    /**
     * Whether the same call may succeed if simply tried again later: network failures and HTTP
     * 5xx, 408 and 429. A refusal, a bad argument, a bad answer or a bug is not transient.
     */
    public boolean isTransient() {
        if (status == Status.NETWORK) {
            return true;
        }
        if (status == Status.HTTP && httpStatus != null) {
            int s = httpStatus;
            return s >= 500 || s == 408 || s == 429;
        }
        return false;
    }

    @Override
    public String toString() {
        return getClass().getName() + " [" + status + "]: " + getMessage();
    }
}
