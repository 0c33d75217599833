using System;
using System.Runtime.Serialization;

namespace ErpAuth
{
    /// <summary>
    /// A call into erpauth failed for a reason other than a bad argument (those are
    /// <see cref="ArgumentException"/>s). <see cref="Status"/> says what kind of failure it was;
    /// <see cref="Exception.Message"/> is the library's one-line explanation. For
    /// <see cref="ErpAuth.Status.Rejected"/> the server's own code and words are also in
    /// <see cref="ServerCode"/> and <see cref="ServerMessage"/>. Messages never contain secrets.
    /// </summary>
    [Serializable]
    public class ErpAuthException : Exception
    {
        /// <summary>An <see cref="ErpAuth.Status.Internal"/> failure with a default message.</summary>
        public ErpAuthException()
            : this(Status.Internal, "erpauth failed")
        {
        }

        /// <summary>An <see cref="ErpAuth.Status.Internal"/> failure with this message.</summary>
        public ErpAuthException(string message)
            : this(Status.Internal, message)
        {
        }

        /// <summary>An <see cref="ErpAuth.Status.Internal"/> failure with this message and cause.</summary>
        public ErpAuthException(string message, Exception innerException)
            : this(Status.Internal, message, innerException)
        {
        }

        /// <summary>A failure of this kind; the server details are read from the message.</summary>
        public ErpAuthException(Status status, string message)
            : this(status, message, null)
        {
        }

        /// <summary>A failure of this kind with a cause; the server details are read from the message.</summary>
        public ErpAuthException(Status status, string message, Exception innerException)
            : base(message, innerException)
        {
            Status = status;
            ErrorDetails details = ErrorDetails.Parse(status, message ?? string.Empty);
            ServerCode = details.ServerCode;
            ServerMessage = details.ServerMessage;
            HttpStatus = details.HttpStatus;
        }

        /// <summary>Serialization constructor: the status and server details travel with the exception.</summary>
        protected ErpAuthException(SerializationInfo info, StreamingContext context)
            : base(info, context)
        {
            Status = (Status)info.GetInt32("ErpAuthStatus");
            long code = info.GetInt64("ErpAuthServerCode");
            ServerCode = info.GetBoolean("ErpAuthHasServerCode") ? code : (long?)null;
            ServerMessage = info.GetString("ErpAuthServerMessage");
            int http = info.GetInt32("ErpAuthHttpStatus");
            HttpStatus = http == 0 ? (int?)null : http;
        }

        /// <summary>What kind of failure this is.</summary>
        public Status Status { get; private set; }

        /// <summary>
        /// The server's numeric code of a refusal: a Kingdee <c>errcode</c>/<c>code</c> such as
        /// 1030002006 (app secret rotated), 4008 (signature invalid) or 4010 (token invalid); null
        /// when the server gave none (Weaver answers carry only words) or the failure is not a refusal.
        /// </summary>
        public long? ServerCode { get; private set; }

        /// <summary>The server's own words of a refusal, verbatim (e.g. <c>授权密钥校验失败</c>); null otherwise.</summary>
        public string ServerMessage { get; private set; }

        /// <summary>The HTTP status of the answer when the library reported one (519 for a gateway
        /// refusal, 502 from a proxy, ...); null for network failures and when it was not stated.</summary>
        public int? HttpStatus { get; private set; }

        /// <summary>
        /// Whether the same call may succeed if simply tried again later: network failures, HTTP
        /// 5xx, 408 and 429. A refusal, a bad answer or a bug is not transient.
        /// </summary>
        public bool IsTransient
        {
            get
            {
                if (Status == Status.Network)
                {
                    return true;
                }
                if (Status == Status.Http && HttpStatus.HasValue)
                {
                    int s = HttpStatus.Value;
                    return s >= 500 || s == 408 || s == 429;
                }
                return false;
            }
        }

        /// <summary>Adds the status and server details to the serialized data.</summary>
        public override void GetObjectData(SerializationInfo info, StreamingContext context)
        {
            base.GetObjectData(info, context);
            info.AddValue("ErpAuthStatus", (int)Status);
            info.AddValue("ErpAuthHasServerCode", ServerCode.HasValue);
            info.AddValue("ErpAuthServerCode", ServerCode.GetValueOrDefault());
            info.AddValue("ErpAuthServerMessage", ServerMessage);
            info.AddValue("ErpAuthHttpStatus", HttpStatus.GetValueOrDefault());
        }

        /// <summary>The status in brackets, then the message.</summary>
        public override string ToString()
        {
            return GetType().FullName + " [" + Status + "]: " + Message
                + (InnerException == null ? string.Empty : " ---> " + InnerException);
        }
    }
}
