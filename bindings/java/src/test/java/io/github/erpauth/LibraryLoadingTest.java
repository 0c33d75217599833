package io.github.erpauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The search order of {@link NativeLibraryLoader}, each case in a fresh JVM (a JVM loads the
 * library once): erpauth.library.path, then jna.library.path, then the bundled copy; and what a
 * missing or foreign library is reported as. The library and the classes come from the class
 * path under test: the release jar when run by run-tests.sh, so the libraries checked here are
 * the ones that jar bundles.
 */
class LibraryLoadingTest {
    private static final String FILE_NAME = System.mapLibraryName("erpauth");
    private static final String APP_SIGNATURE =
            "ZDljMTI3NGIyNTE1MTRkYzlkNjc1MDNhYjUzMzgzNWMyY2M4YTdjMzdmNmM3YTVlNDkxMTkzNjdiOTFjNzUyZQ==";
    /** Each platform of a release and its library, as the jar holds them. */
    private static final String[] BUNDLED = {
        "linux-x86-64/liberpauth.so", "linux-aarch64/liberpauth.so", "win32-x86-64/erpauth.dll", "win32-x86/erpauth.dll",
    };

    @TempDir
    Path temp;

    /** The jar (or directory) the binding's classes are loaded from. */
    private static File codeSource() throws Exception {
        return new File(ErpAuth.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static File testClassesDir() throws Exception {
        return new File(LoaderProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /** A bundled resource copied out of the class path under test to dir/name. */
    private Path extract(String resource, String dirName) throws IOException {
        Path dir = Files.createDirectories(temp.resolve(dirName));
        Path file = dir.resolve(resource.substring(resource.indexOf('/') + 1));
        try (InputStream in = ErpAuth.class.getClassLoader().getResourceAsStream(resource)) {
            assertNotNull(in, "the class path under test bundles no " + resource
                    + " (run bindings/java/run-tests.sh: it tests the release jar, which bundles all four)");
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
        return file;
    }

    /** A copy of this platform's bundled library in a directory of its own. */
    private Path copyTo(String dirName) throws IOException {
        return extract(Platform.RESOURCE_PREFIX + "/" + FILE_NAME, dirName).getParent();
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

    /** Both lines of a failed probe, each starting with the expected error. */
    private static void assertFailsWith(List<String> lines, String expectedStart) {
        assertEquals(2, lines.size(), String.join("\n", lines));
        for (String line : lines) {
            assertTrue(line.startsWith("ERROR the erpauth native library could not be loaded: " + expectedStart),
                    "expected: " + expectedStart + "\nactual:   " + line);
        }
    }

    @Test
    void bundledByDefault() throws Exception {
        List<String> lines = probe(codeSource().getPath());
        assertEquals(4, lines.size(), String.join("\n", lines));
        String expected = "LOCATION bundled " + Platform.RESOURCE_PREFIX + "/" + FILE_NAME + " ";
        for (int i = 0; i < 4; i += 2) {
            assertTrue(lines.get(i).startsWith(expected), lines.get(i));
            assertEquals("SIGNATURE " + APP_SIGNATURE, lines.get(i + 1));
        }
    }

    @Test
    void jnaLibraryPathBeforeTheBundledCopy() throws Exception {
        Path dir = copyTo("jna");
        String path = temp.resolve("missing") + File.pathSeparator + dir;
        assertLoadedFrom(probe(codeSource().getPath(), "-Djna.library.path=" + path),
                "jna.library.path " + dir.resolve(FILE_NAME).toAbsolutePath());
    }

    @Test
    void erpauthLibraryPathFirstAsFileOrDirectory() throws Exception {
        Path jna = copyTo("jna");
        Path own = copyTo("own");
        String expected = "erpauth.library.path " + own.resolve(FILE_NAME).toAbsolutePath();
        assertLoadedFrom(probe(codeSource().getPath(), "-Djna.library.path=" + jna,
                "-Derpauth.library.path=" + own.resolve(FILE_NAME)), expected);
        assertLoadedFrom(probe(codeSource().getPath(), "-Derpauth.library.path=" + own), expected);
    }

    @Test
    void aWrongErpauthLibraryPathFailsLoudlyOnEveryCall() throws Exception {
        Path wrong = temp.resolve("nothing-here");
        assertFailsWith(probe(codeSource().getPath(), "-Derpauth.library.path=" + wrong),
                "-Derpauth.library.path=" + wrong + " names no library file");
    }

    /** The release jar carries each platform's library, each built for that platform. */
    @Test
    void theJarBundlesEachPlatformsLibraryBuiltForIt() throws Exception {
        for (String resource : BUNDLED) {
            String platform = resource.substring(0, resource.indexOf('/'));
            File file = extract(resource, "bundled-" + platform).toFile();
            String built = NativeLibraryLoader.builtFor(file);
            assertNotNull(built, resource + " is neither ELF nor PE");
            assertTrue(built.endsWith("(" + platform + ")"), resource + " is " + built);
        }
        // Not a library: no platform is claimed for it.
        Path classFile = temp.resolve("ErpAuth.class");
        try (InputStream in = ErpAuth.class.getResourceAsStream("ErpAuth.class")) {
            Files.copy(in, classFile);
        }
        assertNull(NativeLibraryLoader.builtFor(classFile.toFile()));
        assertNull(NativeLibraryLoader.builtFor(temp.resolve("absent").toFile()));
    }

    /**
     * Every other platform's library of the jar, given to this JVM, is reported as the wrong
     * architecture with what it is and what this JVM needs, not as the loader's bare message
     * (for the 32-bit DLL on x86-64 Linux that would be "invalid ELF header").
     */
    @Test
    void aLibraryOfAnotherPlatformIsReportedAsTheWrongArchitecture() throws Exception {
        int foreign = 0;
        for (String resource : BUNDLED) {
            String platform = resource.substring(0, resource.indexOf('/'));
            if (platform.equals(Platform.RESOURCE_PREFIX)) {
                continue;
            }
            foreign++;
            Path file = extract(resource, "foreign-" + platform);
            String built = NativeLibraryLoader.builtFor(file.toFile());
            assertFailsWith(probe(codeSource().getPath(), "-Derpauth.library.path=" + file),
                    "cannot load " + file.toAbsolutePath() + " (erpauth.library.path): wrong architecture: it is "
                            + built + ", but this JVM is " + Platform.RESOURCE_PREFIX + " (os.name="
                            + System.getProperty("os.name") + ", os.arch=" + System.getProperty("os.arch")
                            + ") and needs a " + Platform.RESOURCE_PREFIX + " " + FILE_NAME
                            + "; point -Derpauth.library.path at one, or drop the setting to use the copy bundled in the jar");
        }
        assertEquals(BUNDLED.length - 1, foreign, "this JVM's platform is not one the jar bundles");
    }

    /** A library of the right platform that still does not load: the loader's words, after what it is. */
    @Test
    void aBrokenLibraryOfThisPlatformKeepsTheLoadersReason() throws Exception {
        // ELF e_type 2 (an executable) instead of 3 (a shared object): still this platform's
        // machine, and the system loader refuses it cleanly ("cannot dynamically load executable").
        // A truncated copy would not do: ld.so maps past its end and the JVM dies of SIGBUS.
        Path file = copyTo("broken").resolve(FILE_NAME);
        byte[] bytes = Files.readAllBytes(file);
        assertEquals(3, bytes[16], "not an ELF shared object");
        bytes[16] = 2;
        Files.write(file, bytes);
        String built = NativeLibraryLoader.builtFor(file.toFile());
        assertTrue(built.endsWith("(" + Platform.RESOURCE_PREFIX + ")"), built);
        List<String> lines = probe(codeSource().getPath(), "-Derpauth.library.path=" + file);
        assertFailsWith(lines, "cannot load " + file.toAbsolutePath() + " (erpauth.library.path): " + built + ": ");
        assertTrue(lines.get(0).contains(file.toString()), lines.get(0));
    }

    @Test
    void withoutTheBundledCopyTheErrorNamesThePlatformAndTheOverride() throws Exception {
        // The classes without any library, as on a platform the jar has no library for.
        Path classes = temp.resolve("classes");
        File source = codeSource();
        if (source.isDirectory()) {
            try (Stream<Path> files = Files.walk(source.toPath())) {
                for (Path from : (Iterable<Path>) files.sorted(Comparator.naturalOrder())::iterator) {
                    String relative = source.toPath().relativize(from).toString().replace(File.separatorChar, '/');
                    if (isNative(relative)) {
                        continue;
                    }
                    Path to = classes.resolve(relative);
                    if (Files.isDirectory(from)) {
                        Files.createDirectories(to);
                    } else {
                        Files.copy(from, to);
                    }
                }
            }
        } else {
            try (ZipFile jar = new ZipFile(source)) {
                for (ZipEntry entry : Collections.list(jar.entries())) {
                    if (entry.isDirectory() || isNative(entry.getName())) {
                        continue;
                    }
                    Path to = classes.resolve(entry.getName());
                    Files.createDirectories(to.getParent());
                    try (InputStream in = jar.getInputStream(entry)) {
                        Files.copy(in, to);
                    }
                }
            }
        }
        assertFailsWith(probe(classes.toString()), "cannot find the erpauth native library " + FILE_NAME
                + " for this platform, " + Platform.RESOURCE_PREFIX + " (os.name=" + System.getProperty("os.name")
                + ", os.arch=" + System.getProperty("os.arch")
                + "): the jar bundles it for linux-x86-64, linux-aarch64, win32-x86-64, win32-x86 only. Tried: resource "
                + Platform.RESOURCE_PREFIX + "/" + FILE_NAME);
        String line = probe(classes.toString()).get(0);
        assertTrue(line.endsWith("and set -Derpauth.library.path=/path/to/" + FILE_NAME), line);
    }

    private static boolean isNative(String relativePath) {
        return relativePath.matches("(linux|win32|darwin|freebsd|sunos|aix)[^/]*(/.*)?");
    }
}
