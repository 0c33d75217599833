package io.github.erpauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The lifecycle additions of the C ABI through the Java API, against the emulator. */
class LifecycleTest extends EmulatorTest {
    @Test
    void updateAppSecretReplacesARotatedSecretAndAuthorizationSaysWhere() throws Exception {
        try (KingdeeClient client = emulator.kingdee().build()) {
            JsonObject authorization = JsonParser.parseString(client.authorization()).getAsJsonObject();
            assertEquals("emuAppKey", authorization.get("app_key").getAsString());
            assertEquals("config", authorization.get("source").getAsString());
            assertFalse(client.authorization().contains(Emulator.KINGDEE_APP_SECRET), "never the app secret");

            HttpResponse<String> rotated = emulator.send("POST", "/__emulator/kingdee/rotate_app_secret", Collections.emptyMap());
            String newSecret = JsonParser.parseString(rotated.body()).getAsJsonObject().get("app_secret").getAsString();
            client.invalidate();
            ErpAuthException e = assertThrows(ErpAuthException.class, client::appToken);
            assertEquals(Long.valueOf(1030002006L), e.getServerCode());

            client.updateAppSecret(newSecret);
            assertFalse(client.appToken().isEmpty());
            assertEquals("set_app_secret", JsonParser.parseString(client.authorization()).getAsJsonObject()
                    .get("source").getAsString());

            assertEquals("appSecret", assertThrows(NullPointerException.class, () -> client.updateAppSecret(null)).getMessage());
            ErpAuthException empty = assertThrows(ErpAuthException.class, () -> client.updateAppSecret(""));
            assertEquals(Status.INVALID_ARGUMENT, empty.getStatus());
        }
    }

    @Test
    void anOuterInstanceIdPullsTheAuthorization() throws Exception {
        try (KingdeeClient client = KingdeeClient.builder().baseUrl(emulator.baseUrl)
                .clientId("emu-client-id").clientSecret(Emulator.KINGDEE_CLIENT_SECRET)
                .outerInstanceId("emu-instance-1").build()) {
            assertFalse(client.appToken().isEmpty());
            JsonObject authorization = JsonParser.parseString(client.authorization()).getAsJsonObject();
            assertEquals("push_app_authorize", authorization.get("source").getAsString());
            assertEquals("emuAppKey", authorization.get("app_key").getAsString());
        }
    }

    @Test
    void weaverCallsCarryTheUsersTokenAndUserid() throws Exception {
        try (WeaverClient client = emulator.weaver().build()) {
            ErpAuthResponse todo = client.call("GET", "/api/workflow/paService/getToDoWorkflowRequestList?keyword=请假",
                    null, null, WeaverClient.UserType.LOGINID, "zhangs");
            assertEquals(200, todo.statusCode(), todo.text());
            assertTrue(todo.text().contains("\"user\":\"9\""), todo.text());
            ErpAuthResponse plain = client.call("POST", "/api/workflow/paService/doCreateRequest", "{\"requestName\":\"测试\"}", null);
            assertTrue(plain.text().contains("\"status\":true") && plain.text().contains("测试"), plain.text());
            assertEquals("userType", assertThrows(NullPointerException.class,
                    () -> client.call("GET", "/p", null, null, null, "x")).getMessage());
        }
    }

    @Test
    void theRestClientRegistersOnceAndCallsWithAllThreeHeaders() throws Exception {
        Path dir = Files.createTempDirectory("erpauth-rest");
        Path state = dir.resolve("state.json");
        try (WeaverRestClient client = WeaverRestClient.builder().baseUrl(emulator.baseUrl).appid("emu-rest-appid")
                .stateFile(state).build()) {
            JsonObject registration = JsonParser.parseString(client.register()).getAsJsonObject();
            assertEquals("emu-rest-appid", registration.get("appid").getAsString());
            assertTrue(Files.exists(state));
            String token = client.token();
            assertEquals(token, client.token());

            Map<String, String> headers = client.headers("9");
            assertEquals(Arrays.asList("appid", "token", "userid"), new ArrayList<>(headers.keySet()));
            assertEquals(token, headers.get("token"));
            assertEquals(Arrays.asList("appid", "token"), new ArrayList<>(client.headers().keySet()));

            ErpAuthResponse echo = client.call("POST", "/api/emulator/rest/echo", "{\"a\":\"中文\"}", null, "9");
            assertEquals(200, echo.statusCode(), echo.text());
            assertTrue(echo.text().contains("中文"), echo.text());
            client.invalidate();
            assertTrue(client.toString().contains("emu-rest-appid") && !client.toString().contains(token));
        } finally {
            Files.deleteIfExists(state);
            try (java.util.stream.Stream<Path> left = Files.list(dir)) {
                left.forEach(p -> p.toFile().delete());
            }
            Files.deleteIfExists(dir);
        }
        ErpAuthException missing = assertThrows(ErpAuthException.class,
                () -> WeaverRestClient.builder().appid("a").stateFile(state).build());
        assertTrue(missing.getMessage().startsWith("WeaverRestClient.Builder.baseUrl(...) is required"), missing.getMessage());
    }

    @Test
    void plainHttpToAnotherHostNeedsAllowInsecureHttp() {
        ErpAuthException refused = assertThrows(ErpAuthException.class,
                () -> emulator.kingdee().baseUrl("http://gateway.example.com").build());
        assertEquals(Status.INVALID_ARGUMENT, refused.getStatus());
        assertTrue(refused.getMessage().contains("allowInsecureHttp(...)"), refused.getMessage());
        try (KingdeeClient client = emulator.kingdee().baseUrl("http://gateway.example.com").allowInsecureHttp(true).build()) {
            assertTrue(client.toString().contains("gateway.example.com"));
        }
        try (WeaverClient client = emulator.weaver().maxUsers(2).build()) {
            assertFalse(client.token(WeaverClient.UserType.ID, "1").isEmpty());
        }
    }
}
