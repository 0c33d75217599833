package io.github.erpauth;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Per-thread native memory for one call at a time: the {@code *out_len} slot, the output
 * buffer and the NUL-terminated UTF-8 arguments, laid out as
 * {@code [size_t out_len | out (outCap bytes) | arguments...]}.
 *
 * <p>Why: a direct-mapped JNA call whose parameters are all Java {@code long} (addresses
 * and sizes) is the cheapest call JNA can make: no array is pinned or copied, no argument is
 * converted. Writing the arguments into a direct {@link ByteBuffer} is plain Java. Measured
 * against {@code byte[]} parameters, this took {@code Kingdee.appSignature} from about 1.3 us
 * to 0.6 us per call; the per-call overhead decides whether the binding beats plain Java.
 *
 * <p>The memory is reused by the next call on the same thread, so every address handed out
 * is valid only until the current call's result has been read. Nothing here is shared
 * between threads.
 */
final class NativeScratch {
    /** Offset of the {@code size_t} that receives {@code *out_len}. */
    private static final int OUT_LEN_OFFSET = 0;
    /** Offset of the output buffer. */
    private static final int OUT_OFFSET = 8;
    private static final int INITIAL_CAPACITY = 2048;
    /** Larger scratch memory is used for the one call and not kept by the thread. */
    private static final int MAX_KEPT_CAPACITY = 64 * 1024;
    /**
     * From this length on, {@link #string} converts with {@code getBytes} and checks with
     * vectorized String methods; below it, a loop over the chars is faster (measured with JMH
     * on JDK 17: 25 ns for two short strings, 137 against 180 ns for a 130-char target).
     */
    private static final int LONG_STRING = 32;

    private static final ThreadLocal<NativeScratch> LOCAL =
            ThreadLocal.withInitial(() -> new NativeScratch(INITIAL_CAPACITY));

    private final ByteBuffer buffer;
    private final long address;
    /** Reused by {@link #outText} for answers up to its size (every signature and token). */
    private final byte[] textCopy = new byte[512];
    private int outCap;
    private int used;

    private NativeScratch(int capacity) {
        buffer = ByteBuffer.allocateDirect(capacity).order(ByteOrder.nativeOrder());
        address = Pointer.nativeValue(Native.getDirectBufferPointer(buffer));
    }

    /**
     * This thread's scratch memory, prepared for an output of {@code outCap} bytes and
     * arguments of at most {@code argumentBytes} bytes (see {@link #bound(String)}).
     */
    static NativeScratch begin(int outCap, long argumentBytes) {
        long needed = OUT_OFFSET + (long) outCap + argumentBytes;
        if (needed > Integer.MAX_VALUE - 16) {
            throw new ErpAuthException(Status.INVALID_ARGUMENT, "arguments too large: " + argumentBytes + " bytes");
        }
        NativeScratch scratch = LOCAL.get();
        if (scratch.buffer.capacity() < needed) {
            int capacity = (int) Math.max(needed, 2L * scratch.buffer.capacity());
            scratch = new NativeScratch(capacity);
            if (capacity <= MAX_KEPT_CAPACITY) {
                LOCAL.set(scratch);
            }
        }
        scratch.outCap = outCap;
        scratch.used = OUT_OFFSET + outCap;
        return scratch;
    }

    /** An upper bound of the UTF-8 bytes of {@code s} with its NUL (3 bytes per UTF-16 unit at most). */
    static long bound(String s) {
        return s == null ? 0 : 3L * s.length() + 1;
    }

    /**
     * Writes {@code s} as NUL-terminated UTF-8 and returns its address, or 0 (NULL) for
     * {@code null}. Refuses text that has no exact C form, as {@link Utf8#cString} explains.
     *
     * @param name the Java parameter name, for messages
     */
    long string(String s, String name) {
        if (s == null) {
            return 0;
        }
        int start = used;
        int length = s.length();
        if (length < LONG_STRING) {
            for (int i = 0; i < length; i++) {
                char c = s.charAt(i);
                if (c == 0 || c >= 0x80) {
                    return putBytes(start, Utf8.cString(s, name)); // the exact encoding, or the refusal
                }
                buffer.put(start + i, (byte) c);
            }
            buffer.put(start + length, (byte) 0);
            used = start + length + 1;
            return address + start;
        }
        // Long text: getBytes and the checks below are vectorized copies and comparisons.
        // getBytes writes '?' for an unpaired surrogate, so the bytes count as exact only if
        // there is one per char (ASCII or such a '?'), reading them back gives s again (no
        // '?' stands for something else) and s has no NUL.
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (bytes.length != length || s.indexOf(0) >= 0 || !s.equals(new String(bytes, StandardCharsets.ISO_8859_1))) {
            return putBytes(start, Utf8.cString(s, name));
        }
        buffer.position(start);
        buffer.put(bytes);
        buffer.put((byte) 0);
        used = buffer.position();
        buffer.clear();
        return address + start;
    }

    /** Writes bytes that already end in their NUL. */
    private long putBytes(int start, byte[] terminated) {
        buffer.position(start);
        buffer.put(terminated);
        used = buffer.position();
        buffer.clear();
        return address + start;
    }

    /** Address of the output buffer. */
    long out() {
        return address + OUT_OFFSET;
    }

    /** Capacity of the output buffer in bytes, the NUL included. */
    long outCap() {
        return outCap;
    }

    /** Address of the {@code size_t} receiving {@code *out_len} (also used as a pointer slot). */
    long outLen() {
        return address + OUT_LEN_OFFSET;
    }

    /** The value the library stored at {@link #outLen()}: a length, or a pointer. */
    long outLenValue() {
        return buffer.getLong(OUT_LEN_OFFSET);
    }

    /** A copy of the first {@code length} bytes of the output buffer. */
    byte[] outBytes(int length) {
        byte[] bytes = new byte[length];
        buffer.position(OUT_OFFSET);
        buffer.get(bytes, 0, length);
        buffer.clear();
        return bytes;
    }

    /** The first {@code length} bytes of the output buffer as UTF-8. */
    String outText(int length) {
        // Copied through a reused array: the String makes its own copy anyway, and a
        // fresh array per call was a measurable part of a short call's cost.
        byte[] bytes = length <= textCopy.length ? textCopy : new byte[length];
        buffer.position(OUT_OFFSET);
        buffer.get(bytes, 0, length);
        buffer.clear();
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }

    /** Overwrites the arguments with zeros: used after calls whose arguments hold secrets. */
    void wipeArguments() {
        for (int i = OUT_OFFSET + outCap; i < used; i++) {
            buffer.put(i, (byte) 0);
        }
    }

    /** Clears the {@code *out_len} slot, so that a stale value is never mistaken for a result. */
    void clearOutLen() {
        buffer.putLong(OUT_LEN_OFFSET, 0);
    }
}
