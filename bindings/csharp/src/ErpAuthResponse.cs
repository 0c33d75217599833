using System;
using System.Text;

namespace ErpAuth
{
    /// <summary>
    /// The answer to a business call made by a client (<see cref="KingdeeClient.Call"/>):
    /// whatever HTTP status it has, a refusal by the server included. Holds a copy of the body;
    /// nothing native remains to dispose.
    /// </summary>
    public sealed class ErpAuthResponse
    {
        private readonly byte[] body;

        internal ErpAuthResponse(int statusCode, byte[] body)
        {
            StatusCode = statusCode;
            this.body = body;
        }

        /// <summary>The HTTP status code, e.g. 200, or 519 for a gateway refusal.</summary>
        public int StatusCode { get; private set; }

        /// <summary>Whether <see cref="StatusCode"/> is 2xx.</summary>
        public bool IsSuccessStatusCode
        {
            get { return StatusCode >= 200 && StatusCode < 300; }
        }

        /// <summary>The body as UTF-8 text (bytes that are not UTF-8 become U+FFFD).</summary>
        public string Text
        {
            get { return Encoding.UTF8.GetString(body); }
        }

        /// <summary>A copy of the body, byte for byte as it came.</summary>
        public byte[] GetBody()
        {
            return (byte[])body.Clone();
        }

        /// <summary>The status and the body's size; never the body, which may hold personal data.</summary>
        public override string ToString()
        {
            return "ErpAuthResponse[" + StatusCode + ", " + body.Length + " bytes]";
        }

        /// <summary>Reads status and body from a native answer, then frees it.</summary>
        internal static ErpAuthResponse Read(ResponseHandle handle)
        {
            using (handle)
            {
                return handle.Use("ErpAuthResponse", response =>
                {
                    int status = NativeMethods.erpauth_response_status(response);
                    byte[] bytes = Interop.CallForBytes((IntPtr b, UIntPtr c, out UIntPtr l) =>
                        NativeMethods.erpauth_response_body(response, b, c, out l));
                    return new ErpAuthResponse(status, bytes);
                });
            }
        }
    }
}
