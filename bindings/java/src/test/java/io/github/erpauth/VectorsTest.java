package io.github.erpauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.File;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every public vector of {@code tests/vectors/*.json} through the Java API. Read at run time
 * from the repository's {@code tests/vectors} or from {@code ERPAUTH_VECTORS_DIR}; a vector file
 * or section this test does not know fails it, so a new vector is never skipped silently.
 */
class VectorsTest {
    static File vectorsDir() {
        String env = System.getenv("ERPAUTH_VECTORS_DIR");
        File dir = env != null && !env.isEmpty()
                ? new File(env)
                : new File(System.getProperty("erpauth.workspace"), "tests/vectors");
        assertTrue(dir.isDirectory(), "vector directory " + dir + " is missing: run the tests from a complete "
                + "checkout of the repository or set ERPAUTH_VECTORS_DIR");
        return dir;
    }

    private static JsonObject load(String name) throws IOException {
        File file = new File(vectorsDir(), name);
        return JsonParser.parseString(new String(Files.readAllBytes(file.toPath()), StandardCharsets.UTF_8))
                .getAsJsonObject();
    }

    @Test
    void noUnknownVectorFiles() {
        String[] names = vectorsDir().list((d, n) -> n.endsWith(".json"));
        assertTrue(names != null && names.length > 0, "no vector files");
        for (String name : names) {
            // weaver_rest.json: the e9 REST client has no Java API yet; tests/weaver_rest_client.rs checks it.
            assertTrue(name.equals("kingdee.json") || name.equals("weaver.json") || name.equals("weaver_rest.json"),
                    "vector file " + name + " is not checked by the Java tests: add it to VectorsTest");
        }
    }

    @Test
    void kingdee() throws IOException {
        JsonObject vectors = load("kingdee.json");
        int checked = 0;
        for (Map.Entry<String, JsonElement> section : vectors.entrySet()) {
            switch (section.getKey()) {
                case "source":
                    break;
                case "app_signature":
                    for (JsonElement e : section.getValue().getAsJsonArray()) {
                        JsonObject v = e.getAsJsonObject();
                        assertEquals(v.get("app_signature").getAsString(),
                                Kingdee.appSignature(v.get("app_key").getAsString(), v.get("app_secret").getAsString()));
                        checked++;
                    }
                    break;
                case "api_signature":
                    for (JsonElement e : section.getValue().getAsJsonArray()) {
                        checkApiSignature(e.getAsJsonObject());
                        checked++;
                    }
                    break;
                default:
                    fail("kingdee.json section " + section.getKey() + " is not checked by the Java tests");
            }
        }
        assertTrue(checked >= 2, "only " + checked + " Kingdee vectors");
    }

    private static void checkApiSignature(JsonObject v) throws IOException {
        // The target as it goes on the wire: each value encoded once with java.net.URLEncoder.
        StringBuilder target = new StringBuilder(v.get("path").getAsString());
        List<String[]> params = new ArrayList<>();
        JsonArray query = v.getAsJsonArray("query");
        for (int i = 0; i < query.size(); i++) {
            JsonArray pair = query.get(i).getAsJsonArray();
            String name = pair.get(0).getAsString();
            String value = pair.get(1).getAsString();
            params.add(new String[] {name, value});
            target.append(i == 0 ? '?' : '&').append(URLEncoder.encode(name, "UTF-8")).append('=')
                    .append(URLEncoder.encode(value, "UTF-8"));
        }
        String method = v.get("method").getAsString();
        String nonce = v.get("nonce").getAsString();
        String timestamp = v.get("timestamp").getAsString();
        String expectedSts = v.get("string_to_sign").getAsString();
        assertEquals(expectedSts, Kingdee.stringToSign(method, target.toString(), nonce, timestamp));
        assertEquals(v.get("signature").getAsString(), Kingdee.signature(v.get("client_secret").getAsString(), method,
                target.toString(), nonce, timestamp));
        try (KingdeeSigner signer = Kingdee.signer(v.get("client_secret").getAsString())) {
            assertEquals(v.get("signature").getAsString(), signer.signature(method, target.toString(), nonce, timestamp));
        }
        // And the independent reference agrees with the vector, so the cross-checks test something.
        assertEquals(expectedSts, Reference.stringToSign(method, v.get("path").getAsString(), params, nonce, timestamp));
        assertEquals(v.get("hmac_hex").getAsString(), new String(java.util.Base64.getDecoder()
                .decode(v.get("signature").getAsString()), StandardCharsets.US_ASCII));
    }

    @Test
    void weaver() throws IOException {
        JsonObject vectors = load("weaver.json");
        int checked = 0;
        for (Map.Entry<String, JsonElement> section : vectors.entrySet()) {
            switch (section.getKey()) {
                case "source":
                    break;
                case "sign":
                    for (JsonElement e : section.getValue().getAsJsonArray()) {
                        JsonObject v = e.getAsJsonObject();
                        String appid = v.get("appid").getAsString();
                        String secret = v.get("secret").getAsString();
                        String aesKey = v.get("aes_key").getAsString();
                        long timestamp = v.get("timestamp_ms").getAsLong();
                        String sign = Weaver.sign(appid, secret, aesKey, timestamp);
                        assertEquals(v.get("sign").getAsString(), sign);
                        try (WeaverSigner signer = Weaver.signer(appid, secret, aesKey)) {
                            assertEquals(sign, signer.sign(timestamp));
                        }
                        assertEquals(v.get("plaintext").getAsString(), Reference.aesDecrypt(aesKey, Reference.unhex(sign)));
                        assertEquals(sign, Reference.weaverSign(appid, secret, aesKey, timestamp));
                        checked++;
                    }
                    break;
                default:
                    fail("weaver.json section " + section.getKey() + " is not checked by the Java tests");
            }
        }
        assertTrue(checked >= 1, "no Weaver vectors");
    }
}
