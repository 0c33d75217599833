package io.github.erpauth;

/**
 * What every public owner of one native handle (the clients and the signers) does the same
 * way: it holds the {@link NativeHandle}, registers it with the {@link HandleCleaner} so that
 * an owner never closed is still freed, frees it on {@link #close()}, and says in
 * {@link #toString()} whether it is closed.
 *
 * <p>Package-private: the public classes remain the API, and their public methods inherited
 * from here are called through them (javac gives each a public bridge).
 */
abstract class NativeObject implements AutoCloseable {
    /** The native handle; every call on it goes through {@link NativeHandle#map} or {@link NativeHandle#run}. */
    final NativeHandle handle;
    private final HandleCleaner.Cleanable cleanable;
    private final String description;

    /**
     * @param type the public class's name, for "is closed" errors
     * @param address the handle made by the native {@code *_new} function
     * @param free that handle type's {@code *_free} function
     * @param description what {@link #toString()} shows: never a secret
     */
    NativeObject(String type, long address, NativeHandle.Free free, String description) {
        this.handle = new NativeHandle(type, address, free);
        this.cleanable = HandleCleaner.register(this, handle);
        this.description = description;
    }

    /** Frees the native object after the calls in flight return. Closing twice is harmless. */
    @Override
    public void close() {
        cleanable.clean();
    }

    /** The handle, for tests of the leak cleanup (they must not keep the owner reachable). */
    final NativeHandle nativeHandle() {
        return handle;
    }

    /** What this is (names and URLs, never a secret), and "(closed)" once it is. */
    @Override
    public String toString() {
        return description + (handle.isFreed() ? " (closed)" : "");
    }
}
