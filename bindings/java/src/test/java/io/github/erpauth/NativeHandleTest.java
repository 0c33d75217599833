package io.github.erpauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The in-flight counting of {@link NativeHandle}, with a fake {@code *_free}. */
class NativeHandleTest {
    @Test
    void freeWaitsForCallsInFlightAndHappensOnce() throws Exception {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger frees = new AtomicInteger();
        AtomicInteger inFlightAtFree = new AtomicInteger(-1);
        NativeHandle handle = new NativeHandle("Test", 42, address -> {
            assertEquals(42, address);
            inFlightAtFree.set(inFlight.get());
            frees.incrementAndGet();
        });
        int workers = 4;
        CountDownLatch running = new CountDownLatch(workers);
        AtomicInteger calls = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < workers; t++) {
            Thread thread = new Thread(() -> {
                boolean[] first = {true};
                while (true) {
                    try {
                        handle.run(address -> {
                            assertEquals(42, address);
                            inFlight.incrementAndGet();
                            if (first[0]) {
                                first[0] = false;
                                running.countDown();
                            }
                            if (calls.incrementAndGet() % 64 == 0) {
                                Thread.yield(); // a call still in flight while the closers run
                            }
                            inFlight.decrementAndGet();
                        });
                    } catch (IllegalStateException closed) {
                        assertTrue(closed.getMessage().contains("Test is closed"));
                        return;
                    }
                }
            });
            thread.start();
            threads.add(thread);
        }
        running.await();
        // Two closers at once, one of them closing twice.
        Thread closer = new Thread(() -> {
            handle.free();
            handle.free();
        });
        closer.start();
        handle.free();
        assertTrue(handle.isFreed());
        closer.join(10_000);
        for (Thread thread : threads) {
            thread.join(10_000);
            assertFalse(thread.isAlive());
        }
        assertEquals(1, frees.get(), "freed exactly once");
        assertEquals(0, inFlightAtFree.get(), "freed while calls were in flight");
        assertTrue(calls.get() >= workers);
        assertThrows(IllegalStateException.class, () -> handle.map(address -> address));
    }

    @Test
    void aSecondCloseReturnsOnlyAfterTheFree() throws Exception {
        CountDownLatch freeing = new CountDownLatch(1);
        CountDownLatch mayFinish = new CountDownLatch(1);
        NativeHandle handle = new NativeHandle("Test", 7, address -> {
            freeing.countDown();
            try {
                mayFinish.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Thread first = new Thread(handle::free);
        first.start();
        freeing.await();
        Thread second = new Thread(handle::free);
        second.start();
        second.join(200);
        assertTrue(second.isAlive(), "the second close returned before the handle was freed");
        assertFalse(handle.isFreed());
        mayFinish.countDown();
        second.join(5000);
        first.join(5000);
        assertFalse(second.isAlive());
        assertTrue(handle.isFreed());
    }
}
