package io.github.erpauth.http;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.erpauth.KingdeeClient;
import io.github.erpauth.WeaverClient;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The erpauth emulator (docs/EMULATOR.md) as a child process, with its default credentials. */
final class LocalEmulator implements AutoCloseable {
    private final Process process;
    final String baseUrl;

    private LocalEmulator(Process process, String baseUrl) {
        this.process = process;
        this.baseUrl = baseUrl;
    }

    static LocalEmulator start() throws IOException {
        String path = System.getProperty("erpauth.emulator");
        assertTrue(path != null && new File(path).canExecute(), "emulator binary missing: " + path);
        Process process = new ProcessBuilder(path, "emulate", "--exit-on-stdin-eof").redirectErrorStream(true).start();
        BufferedReader stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = stdout.readLine();
        if (line == null || !line.startsWith("listening on http://127.0.0.1:")) {
            process.destroyForcibly();
            throw new IOException("the emulator did not start: " + line);
        }
        Thread drain = new Thread(() -> {
            try {
                while (stdout.readLine() != null) {
                    // keep the pipe empty
                }
            } catch (IOException ignored) {
                // the emulator has gone
            }
        }, "emulator-stdout");
        drain.setDaemon(true);
        drain.start();
        return new LocalEmulator(process, line.substring("listening on ".length()).trim());
    }

    KingdeeClient kingdee() {
        return KingdeeClient.builder().baseUrl(baseUrl).clientId("emu-client-id").clientSecret("emu-client-secret")
                .appKey("emuAppKey").appSecret("emu-app-secret").domain("https://emu.jdy.com")
                .timeout(Duration.ofSeconds(10)).build();
    }

    WeaverClient weaver() {
        return WeaverClient.builder().baseUrl(baseUrl).appid("emu-appid").secret("emu-secret")
                .aesKey("emu-aes-key-0016").timeout(Duration.ofSeconds(10)).build();
    }

    String request(String method, String path, String body) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(baseUrl + path).openConnection();
        c.setRequestMethod(method);
        if (body != null) {
            c.setDoOutput(true);
            try (OutputStream out = c.getOutputStream()) {
                out.write(body.getBytes(StandardCharsets.UTF_8));
            }
        }
        try (InputStream in = c.getInputStream()) {
            return new String(readAll(in), StandardCharsets.UTF_8);
        }
    }

    long count(String endpoint) throws IOException {
        Matcher m = Pattern.compile("\"" + endpoint + "\":(\\d+)").matcher(request("GET", "/__emulator/stats", null));
        assertTrue(m.find(), "no counter " + endpoint);
        return Long.parseLong(m.group(1));
    }

    void expireTokens() throws IOException {
        request("POST", "/__emulator/expire_tokens", "");
    }

    private static byte[] readAll(InputStream in) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        for (int n; (n = in.read(buffer)) > 0; ) {
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    @Override
    public void close() throws IOException {
        process.getOutputStream().close();
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
