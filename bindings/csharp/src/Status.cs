namespace ErpAuth
{
    /// <summary>
    /// What kind of failure an <see cref="ErpAuthException"/> reports. A bad argument is never
    /// an <see cref="ErpAuthException"/>: it is an <see cref="System.ArgumentException"/> (or a
    /// subclass) naming the parameter or option. The numbers are those of <c>erpauth_status</c>.
    /// </summary>
    public enum Status
    {
        /// <summary>DNS, connect, TLS, I/O or timeout. Usually worth retrying later.</summary>
        Network = 3,

        /// <summary>An unexpected HTTP status with no usable body (see <see cref="ErpAuthException.HttpStatus"/>).</summary>
        Http = 4,

        /// <summary>The server answered and refused; see <see cref="ErpAuthException.ServerCode"/> and
        /// <see cref="ErpAuthException.ServerMessage"/>.</summary>
        Rejected = 5,

        /// <summary>The answer was not of the documented shape.</summary>
        BadResponse = 6,

        /// <summary>A bug in erpauth (a caught panic included), or a status this binding does not know.</summary>
        Internal = 7,
    }
}
