package io.github.erpauth;

import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * An opaque native client and the rule of the C ABI that its {@code *_free} must come
 * after every other call on it has returned.
 *
 * <p>Calls hold the read lock for their duration, so any number run at once; {@link #free()}
 * takes the write lock, so it waits for calls in flight and later calls find the handle
 * closed. This also makes a free by the {@link HandleCleaner} safe when the JIT decides the
 * owning client is unreachable while one of its own calls is still running (Java 8 has no
 * {@code Reference.reachabilityFence}).
 *
 * <p>Holds no reference to its owner, so the owner can become phantom-reachable.
 */
final class NativeHandle {
    /** The {@code *_free} function of the handle's type. */
    interface Free {
        void free(long handle);
    }

    private final String owner;
    private final long address;
    private final Free free;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Lock useLock = lock.readLock();
    private volatile boolean freed;

    NativeHandle(String owner, long address, Free free) {
        this.owner = owner;
        this.address = address;
        this.free = free;
    }

    /**
     * The client's address, for one call; {@link #release()} must follow in a {@code finally}.
     *
     * @throws IllegalStateException after {@link #free()}
     */
    long acquire() {
        useLock.lock();
        if (freed) {
            useLock.unlock();
            throw new IllegalStateException(owner + " is closed");
        }
        return address;
    }

    void release() {
        useLock.unlock();
    }

    /** Frees the native client once, after the calls in flight; later calls are no-ops. */
    void free() {
        Lock writeLock = lock.writeLock();
        writeLock.lock();
        try {
            if (!freed) {
                freed = true;
                free.free(address);
            }
        } finally {
            writeLock.unlock();
        }
    }

    boolean isFreed() {
        return freed;
    }
}
