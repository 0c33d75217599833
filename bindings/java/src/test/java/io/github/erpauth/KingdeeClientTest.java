package io.github.erpauth;

import static io.github.erpauth.Emulator.KINGDEE_APP_SECRET;
import static io.github.erpauth.Emulator.KINGDEE_CLIENT_SECRET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link KingdeeClient} against the emulator, one fresh emulator per test. */
class KingdeeClientTest extends EmulatorTest {
    private static final String TOKEN_COUNT = "kingdee_auth_token";
    @Test
    void appTokenIsFetchedOnceAndCached() throws Exception {
        try (KingdeeClient client = emulator.kingdee().build()) {
            String token = client.appToken();
            for (int i = 0; i < 5; i++) {
                assertEquals(token, client.appToken());
            }
            assertEquals(1, emulator.count(TOKEN_COUNT));
            JsonObject info = emulator.tokenInfo(token);
            assertEquals("kingdee", info.get("system").getAsString());
            assertTrue(info.get("valid").getAsBoolean());
            assertEquals("700123", info.get("user").getAsString());
        }
    }

    @Test
    void uidAsksForAnotherUsersToken() throws Exception {
        try (KingdeeClient byNumber = emulator.kingdee().uid(700999).build();
                KingdeeClient byText = emulator.kingdee().uid("700998").build()) {
            assertEquals("700999", emulator.tokenInfo(byNumber.appToken()).get("user").getAsString());
            assertEquals("700998", emulator.tokenInfo(byText.appToken()).get("user").getAsString());
        }
    }

    @Test
    void headersSignBusinessCallsTheGatewayAccepts() throws Exception {
        try (KingdeeClient client = emulator.kingdee().build()) {
            for (int i = 0; i < 3; i++) {
                String target = "/jdy/v2/bd/customer?page=1&search=%E5%AE%A2+%E6%88%B7";
                Map<String, String> headers = client.headers("GET", target);
                assertEquals(Arrays.asList("X-Api-ClientID", "X-Api-Auth-Version", "X-Api-TimeStamp", "X-Api-Nonce",
                        "X-Api-SignHeaders", "X-Api-Signature", "app-token", "X-GW-Router-Addr"),
                        Arrays.asList(headers.keySet().toArray()));
                assertEquals(client.appToken(), headers.get("app-token"));
                assertEquals(Emulator.KINGDEE_DOMAIN, headers.get("X-GW-Router-Addr"));
                HttpResponse<String> response = emulator.send("GET", target, headers);
                assertEquals(200, response.statusCode(), response.body());
                assertTrue(response.body().contains("测试客户"), response.body());
            }
            assertEquals(3, emulator.count("kingdee_business"));
            assertEquals(1, emulator.count(TOKEN_COUNT));
        }
    }

    @Test
    void thirtyTwoThreadsOnOneClientMakeOneRequest() throws Exception {
        // A slow gateway, so every thread asks while the first fetch is still in flight.
        emulator.configure("{\"fault\":{\"endpoint\":\"kingdee_auth_token\",\"kind\":\"delay\",\"delay_ms\":500,\"count\":1}}");
        try (KingdeeClient client = emulator.kingdee().build()) {
            List<String> tokens = TestSupport.concurrently(32, client::appToken);
            assertEquals(1, new HashSet<>(tokens).size(), "threads got different tokens");
            List<Map<String, String>> headers = TestSupport.concurrently(32, () -> client.headers("GET", "/jdy/v2/bd/customer"));
            for (Map<String, String> h : headers) {
                assertEquals(tokens.get(0), h.get("app-token"));
            }
            assertEquals(1, emulator.count(TOKEN_COUNT), "the gateway was asked more than once");
        }
    }

    @Test
    void invalidateFetchesANewToken() throws Exception {
        try (KingdeeClient client = emulator.kingdee().build()) {
            String first = client.appToken();
            client.invalidate();
            String second = client.appToken();
            assertNotEquals(first, second);
            assertEquals(second, client.appToken());
            assertEquals(2, emulator.count(TOKEN_COUNT));
        }
    }

    @Test
    void refusalsCarryTheGatewaysWordsAndNoSecret() throws Exception {
        try (KingdeeClient client = emulator.kingdee().appSecret("rotated-app-secret").build()) {
            ErpAuthException e = assertThrows(ErpAuthException.class, client::appToken);
            assertEquals(Status.REJECTED, e.getStatus());
            assertTrue(e.getMessage().contains("1030002006") && e.getMessage().contains("授权密钥校验失败"), e.getMessage());
            TestSupport.assertNoSecret(e.getMessage(), "rotated-app-secret", KINGDEE_CLIENT_SECRET);
        }
        try (KingdeeClient client = emulator.kingdee().clientSecret("wrong-client-secret").build()) {
            ErpAuthException e = assertThrows(ErpAuthException.class, client::appToken);
            assertEquals(Status.REJECTED, e.getStatus());
            assertTrue(e.getMessage().contains("4008"), e.getMessage());
            TestSupport.assertNoSecret(e.getMessage(), "wrong-client-secret", KINGDEE_APP_SECRET);
        }
        try (KingdeeClient client = emulator.kingdee().appKey("unknownKey").build()) {
            ErpAuthException e = assertThrows(ErpAuthException.class, () -> client.headers("GET", "/jdy/v2/bd/customer"));
            assertEquals(Status.REJECTED, e.getStatus());
            assertTrue(e.getMessage().contains("1030002001"), e.getMessage());
        }
    }

    @Test
    void transportFailuresHaveTheirOwnStatus() throws Exception {
        try (KingdeeClient client = emulator.kingdee().baseUrl("http://127.0.0.1:" + TestSupport.closedPort()).build()) {
            assertEquals(Status.NETWORK, assertThrows(ErpAuthException.class, client::appToken).getStatus());
        }
        emulator.configure("{\"fault\":{\"endpoint\":\"kingdee_auth_token\",\"kind\":\"http_500\",\"count\":1}}");
        try (KingdeeClient client = emulator.kingdee().build()) {
            assertEquals(Status.HTTP, assertThrows(ErpAuthException.class, client::appToken).getStatus());
            assertEquals(32, client.appToken().length(), "the fault was for one request only");
        }
        emulator.configure("{\"fault\":{\"endpoint\":\"kingdee_auth_token\",\"kind\":\"garbage\",\"count\":1}}");
        try (KingdeeClient client = emulator.kingdee().build()) {
            assertEquals(Status.BAD_RESPONSE, assertThrows(ErpAuthException.class, client::appToken).getStatus());
        }
        emulator.configure("{\"fault\":{\"endpoint\":\"kingdee_auth_token\",\"kind\":\"hang\",\"count\":1}}");
        try (KingdeeClient client = emulator.kingdee().timeout(Duration.ofMillis(300)).build()) {
            long start = System.nanoTime();
            assertEquals(Status.NETWORK, assertThrows(ErpAuthException.class, client::appToken).getStatus());
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "the timeout was not applied");
        }
    }

    @Test
    void badConfigurationNamesTheSetting() {
        ErpAuthException missing = assertThrows(ErpAuthException.class, () -> KingdeeClient.builder()
                .clientSecret("s").appKey("k").appSecret("a").build());
        assertEquals(Status.INVALID_ARGUMENT, missing.getStatus());
        assertTrue(missing.getMessage().startsWith("KingdeeClient.Builder.clientId(...) is required"), missing.getMessage());

        ErpAuthException url = assertThrows(ErpAuthException.class,
                () -> emulator.kingdee().baseUrl("api.kingdee.com").build());
        assertTrue(url.getMessage().startsWith("KingdeeClient.Builder.baseUrl(...) must be"), url.getMessage());

        ErpAuthException timeout = assertThrows(ErpAuthException.class,
                () -> emulator.kingdee().timeout(Duration.ZERO).build());
        assertTrue(timeout.getMessage().startsWith("KingdeeClient.Builder.timeout(...) must be"), timeout.getMessage());

        ErpAuthException roots = assertThrows(ErpAuthException.class, () -> emulator.kingdee()
                .tlsRoots(TlsRoots.SYSTEM).caFile(java.nio.file.Paths.get("/nonexistent.pem")).build());
        assertTrue(roots.getMessage().contains("caFile(...) cannot be combined with tlsRoots(...)"), roots.getMessage());

        ErpAuthException margin = assertThrows(ErpAuthException.class,
                () -> emulator.kingdee().refreshMargin(Duration.ofDays(2)).build());
        assertTrue(margin.getMessage().startsWith("KingdeeClient.Builder.refreshMargin(...) must be"), margin.getMessage());

        ErpAuthException proxy = assertThrows(ErpAuthException.class,
                () -> emulator.kingdee().proxy("not a proxy url").build());
        assertTrue(proxy.getMessage().startsWith("KingdeeClient.Builder.proxy(...) "), proxy.getMessage());

        ErpAuthException caFile = assertThrows(ErpAuthException.class,
                () -> emulator.kingdee().caFile(java.nio.file.Paths.get("/nonexistent/ca.pem")).build());
        assertTrue(caFile.getMessage().startsWith("KingdeeClient.Builder.caFile(...): cannot read"), caFile.getMessage());
        for (ErpAuthException e : new ErpAuthException[] {missing, url, timeout, roots, margin, proxy, caFile}) {
            assertFalse(e.getMessage().matches("(?s).*\\b[a-z]+_[a-z_]+\\b.*"), "a JSON key in: " + e.getMessage());
        }

        assertEquals("clientId", assertThrows(NullPointerException.class,
                () -> KingdeeClient.builder().clientId(null)).getMessage());
        assertEquals("timeout", assertThrows(NullPointerException.class,
                () -> KingdeeClient.builder().timeout(null)).getMessage());
        assertEquals("proxyUrl", assertThrows(NullPointerException.class,
                () -> KingdeeClient.builder().proxy(null)).getMessage());
        // Fractions and negatives are refused, not rounded.
        IllegalArgumentException half = assertThrows(IllegalArgumentException.class,
                () -> KingdeeClient.builder().refreshMargin(Duration.ofMillis(500)));
        assertTrue(half.getMessage().startsWith("refreshMargin(PT0.5S): must be a whole number of seconds"), half.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KingdeeClient.builder().timeout(Duration.ofNanos(1_500_000)));
        assertThrows(IllegalArgumentException.class, () -> KingdeeClient.builder().timeout(Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> WeaverClient.builder().tokenTtl(Duration.ofMillis(1500)));
    }

    @Test
    void everyOptionalSettingIsAcceptedWithAValidValue() throws Exception {
        try (KingdeeClient client = emulator.kingdee()
                .uid("700123")
                .timeout(Duration.ofSeconds(5))
                .refreshMargin(Duration.ofSeconds(60))
                .tlsRoots(TlsRoots.WEBPKI)
                .proxyFromEnvironment()
                .build()) {
            assertTrue(client.toString().startsWith("KingdeeClient[clientId=emu-client-id, baseUrl=http://127.0.0.1:"),
                    client.toString());
        }
        try (WeaverClient client = emulator.weaver()
                .tokenTtl(Duration.ofMinutes(10))
                .refreshMargin(Duration.ofSeconds(30))
                .proxy("http://127.0.0.1:9")
                .build()) {
            assertTrue(client.toString().startsWith("WeaverClient[appid=emu-appid"), client.toString());
        }
    }

    @Test
    void valuesThatNeedJsonEscapingReachTheLibraryIntact() throws Exception {
        String clientSecret = "q\"uote\\back/slash\ttab\u0001ctl 中文 😀";
        String appSecret = "\\\"\n\r\u2028 секрет";
        JsonObject kingdee = new JsonObject();
        kingdee.addProperty("client_secret", clientSecret);
        kingdee.addProperty("app_secret", appSecret);
        JsonObject patch = new JsonObject();
        patch.add("kingdee", kingdee);
        emulator.configure(patch.toString()); // Gson's escaping, independent of ours
        try (KingdeeClient client = emulator.kingdee().clientSecret(clientSecret).appSecret(appSecret).build()) {
            Map<String, String> headers = client.headers("GET", "/jdy/v2/bd/customer");
            assertEquals(200, emulator.send("GET", "/jdy/v2/bd/customer", headers).statusCode());
        }
    }

    @Test
    void closeIsIdempotentAndAClosedClientRefusesCalls() {
        KingdeeClient client = emulator.kingdee().build();
        client.close();
        client.close();
        assertThrows(IllegalStateException.class, client::appToken);
        assertThrows(IllegalStateException.class, () -> client.headers("GET", "/x"));
        IllegalStateException e = assertThrows(IllegalStateException.class, client::invalidate);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertTrue(client.toString().contains("closed"), client.toString());
        TestSupport.assertNoSecret(client.toString(), KINGDEE_CLIENT_SECRET, KINGDEE_APP_SECRET);
        TestSupport.assertNoSecret(emulator.kingdee().toString(), KINGDEE_CLIENT_SECRET, KINGDEE_APP_SECRET);
    }

    @Test
    void closeWaitsForTheCallsInFlight() throws Exception {
        KingdeeClient client = emulator.kingdee().build();
        assertEquals(32, closeDuringCall(TOKEN_COUNT, client, client::appToken).length(),
                "the call in flight completed normally");
        assertThrows(IllegalStateException.class, client::appToken);
    }

    @Test
    void aLeakedClientIsFreedByTheCleaner() throws Exception {
        NativeHandle handle = leakOne();
        TestSupport.awaitFreedByCleaner(handle);
    }

    /** Creates and uses a client and drops it without close(); only its handle escapes. */
    private NativeHandle leakOne() {
        KingdeeClient client = emulator.kingdee().build();
        assertEquals(32, client.appToken().length());
        assertTrue(!client.nativeHandle().isFreed());
        return client.nativeHandle();
    }
}
