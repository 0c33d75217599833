package io.github.erpauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KingdeeTest {
    private static final String VECTOR_SECRET = "f2adcfef73369bfc4e1384677d38a0ff";

    private static List<String[]> params(String... kv) {
        List<String[]> list = new ArrayList<>();
        for (int i = 0; i < kv.length; i += 2) {
            list.add(new String[] {kv[i], kv[i + 1]});
        }
        return list;
    }

    @Test
    void appSignatureOfUnicodeAndEmpty() {
        assertEquals(Reference.appSignature("中文键", "秘密"), Kingdee.appSignature("中文键", "秘密"));
        assertEquals(Reference.appSignature("", ""), Kingdee.appSignature("", ""));
        assertEquals(88, Kingdee.appSignature("k", "s").length());
    }

    @Test
    void stringToSignDecodesTheTargetAndDoubleEncodesValues() {
        String sts = Kingdee.stringToSign("get", "/a%20b/c?q=%E4%B8%AD+x&eq=a%3Db&t=~*", "1", "2");
        assertEquals(Reference.stringToSign("GET", "/a b/c", params("q", "中 x", "eq", "a=b", "t", "~*"), "1", "2"), sts);
        assertTrue(sts.startsWith("GET\n%2Fa+b%2Fc\n"), sts);
        assertTrue(sts.contains("q=%25E4%25B8%25AD%2Bx"), sts);
        assertTrue(sts.contains("eq=a%253Db"), sts);
        assertTrue(sts.contains("t=%257E%2A"), sts); // java_encode keeps *, gw_encode does not
        assertTrue(sts.endsWith("\nx-api-nonce:1\nx-api-timestamp:2\n"), sts);
    }

    @Test
    void stringToSignSortsWholePairsAndKeepsRepeats() {
        String sts = Kingdee.stringToSign("POST", "/p?page=1&page2=x&a=2&a-b=1&a=1", "7", "8");
        assertEquals("POST\n%2Fp\na-b=1&a=1&a=2&page2=x&page=1\nx-api-nonce:7\nx-api-timestamp:8\n", sts);
    }

    @Test
    void stringToSignWithoutQueryHasAnEmptyThirdLine() {
        assertEquals("GET\n%2Fx\n\nx-api-nonce:1\nx-api-timestamp:2\n", Kingdee.stringToSign("GET", "/x", "1", "2"));
    }

    @Test
    void signatureMatchesTheReference() {
        String target = "/jdy/v2/bd/customer?page=1&search=%E5%AE%A2%E6%88%B7";
        assertEquals(Reference.signature(VECTOR_SECRET, "GET", "/jdy/v2/bd/customer",
                params("page", "1", "search", "客户"), "4427456950", "1670305063559"),
                Kingdee.signature(VECTOR_SECRET, "GET", target, "4427456950", "1670305063559"));
    }

    @Test
    void badInputIsInvalidArgumentWithAMessage() {
        ErpAuthException e = assertThrows(ErpAuthException.class,
                () -> Kingdee.signature("s", "GE T", "/x", "1", "2"));
        assertEquals(Status.INVALID_ARGUMENT, e.getStatus());
        assertTrue(e.getMessage().contains("method"), e.getMessage());

        e = assertThrows(ErpAuthException.class, () -> Kingdee.stringToSign("GET", "https://h/x", "1", "2"));
        assertEquals(Status.INVALID_ARGUMENT, e.getStatus());
        assertTrue(e.getMessage().contains("pathAndQuery"), e.getMessage());

        e = assertThrows(ErpAuthException.class, () -> Kingdee.stringToSign("GET", "/x?a=%zz", "1", "2"));
        assertEquals(Status.INVALID_ARGUMENT, e.getStatus());

        e = assertThrows(ErpAuthException.class, () -> Kingdee.stringToSign("GET", "/x?a=%ff", "1", "2"));
        assertEquals(Status.INVALID_ARGUMENT, e.getStatus());

        e = assertThrows(ErpAuthException.class, () -> Kingdee.signature("s", "GET", "/x", "12a", "2"));
        assertEquals(Status.INVALID_ARGUMENT, e.getStatus());
        assertTrue(e.getMessage().contains("nonce"), e.getMessage());
    }

    @Test
    void javaOnlyProblemsAreCaughtBeforeTheCall() {
        NullPointerException npe = assertThrows(NullPointerException.class, () -> Kingdee.appSignature(null, "s"));
        assertEquals("appKey", npe.getMessage());
        assertThrows(NullPointerException.class, () -> Kingdee.signHeaders("id", "s", "GET", null));

        ErpAuthException nul = assertThrows(ErpAuthException.class, () -> Kingdee.appSignature("a\0b", "s"));
        assertEquals(Status.INVALID_ARGUMENT, nul.getStatus());
        assertTrue(nul.getMessage().contains("appKey") && nul.getMessage().contains("NUL"), nul.getMessage());

        ErpAuthException surrogate = assertThrows(ErpAuthException.class,
                () -> Kingdee.appSignature("k", "secret\uD800"));
        assertEquals(Status.INVALID_ARGUMENT, surrogate.getStatus());
        assertTrue(surrogate.getMessage().contains("appSecret"), surrogate.getMessage());
        assertFalse(surrogate.getMessage().contains("secret\uD800"), "the value must not be shown");
    }

    @Test
    void shortAndLongArgumentsAreEncodedExactlyOrRefused() {
        String pad = "0123456789012345678901234567890123456789"; // past the long-string threshold
        for (String prefix : new String[] {"", pad}) {
            assertEquals(Reference.appSignature(prefix + "k?中", prefix + "?s"), Kingdee.appSignature(prefix + "k?中", prefix + "?s"));
            for (String bad : new String[] {prefix + "a\0b", prefix + "x\uD800", prefix + "?\uDFFF?", prefix + "\uD800?"}) {
                ErpAuthException e = assertThrows(ErpAuthException.class, () -> Kingdee.appSignature(bad, "s"));
                assertEquals(Status.INVALID_ARGUMENT, e.getStatus(), bad.length() + " chars");
            }
        }
        // A surrogate pair is fine and means one 4-byte character.
        assertEquals(Reference.appSignature(pad + "😀", "s"), Kingdee.appSignature(pad + "😀", "s"));
    }

    @Test
    void signHeadersAreTheSixDocumentedHeadersAndVerify() {
        long before = System.currentTimeMillis();
        Map<String, String> h = Kingdee.signHeaders("my-client", VECTOR_SECRET, "GET", "/jdy/v2/bd/customer?page=1");
        long after = System.currentTimeMillis();
        assertEquals(Arrays.asList("X-Api-ClientID", "X-Api-Auth-Version", "X-Api-TimeStamp", "X-Api-Nonce",
                "X-Api-SignHeaders", "X-Api-Signature"), new ArrayList<>(h.keySet()));
        assertEquals("my-client", h.get("X-Api-ClientID"));
        assertEquals("2.0", h.get("X-Api-Auth-Version"));
        assertEquals("X-Api-TimeStamp,X-Api-Nonce", h.get("X-Api-SignHeaders"));
        long timestamp = Long.parseLong(h.get("X-Api-TimeStamp"));
        assertTrue(timestamp >= before - 1000 && timestamp <= after + 1000, "timestamp " + timestamp);
        assertTrue(h.get("X-Api-Nonce").matches("[0-9]{10}"), h.get("X-Api-Nonce"));
        assertEquals(Reference.signature(VECTOR_SECRET, "GET", "/jdy/v2/bd/customer", params("page", "1"),
                h.get("X-Api-Nonce"), h.get("X-Api-TimeStamp")), h.get("X-Api-Signature"));
        assertThrows(UnsupportedOperationException.class, () -> h.put("x", "y"));
    }

    @Test
    void signHeadersUseAFreshNonceEachTime() {
        Set<String> nonces = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            nonces.add(Kingdee.signHeaders("c", "s", "POST", "/x").get("X-Api-Nonce"));
        }
        assertTrue(nonces.size() >= 199, "nonces repeat: " + nonces.size() + " distinct of 200");
    }

    @Test
    void headerLinesParse() {
        Map<String, String> h = Kingdee.parseHeaderLines("A: 1\r\nB-c: x: y\r\n");
        assertEquals(Arrays.asList("A", "B-c"), new ArrayList<>(h.keySet()));
        assertEquals("x: y", h.get("B-c"));
        assertEquals(Collections.emptyMap(), Kingdee.parseHeaderLines(""));
        ErpAuthException e = assertThrows(ErpAuthException.class, () -> Kingdee.parseHeaderLines("broken\r\n"));
        assertEquals(Status.INTERNAL, e.getStatus());
    }

    @Test
    void versionAndLocation() {
        assertTrue(ErpAuth.version().matches("[0-9]+\\.[0-9]+\\.[0-9]+.*"), ErpAuth.version());
        // From the jar under test, JNA extracts it from <prefix>/ (see extractedCopyIsRemovedOnceLoaded).
        assertTrue(ErpAuth.libraryLocation().startsWith("bundled "), ErpAuth.libraryLocation());
        assertNotEquals("", ErpAuth.libraryLocation());
    }

    @Test
    void extractedCopyIsRemovedOnceLoaded() {
        // "bundled <resource> <file>": from a jar JNA extracts a temporary jna*.so, which the
        // loader removes as soon as it is mapped (a redeployed web application must not leave
        // one behind per deployment); from a class-path directory the file is used in place.
        String location = ErpAuth.libraryLocation();
        String prefix = "bundled " + com.sun.jna.Platform.RESOURCE_PREFIX + "/";
        assertTrue(location.startsWith(prefix), location);
        String rest = location.substring(prefix.length());
        java.io.File file = new java.io.File(rest.substring(rest.indexOf(' ') + 1));
        if (file.getName().startsWith("jna")) {
            assertFalse(file.exists(), "temporary copy still present: " + file);
        } else {
            assertTrue(file.isFile(), "class-path copy missing: " + file);
        }
    }
}
