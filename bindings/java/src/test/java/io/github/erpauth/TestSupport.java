package io.github.erpauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

final class TestSupport {
    private TestSupport() {}

    /** Runs {@code task} on {@code threads} threads released at the same instant; their results. */
    static <T> List<T> concurrently(int threads, Callable<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CyclicBarrier barrier = new CyclicBarrier(threads);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                futures.add(pool.submit(() -> {
                    barrier.await(10, TimeUnit.SECONDS);
                    return task.call();
                }));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get(60, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Makes garbage until {@code handle} is freed by the cleaner; fails after 20 s. The caller
     * must hold no reference to the handle's client.
     */
    static void awaitFreedByCleaner(NativeHandle handle) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!handle.isFreed()) {
            if (System.nanoTime() > deadline) {
                fail("a leaked client was not freed within 20 s of garbage collection");
            }
            System.gc();
            byte[][] garbage = new byte[64][];
            for (int i = 0; i < garbage.length; i++) {
                garbage[i] = new byte[64 * 1024];
            }
            Thread.sleep(20);
        }
    }

    /**
     * Runs {@code probe}'s main in a JVM of its own, on this JVM's class path and native
     * library properties, and returns what it printed (stdout and stderr); fails unless it
     * exits 0 within 60 s.
     */
    static String runProbe(Class<?> probe, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        for (String key : new String[] {"erpauth.library.path", "jna.library.path"}) {
            String value = System.getProperty(key);
            if (value != null) {
                command.add("-D" + key + "=" + value);
            }
        }
        command.add(probe.getName());
        command.addAll(Arrays.asList(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try (InputStream in = process.getInputStream()) {
            byte[] buffer = new byte[4096];
            for (int n; (n = in.read(buffer)) > 0; ) {
                output.write(buffer, 0, n);
            }
        }
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the probe did not finish");
        String text = new String(output.toByteArray(), StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), text);
        return text;
    }

    /** A port on 127.0.0.1 that nothing listens on (just closed). */
    static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static void assertNoSecret(String text, String... secrets) {
        for (String secret : secrets) {
            assertTrue(!text.contains(secret), "a secret appears in: " + text);
        }
    }
}
