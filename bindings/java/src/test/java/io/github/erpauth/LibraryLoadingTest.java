package io.github.erpauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Platform;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The search order of {@link NativeLibraryLoader}, each case in a fresh JVM (a JVM loads the
 * library once): erpauth.library.path, then jna.library.path, then the bundled copy.
 */
class LibraryLoadingTest {
    private static final String FILE_NAME = System.mapLibraryName("erpauth");
    private static final String APP_SIGNATURE =
            "ZDljMTI3NGIyNTE1MTRkYzlkNjc1MDNhYjUzMzgzNWMyY2M4YTdjMzdmNmM3YTVlNDkxMTkzNjdiOTFjNzUyZQ==";

    @TempDir
    Path temp;

    private static File classesDir() {
        return new File(LoaderProbe.class.getProtectionDomain().getCodeSource().getLocation().getPath())
                .getParentFile().toPath().resolve("classes").toFile();
    }

    private static File testClassesDir() {
        return new File(LoaderProbe.class.getProtectionDomain().getCodeSource().getLocation().getPath());
    }

    private static File bundledLibrary() {
        File file = new File(classesDir(), Platform.RESOURCE_PREFIX + "/" + FILE_NAME);
        assertTrue(file.isFile(), "the build did not bundle " + file);
        return file;
    }

    /** A copy of the library in a directory of its own. */
    private Path copyTo(String dirName) throws IOException {
        Path dir = Files.createDirectories(temp.resolve(dirName));
        Files.copy(bundledLibrary().toPath(), dir.resolve(FILE_NAME), StandardCopyOption.REPLACE_EXISTING);
        return dir;
    }

    private List<String> probe(String classes, String... properties) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(new File(System.getProperty("java.home"), "bin/java").getPath());
        command.addAll(Arrays.asList(properties));
        command.add("-cp");
        command.add(String.join(File.pathSeparator, classes, System.getProperty("erpauth.test.jna.jar"),
                testClassesDir().getPath()));
        command.add(LoaderProbe.class.getName());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("LD_LIBRARY_PATH");
        builder.environment().remove("DYLD_LIBRARY_PATH");
        Process process = builder.start();
        String output;
        try (InputStream in = process.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "probe JVM hung");
        assertEquals(0, process.exitValue(), output);
        return Arrays.asList(output.split("\\R"));
    }

    private static void assertLoadedFrom(List<String> lines, String expectedLocation) {
        assertEquals(4, lines.size(), String.join("\n", lines));
        for (int i = 0; i < 4; i += 2) {
            assertEquals("LOCATION " + expectedLocation, lines.get(i));
            assertEquals("SIGNATURE " + APP_SIGNATURE, lines.get(i + 1));
        }
    }

    @Test
    void bundledByDefault() throws Exception {
        assertLoadedFrom(probe(classesDir().getPath()),
                "bundled " + Platform.RESOURCE_PREFIX + "/" + FILE_NAME + " " + bundledLibrary().getAbsolutePath());
    }

    @Test
    void jnaLibraryPathBeforeTheBundledCopy() throws Exception {
        Path dir = copyTo("jna");
        String path = temp.resolve("missing") + File.pathSeparator + dir;
        assertLoadedFrom(probe(classesDir().getPath(), "-Djna.library.path=" + path),
                "jna.library.path " + dir.resolve(FILE_NAME).toAbsolutePath());
    }

    @Test
    void erpauthLibraryPathFirstAsFileOrDirectory() throws Exception {
        Path jna = copyTo("jna");
        Path own = copyTo("own");
        String expected = "erpauth.library.path " + own.resolve(FILE_NAME).toAbsolutePath();
        assertLoadedFrom(probe(classesDir().getPath(), "-Djna.library.path=" + jna,
                "-Derpauth.library.path=" + own.resolve(FILE_NAME)), expected);
        assertLoadedFrom(probe(classesDir().getPath(), "-Derpauth.library.path=" + own), expected);
    }

    @Test
    void aWrongErpauthLibraryPathFailsLoudlyOnEveryCall() throws Exception {
        Path wrong = temp.resolve("nothing-here");
        List<String> lines = probe(classesDir().getPath(), "-Derpauth.library.path=" + wrong);
        assertEquals(2, lines.size(), String.join("\n", lines));
        for (String line : lines) {
            assertTrue(line.startsWith("ERROR the erpauth native library could not be loaded: -Derpauth.library.path="
                    + wrong + " names no library file"), line);
        }
    }

    @Test
    void withoutTheBundledCopyTheErrorSaysWhatWasTried() throws Exception {
        // The classes without the library directory, as in a jar built for another platform.
        Path classes = temp.resolve("classes");
        try (Stream<Path> files = Files.walk(classesDir().toPath())) {
            for (Path source : (Iterable<Path>) files.sorted(Comparator.naturalOrder())::iterator) {
                Path relative = classesDir().toPath().relativize(source);
                if (relative.startsWith(Platform.RESOURCE_PREFIX)) {
                    continue;
                }
                Path target = classes.resolve(relative.toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
        List<String> lines = probe(classes.toString());
        assertEquals(2, lines.size(), String.join("\n", lines));
        for (String line : lines) {
            assertTrue(line.contains("cannot find the erpauth native library " + FILE_NAME), line);
            assertTrue(line.contains("resource " + Platform.RESOURCE_PREFIX + "/" + FILE_NAME), line);
            assertTrue(line.contains("-Derpauth.library.path="), line);
        }
    }
}
