package io.github.erpauth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The lifecycle after first contact, through the Java API against the emulator: the app_secret
 * rotated and tokens expired or forgotten mid-run (the caller sees answers, never the one retry
 * behind them), a second process on one Weaver REST state file, and hostile answers.
 */
class LifecycleMidRunTest extends EmulatorTest {
    private static final String ECHO = "/jdy/v2/erpauth/echo";
    private static final String REST_APPID = "emu-rest-appid";
    private static final String REST_ECHO = "/api/emulator/rest/echo";

    private Path dir;

    @BeforeEach
    void makeDir() throws Exception {
        dir = Files.createTempDirectory("erpauth-lifecycle");
    }

    @AfterEach
    void removeDir() throws Exception {
        try (Stream<Path> left = Files.list(dir)) {
            left.forEach(p -> p.toFile().delete());
        }
        Files.deleteIfExists(dir);
    }

    private void post(String path) throws Exception {
        assertEquals(200, emulator.send("POST", path, Collections.emptyMap()).statusCode(), path);
    }

    private WeaverRestClient rest(Path state) {
        return WeaverRestClient.builder().baseUrl(emulator.baseUrl).appid(REST_APPID).stateFile(state).build();
    }

    @Test
    void aRotationMidRunCostsTheCallerNothing() throws Exception {
        try (KingdeeClient client = emulator.kingdee().outerInstanceId("emu-instance-1").build()) {
            assertEquals(200, client.call("GET", ECHO).statusCode());
            assertEquals(0, emulator.count("kingdee_push_app_authorize"), "the configured secret first");

            String newSecret = JsonParser.parseString(emulator.send("POST", "/__emulator/kingdee/rotate_app_secret",
                    Collections.emptyMap()).body()).getAsJsonObject().get("app_secret").getAsString();
            // Issued tokens stay valid after a rotation: nothing happens yet.
            assertEquals(200, client.call("GET", ECHO).statusCode());
            // The token then expires: the business call gets 4011, the token request with the old
            // secret 1030002006, the client pulls the new one and the call still succeeds.
            emulator.expireTokens();
            post("/__emulator/reset_stats");
            ErpAuthResponse answer = client.call("GET", ECHO);
            assertEquals(200, answer.statusCode(), answer.text());
            JsonObject stats = emulator.stats();
            assertEquals(1, stats.get("kingdee_push_app_authorize").getAsLong());
            assertEquals(2, stats.get("kingdee_auth_token").getAsLong(), "one refused (old secret), one with the pulled");
            assertEquals(2, stats.get("kingdee_business").getAsLong(), "one refused (expired), one retried");
            String authorization = client.authorization();
            assertEquals("push_app_authorize", JsonParser.parseString(authorization).getAsJsonObject()
                    .get("source").getAsString());
            assertFalse(authorization.contains(newSecret), "never the app secret");
        }
    }

    @Test
    void aPulledSecretRotatedAgainIsPulledAgainByAppToken() throws Exception {
        try (KingdeeClient client = KingdeeClient.builder().baseUrl(emulator.baseUrl)
                .clientId(Emulator.KINGDEE_CLIENT_ID).clientSecret(Emulator.KINGDEE_CLIENT_SECRET)
                .outerInstanceId("emu-instance-1").build()) {
            String first = client.appToken();
            assertEquals(1, emulator.count("kingdee_push_app_authorize"));
            post("/__emulator/kingdee/rotate_app_secret");
            client.invalidate();
            String second = client.appToken();
            assertFalse(second.isEmpty());
            assertFalse(second.equals(first));
            assertEquals(2, emulator.count("kingdee_push_app_authorize"));
            assertEquals(3, emulator.count("kingdee_auth_token"), "first, refused with the old secret, retried");
            assertTrue(emulator.tokenInfo(second).get("valid").getAsBoolean());
        }
    }

    @Test
    void kingdeeTokensExpiredOrForgottenMidRunAreReplacedOnceAndTheCallSucceeds() throws Exception {
        try (KingdeeClient client = emulator.kingdee().build()) {
            String old = client.appToken();
            assertEquals(200, client.call("GET", ECHO).statusCode());
            for (String control : new String[] {"/__emulator/expire_tokens", "/__emulator/forget_tokens"}) {
                post(control);
                post("/__emulator/reset_stats");
                ErpAuthResponse answer = client.call("GET", ECHO);
                assertEquals(200, answer.statusCode(), control + ": " + answer.text());
                JsonObject stats = emulator.stats();
                assertEquals(2, stats.get("kingdee_business").getAsLong(), control + ": one refused, one retried");
                assertEquals(1, stats.get("kingdee_auth_token").getAsLong(), control + ": one new token");
                String now = client.appToken();
                assertFalse(now.equals(old), control);
                assertTrue(emulator.tokenInfo(now).get("valid").getAsBoolean(), control);
                old = now;
            }
        }
    }

    @Test
    void weaverRestTokensExpiredMidRunAreReplacedOnceAndTheCallSucceeds() throws Exception {
        try (WeaverRestClient client = rest(dir.resolve("state.json"))) {
            String first = client.token();
            assertEquals(200, client.call("POST", REST_ECHO, "{}", null, "9").statusCode());
            // expire_tokens, not forget_tokens: the emulator's forget_tokens leaves REST tokens alone.
            emulator.expireTokens();
            post("/__emulator/reset_stats");
            ErpAuthResponse answer = client.call("POST", REST_ECHO, "{\"n\":2}", null, "9");
            assertEquals(200, answer.statusCode(), answer.text());
            assertTrue(answer.text().contains("\"status\":true"), answer.text());
            JsonObject stats = emulator.stats();
            assertEquals(2, stats.get("weaver_rest_business").getAsLong(), "one refused, one retried");
            assertEquals(1, stats.get("weaver_apply_token").getAsLong());
            assertEquals(0, stats.get("weaver_regist").getAsLong(), "a lost token is no reason to register");
            assertFalse(client.token().equals(first));
        }
    }

    @Test
    void aSecondProcessSharingTheStateFileDoesNotRegisterAgain() throws Exception {
        Path state = dir.resolve("shared-state.json");
        try (WeaverRestClient client = rest(state)) {
            JsonObject registration = JsonParser.parseString(client.register()).getAsJsonObject();
            client.token();
            byte[] written = Files.readAllBytes(state);
            assertEquals(1, emulator.count("weaver_regist"));

            String text = TestSupport.runProbe(RestStateProbe.class, emulator.baseUrl, REST_APPID, state.toString());

            String childRegistration = null;
            String childCall = null;
            for (String line : text.split("\n")) {
                if (line.startsWith("REGISTRATION ")) {
                    childRegistration = line.substring("REGISTRATION ".length());
                } else if (line.startsWith("CALL ")) {
                    childCall = line.substring("CALL ".length());
                }
            }
            assertTrue(childRegistration != null && childCall != null, text);
            JsonObject child = JsonParser.parseString(childRegistration).getAsJsonObject();
            assertEquals(registration.get("secrit").getAsString(), child.get("secrit").getAsString());
            assertEquals(registration.get("spk").getAsString(), child.get("spk").getAsString());
            assertTrue(childCall.startsWith("200 ") && childCall.contains("child"), childCall);

            assertEquals(1, emulator.count("weaver_regist"), "the second process used the file");
            assertEquals(2, emulator.count("weaver_apply_token"), "one token per process");
            assertArrayEquals(written, Files.readAllBytes(state), "the file is never rewritten");
            // The first process's registration is still the server's.
            client.invalidate();
            assertEquals(200, client.call("POST", REST_ECHO, "{}", null, "9").statusCode());
        }
    }

    @Test
    void hostileRestAnswersAreBadResponsesThatEchoNothing() throws Exception {
        String[][] cases = {
            {"bad_spk", "spk", "bm90IGFuIFJTQSBrZXk="},
            {"no_secrit", "\"secrit\"", null},
        };
        for (String[] c : cases) {
            emulator.configure("{\"weaver_rest\":{\"hostile\":\"" + c[0] + "\"}}");
            Path state = dir.resolve(c[0] + ".json");
            try (WeaverRestClient client = rest(state)) {
                ErpAuthException e = assertThrows(ErpAuthException.class, client::register, c[0]);
                assertEquals(Status.BAD_RESPONSE, e.getStatus(), c[0] + ": " + e.getMessage());
                assertTrue(e.getMessage().contains(c[1]), e.getMessage());
                if (c[2] != null) {
                    assertFalse(e.getMessage().contains(c[2]), "the value is not echoed: " + e.getMessage());
                }
                assertFalse(Files.exists(state), c[0] + ": nothing is kept from a bad answer");
            }
        }
        emulator.configure("{\"weaver_rest\":{\"hostile\":\"token_control_chars\"}}");
        try (WeaverRestClient client = rest(dir.resolve("crlf.json"))) {
            ErpAuthException e = assertThrows(ErpAuthException.class, client::token);
            assertEquals(Status.BAD_RESPONSE, e.getStatus(), e.getMessage());
            assertTrue(e.getMessage().contains("not a plain header value"), e.getMessage());
            assertFalse(e.getMessage().contains("X-Injected") || e.getMessage().contains("\n")
                    || e.getMessage().contains("\r"), e.getMessage());
            ErpAuthException onCall = assertThrows(ErpAuthException.class,
                    () -> client.call("POST", REST_ECHO, "{}", null, "9"));
            assertEquals(Status.BAD_RESPONSE, onCall.getStatus());
            assertEquals(0, emulator.count("weaver_rest_business"), "nothing is sent with such a token");

            emulator.configure("{\"weaver_rest\":{\"hostile\":\"none\"}}");
            assertEquals(200, client.call("POST", REST_ECHO, "{}", null, "9").statusCode());
        }
    }

    @Test
    void aKingdeeTokenWithControlCharactersIsABadResponseThatEchoesNothing() throws Exception {
        try (KingdeeClient client = emulator.kingdee().build()) {
            emulator.configure("{\"fault\":{\"endpoint\":\"kingdee_auth_token\",\"kind\":\"hostile_token\",\"count\":1}}");
            ErpAuthException e = assertThrows(ErpAuthException.class, () -> client.call("GET", ECHO));
            assertEquals(Status.BAD_RESPONSE, e.getStatus(), e.getMessage());
            assertFalse(e.getMessage().contains("X-Evil") || e.getMessage().contains("t0k3n")
                    || e.getMessage().contains("\n"), e.getMessage());
            assertEquals(0, emulator.count("kingdee_business"), "nothing is sent with such a token");
            assertEquals(200, client.call("GET", ECHO).statusCode(), "the next token is a good one");
        }
    }
}
