package io.github.erpauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The caller-owned buffer contract as the binding handles it, and the raw C ABI under it. */
class BufferContractTest {
    private static final String EXPECTED =
            "ZDljMTI3NGIyNTE1MTRkYzlkNjc1MDNhYjUzMzgzNWMyY2M4YTdjMzdmNmM3YTVlNDkxMTkzNjdiOTFjNzUyZQ==";

    private static Memory cString(String s) {
        byte[] bytes = Utf8.cString(s, "s");
        Memory memory = new Memory(bytes.length);
        memory.write(0, bytes, 0, bytes.length);
        return memory;
    }

    private static long address(Pointer p) {
        return Pointer.nativeValue(p);
    }

    @Test
    void rawContract() {
        Natives.requireLoaded();
        Memory key = cString("abc");
        Memory secret = cString("abc123");
        Memory len = new Memory(8);
        len.setLong(0, -1);
        assertEquals(1, Natives.erpauth_kingdee_app_signature(address(key), address(secret), 0, 0, address(len)),
                "size query with a NULL buffer");
        assertEquals(88, len.getLong(0));

        Memory out = new Memory(89);
        out.setByte(0, (byte) 'x');
        assertEquals(1, Natives.erpauth_kingdee_app_signature(address(key), address(secret), address(out), 88,
                address(len)), "one byte short: no room for the NUL");
        assertEquals(88, len.getLong(0));
        assertEquals('x', out.getByte(0), "nothing is written when the buffer is too small");

        assertEquals(0, Natives.erpauth_kingdee_app_signature(address(key), address(secret), address(out), 89,
                address(len)));
        assertEquals(88, len.getLong(0));
        assertEquals(0, out.getByte(88), "NUL-terminated");
        assertEquals(EXPECTED, new String(out.getByteArray(0, 88), StandardCharsets.US_ASCII));

        out.setByte(0, (byte) 'x');
        assertEquals(2, Natives.erpauth_weaver_sign(address(key), address(secret), address(key), 1, address(out), 89,
                address(len)), "a bad AES key");
        assertEquals(0, len.getLong(0));
        assertEquals(0, out.getByte(0), "out[0] is NUL after a failure");
        assertEquals(2, Natives.erpauth_kingdee_app_signature(0, address(secret), address(out), 89, address(len)),
                "NULL argument");
    }

    @Test
    void theBindingGrowsATooSmallFirstBuffer() {
        AtomicInteger calls = new AtomicInteger();
        String result = NativeCall.text(1, 20, s -> {
            calls.incrementAndGet();
            return Natives.erpauth_kingdee_app_signature(s.string("abc", "k"), s.string("abc123", "s"), s.out(),
                    s.outCap(), s.outLen());
        });
        assertEquals(EXPECTED, result);
        assertEquals(2, calls.get(), "one call to learn the size, one to fill");

        // A long multi-byte answer from a tiny first buffer; arguments beyond the thread's scratch memory.
        String path = "/" + new String(new char[30000]).replace('\0', '中');
        String sts = NativeCall.text(4, NativeScratch.bound(path) + 10,
                s -> Natives.erpauth_kingdee_string_to_sign(s.string("GET", "m"), s.string(path, "t"),
                        s.string("1", "n"), s.string("1", "t"), s.out(), s.outCap(), s.outLen()));
        assertEquals(Reference.stringToSign("GET", path, new ArrayList<>(), "1", "1"), sts);
        assertEquals(sts, Kingdee.stringToSign("GET", path, "1", "1"));
    }

    @Test
    void aFunctionThatNeverFitsIsABugNotALoop() {
        ErpAuthException e = assertThrows(ErpAuthException.class, () -> NativeCall.text(8, 0, s -> {
            s.string("x", "x");
            return NativeCall.BUFFER_TOO_SMALL; // *out_len stays 0: "needs 0" yet "too small"
        }));
        assertEquals(Status.INTERNAL, e.getStatus());
    }

    @Test
    void nonAsciiAndRefusedArgumentsInScratchMemory() {
        assertEquals(Reference.appSignature("ключ", "😀 secret"), Kingdee.appSignature("ключ", "😀 secret"));
        // A refused argument after an accepted one leaves the next call unaffected.
        assertThrows(ErpAuthException.class, () -> Kingdee.appSignature("ok", "bad\uDC00"));
        assertEquals(EXPECTED, Kingdee.appSignature("abc", "abc123"));
    }

    @Test
    void longErrorMessagesAreReadWhole() {
        // The library quotes a ca_file it cannot read; a long path makes a message of several
        // hundred bytes (the library cuts messages at 512 bytes).
        String path = "/no/such/dir/" + new String(new char[350]).replace('\0', 'x') + ".pem";
        Natives.requireLoaded();
        ErpAuthException e = assertThrows(ErpAuthException.class,
                () -> NativeCall.newClient(weaverConfigWithCaFile(path), Natives::erpauth_weaver_client_new));
        assertEquals(Status.INVALID_ARGUMENT, e.getStatus());
        assertTrue(e.getMessage().contains(path), "message cut short: " + e.getMessage().length() + " chars");
        // Longer ones are cut by the library itself (512 bytes of UTF-8) and marked.
        String huge = "/no/such/dir/" + new String(new char[100_000]).replace('\0', 'x');
        ErpAuthException cut = assertThrows(ErpAuthException.class,
                () -> NativeCall.newClient(weaverConfigWithCaFile(huge), Natives::erpauth_weaver_client_new));
        assertTrue(cut.getMessage().length() < 600 && cut.getMessage().endsWith("\u2026"),
                cut.getMessage());
    }

    private static String weaverConfigWithCaFile(String caFile) {
        return "{\"base_url\":\"http://127.0.0.1:9\",\"appid\":\"a\",\"secret\":\"s\","
                + "\"aes_key\":\"0123456789abcdef\",\"ca_file\":\"" + caFile + "\"}";
    }

    @Test
    void unknownStatusCodesAreReportedAsInternal() {
        assertNull(Status.ofFailure(99));
        assertNull(Status.ofFailure(0), "success is not a failure status");
        assertNull(Status.ofFailure(1), "buffer too small never reaches the caller");
        assertEquals(Status.REJECTED, Status.ofFailure(5));
        for (Status s : Status.values()) {
            assertEquals(s, Status.ofFailure(s.code()));
        }
        ErpAuthException unknown = NativeCall.lastError(99);
        assertEquals(Status.INTERNAL, unknown.getStatus());
        assertTrue(unknown.getMessage().startsWith("erpauth returned status 99, unknown to this binding"), unknown.getMessage());
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
                            String expected = badKey ? "aesKey" : "method";
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
