using System;
using System.Runtime.InteropServices;
using System.Threading;

namespace ErpAuth
{
    /// <summary>
    /// Owns one native client pointer; the runtime frees it through <see cref="SafeHandle.ReleaseHandle"/>
    /// once the last call holding a reference has returned, so <c>*_free</c> never runs while a
    /// call on the client is in flight.
    /// </summary>
    internal abstract class ClientHandle : SafeHandle
    {
        // Set by CloseClient before the handle is disposed. SafeHandle alone is not enough: on .NET,
        // Dispose marks the handle closed at once, but Mono only marks it closed when the last
        // reference is released, so callers could keep taking new references for ever while
        // other calls are in flight. Checking our own flag after taking the reference gives
        // both runtimes the same behaviour: once Dispose has begun, new calls throw.
        private int closeRequested;

        protected ClientHandle()
            : base(IntPtr.Zero, true)
        {
        }

        public override bool IsInvalid
        {
            get { return handle == IntPtr.Zero; }
        }

        /// <summary>Refuses new calls, and frees the client once no call is running. Idempotent.</summary>
        internal void CloseClient()
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
    }

    /// <summary>Owns one native <c>erpauth_kingdee_client*</c>.</summary>
    internal sealed class KingdeeClientHandle : ClientHandle
    {
        /// <summary>Called by the marshaller for the <c>out</c> parameter of <c>erpauth_kingdee_client_new</c>.</summary>
        public KingdeeClientHandle()
        {
        }

        protected override bool ReleaseHandle()
        {
            NativeMethods.erpauth_kingdee_client_free(handle);
            return true;
        }
    }

    /// <summary>Owns one native <c>erpauth_weaver_client*</c>.</summary>
    internal sealed class WeaverClientHandle : ClientHandle
    {
        /// <summary>Called by the marshaller for the <c>out</c> parameter of <c>erpauth_weaver_client_new</c>.</summary>
        public WeaverClientHandle()
        {
        }

        protected override bool ReleaseHandle()
        {
            NativeMethods.erpauth_weaver_client_free(handle);
            return true;
        }
    }
}
