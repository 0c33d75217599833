package io.github.erpauth;

import java.time.Duration;

/**
 * Run in a JVM of its own by {@link ShutdownTest}, because {@link ErpAuth#shutdown()} closes
 * every client of the JVM: exits 0 when shutdown freed the leaked and open handles, stopped the
 * cleaner thread, and erpauth still works afterwards; otherwise prints why and exits 1.
 */
public final class ShutdownProbe {
    private ShutdownProbe() {}

    public static void main(String[] args) throws Exception {
        WeaverClient open = client();
        client(); // leaked: never closed, still registered with the cleaner
        KingdeeSigner signer = Kingdee.signer("secret");
        WeaverClient closed = client();
        closed.close();
        check(cleanerThreads() == 1, "one cleaner thread before shutdown, found " + cleanerThreads());

        int freed = ErpAuth.shutdown();
        check(freed == 3, "shutdown freed " + freed + " handles, expected 3 (open, leaked, signer)");
        check(cleanerThreads() == 0, "the cleaner thread is still running after shutdown");
        try {
            open.invalidate();
            check(false, "a client freed by shutdown still accepted a call");
        } catch (IllegalStateException expected) {
            // closed
        }
        try {
            signer.signature("GET", "/p", "1", "2");
            check(false, "a signer freed by shutdown still accepted a call");
        } catch (IllegalStateException expected) {
            // closed
        }
        check(ErpAuth.shutdown() == 0, "a second shutdown found handles to free");

        try (WeaverClient again = client()) {
            again.invalidate();
            check(cleanerThreads() == 1, "a client after shutdown did not start a new cleaner thread");
        }
        System.out.println("shutdown ok");
    }

    private static WeaverClient client() {
        return WeaverClient.builder().baseUrl("http://127.0.0.1:9").appid("a").secret("s")
                .aesKey("0123456789abcdef").timeout(Duration.ofSeconds(1)).build();
    }

    private static long cleanerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().equals("erpauth-cleaner")).count();
    }

    private static void check(boolean ok, String failure) {
        if (!ok) {
            System.out.println("FAILED: " + failure);
            System.exit(1);
        }
    }
}
