package io.github.erpauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The caller-owned buffer contract as the binding handles it, and the raw C ABI under it. */
class BufferContractTest {
    private static final byte[] KEY = Utf8.cString("abc", "k");
    private static final byte[] SECRET = Utf8.cString("abc123", "s");
    private static final String EXPECTED =
            "ZDljMTI3NGIyNTE1MTRkYzlkNjc1MDNhYjUzMzgzNWMyY2M4YTdjMzdmNmM3YTVlNDkxMTkzNjdiOTFjNzUyZQ==";

    @Test
    void rawContract() {
        Natives.requireLoaded();
        long[] len = {-1};
        assertEquals(1, Natives.erpauth_kingdee_app_signature(KEY, SECRET, null, 0, len), "size query");
        assertEquals(88, len[0]);

        byte[] exact = new byte[88]; // one short: no room for the NUL
        exact[0] = 'x';
        assertEquals(1, Natives.erpauth_kingdee_app_signature(KEY, SECRET, exact, exact.length, len));
        assertEquals(88, len[0]);
        assertEquals('x', exact[0], "nothing is written when the buffer is too small");

        byte[] enough = new byte[89];
        assertEquals(0, Natives.erpauth_kingdee_app_signature(KEY, SECRET, enough, enough.length, len));
        assertEquals(88, len[0]);
        assertEquals(0, enough[88], "NUL-terminated");
        assertEquals(EXPECTED, new String(enough, 0, 88, StandardCharsets.US_ASCII));

        byte[] failed = {'x', 'y'};
        assertEquals(2, Natives.erpauth_weaver_sign(KEY, SECRET, KEY, 1, failed, failed.length, len));
        assertEquals(0, len[0]);
        assertEquals(0, failed[0], "out[0] is NUL after a failure");
        assertEquals(2, Natives.erpauth_kingdee_app_signature(null, SECRET, enough, enough.length, len), "NULL argument");
    }

    @Test
    void theBindingGrowsATooSmallFirstBuffer() {
        AtomicInteger calls = new AtomicInteger();
        String result = NativeCall.text(1, (out, cap, len) -> {
            calls.incrementAndGet();
            return Natives.erpauth_kingdee_app_signature(KEY, SECRET, out, cap, len);
        });
        assertEquals(EXPECTED, result);
        assertEquals(2, calls.get(), "one call to learn the size, one to fill");

        // A long multi-byte answer from a tiny first buffer.
        String path = "/" + new String(new char[300]).replace('\0', '中');
        byte[] target = Utf8.cString(path, "t");
        byte[] get = Utf8.cString("GET", "m");
        byte[] one = Utf8.cString("1", "n");
        String sts = NativeCall.text(4,
                (out, cap, len) -> Natives.erpauth_kingdee_string_to_sign(get, target, one, one, out, cap, len));
        assertEquals(Reference.stringToSign("GET", path, new ArrayList<>(), "1", "1"), sts);
    }

    @Test
    void aFunctionThatNeverFitsIsABugNotALoop() {
        ErpAuthException e = assertThrows(ErpAuthException.class, () -> NativeCall.text(8, (out, cap, len) -> {
            len[0] = cap; // always one byte more than offered
            return NativeCall.BUFFER_TOO_SMALL;
        }));
        assertEquals(Status.INTERNAL, e.getStatus());
    }

    @Test
    void longErrorMessagesAreReadWhole() {
        // The library names an unknown config key in its message; a long key makes a long message.
        String key = "k" + new String(new char[600]).replace('\0', 'x');
        byte[] config = Utf8.cString("{\"" + key + "\":1}", "config");
        ClientNatives.requireLoaded();
        int status = ClientNatives.erpauth_weaver_client_new(config, new com.sun.jna.ptr.PointerByReference());
        ErpAuthException e = NativeCall.lastError(status);
        assertEquals(Status.INVALID_ARGUMENT, e.getStatus());
        assertTrue(e.getMessage().contains(key), "message cut short: " + e.getMessage().length() + " chars");
    }

    @Test
    void unknownStatusCodesAreReportedAsInternal() {
        assertEquals(Status.INTERNAL, Status.fromCode(99));
        assertEquals(Status.REJECTED, Status.fromCode(5));
        for (Status s : Status.values()) {
            assertEquals(s, Status.fromCode(s.code()));
        }
    }

    @Test
    void lastErrorIsPerThread() throws InterruptedException {
        int threads = 8;
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            final boolean badKey = i % 2 == 0;
            Thread t = new Thread(() -> {
                try {
                    start.await();
                    for (int j = 0; j < 500; j++) {
                        try {
                            if (badKey) {
                                Weaver.sign("a", "b", "bad", 1);
                            } else {
                                Kingdee.signature("s", "BAD METHOD", "/x", "1", "1");
                            }
                            failures.add("no exception");
                        } catch (ErpAuthException e) {
                            String expected = badKey ? "aes_key" : "method";
                            if (!e.getMessage().contains(expected)) {
                                failures.add("thread expecting '" + expected + "' got: " + e.getMessage());
                            }
                        }
                    }
                } catch (InterruptedException e) {
                    failures.add(e.toString());
                }
            });
            t.start();
            workers.add(t);
        }
        start.countDown();
        for (Thread t : workers) {
            t.join();
        }
        assertTrue(failures.isEmpty(), () -> failures.size() + " failures, first: " + failures.peek());
    }
}
