package io.github.erpauth;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Finds and opens the native library, in this order:
 * <ol>
 *   <li>the system property {@value #LIBRARY_PATH_PROPERTY}: the library file itself, or a
 *       directory holding it. When it is set, nothing else is tried, so a wrong value fails
 *       loudly instead of quietly loading some other copy;</li>
 *   <li>each directory of the system property {@code jna.library.path};</li>
 *   <li>the copy bundled in the jar under JNA's resource prefix, e.g.
 *       {@code linux-x86-64/liberpauth.so}, {@code win32-x86-64/erpauth.dll},
 *       {@code darwin-aarch64/liberpauth.dylib} (JNA also accepts a universal
 *       {@code darwin/liberpauth.dylib});</li>
 *   <li>the operating system's own search ({@code LD_LIBRARY_PATH}, {@code PATH}, system
 *       directories).</li>
 * </ol>
 *
 * <p>A file that exists but does not load is looked at before it is reported: the ELF
 * {@code e_machine} or PE {@code Machine} field of its header says which platform it was
 * built for, so a 32-bit DLL or an aarch64 {@code .so} given to an x86-64 JVM is reported as
 * a wrong architecture, not as the loader's bare "invalid ELF header".
 */
final class NativeLibraryLoader {
    static final String LIBRARY_PATH_PROPERTY = "erpauth.library.path";
    static final String LIBRARY_NAME = "erpauth";

    /** The JNA resource prefixes a release jar bundles a library for. */
    static final String[] BUNDLED_PLATFORMS = {"linux-x86-64", "linux-aarch64", "win32-x86-64", "win32-x86"};

    /** An opened library and a human-readable account of where it came from. */
    static final class Loaded {
        final NativeLibrary library;
        final String location;

        Loaded(NativeLibrary library, String location) {
            this.library = library;
            this.location = location;
        }
    }

    private NativeLibraryLoader() {}

    static Loaded load() {
        // size_t and pointers are passed as Java long (see Natives); that is exact on every
        // 64-bit platform (LP64 Linux/macOS and LLP64 Windows alike), so refuse the rest.
        if (Native.SIZE_T_SIZE != 8 || Native.POINTER_SIZE != 8) {
            throw new UnsatisfiedLinkError("erpauth's Java binding needs a 64-bit JVM; this one is "
                    + platformDescription() + " with " + (8 * Native.POINTER_SIZE)
                    + "-bit pointers: run it on a 64-bit JVM (32-bit processes can use the C library or the .NET binding)");
        }
        String fileName = System.mapLibraryName(LIBRARY_NAME);

        String explicit = System.getProperty(LIBRARY_PATH_PROPERTY);
        if (explicit != null && !explicit.isEmpty()) {
            File file = new File(explicit);
            if (file.isDirectory()) {
                file = new File(file, fileName);
            }
            if (!file.isFile()) {
                throw new UnsatisfiedLinkError("-D" + LIBRARY_PATH_PROPERTY + "=" + explicit
                        + " names no library file (looked for " + file.getAbsolutePath()
                        + "): give the path of " + fileName + " or of the directory that holds it");
            }
            return open(file, LIBRARY_PATH_PROPERTY);
        }

        List<String> tried = new ArrayList<>();
        String jnaPath = System.getProperty("jna.library.path");
        if (jnaPath != null) {
            for (String dir : jnaPath.split(Pattern.quote(File.pathSeparator))) {
                if (dir.isEmpty()) {
                    continue;
                }
                File file = new File(dir, fileName);
                if (file.isFile()) {
                    return open(file, "jna.library.path");
                }
                tried.add(file.getAbsolutePath() + " (jna.library.path): no such file");
            }
        }

        String resource = Platform.RESOURCE_PREFIX + "/" + fileName;
        File bundled = null;
        try {
            bundled = Native.extractFromResourcePath(LIBRARY_NAME, NativeLibraryLoader.class.getClassLoader());
        } catch (IOException e) {
            tried.add("resource " + resource + " in the jar: " + oneLine(e.getMessage()));
        }
        if (bundled != null) {
            Loaded loaded = open(bundled, "bundled " + resource);
            // The extracted copy is only needed until it is mapped. JNA marks it deleteOnExit,
            // which never comes for a web application redeployed in a long-lived server: each
            // redeploy would leave another 3 MB copy in the temp directory. Unix unlinks a mapped
            // file at once and keeps the mapping; Windows refuses while it is loaded, so there the
            // copy stays until the JVM exits. Only JNA's own temporary copy (jna*) is removed,
            // never a library JNA found unpacked in a class-path directory.
            if (!Platform.isWindows() && bundled.getName().startsWith("jna")) {
                if (!bundled.delete()) {
                    bundled.deleteOnExit();
                }
            }
            return loaded;
        }

        try {
            NativeLibrary library = NativeLibrary.getInstance(LIBRARY_NAME);
            return new Loaded(library, "system " + describe(library));
        } catch (UnsatisfiedLinkError e) {
            tried.add("the system library search path: " + oneLine(e.getMessage()));
        }
        throw new UnsatisfiedLinkError("cannot find the erpauth native library " + fileName
                + " for this platform, " + platformDescription() + ": the jar bundles it for "
                + String.join(", ", BUNDLED_PLATFORMS) + " only. Tried: " + String.join("; ", tried)
                + ". Build it on this machine (cargo build --release in the erpauth repository) and set -D"
                + LIBRARY_PATH_PROPERTY + "=/path/to/" + fileName);
    }

    /** This JVM's platform as JNA's resource prefix, with the properties it comes from. */
    static String platformDescription() {
        return Platform.RESOURCE_PREFIX + " (os.name=" + System.getProperty("os.name") + ", os.arch="
                + System.getProperty("os.arch") + ")";
    }

    private static Loaded open(File file, String how) {
        NativeLibrary library;
        try {
            library = NativeLibrary.getInstance(file.getAbsolutePath());
        } catch (UnsatisfiedLinkError e) {
            UnsatisfiedLinkError clearer = new UnsatisfiedLinkError(loadFailure(file, how, e.getMessage()));
            clearer.initCause(e);
            throw clearer;
        }
        return new Loaded(library, how + " " + describe(library));
    }

    /**
     * The one-line reason a file that exists did not load: a wrong architecture when its header
     * says so, otherwise the system loader's own words (a missing dependency, say).
     */
    static String loadFailure(File file, String how, String systemMessage) {
        String prefix = "cannot load " + file.getAbsolutePath() + " (" + how + "): ";
        String built = builtFor(file);
        if (built != null && !builtForThisJvm(built)) {
            return prefix + "wrong architecture: it is " + built + ", but this JVM is "
                    + platformDescription() + " and needs a " + Platform.RESOURCE_PREFIX + " "
                    + System.mapLibraryName(LIBRARY_NAME) + "; point -D" + LIBRARY_PATH_PROPERTY
                    + " at one, or drop the setting to use the copy bundled in the jar";
        }
        return prefix + (built != null ? built + ": " : "") + oneLine(systemMessage);
    }

    private static boolean builtForThisJvm(String built) {
        String prefix = Platform.RESOURCE_PREFIX;
        return built.endsWith("(" + prefix + ")") || (built.endsWith("(darwin)") && prefix.startsWith("darwin"));
    }

    /**
     * What the file's header says it was built for, e.g. "a Windows x86 (32-bit) DLL
     * (win32-x86)", ending in the JNA resource prefix in parentheses when there is one; null
     * when the file is unreadable or neither ELF, PE nor Mach-O.
     */
    static String builtFor(File file) {
        byte[] header = new byte[4096];
        int length = 0;
        try (InputStream in = Files.newInputStream(file.toPath())) {
            int n;
            while (length < header.length && (n = in.read(header, length, header.length - length)) > 0) {
                length += n;
            }
        } catch (IOException e) {
            return null;
        }
        return builtFor(header, length);
    }

    static String builtFor(byte[] h, int length) {
        if (length >= 20 && h[0] == 0x7f && h[1] == 'E' && h[2] == 'L' && h[3] == 'F') {
            boolean bigEndian = h[5] == 2;
            int machine = bigEndian ? u16be(h, 18) : u16le(h, 18);
            String bits = h[4] == 2 ? "64-bit" : "32-bit";
            switch (machine) {
                case 62: return "a Linux x86-64 library (linux-x86-64)";
                case 183: return "a Linux aarch64 library (linux-aarch64)";
                case 3: return "a Linux x86 (32-bit) library (linux-x86)";
                case 40: return "a Linux ARM (32-bit) library (linux-arm)";
                default: return "an ELF library for machine type " + machine + " (" + bits + ")";
            }
        }
        if (length >= 64 && h[0] == 'M' && h[1] == 'Z') {
            long peOffset = u16le(h, 0x3c) | ((long) u16le(h, 0x3e) << 16);
            if (peOffset + 6 <= length && h[(int) peOffset] == 'P' && h[(int) peOffset + 1] == 'E'
                    && h[(int) peOffset + 2] == 0 && h[(int) peOffset + 3] == 0) {
                int machine = u16le(h, (int) peOffset + 4);
                switch (machine) {
                    case 0x8664: return "a Windows x64 DLL (win32-x86-64)";
                    case 0x14c: return "a Windows x86 (32-bit) DLL (win32-x86)";
                    case 0xaa64: return "a Windows ARM64 DLL (win32-aarch64)";
                    default: return "a Windows DLL for machine type 0x" + Integer.toHexString(machine);
                }
            }
            return null;
        }
        if (length >= 8) {
            int magic = u16le(h, 0) | (u16le(h, 2) << 16);
            // 64- and 32-bit thin Mach-O, then the universal ("fat") container, which is big-endian.
            if (magic == 0xfeedfacf || magic == 0xfeedface) {
                int cpu = u16le(h, 4) | (u16le(h, 6) << 16);
                if (cpu == 0x01000007) {
                    return "a macOS x86-64 library (darwin-x86-64)";
                }
                if (cpu == 0x0100000c) {
                    return "a macOS arm64 library (darwin-aarch64)";
                }
                return "a macOS library for CPU type 0x" + Integer.toHexString(cpu);
            }
            if ((u16be(h, 0) << 16 | u16be(h, 2)) == 0xcafebabe && u16be(h, 4) == 0 && u16be(h, 6) < 20) {
                return "a universal macOS library (darwin)";
            }
        }
        return null;
    }

    private static int u16le(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }

    private static int u16be(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }

    /** JNA's messages span lines; ours stay on one, like the library's. */
    private static String oneLine(String message) {
        return String.valueOf(message).replaceAll("\\s*\\R\\s*", " ");
    }

    private static String describe(NativeLibrary library) {
        File file = library.getFile();
        return file != null ? file.getAbsolutePath() : library.getName();
    }
}
