package io.github.erpauth;

import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;
import java.util.Collections;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Frees the native client of a client object that was never closed, once the garbage
 * collector has found the object unreachable.
 *
 * <p>{@code java.lang.ref.Cleaner} would do this but is Java 9+; this is the same mechanism
 * for Java 8: a {@link PhantomReference} per client, a {@link ReferenceQueue}, and one daemon
 * thread that frees what the queue delivers. The references are kept in a set so that they
 * themselves stay reachable until they are processed.
 */
final class HandleCleaner {
    private static final ReferenceQueue<Object> QUEUE = new ReferenceQueue<>();
    private static final Set<Cleanable> PENDING = Collections.newSetFromMap(new ConcurrentHashMap<>());
    private static volatile Thread thread;
    /** Set by {@link #shutdown()}: the thread ends instead of waiting for the next reference. */
    private static volatile boolean stopping;

    private HandleCleaner() {}

    /** Frees a handle once: either through {@link #clean()} (close) or when its owner is collected. */
    static final class Cleanable extends PhantomReference<Object> {
        private final NativeHandle handle;

        private Cleanable(Object owner, NativeHandle handle) {
            super(owner, QUEUE);
            this.handle = handle;
        }

        /** Frees the handle now (after calls in flight) and stops watching the owner. Idempotent. */
        void clean() {
            PENDING.remove(this);
            clear();
            handle.free();
        }
    }

    /** Watches {@code owner}; {@code handle} must not refer to it. */
    static Cleanable register(Object owner, NativeHandle handle) {
        startThread();
        Cleanable cleanable = new Cleanable(owner, handle);
        PENDING.add(cleanable);
        return cleanable;
    }

    private static void startThread() {
        if (thread != null) {
            return;
        }
        synchronized (HandleCleaner.class) {
            if (thread == null) {
                stopping = false;
                Thread t = new Thread(HandleCleaner::run, "erpauth-cleaner");
                t.setDaemon(true);
                // Do not pin the class loader of whichever application happened to start it.
                t.setContextClassLoader(null);
                t.start();
                thread = t;
            }
        }
    }

    private static void run() {
        while (!stopping) {
            try {
                ((Cleanable) QUEUE.remove()).clean();
            } catch (InterruptedException e) {
                // Only shutdown() interrupts, and it sets stopping first; anything else is ignored.
            } catch (Throwable t) {
                // Never die: the next leaked client must still be freed.
            }
        }
    }

    /**
     * Frees every handle still registered (clients and signers never closed: later calls on them
     * throw {@link IllegalStateException}) and stops the cleaner thread, waiting for it to end.
     * A later {@link #register} starts a new thread.
     *
     * @return how many handles were freed
     */
    static int shutdown() {
        int freed = 0;
        for (Cleanable cleanable : PENDING.toArray(new Cleanable[0])) {
            cleanable.clean();
            freed++;
        }
        Thread t;
        synchronized (HandleCleaner.class) {
            t = thread;
            thread = null;
            stopping = true;
        }
        if (t != null) {
            t.interrupt();
            boolean interrupted = false;
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return freed;
    }
}
