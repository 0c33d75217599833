namespace ErpAuth
{
    /// <summary>
    /// The status codes of the erpauth C ABI (<c>erpauth_status</c> in
    /// <c>include/erpauth.h</c>); an <c>int32_t</c> on the wire.
    /// </summary>
    public enum Status
    {
        /// <summary>Success.</summary>
        Ok = 0,

        /// <summary>The output buffer was too small. The binding retries with a bigger one,
        /// so callers only see this if the result kept growing between retries.</summary>
        BufferTooSmall = 1,

        /// <summary>A bad argument: malformed escape, bad key length, bad config, non-UTF-8 text.</summary>
        InvalidArgument = 2,

        /// <summary>DNS, connect, TLS, I/O or timeout.</summary>
        Network = 3,

        /// <summary>An unexpected HTTP status with no usable body.</summary>
        Http = 4,

        /// <summary>The server answered and refused; the message holds its own code and words.</summary>
        Rejected = 5,

        /// <summary>The answer was not of the documented shape.</summary>
        BadResponse = 6,

        /// <summary>A bug in erpauth, a caught panic included.</summary>
        Internal = 7,
    }
}
