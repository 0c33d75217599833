using System;

namespace ErpAuth
{
    /// <summary>
    /// A call into the native erpauth library failed. <see cref="Status"/> says what kind of
    /// failure it was; <see cref="Exception.Message"/> is the library's one-line explanation
    /// (for <see cref="ErpAuth.Status.Rejected"/> the server's own code and message, verbatim).
    /// Messages never contain secrets.
    /// </summary>
    [Serializable]
    public class ErpAuthException : Exception
    {
        /// <summary>Creates the exception for a failed native call.</summary>
        public ErpAuthException(Status status, string message)
            : base(message)
        {
            Status = status;
        }

        /// <summary>The status code the native call returned.</summary>
        public Status Status { get; private set; }

        /// <summary>Serialization constructor (the status travels with the exception).</summary>
        protected ErpAuthException(
            System.Runtime.Serialization.SerializationInfo info,
            System.Runtime.Serialization.StreamingContext context)
            : base(info, context)
        {
            Status = (Status)info.GetInt32("ErpAuthStatus");
        }

        /// <summary>Adds the status to the serialized data.</summary>
        public override void GetObjectData(
            System.Runtime.Serialization.SerializationInfo info,
            System.Runtime.Serialization.StreamingContext context)
        {
            base.GetObjectData(info, context);
            info.AddValue("ErpAuthStatus", (int)Status);
        }
    }
}
