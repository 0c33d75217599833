package io.github.erpauth;

import java.util.Map;

/**
 * What a Kingdee business call needs from a {@link KingdeeClient}: the interface the HTTP
 * integrations take, and the one to implement or mock in the tests of code that uses a client.
 */
public interface KingdeeAuth {
    /** The app-token, cached. See {@link KingdeeClient#appToken()}. */
    String appToken();

    /** Every header of one business call, in the order to send them. See {@link KingdeeClient#headers(String, String)}. */
    Map<String, String> headers(String method, String pathAndQuery);

    /** Drops the cached app-token (after 4010/4011). See {@link KingdeeClient#invalidate()}. */
    void invalidate();
}
