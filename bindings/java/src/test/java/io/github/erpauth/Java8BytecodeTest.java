package io.github.erpauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every class of the library (the directory or the jar under test) is Java 8 bytecode (major version 52). */
class Java8BytecodeTest {
    @Test
    void libraryClassesTargetJava8() throws Exception {
        Path classes = Paths.get(Kingdee.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (Files.isDirectory(classes)) {
            check(classes);
        } else {
            try (FileSystem jar = FileSystems.newFileSystem(classes, (ClassLoader) null)) {
                check(jar.getPath("/"));
            }
        }
    }

    private static void check(Path root) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(p -> p.toString().endsWith(".class")).collect(Collectors.toList());
        }
        assertTrue(files.size() >= 10, "found only " + files);
        for (Path file : files) {
            assertEquals(52, majorVersion(file), file + " is not Java 8 bytecode");
        }
    }

    private static int majorVersion(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file); DataInputStream data = new DataInputStream(in)) {
            assertEquals(0xCAFEBABE, data.readInt());
            data.readUnsignedShort(); // minor
            return data.readUnsignedShort();
        }
    }
}
