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
            try
            {
                ErrorText.CreatingOptions = options.GetType().Name;
                return NativeHandle.Create("client", (out THandle client) => create(config, out client));
            }
            finally
            {
                ErrorText.CreatingOptions = null;
                // The secrets in the UTF-8 copy go now rather than whenever the GC reuses the memory.
                Array.Clear(config, 0, config.Length);
            }
        }
    }
}
