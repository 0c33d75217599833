package io.github.erpauth.http;

import java.util.regex.Pattern;

/**
 * How each server says that the token of a business call is no longer valid, the one answer
 * after which the integrations invalidate the cached token and send the request once more.
 */
enum TokenInvalid {
    /** The gateway's 519 with {@code "code":4010} (invalid) or {@code 4011} (expired). */
    KINGDEE(519, Pattern.compile("\"code\"\\s*:\\s*\"?401[01]\\b")),
    /** e9, whatever the status: {@code token不存在或者超时：<token>}, or {@code "errorCode":"002"} (登录信息超时). */
    WEAVER(0, Pattern.compile("token不存在或者超时|\"errorCode\"\\s*:\\s*\"?002\\b"));

    /** Refusals are short; a longer answer is never read to look for one. */
    static final int MAX_REFUSAL_BYTES = 64 * 1024;

    /** The status of a refusal, or 0 when an answer of any status can be one. */
    private final int status;
    private final Pattern body;

    TokenInvalid(int status, Pattern body) {
        this.status = status;
        this.body = body;
    }

    /** Whether an answer of this status can be the refusal: the body is read only then. */
    boolean possible(int httpStatus) {
        return status == 0 || httpStatus == status;
    }

    /** Whether this answer is the refusal. */
    boolean is(int httpStatus, String body) {
        return possible(httpStatus) && this.body.matcher(body).find();
    }

    /** The request target as it goes on the wire: the encoded path and, if any, {@code ?} and the encoded query. */
    static String target(String encodedPath, String encodedQuery) {
        return encodedQuery == null ? encodedPath : encodedPath + "?" + encodedQuery;
    }
}
