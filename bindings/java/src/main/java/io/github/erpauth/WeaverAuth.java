package io.github.erpauth;

import java.util.Map;

/**
 * What an e9 business call needs from a {@link WeaverClient}: the interface the HTTP
 * integrations take, and the one to implement or mock in the tests of code that uses a client.
 */
public interface WeaverAuth {
    /** The plain app token, cached. See {@link WeaverClient#token()}. */
    String token();

    /** A user's token, cached. See {@link WeaverClient#token(WeaverClient.UserType, String)}. */
    String token(WeaverClient.UserType userType, String userContain);

    /** The headers of a business call without a user: {@code appid}, {@code token}. */
    Map<String, String> headers();

    /** The headers of a business call as a user: {@code appid}, {@code token}, {@code userid}. */
    Map<String, String> headers(WeaverClient.UserType userType, String userContain);

    /** Drops every cached token (after a token-invalid answer). See {@link WeaverClient#invalidate()}. */
    void invalidate();
}
