using System;
using System.Runtime.InteropServices;
using System.Threading;

namespace ErpAuth
{
    /// <summary>The <c>*_new</c> call shape once its arguments are bound: owned handle out, status back.</summary>
    internal delegate int NativeNew<THandle>(out THandle handle)
        where THandle : SafeHandle;

    /// <summary>
    /// Owns one native object pointer (a client or a signer); the runtime frees it through
    /// <see cref="SafeHandle.ReleaseHandle"/> once the last call holding a reference has
    /// returned, so <c>*_free</c> never runs while a call on the object is in flight.
    /// </summary>
    internal abstract class NativeHandle : SafeHandle
    {
        // Set by RequestClose before the handle is disposed. SafeHandle alone is not enough: on .NET,
        // Dispose marks the handle closed at once, but Mono only marks it closed when the last
        // reference is released, so callers could keep taking new references for ever while
        // other calls are in flight. Checking our own flag after taking the reference gives
        // both runtimes the same behaviour: once Dispose has begun, new calls throw.
        private int closeRequested;

        protected NativeHandle()
            : base(IntPtr.Zero, true)
        {
        }

        public override bool IsInvalid
        {
            get { return handle == IntPtr.Zero; }
        }

        /// <summary>Whether <see cref="RequestClose"/> has been called (the object may still be freeing).</summary>
        internal bool IsCloseRequested
        {
            get { return Volatile.Read(ref closeRequested) != 0; }
        }

        /// <summary>Refuses new calls, and frees the object once no call is running. Idempotent.</summary>
        internal void RequestClose()
        {
            Interlocked.Exchange(ref closeRequested, 1);
            Dispose();
        }

        /// <summary>
        /// Calls <paramref name="call"/> with the raw pointer while holding a reference to the
        /// handle, so a concurrent Dispose defers the free until this call returns. After Dispose
        /// has begun this throws <see cref="ObjectDisposedException"/> naming
        /// <paramref name="objectName"/>.
        /// </summary>
        internal T Use<T>(string objectName, Func<IntPtr, T> call)
        {
            bool added = false;
            try
            {
                try
                {
                    DangerousAddRef(ref added);
                }
                catch (ObjectDisposedException)
                {
                    throw new ObjectDisposedException(objectName);
                }
                if (Volatile.Read(ref closeRequested) != 0)
                {
                    throw new ObjectDisposedException(objectName);
                }
                return call(DangerousGetHandle());
            }
            finally
            {
                if (added)
                {
                    DangerousRelease();
                }
            }
        }

        /// <summary>
        /// Runs a <c>*_new</c> call and returns the handle it filled in, or throws
        /// <see cref="ErpAuthException"/> with the library's reason. The marshaller creates the
        /// handle before the call and stores the pointer after it, so no pointer can leak
        /// between the native call and the wrapping; a handle left over by a failure is disposed
        /// here. <paramref name="objectKind"/> ("client", "signer") names what was asked for.
        /// </summary>
        internal static THandle Create<THandle>(string objectKind, NativeNew<THandle> create)
            where THandle : SafeHandle
        {
            Interop.EnsureLoaded();
            THandle handle = null;
            try
            {
                int status = create(out handle);
                if (status != Interop.Ok)
                {
                    throw Interop.LastError(status);
                }
                if (handle == null || handle.IsInvalid)
                {
                    throw new ErpAuthException(
                        Status.Internal, "erpauth returned success but no " + objectKind + " (a bug in the native library)");
                }
                THandle created = handle;
                handle = null;
                return created;
            }
            finally
            {
                if (handle != null)
                {
                    handle.Dispose();
                }
            }
        }
    }
}
