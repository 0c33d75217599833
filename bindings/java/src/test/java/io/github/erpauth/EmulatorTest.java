package io.github.erpauth;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A test class whose every test talks to an emulator of its own, started before the test and
 * stopped after it, so that no state (counters, faults, tokens) leaks between tests.
 */
abstract class EmulatorTest {
    Emulator emulator;

    @BeforeEach
    final void startEmulator() throws Exception {
        emulator = Emulator.start();
    }

    @AfterEach
    final void stopEmulator() throws Exception {
        emulator.close();
    }

    /**
     * Closes {@code client} while {@code call} is in flight and asserts that close() waited
     * for it: the emulator delays the next answer on {@code endpoint} by 1000 ms, and close()
     * starts once the request has arrived. Returns what the call returned.
     */
    final String closeDuringCall(String endpoint, AutoCloseable client, Callable<String> call) throws Exception {
        emulator.configure("{\"fault\":{\"endpoint\":\"" + endpoint + "\",\"kind\":\"delay\",\"delay_ms\":1000,\"count\":1}}");
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<String> inFlight = pool.submit(call);
            emulator.awaitRequests(endpoint, 1); // the call is now in flight, waiting for the answer
            long start = System.nanoTime();
            client.close();
            long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            // Most of the 1000 ms delay was still ahead: close must have waited for it.
            assertTrue(closeMillis >= 300, "close returned after " + closeMillis + " ms, before the call in flight");
            return inFlight.get();
        } finally {
            pool.shutdownNow();
        }
    }
}
