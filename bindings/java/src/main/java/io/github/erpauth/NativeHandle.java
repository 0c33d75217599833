package io.github.erpauth;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * An opaque native handle (client or signer) and the rule of the C ABI that its
 * {@code *_free} must come after every other call on it has returned.
 *
 * <p>Calls count themselves in and out of {@link #state}, so any number run at once;
 * {@link #free()} marks the handle closed, so later calls find it closed, then waits until the
 * calls in flight have left before freeing. This also makes a free by the
 * {@link HandleCleaner} safe when the JIT decides the owner is unreachable while one of its
 * own calls is still running (Java 8 has no {@code Reference.reachabilityFence}).
 *
 * <p>Why a counter and not a {@code ReentrantReadWriteLock}: a signer call is a few hundred
 * nanoseconds, and the read lock's bookkeeping cost a tenth of that; entering and leaving is
 * one atomic increment and one decrement here.
 *
 * <p>Holds no reference to its owner, so the owner can become phantom-reachable.
 */
final class NativeHandle {
    /** The {@code *_free} function of the handle's type. */
    interface Free {
        void free(long handle);
    }

    /** Set in {@link #state} once {@link #free()} has begun; the other bits count calls in flight. */
    private static final int CLOSED = 1 << 30;

    private final String owner;
    private final long address;
    private final Free free;
    private final AtomicInteger state = new AtomicInteger();
    private volatile boolean freed;

    NativeHandle(String owner, long address, Free free) {
        this.owner = owner;
        this.address = address;
        this.free = free;
    }

    /** One call on the handle's address. */
    interface Call<T> {
        T apply(long address);
    }

    /** One call on the handle's address that returns nothing. */
    interface VoidCall {
        void apply(long address);
    }

    /**
     * Runs {@code call} with the handle's address, counted in flight so that {@link #free()}
     * waits for it: the one guarded way to use the address.
     *
     * @throws IllegalStateException after {@link #free()} has begun
     */
    <T> T map(Call<T> call) {
        long address = acquire();
        try {
            return call.apply(address);
        } finally {
            release();
        }
    }

    /** As {@link #map(Call)}, for a call that returns nothing. */
    void run(VoidCall call) {
        long address = acquire();
        try {
            call.apply(address);
        } finally {
            release();
        }
    }

    /**
     * The handle's address, for one call; {@link #release()} must follow in a {@code finally}.
     * Only {@link #map(Call)} and {@link #run(VoidCall)} use it.
     *
     * @throws IllegalStateException after {@link #free()} has begun
     */
    private long acquire() {
        if ((state.getAndIncrement() & CLOSED) != 0) {
            release();
            throw new IllegalStateException(owner + " is closed");
        }
        return address;
    }

    private void release() {
        if (state.decrementAndGet() == CLOSED) {
            // The last call in flight of a closing handle: wake free().
            synchronized (this) {
                notifyAll();
            }
        }
    }

    /** Frees the native handle once, after the calls in flight; later calls are no-ops. */
    void free() {
        synchronized (this) {
            boolean first = (state.getAndUpdate(s -> s | CLOSED) & CLOSED) == 0;
            // release() and the first free() notify under this monitor, so no wake-up falls
            // between a check and its wait. A second free() waits for the first one's.
            boolean interrupted = false;
            while (first ? state.get() != CLOSED : !freed) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true; // the handle must still be freed exactly once
                }
            }
            if (first) {
                try {
                    free.free(address);
                } finally {
                    freed = true;
                    notifyAll();
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    boolean isFreed() {
        return freed;
    }
}
