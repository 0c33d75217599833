package io.github.erpauth;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import java.io.File;
import java.io.IOException;
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
 */
final class NativeLibraryLoader {
    static final String LIBRARY_PATH_PROPERTY = "erpauth.library.path";
    static final String LIBRARY_NAME = "erpauth";

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
            throw new UnsatisfiedLinkError("erpauth's Java binding needs a 64-bit JVM; this one has "
                    + (8 * Native.POINTER_SIZE) + "-bit pointers");
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
            return open(bundled, "bundled " + resource);
        }

        try {
            NativeLibrary library = NativeLibrary.getInstance(LIBRARY_NAME);
            return new Loaded(library, "system " + describe(library));
        } catch (UnsatisfiedLinkError e) {
            tried.add("the system library search path: " + oneLine(e.getMessage()));
        }
        throw new UnsatisfiedLinkError("cannot find the erpauth native library " + fileName
                + " for " + Platform.RESOURCE_PREFIX + ". Tried: " + String.join("; ", tried)
                + ". Use the erpauth jar built for this platform, or set -D" + LIBRARY_PATH_PROPERTY
                + "=/path/to/" + fileName);
    }

    private static Loaded open(File file, String how) {
        NativeLibrary library = NativeLibrary.getInstance(file.getAbsolutePath());
        return new Loaded(library, how + " " + describe(library));
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
