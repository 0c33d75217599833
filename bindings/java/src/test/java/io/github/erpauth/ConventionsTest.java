package io.github.erpauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Java shape of the binding against the emulator: error properties read from real
 * refusals, messages in Java names, Weaver headers, the client interfaces, proxy settings.
 */
class ConventionsTest extends EmulatorTest {
    @Test
    void aKingdeeRefusalCarriesTheServersCodeWordsAndAdviceInJavaNames() {
        try (KingdeeClient client = emulator.kingdee().appSecret("rotated-app-secret").build()) {
            ErpAuthException e = assertThrows(ErpAuthException.class, client::appToken);
            assertEquals(Status.REJECTED, e.getStatus());
            assertEquals(Long.valueOf(1030002006L), e.getServerCode());
            assertEquals("授权密钥校验失败", e.getServerMessage());
            assertEquals(Integer.valueOf(200), e.getHttpStatus());
            assertFalse(e.isTransient());
            assertTrue(e.getMessage().contains("appSecret rotates"), e.getMessage());
            assertTrue(e.getMessage().contains("KingdeeClient.updateAppSecret"), e.getMessage());
            assertFalse(e.getMessage().contains("app_secret"), e.getMessage());
        }
        try (KingdeeClient client = emulator.kingdee().clientSecret("wrong-client-secret").build()) {
            ErpAuthException e = assertThrows(ErpAuthException.class, client::appToken);
            assertEquals(Long.valueOf(4008L), e.getServerCode());
            assertEquals("signature invalid", e.getServerMessage());
            assertEquals(Integer.valueOf(519), e.getHttpStatus());
            assertTrue(e.getMessage().contains("compare Kingdee.stringToSign with"), e.getMessage());
            assertTrue(e.getMessage().contains("keyed with clientSecret, not appSecret"), e.getMessage());
        }
    }

    @Test
    void aWeaverRefusalCarriesTheServersWordsAndNoCode() {
        try (WeaverClient client = emulator.weaver().appid("disabled-appid").build()) {
            ErpAuthException e = assertThrows(ErpAuthException.class, client::token);
            assertEquals(Status.REJECTED, e.getStatus());
            assertNull(e.getServerCode());
            assertEquals("应用标识appid==>>disabled-appid已被禁用,请联系管理员!!!", e.getServerMessage());
            assertFalse(e.isTransient());
        }
    }

    @Test
    void proxyErrorsAndNetworkFailuresAreTransientRefusalsAreNot() throws Exception {
        try (KingdeeClient client = emulator.kingdee().build()) {
            emulator.configure("{\"fault\":{\"endpoint\":\"kingdee_auth_token\",\"kind\":\"http_502_json\"}}");
            ErpAuthException e = assertThrows(ErpAuthException.class, client::appToken);
            assertEquals(Status.HTTP, e.getStatus());
            assertEquals(Integer.valueOf(502), e.getHttpStatus());
            assertNull(e.getServerCode());
            assertTrue(e.isTransient());

            emulator.configure("{\"fault\":{\"endpoint\":\"kingdee_auth_token\",\"kind\":\"reset\"}}");
            e = assertThrows(ErpAuthException.class, client::appToken);
            assertEquals(Status.NETWORK, e.getStatus());
            assertNull(e.getHttpStatus());
            assertTrue(e.isTransient());

            emulator.configure("{\"fault\":{\"endpoint\":\"kingdee_auth_token\",\"kind\":\"garbage\"}}");
            e = assertThrows(ErpAuthException.class, client::appToken);
            assertEquals(Status.BAD_RESPONSE, e.getStatus());
            assertFalse(e.isTransient());
        }
    }

    @Test
    void theExceptionHasACauseConstructorAndNoSuccessStatus() {
        IllegalStateException cause = new IllegalStateException("x");
        ErpAuthException e = new ErpAuthException(Status.NETWORK, "m", cause);
        assertEquals(cause, e.getCause());
        assertTrue(e.isTransient());
        assertEquals(Arrays.asList("INVALID_ARGUMENT", "NETWORK", "HTTP", "REJECTED", "BAD_RESPONSE", "INTERNAL"),
                names(Status.values()));
        assertEquals("status", assertThrows(NullPointerException.class, () -> new ErpAuthException(null, "m")).getMessage());
    }

    private static java.util.List<String> names(Status[] values) {
        java.util.List<String> names = new ArrayList<>();
        for (Status s : values) {
            names.add(s.name());
        }
        return names;
    }

    @Test
    void argumentErrorsNameTheJavaParameter() {
        ErpAuthException e = assertThrows(ErpAuthException.class, () -> Kingdee.stringToSign("GET", "p", "1", "2"));
        assertTrue(e.getMessage().startsWith("pathAndQuery must start with '/'"), e.getMessage());
        e = assertThrows(ErpAuthException.class, () -> Weaver.sign("a", "s", "short", 1));
        assertTrue(e.getMessage().startsWith("aesKey must be 16, 24 or 32 bytes"), e.getMessage());
        assertEquals("pathAndQuery", assertThrows(NullPointerException.class,
                () -> Kingdee.stringToSign("GET", null, "1", "2")).getMessage());
    }

    @Test
    void weaverHeadersAreAppidTokenAndUseridInOrder() throws Exception {
        try (WeaverClient client = emulator.weaver().build()) {
            Map<String, String> plain = client.headers();
            assertEquals(Arrays.asList("appid", "token"), new ArrayList<>(plain.keySet()));
            assertEquals(Emulator.WEAVER_APPID, plain.get("appid"));
            assertEquals(client.token(), plain.get("token"));

            Map<String, String> user = client.headers(WeaverClient.UserType.LOGINID, "zhangs");
            assertEquals(Arrays.asList("appid", "token", "userid"), new ArrayList<>(user.keySet()));
            assertEquals("9", emulator.tokenInfo(user.get("token")).get("user").getAsString());
            assertEquals(client.userid(WeaverClient.UserType.LOGINID, "zhangs"), user.get("userid"));
            assertThrows(UnsupportedOperationException.class, () -> user.put("x", "y"));
        }
    }

    @Test
    void clientsAreUsableThroughTheirInterfaces() {
        try (KingdeeClient kingdee = emulator.kingdee().build(); WeaverClient weaver = emulator.weaver().build()) {
            KingdeeAuth k = kingdee;
            WeaverAuth w = weaver;
            assertEquals(kingdee.appToken(), k.appToken());
            assertEquals(k.appToken(), k.headers("GET", "/jdy/v2/bd/customer").get("app-token"));
            k.invalidate();
            assertEquals(weaver.token(), w.token());
            assertEquals(w.token(WeaverClient.UserType.ID, "1"), w.headers(WeaverClient.UserType.ID, "1").get("token"));
            w.invalidate();
        }
    }

    @Test
    void kingdeeCallSendsASignedRequestAndReturnsTheAnswerWhateverItsStatus() throws Exception {
        try (KingdeeClient client = emulator.kingdee().build()) {
            ErpAuthResponse ok = client.call("POST", "/jdy/v2/erpauth/echo?q=中文", "{\"name\":\"测试\"}", null);
            assertEquals(200, ok.statusCode(), ok.text());
            assertTrue(ok.isSuccessful());
            assertTrue(ok.text().contains("测试"), ok.text());
            assertTrue(ok.text().contains("application/json"), ok.text());

            ErpAuthResponse raw = client.call("POST", "/jdy/v2/erpauth/echo_raw", "a\u00e9b", "text/plain; charset=utf-8");
            assertEquals("a\u00e9b", new String(raw.body(), java.nio.charset.StandardCharsets.UTF_8));

            ErpAuthResponse missing = client.call("GET", "/jdy/v2/no/such/api");
            assertEquals(519, missing.statusCode());
            assertTrue(missing.text().contains("5001"), missing.text());
            assertFalse(missing.toString().contains("5001"), "toString shows no body");

            emulator.expireTokens();
            long before = emulator.count("kingdee_auth_token");
            assertEquals(200, client.call("GET", "/jdy/v2/bd/customer").statusCode());
            assertEquals(before + 1, emulator.count("kingdee_auth_token"), "the expired token was replaced once");

            assertEquals("method", assertThrows(NullPointerException.class, () -> client.call(null, "/p")).getMessage());
        }
    }

    @Test
    void theJvmTrustStoreCanBeTheCaFile() throws Exception {
        java.nio.file.Path pem = JvmTrustStore.pemFile();
        String text = new String(java.nio.file.Files.readAllBytes(pem), java.nio.charset.StandardCharsets.US_ASCII);
        int count = text.split("-----BEGIN CERTIFICATE-----", -1).length - 1;
        assertEquals(JvmTrustStore.authorities().length, count);
        assertTrue(count > 10, "only " + count + " authorities exported");
        assertEquals(pem, JvmTrustStore.pemFile(), "exported once per JVM");
        // The native library reads and parses ca_file when the client is built.
        try (KingdeeClient client = emulator.kingdee().caFromJvmTrustStore().build()) {
            assertFalse(client.appToken().isEmpty());
        }
    }

    @Test
    void theProxyCanComeFromTheJvmsSystemProperties() throws Exception {
        String[] keys = {"https.proxyHost", "https.proxyPort", "http.proxyHost", "http.proxyPort"};
        String[] saved = new String[keys.length];
        for (int i = 0; i < keys.length; i++) {
            saved[i] = System.getProperty(keys[i]);
            System.clearProperty(keys[i]);
        }
        try {
            assertNull(ClientBuilder.systemPropertiesProxy());
            System.setProperty("http.proxyHost", "proxy.example");
            assertEquals("http://proxy.example:80", ClientBuilder.systemPropertiesProxy());
            System.setProperty("https.proxyHost", "secure-proxy.example");
            System.setProperty("https.proxyPort", "3128");
            assertEquals("http://secure-proxy.example:3128", ClientBuilder.systemPropertiesProxy());
            // The native stack takes it: a closed local port as the proxy makes the fetch fail on the network.
            int closed = TestSupport.closedPort();
            System.setProperty("https.proxyHost", "127.0.0.1");
            System.setProperty("https.proxyPort", String.valueOf(closed));
            try (KingdeeClient client = emulator.kingdee().proxyFromSystemProperties()
                    .timeout(Duration.ofSeconds(3)).build()) {
                ErpAuthException e = assertThrows(ErpAuthException.class, client::appToken);
                assertEquals(Status.NETWORK, e.getStatus());
            }
        } finally {
            for (int i = 0; i < keys.length; i++) {
                if (saved[i] == null) {
                    System.clearProperty(keys[i]);
                } else {
                    System.setProperty(keys[i], saved[i]);
                }
            }
        }
    }
}
