package io.github.erpauth;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link ErpAuth#shutdown()} in a JVM of its own (it closes every client of its JVM). */
class ShutdownTest {
    @Test
    void shutdownFreesEveryHandleAndStopsTheCleanerThread() throws Exception {
        String text = TestSupport.runProbe(ShutdownProbe.class);
        assertTrue(text.contains("shutdown ok"), text);
    }
}
