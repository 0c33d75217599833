using System;
using System.Runtime.InteropServices;

namespace ErpAuth
{
    /// <summary>The <c>*_client_new</c> call shape: config JSON in, owned handle out.</summary>
    internal delegate int ClientNew<THandle>(byte[] configJson, out THandle client)
        where THandle : SafeHandle;

    internal static class ClientFactory
    {
        /// <summary>
        /// Serializes <paramref name="options"/>, creates the native client and returns its
        /// handle, or throws <see cref="ErpAuthException"/> with the library's reason.
        /// </summary>
        internal static THandle Create<THandle>(ClientOptions options, ClientNew<THandle> create)
            where THandle : SafeHandle
        {
            Interop.EnsureLoaded();
            byte[] config = Utf8.ToNative(options.ToJson(), "options");
            THandle handle = null;
            try
            {
                int status = create(config, out handle);
                if (status != Interop.Ok)
                {
                    throw Interop.LastError(status);
                }
                if (handle == null || handle.IsInvalid)
                {
                    throw new ErpAuthException(Status.Internal, "erpauth returned success but no client (a bug in the native library)");
                }
                THandle created = handle;
                handle = null;
                return created;
            }
            finally
            {
                // The secrets in the UTF-8 copy go now rather than whenever the GC reuses the memory.
                Array.Clear(config, 0, config.Length);
                if (handle != null)
                {
                    handle.Dispose();
                }
            }
        }
    }
}
