package io.github.erpauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link ErpAuth#shutdown()} in a JVM of its own (it closes every client of its JVM). */
class ShutdownTest {
    @Test
    void shutdownFreesEveryHandleAndStopsTheCleanerThread() throws Exception {
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
        command.add(ShutdownProbe.class.getName());
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
        assertTrue(text.contains("shutdown ok"), text);
    }
}
