import io.github.erpauth.ErpAuth;
import io.github.erpauth.ErpAuthException;
import io.github.erpauth.Kingdee;
import io.github.erpauth.Status;
import io.github.erpauth.Weaver;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * A user of the packaged jar, compiled with {@code javac --release 8} (so it can use only the
 * Java 8 API) and run with nothing but the jar and JNA on the class path: no system
 * properties, no library path. It proves that the library bundled in the jar is found and
 * works. Exits non-zero on any mismatch.
 */
public class Java8Consumer {
    public static void main(String[] args) throws IOException {
        check(classFileMajorVersion(Java8Consumer.class) == 52, "this class is not Java 8 bytecode");
        check(classFileMajorVersion(Kingdee.class) == 52, "the jar's classes are not Java 8 bytecode");
        String location = ErpAuth.libraryLocation();
        check(location.startsWith("bundled "), "library not taken from the jar: " + location);

        check(Kingdee.appSignature("abc", "abc123").equals(
                "ZDljMTI3NGIyNTE1MTRkYzlkNjc1MDNhYjUzMzgzNWMyY2M4YTdjMzdmNmM3YTVlNDkxMTkzNjdiOTFjNzUyZQ=="),
                "Kingdee app signature vector");
        check(Kingdee.signature("f2adcfef73369bfc4e1384677d38a0ff", "GET",
                "/jdyconnector/app_management/kingdee_auth_token?app_key=bVZgAZOv1&app_signature="
                        + "MzZlYTk0ODk4MWZlNjdiODNmNWU4YzViNzYxNGM5MTFlOGJkN2NjMzk0MTJkZGNhZGM0NzZhN2YxZDJmOTlkZA%3D%3D",
                "4427456950", "1670305063559").equals(
                "OTFiZTliNDFiMjNkYTI3YzVhNzg4MDI4ZGU3MWY1ZTA5ZTk1NjVlNGM1YTI1ZjIxY2Y5YTA3ZGY2OGI1MGQ1MQ=="),
                "Kingdee X-Api-Signature vector");
        check(Weaver.sign("weaverappid", "weaversecret", "8fy6K39X6PIEEeOq", 1700000000000L).equals(
                "2da1e861f36ba4aa1babbadbdc1e275a9efc8b34155b2bd4e147370de8d80954b04dbe29a019802759029ab51c8bc6a1"),
                "Weaver sign vector");
        Map<String, String> headers = Kingdee.signHeaders("id", "secret", "GET", "/jdy/v2/bd/customer");
        check(headers.size() == 6 && "id".equals(headers.get("X-Api-ClientID")), "sign headers: " + headers.keySet());
        try {
            Weaver.sign("a", "b", "short-key");
            check(false, "a bad AES key was accepted");
        } catch (ErpAuthException e) {
            check(e.getStatus() == Status.INVALID_ARGUMENT && e.getMessage().contains("aesKey"),
                    "bad AES key error: " + e);
        }
        System.out.println("Java 8 consumer OK: erpauth " + ErpAuth.version() + " from " + location
                + " (class files of major version 52)");
    }

    private static int classFileMajorVersion(Class<?> type) throws IOException {
        try (InputStream in = type.getResourceAsStream("/" + type.getName().replace('.', '/') + ".class")) {
            DataInputStream data = new DataInputStream(in);
            check(data.readInt() == 0xCAFEBABE, "not a class file: " + type);
            data.readUnsignedShort(); // minor version
            return data.readUnsignedShort();
        }
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            System.err.println("Java 8 consumer FAILED: " + what);
            System.exit(1);
        }
    }
}
