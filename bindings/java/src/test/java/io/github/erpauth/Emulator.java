package io.github.erpauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The erpauth emulator ({@code erpauth emulate}) as a child process on 127.0.0.1, with its
 * control endpoints. Each test that needs one starts its own, so no state leaks between tests.
 * Public for the HTTP integrations' tests, which use it from this module's -tests jar.
 */
public final class Emulator implements AutoCloseable {
    // Default credentials of docs/EMULATOR.md.
    static final String KINGDEE_CLIENT_ID = "emu-client-id";
    static final String KINGDEE_CLIENT_SECRET = "emu-client-secret";
    static final String KINGDEE_APP_KEY = "emuAppKey";
    static final String KINGDEE_APP_SECRET = "emu-app-secret";
    static final String KINGDEE_DOMAIN = "https://emu.jdy.com";
    static final String WEAVER_APPID = "emu-appid";
    static final String WEAVER_SECRET = "emu-secret";
    static final String WEAVER_AES_KEY = "emu-aes-key-0016";
    static final String WEAVER_DISABLED_APPID = "disabled-appid";

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Process process;
    public final String baseUrl;

    private Emulator(Process process, String baseUrl) {
        this.process = process;
        this.baseUrl = baseUrl;
    }

    static File binary() {
        String path = System.getProperty("erpauth.emulator");
        assertTrue(path != null && !path.isEmpty(), "system property erpauth.emulator is not set (pom.xml sets it)");
        File file = new File(path);
        assertTrue(file.canExecute(), "emulator binary " + file + " is missing: run `cargo build --release -p erpauth-cli`");
        return file;
    }

    public static Emulator start() throws IOException {
        Process process = new ProcessBuilder(binary().getPath(), "emulate", "--port", "0", "--exit-on-stdin-eof")
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        BufferedReader stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = stdout.readLine();
        if (line == null || !line.startsWith("listening on http://127.0.0.1:")) {
            process.destroyForcibly();
            throw new IOException("the emulator did not start; its first line was: " + line);
        }
        // Keep draining stdout so that the emulator can never block on a full pipe.
        Thread drain = new Thread(() -> {
            try {
                while (stdout.readLine() != null) {
                    // discard
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "emulator-stdout");
        drain.setDaemon(true);
        drain.start();
        return new Emulator(process, line.substring("listening on ".length()).trim());
    }

    /** A Kingdee client builder with the emulator's default credentials. */
    public KingdeeClient.Builder kingdee() {
        return KingdeeClient.builder()
                .baseUrl(baseUrl)
                .clientId(KINGDEE_CLIENT_ID)
                .clientSecret(KINGDEE_CLIENT_SECRET)
                .appKey(KINGDEE_APP_KEY)
                .appSecret(KINGDEE_APP_SECRET)
                .domain(KINGDEE_DOMAIN)
                .timeout(Duration.ofSeconds(10));
    }

    /** A Weaver client builder with the emulator's default credentials. */
    public WeaverClient.Builder weaver() {
        return WeaverClient.builder()
                .baseUrl(baseUrl)
                .appid(WEAVER_APPID)
                .secret(WEAVER_SECRET)
                .aesKey(WEAVER_AES_KEY)
                .timeout(Duration.ofSeconds(10));
    }

    JsonObject stats() throws IOException, InterruptedException {
        return getJson("/__emulator/stats");
    }

    /** How many requests the emulator has had on {@code endpoint}, e.g. {@code "kingdee_business"}. */
    public long count(String endpoint) throws IOException, InterruptedException {
        return stats().get(endpoint).getAsLong();
    }

    /** Waits until the emulator has received {@code n} requests on {@code endpoint} (at most 10 s). */
    void awaitRequests(String endpoint, long n) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (count(endpoint) < n) {
            assertTrue(System.nanoTime() < deadline, "no request on " + endpoint + " within 10 s");
            Thread.sleep(5);
        }
    }

    /** Applies a partial emulator config (see emulator/src/config.rs); fails the test if refused. */
    void configure(String patchJson) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + "/__emulator/config"))
                .POST(HttpRequest.BodyPublishers.ofString(patchJson)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), "emulator refused config " + patchJson + ": " + response.body());
    }

    public void expireTokens() throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + "/__emulator/expire_tokens"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
    }

    /** {@code {"system": "kingdee"|"weaver"|null, "valid": bool, "user": ...}} for a token. */
    JsonObject tokenInfo(String token) throws IOException, InterruptedException {
        return getJson("/__emulator/token?token=" + URLEncoder.encode(token, "UTF-8"));
    }

    /** A request to the emulator with the given headers; returns status and body. */
    HttpResponse<String> send(String method, String pathAndQuery, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(10));
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private JsonObject getJson(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertEquals(200, response.statusCode(), path + ": " + response.body());
        return JsonParser.parseString(response.body()).getAsJsonObject();
    }

    @Override
    public void close() throws IOException {
        process.getOutputStream().close(); // --exit-on-stdin-eof
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
