using System;
using System.IO;
using System.Runtime.InteropServices;

namespace ErpAuth
{
    /// <summary>One native call that writes its result into (buffer, capacity, length).</summary>
    internal delegate int NativeOutputCall(IntPtr buffer, UIntPtr capacity, out UIntPtr length);

    /// <summary>
    /// The caller-owned-buffer contract of the C ABI, the thread's last error, and loading.
    /// Every public wrapper goes through here, so the library is loaded (or its failure
    /// reported) before the first native call.
    /// </summary>
    internal static class Interop
    {
        // Large enough for every fixed-size result (signatures are 88 bytes, the six gateway
        // headers about 250, a client's headers about 400), so the usual call needs no retry.
        private const int InitialCapacity = 1024;

        // A buffer grown for an unusually long result is kept for the thread only up to this
        // size, so one huge answer does not hold memory for the life of the thread.
        private const int MaxKeptCapacity = 64 * 1024;

        // Retries after ERPAUTH_BUFFER_TOO_SMALL. One is enough for a deterministic result; the
        // results that change between calls (fresh nonce or time) change by a few bytes at most,
        // which the slack absorbs, so running out of attempts means something is wrong.
        private const int MaxAttempts = 4;
        private const int GrowthSlack = 64;

        // Each thread reuses its own output buffer: no buffer allocation per call,
        // and no sharing between threads. Native calls never call back into managed code, so a
        // buffer is never in use twice on one thread.
        [ThreadStatic]
        private static byte[] threadBuffer;

        /// <summary>
        /// Loads the library the first time (see <see cref="NativeLibraryLoader"/>); throws its
        /// one-line <see cref="DllNotFoundException"/> on every call when it cannot be loaded.
        /// </summary>
        internal static void EnsureLoaded()
        {
            NativeLibraryLoader.EnsureLoaded();
        }

        /// <summary>The status as an int, for the raw calls that need it.</summary>
        internal const int Ok = 0;
        internal const int BufferTooSmall = 1;
        internal const int InvalidArgument = 2;

        // The two readers of a finished result, made once (a method group converted per call
        // would allocate a delegate on every signature).
        private static readonly Func<byte[], int, string> ReadString = Utf8.FromNative;
        private static readonly Func<byte[], int, byte[]> ReadBytes = CopyOf;

        /// <summary>
        /// Runs <paramref name="call"/> with a buffer, retrying with a bigger one on
        /// <c>ERPAUTH_BUFFER_TOO_SMALL</c>, and returns the UTF-8 result as a string. Any other
        /// failure becomes an <see cref="ErpAuthException"/> carrying this thread's last error.
        /// </summary>
        internal static string CallForString(NativeOutputCall call)
        {
            return CallWithOutput(call, ReadString);
        }

        /// <summary>
        /// As <see cref="CallForString"/>, for output that is bytes rather than UTF-8 text (a
        /// business call's body): a copy of exactly the bytes written.
        /// </summary>
        internal static byte[] CallForBytes(NativeOutputCall call)
        {
            return CallWithOutput(call, ReadBytes);
        }

        /// <summary>
        /// The buffer contract once for both: the thread's buffer first, a bigger one after
        /// <c>ERPAUTH_BUFFER_TOO_SMALL</c> (kept for the thread up to <see cref="MaxKeptCapacity"/>),
        /// and <paramref name="read"/> applied to the result while it is still in the buffer.
        /// </summary>
        private static T CallWithOutput<T>(NativeOutputCall call, Func<byte[], int, T> read)
        {
            EnsureLoaded();
            byte[] buffer = threadBuffer ?? (threadBuffer = new byte[InitialCapacity]);
            UIntPtr length = UIntPtr.Zero;
            for (int attempt = 1; attempt <= MaxAttempts; attempt++)
            {
                int status = CallPinned(call, buffer, out length);
                if (status == Ok)
                {
                    return read(buffer, CheckedLength(length, buffer.Length));
                }
                if (status != BufferTooSmall)
                {
                    throw LastError(status);
                }
                buffer = new byte[GrownCapacity(length)];
                if (buffer.Length <= MaxKeptCapacity)
                {
                    threadBuffer = buffer;
                }
            }
            throw new ErpAuthException(
                Status.Internal,
                "the result kept growing between " + MaxAttempts + " attempts (last size " + length + " bytes)");
        }

        private static byte[] CopyOf(byte[] buffer, int length)
        {
            var bytes = new byte[length];
            Buffer.BlockCopy(buffer, 0, bytes, 0, length);
            return bytes;
        }

        /// <summary>Runs <paramref name="call"/> on <paramref name="buffer"/>, pinned for the call's duration.</summary>
        private static unsafe int CallPinned(NativeOutputCall call, byte[] buffer, out UIntPtr length)
        {
            fixed (byte* start = buffer)
            {
                return call((IntPtr)start, new UIntPtr((uint)buffer.Length), out length);
            }
        }

        private static int GrownCapacity(UIntPtr needed)
        {
            ulong capacity = needed.ToUInt64() + 1 + GrowthSlack;
            if (capacity > int.MaxValue)
            {
                throw new ErpAuthException(
                    Status.Internal, "erpauth asked for a buffer of " + needed + " bytes, more than a .NET array can hold");
            }
            return (int)capacity;
        }

        private static int CheckedLength(UIntPtr length, int capacity)
        {
            ulong value = length.ToUInt64();
            if (value >= (ulong)capacity)
            {
                // The library promised a NUL inside the buffer; trusting a bigger length would
                // read past the result.
                throw new ErpAuthException(
                    Status.Internal, "erpauth reported " + value + " bytes written into a " + capacity + "-byte buffer");
            }
            return (int)value;
        }

        /// <summary>
        /// The exception for a failed call, with this thread's last error as message, in .NET
        /// words: an <see cref="ArgumentException"/> for a bad argument, else an
        /// <see cref="ErpAuthException"/>. The server's own words in a refusal stay verbatim.
        /// </summary>
        internal static Exception LastError(int status)
        {
            string message = LastErrorMessage();
            if (message.Length == 0)
            {
                message = "erpauth call failed with status " + status + " and no message";
            }
            if (status == InvalidArgument)
            {
                return ErrorText.InvalidArgument(message);
            }
            Status kind;
            if (status >= (int)Status.Network && status <= (int)Status.Internal)
            {
                kind = (Status)status;
            }
            else
            {
                kind = Status.Internal;
                message = "erpauth returned status " + status + ", unknown to this binding: " + message;
            }
            ErrorDetails details = ErrorDetails.Parse(kind, message);
            int words = details.ServerMessage == null ? -1 : message.LastIndexOf(details.ServerMessage, StringComparison.Ordinal);
            if (words < 0)
            {
                return new ErpAuthException(kind, ErrorText.Translate(message));
            }
            int end = words + details.ServerMessage.Length;
            return new ErpAuthException(kind, ErrorText.Translate(message.Substring(0, words))
                + details.ServerMessage + ErrorText.Translate(message.Substring(end)));
        }

        private static string LastErrorMessage()
        {
            // A separate buffer: the message must not overwrite a result another frame of this
            // thread may still be reading (it cannot today, but the cost is nothing on a failure).
            byte[] buffer = new byte[512];
            for (int attempt = 1; attempt <= MaxAttempts; attempt++)
            {
                UIntPtr length;
                int status = CallPinned(NativeMethods.erpauth_last_error, buffer, out length);
                if (status == Ok)
                {
                    return Utf8.FromNative(buffer, CheckedLength(length, buffer.Length));
                }
                if (status != BufferTooSmall)
                {
                    break;
                }
                // erpauth_last_error never replaces the stored message, so the retry sees the same one.
                buffer = new byte[GrownCapacity(length)];
            }
            return string.Empty;
        }

        // Its own method: Mono binds a [DllImport] when it compiles the caller, which must not
        // happen before EnsureLoaded has preloaded the library.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static IntPtr VersionPointer()
        {
            return NativeMethods.erpauth_version();
        }

        /// <summary>The native library's version string.</summary>
        internal static string Version()
        {
            EnsureLoaded();
            IntPtr text = VersionPointer();
            if (text == IntPtr.Zero)
            {
                throw new ErpAuthException(Status.Internal, "erpauth_version returned NULL");
            }
            int length = 0;
            while (Marshal.ReadByte(text, length) != 0)
            {
                length++;
            }
            byte[] bytes = new byte[length];
            Marshal.Copy(text, bytes, 0, length);
            return Utf8.FromNative(bytes, length);
        }
    }
}
