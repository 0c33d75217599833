package io.github.erpauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class WeaverTest {
    private static final String KEY16 = "8fy6K39X6PIEEeOq";

    private static long signedTime(String sign, String aesKey) {
        String text = Reference.aesDecrypt(aesKey, Reference.unhex(sign));
        return Long.parseLong(text.substring(0, text.indexOf('_')));
    }

    @Test
    void allThreeKeyLengths() {
        for (String key : new String[] {KEY16, KEY16 + "24bytes!", KEY16 + KEY16}) {
            assertEquals(Reference.weaverSign("app", "秘密", key, 1700000000123L), Weaver.sign("app", "秘密", key, 1700000000123L));
        }
    }

    @Test
    void aesKeyOfAnotherLengthIsRefusedWithoutShowingIt() {
        for (String key : new String[] {"", "short", KEY16 + "x", "ключ-16-символов"}) { // the last is 16 chars, 31 bytes
            ErpAuthException e = assertThrows(ErpAuthException.class, () -> Weaver.sign("a", "b", key, 1));
            assertEquals(Status.INVALID_ARGUMENT, e.getStatus());
            assertTrue(e.getMessage().contains("aesKey"), e.getMessage());
            if (!key.isEmpty()) {
                assertTrue(!e.getMessage().contains(key), "the key must not be shown: " + e.getMessage());
            }
        }
        assertThrows(NullPointerException.class, () -> Weaver.sign("a", null, KEY16));
    }

    @Test
    void currentTimeSignIsNowAndDecrypts() {
        long before = System.currentTimeMillis();
        String sign = Weaver.sign("weaverappid", "weaversecret", KEY16);
        long after = System.currentTimeMillis();
        assertEquals(96, sign.length());
        long t = signedTime(sign, KEY16);
        assertTrue(t >= before - 1000 && t <= after + 5000, "signed time " + t + " not near " + before);
        assertEquals(Reference.weaverSign("weaverappid", "weaversecret", KEY16, t), sign);
        assertEquals(sign.length(), Weaver.sign("weaverappid", "weaversecret", KEY16, 0).length());
    }

    @Test
    void signsFromManyThreadsAreStrictlyIncreasingAndNeverRepeat() throws InterruptedException {
        int threads = 8;
        int perThread = 2000;
        ConcurrentLinkedQueue<Long> times = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                try {
                    start.await();
                    long previous = 0;
                    for (int j = 0; j < perThread; j++) {
                        long time = signedTime(Weaver.sign("a", "b", KEY16), KEY16);
                        assertTrue(time > previous, "not increasing within a thread");
                        previous = time;
                        times.add(time);
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            });
            t.start();
            workers.add(t);
        }
        start.countDown();
        for (Thread t : workers) {
            t.join();
        }
        assertTrue(errors.isEmpty(), () -> "errors: " + errors);
        List<Long> sorted = new ArrayList<>(times);
        Collections.sort(sorted);
        assertEquals(threads * perThread, sorted.size());
        for (int i = 1; i < sorted.size(); i++) {
            assertTrue(sorted.get(i) > sorted.get(i - 1), "two signs share the time " + sorted.get(i));
        }
    }
}
