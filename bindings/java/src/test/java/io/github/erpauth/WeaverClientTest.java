package io.github.erpauth;

import static io.github.erpauth.Emulator.WEAVER_AES_KEY;
import static io.github.erpauth.Emulator.WEAVER_SECRET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link WeaverClient} against the emulator, one fresh emulator per test. */
class WeaverClientTest extends EmulatorTest {
    private static final String TOKEN_COUNT = "weaver_get_token";
    /** The emulator (like e9) returns the OA user id AES-encrypted with the app's key, in Base64. */
    private static String decryptUserid(String userid) {
        return Reference.aesDecrypt(WEAVER_AES_KEY, Base64.getDecoder().decode(userid));
    }

    @Test
    void plainTokenIsFetchedOnceAndCached() throws Exception {
        try (WeaverClient client = emulator.weaver().build()) {
            String token = client.token();
            assertEquals(token, client.token());
            assertEquals(token, client.tokenOf(null, null));
            assertEquals(1, emulator.count(TOKEN_COUNT));
            JsonObject info = emulator.tokenInfo(token);
            assertEquals("weaver", info.get("system").getAsString());
            assertTrue(info.get("valid").getAsBoolean());
            assertTrue(info.get("user").isJsonNull());
        }
    }

    @Test
    void userTokensAndUseridsAreCachedPerUser() throws Exception {
        try (WeaverClient client = emulator.weaver().build()) {
            String zhangs = client.token(WeaverClient.UserType.LOGINID, "zhangs");
            assertEquals(zhangs, client.tokenOf("loginid", "zhangs"));
            assertEquals("9", emulator.tokenInfo(zhangs).get("user").getAsString());
            assertEquals("9", decryptUserid(client.userid(WeaverClient.UserType.LOGINID, "zhangs")));

            String admin = client.token(WeaverClient.UserType.WORKCODE, "A001");
            assertNotEquals(zhangs, admin);
            assertEquals("1", decryptUserid(client.useridOf("workcode", "A001")));
            assertEquals("1", decryptUserid(client.userid(WeaverClient.UserType.EMAIL, "admin@example.com")));
            assertEquals(3, emulator.count(TOKEN_COUNT), "one request per (userType, userContain) pair");
        }
    }

    @Test
    void thirtyTwoThreadsOnOneClientMakeOneRequest() throws Exception {
        emulator.configure("{\"fault\":{\"endpoint\":\"weaver_get_token\",\"kind\":\"delay\",\"delay_ms\":500,\"count\":1}}");
        try (WeaverClient client = emulator.weaver().build()) {
            List<String> tokens = TestSupport.concurrently(32, () -> client.token(WeaverClient.UserType.ID, "9"));
            assertEquals(1, new HashSet<>(tokens).size(), "threads got different tokens");
            assertEquals(1, emulator.count(TOKEN_COUNT), "the server was asked more than once");
        }
    }

    @Test
    void invalidateFetchesNewTokens() throws Exception {
        try (WeaverClient client = emulator.weaver().build()) {
            String first = client.token();
            client.invalidate();
            assertNotEquals(first, client.token());
            assertEquals(2, emulator.count(TOKEN_COUNT));
        }
    }

    @Test
    void refusalsCarryTheServersWordsAndNoSecret() throws Exception {
        try (WeaverClient client = emulator.weaver().appid(Emulator.WEAVER_DISABLED_APPID).build()) {
            ErpAuthException e = assertThrows(ErpAuthException.class, client::token);
            assertEquals(Status.REJECTED, e.getStatus());
            assertTrue(e.getMessage().contains("应用标识appid==>>disabled-appid已被禁用"), e.getMessage());
            TestSupport.assertNoSecret(e.getMessage(), WEAVER_SECRET, WEAVER_AES_KEY);
        }
        try (WeaverClient client = emulator.weaver().aesKey("another-16-b-key").build()) {
            ErpAuthException e = assertThrows(ErpAuthException.class, client::token);
            assertEquals(Status.REJECTED, e.getStatus());
            assertTrue(e.getMessage().contains("签名解密异常"), e.getMessage());
            TestSupport.assertNoSecret(e.getMessage(), "another-16-b-key");
        }
        try (WeaverClient client = emulator.weaver().build()) {
            ErpAuthException noUser = assertThrows(ErpAuthException.class, () -> client.token(WeaverClient.UserType.LOGINID, "nobody"));
            assertEquals(Status.REJECTED, noUser.getStatus());
            assertTrue(noUser.getMessage().contains("userId解析异常"), noUser.getMessage());

            ErpAuthException badType = assertThrows(ErpAuthException.class, () -> client.tokenOf("id123", "9"));
            assertEquals(Status.REJECTED, badType.getStatus());
            assertTrue(badType.getMessage().contains("id123"), badType.getMessage());
            assertEquals("userType:id123 无效,请确认!!!", badType.getServerMessage());
            assertNull(badType.getServerCode());
        }
    }

    @Test
    void userArgumentsGoTogether() {
        try (WeaverClient client = emulator.weaver().build()) {
            ErpAuthException half = assertThrows(ErpAuthException.class, () -> client.tokenOf("loginid", null));
            assertEquals(Status.INVALID_ARGUMENT, half.getStatus());
            assertTrue(half.getMessage().startsWith("userType and userContain go together"), half.getMessage());
            ErpAuthException noUser = assertThrows(ErpAuthException.class, () -> client.useridOf(null, null));
            assertEquals(Status.INVALID_ARGUMENT, noUser.getStatus());
            assertTrue(noUser.getMessage().contains("pass userType and userContain"), noUser.getMessage());
            // token(null, null) compiles (one two-argument overload) and names the parameter.
            assertEquals("userType", assertThrows(NullPointerException.class, () -> client.token(null, null)).getMessage());
            assertEquals("userContain", assertThrows(NullPointerException.class,
                    () -> client.token(WeaverClient.UserType.ID, null)).getMessage());
            assertEquals("userContain", assertThrows(NullPointerException.class,
                    () -> client.userid(WeaverClient.UserType.ID, null)).getMessage());
        }
    }

    @Test
    void badConfigurationNamesTheSetting() {
        ErpAuthException key = assertThrows(ErpAuthException.class, () -> emulator.weaver().aesKey("short").build());
        assertEquals(Status.INVALID_ARGUMENT, key.getStatus());
        assertTrue(key.getMessage().startsWith("WeaverClient.Builder.aesKey(...) must be"), key.getMessage());
        TestSupport.assertNoSecret(key.getMessage(), "short");

        ErpAuthException missing = assertThrows(ErpAuthException.class,
                () -> WeaverClient.builder().appid("a").secret("s").aesKey(WEAVER_AES_KEY).build());
        assertTrue(missing.getMessage().startsWith("WeaverClient.Builder.baseUrl(...) is required"), missing.getMessage());

        ErpAuthException ttl = assertThrows(ErpAuthException.class,
                () -> emulator.weaver().tokenTtl(java.time.Duration.ZERO).build());
        assertTrue(ttl.getMessage().startsWith("WeaverClient.Builder.tokenTtl(...) must be"), ttl.getMessage());
    }

    @Test
    void closeIsIdempotentAndAClosedClientRefusesCalls() {
        WeaverClient client = emulator.weaver().build();
        client.close();
        client.close();
        assertThrows(IllegalStateException.class, client::token);
        assertThrows(IllegalStateException.class, () -> client.token(WeaverClient.UserType.ID, "1"));
        assertThrows(IllegalStateException.class, () -> client.userid(WeaverClient.UserType.ID, "1"));
        assertThrows(IllegalStateException.class, client::invalidate);
        assertTrue(client.toString().contains("closed"), client.toString());
        TestSupport.assertNoSecret(client.toString(), WEAVER_SECRET, WEAVER_AES_KEY);
    }

    @Test
    void closeWaitsForTheCallsInFlight() throws Exception {
        WeaverClient client = emulator.weaver().build();
        assertEquals(36, closeDuringCall(TOKEN_COUNT, client, () -> client.token()).length(),
                "the call in flight completed normally (a UUID)");
    }

    @Test
    void aLeakedClientIsFreedByTheCleaner() throws Exception {
        TestSupport.awaitFreedByCleaner(leakOne());
    }

    private NativeHandle leakOne() {
        WeaverClient client = emulator.weaver().build();
        assertEquals(36, client.token().length());
        return client.nativeHandle();
    }
}
