package io.github.erpauth.http;

import java.util.regex.Pattern;

/**
 * How each server says that the token of a business call is no longer valid, the one answer
 * after which the integrations invalidate the cached token and send the request once more.
 */
final class TokenInvalid {
    /** Refusals are short; a longer answer is never read to look for one. */
    static final int MAX_REFUSAL_BYTES = 64 * 1024;

    /** The gateway's 519 with {@code "code":4010} (invalid) or {@code 4011} (expired). */
    private static final Pattern KINGDEE = Pattern.compile("\"code\"\\s*:\\s*\"?401[01]\\b");
    /** e9: {@code token不存在或者超时：<token>}, or {@code "errorCode":"002"} (登录信息超时). */
    private static final Pattern WEAVER = Pattern.compile("token不存在或者超时|\"errorCode\"\\s*:\\s*\"?002\\b");

    private TokenInvalid() {}

    static boolean kingdee(int httpStatus, String body) {
        return httpStatus == 519 && KINGDEE.matcher(body).find();
    }

    static boolean weaver(int httpStatus, String body) {
        return WEAVER.matcher(body).find();
    }

    /** The request target as it goes on the wire: the encoded path and, if any, {@code ?} and the encoded query. */
    static String target(String encodedPath, String encodedQuery) {
        return encodedQuery == null ? encodedPath : encodedPath + "?" + encodedQuery;
    }
}
