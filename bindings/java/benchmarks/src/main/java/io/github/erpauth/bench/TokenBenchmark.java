package io.github.erpauth.bench;

import io.github.erpauth.KingdeeClient;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * {@link KingdeeClient#appToken()} once the token is cached: what every business call pays.
 * The token is fetched once from the local emulator in setup; {@code -Derpauth.emulator=PATH}
 * names the emulator binary (default {@code target/release/erpauth}, from the repository root).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TokenBenchmark {
    private Process emulator;
    private KingdeeClient client;

    @Setup(Level.Trial)
    public void start() throws Exception {
        File binary = new File(System.getProperty("erpauth.emulator", "target/release/erpauth"));
        emulator = new ProcessBuilder(binary.getPath(), "emulate", "--port", "0", "--exit-on-stdin-eof")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String line = new BufferedReader(new InputStreamReader(emulator.getInputStream(), StandardCharsets.UTF_8))
                .readLine();
        if (line == null || !line.startsWith("listening on ")) {
            throw new IllegalStateException("emulator " + binary.getAbsolutePath() + " did not start: " + line);
        }
        client = KingdeeClient.builder()
                .baseUrl(line.substring("listening on ".length()).trim())
                .clientId("emu-client-id").clientSecret("emu-client-secret")
                .appKey("emuAppKey").appSecret("emu-app-secret")
                .build();
        client.appToken();
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        client.close();
        emulator.getOutputStream().close();
        emulator.waitFor(5, TimeUnit.SECONDS);
    }

    @Benchmark
    public String cachedAppToken() {
        return client.appToken();
    }
}
