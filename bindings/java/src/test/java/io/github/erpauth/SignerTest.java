package io.github.erpauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link KingdeeSigner} and {@link WeaverSigner}: errors, time, threads and lifecycle. */
class SignerTest {
    private static final String CLIENT_SECRET = "f2adcfef73369bfc4e1384677d38a0ff";
    private static final String TARGET = "/jdyconnector/app_management/kingdee_auth_token?app_key=bVZgAZOv1"
            + "&app_signature=MzZlYTk0ODk4MWZlNjdiODNmNWU4YzViNzYxNGM5MTFlOGJkN2NjMzk0MTJkZGNhZGM0NzZhN2YxZDJmOTlkZA%3D%3D";
    private static final String SIGNATURE =
            "OTFiZTliNDFiMjNkYTI3YzVhNzg4MDI4ZGU3MWY1ZTA5ZTk1NjVlNGM1YTI1ZjIxY2Y5YTA3ZGY2OGI1MGQ1MQ==";
    private static final String APPID = "weaverappid";
    private static final String SECRET = "weaversecret-zzz";
    private static final String AES_KEY = "8fy6K39X6PIEEeOq";

    @Test
    void kingdeeSignerRefusesBadRequestsLikeTheOneShotFunction() {
        try (KingdeeSigner signer = Kingdee.signer(CLIENT_SECRET)) {
            assertEquals(SIGNATURE, signer.signature("GET", TARGET, "4427456950", "1670305063559"));
            ErpAuthException badEscape = assertThrows(ErpAuthException.class,
                    () -> signer.signature("GET", "/a?b=%zz", "1", "2"));
            assertEquals(Status.INVALID_ARGUMENT, badEscape.getStatus());
            ErpAuthException oneShot = assertThrows(ErpAuthException.class,
                    () -> Kingdee.signature(CLIENT_SECRET, "GET", "/a?b=%zz", "1", "2"));
            assertEquals(oneShot.getMessage(), badEscape.getMessage());
            assertThrows(ErpAuthException.class, () -> signer.signature("GET", "no-slash", "1", "2"));
            assertThrows(ErpAuthException.class, () -> signer.signature("GET", "/", "12a", "2"));
            assertThrows(NullPointerException.class, () -> signer.signature(null, "/", "1", "2"));
            // Still usable after the failures.
            assertEquals(SIGNATURE, signer.signature("GET", TARGET, "4427456950", "1670305063559"));
        }
        assertThrows(NullPointerException.class, () -> Kingdee.signer(null));
        ErpAuthException surrogate = assertThrows(ErpAuthException.class, () -> Kingdee.signer("ab\ud800zzz"));
        assertEquals(Status.INVALID_ARGUMENT, surrogate.getStatus());
        TestSupport.assertNoSecret(surrogate.getMessage(), "ab\ud800zzz");
    }

    @Test
    void weaverSignerRefusesBadKeysWithoutShowingThem() {
        for (String key : new String[] {"", "zzz-short-key", "0123456789abcdef0"}) {
            ErpAuthException e = assertThrows(ErpAuthException.class, () -> Weaver.signer(APPID, SECRET, key));
            assertEquals(Status.INVALID_ARGUMENT, e.getStatus());
            assertTrue(e.getMessage().contains("aesKey"), e.getMessage());
            TestSupport.assertNoSecret(e.getMessage(), SECRET, key.isEmpty() ? SECRET : key);
        }
        assertThrows(NullPointerException.class, () -> Weaver.signer(APPID, null, AES_KEY));
    }

    @Test
    void weaverSignerSignsNowWithTimestampsThatNeverRepeat() throws Exception {
        try (WeaverSigner signer = Weaver.signer(APPID, SECRET, AES_KEY)) {
            long before = System.currentTimeMillis();
            List<String> signs = TestSupport.concurrently(8, () -> {
                Set<String> mine = new HashSet<>();
                // Few enough that the process-wide timestamp, which runs ahead of the clock
                // by 1 ms per sign beyond 1 000 signs a second, stays within the few seconds
                // that WeaverTest allows a "now" sign in the same JVM.
                for (int i = 0; i < 100; i++) {
                    mine.add(signer.sign());
                    mine.add(Weaver.sign(APPID, SECRET, AES_KEY)); // shares the process-wide clock
                }
                return String.join(",", mine);
            });
            Set<String> all = new HashSet<>();
            for (String mine : signs) {
                for (String sign : mine.split(",")) {
                    assertTrue(all.add(sign), "a sign was made twice");
                    String plaintext = Reference.aesDecrypt(AES_KEY, Reference.unhex(sign));
                    long millis = Long.parseLong(plaintext.substring(0, plaintext.indexOf('_')));
                    assertTrue(millis >= before, plaintext);
                }
            }
            assertEquals(8 * 200, all.size());
            assertEquals(Weaver.sign(APPID, SECRET, AES_KEY, 1_700_000_000_000L), signer.sign(1_700_000_000_000L));
        }
    }

    @Test
    void closeIsIdempotentAndAClosedSignerRefusesCalls() {
        KingdeeSigner kingdee = Kingdee.signer(CLIENT_SECRET);
        WeaverSigner weaver = Weaver.signer(APPID, SECRET, AES_KEY);
        assertNotEquals(kingdee.toString(), "");
        kingdee.close();
        kingdee.close();
        weaver.close();
        weaver.close();
        assertThrows(IllegalStateException.class, () -> kingdee.signature("GET", "/", "1", "2"));
        assertThrows(IllegalStateException.class, weaver::sign);
        assertThrows(IllegalStateException.class, () -> weaver.sign(1));
        assertTrue(kingdee.toString().contains("closed"), kingdee.toString());
        assertTrue(weaver.toString().contains("closed") && weaver.toString().contains(APPID), weaver.toString());
        TestSupport.assertNoSecret(kingdee + " " + weaver, CLIENT_SECRET, SECRET, AES_KEY);
    }

    @Test
    void leakedSignersAreFreedByTheCleaner() throws Exception {
        TestSupport.awaitFreedByCleaner(leakKingdee());
        TestSupport.awaitFreedByCleaner(leakWeaver());
    }

    private static NativeHandle leakKingdee() {
        KingdeeSigner signer = Kingdee.signer(CLIENT_SECRET);
        assertEquals(SIGNATURE, signer.signature("GET", TARGET, "4427456950", "1670305063559"));
        return signer.nativeHandle();
    }

    private static NativeHandle leakWeaver() {
        WeaverSigner signer = Weaver.signer(APPID, SECRET, AES_KEY);
        assertEquals(96, signer.sign().length());
        return signer.nativeHandle();
    }
}
