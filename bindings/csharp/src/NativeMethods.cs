using System;
using System.Runtime.InteropServices;

namespace ErpAuth
{
    /// <summary>
    /// The raw C ABI of <c>include/erpauth.h</c>, one declaration per export.
    ///
    /// Strings go in as NUL-terminated UTF-8 <c>byte[]</c> (see <see cref="Utf8"/>), never as
    /// <c>string</c>: the default marshaller would convert through the ANSI code page, which is
    /// GBK on Chinese Windows and would corrupt every non-ASCII byte. Strings come out through a
    /// caller-owned buffer (<c>out</c>, <c>out_cap</c>, <c>out_len</c>) that
    /// <see cref="Interop"/> pins and passes as a plain pointer: a <c>[Out] byte[]</c> would be
    /// copied back after every call on Mono, which tripled the cost of a signature there.
    /// <c>size_t</c> is <see cref="UIntPtr"/> so the same declarations work in 32- and 64-bit
    /// processes. The status is returned as a plain <c>int</c>.
    ///
    /// Use the wrappers in <see cref="Interop"/>, which load the library first.
    /// </summary>
    internal static class NativeMethods
    {
        /// <summary>Resolved by the runtime to <c>erpauth.dll</c>, <c>liberpauth.so</c> or <c>liberpauth.dylib</c>.</summary>
        internal const string LibraryName = "erpauth";

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int erpauth_last_error(
            IntPtr out_buf, UIntPtr out_cap, out UIntPtr out_len);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern IntPtr erpauth_version();

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int erpauth_kingdee_app_signature(
            byte[] app_key, byte[] app_secret,
            IntPtr out_buf, UIntPtr out_cap, out UIntPtr out_len);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int erpauth_kingdee_string_to_sign(
            byte[] method, byte[] path_and_query, byte[] nonce, byte[] timestamp,
            IntPtr out_buf, UIntPtr out_cap, out UIntPtr out_len);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int erpauth_kingdee_signature(
            byte[] client_secret, byte[] method, byte[] path_and_query, byte[] nonce, byte[] timestamp,
            IntPtr out_buf, UIntPtr out_cap, out UIntPtr out_len);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int erpauth_kingdee_sign_headers(
            byte[] client_id, byte[] client_secret, byte[] method, byte[] path_and_query,
            IntPtr out_buf, UIntPtr out_cap, out UIntPtr out_len);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int erpauth_weaver_sign(
            byte[] appid, byte[] secret, byte[] aes_key, long timestamp_ms,
            IntPtr out_buf, UIntPtr out_cap, out UIntPtr out_len);

        // Clients. `new` hands the pointer straight to a SafeHandle (the marshaller creates it
        // before the call and stores the pointer after it), so no pointer can leak between the
        // native call and the wrapping. The other calls take the raw pointer: the wrappers hold a
        // reference on the SafeHandle (DangerousAddRef) for the duration of the call themselves,
        // which is what makes Dispose racing a call safe, identically on Mono and .NET.

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int erpauth_kingdee_client_new(
            byte[] config_json, out KingdeeClientHandle out_client);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int erpauth_kingdee_client_app_token(
            IntPtr client, IntPtr out_buf, UIntPtr out_cap, out UIntPtr out_len);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int erpauth_kingdee_client_headers(
            IntPtr client, byte[] method, byte[] path_and_query,
            IntPtr out_buf, UIntPtr out_cap, out UIntPtr out_len);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int erpauth_kingdee_client_call(
            IntPtr client, byte[] method, byte[] path_and_query, byte[] body, byte[] content_type,
            out ResponseHandle out_response);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int erpauth_weaver_client_call(
            IntPtr client, byte[] method, byte[] path_and_query, byte[] body, byte[] content_type,
            byte[] user_type, byte[] user_contain, out ResponseHandle out_response);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int erpauth_kingdee_client_set_app_secret(IntPtr client, byte[] app_secret);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int erpauth_kingdee_client_authorization(
            IntPtr client, IntPtr out_buf, UIntPtr out_cap, out UIntPtr out_len);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int erpauth_weaver_rest_client_new(
            byte[] config_json, out WeaverRestClientHandle out_client);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int erpauth_weaver_rest_client_register(
            IntPtr client, IntPtr out_buf, UIntPtr out_cap, out UIntPtr out_len);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int erpauth_weaver_rest_client_token(
            IntPtr client, IntPtr out_buf, UIntPtr out_cap, out UIntPtr out_len);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int erpauth_weaver_rest_client_userid(
            IntPtr client, byte[] userid, IntPtr out_buf, UIntPtr out_cap, out UIntPtr out_len);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int erpauth_weaver_rest_client_headers(
            IntPtr client, byte[] userid, IntPtr out_buf, UIntPtr out_cap, out UIntPtr out_len);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int erpauth_weaver_rest_client_call(
            IntPtr client, byte[] method, byte[] path_and_query, byte[] body, byte[] content_type,
            byte[] userid, out ResponseHandle out_response);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern void erpauth_weaver_rest_client_invalidate(IntPtr client);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern void erpauth_weaver_rest_client_free(IntPtr client);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int erpauth_response_status(IntPtr response);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int erpauth_response_body(
            IntPtr response, IntPtr out_buf, UIntPtr out_cap, out UIntPtr out_len);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern void erpauth_response_free(IntPtr response);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern void erpauth_kingdee_client_invalidate(IntPtr client);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern void erpauth_kingdee_client_free(IntPtr client);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int erpauth_weaver_client_new(
            byte[] config_json, out WeaverClientHandle out_client);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int erpauth_weaver_client_token(
            IntPtr client, byte[] user_type, byte[] user_contain,
            IntPtr out_buf, UIntPtr out_cap, out UIntPtr out_len);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int erpauth_weaver_client_userid(
            IntPtr client, byte[] user_type, byte[] user_contain,
            IntPtr out_buf, UIntPtr out_cap, out UIntPtr out_len);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern void erpauth_weaver_client_invalidate(IntPtr client);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern void erpauth_weaver_client_free(IntPtr client);

        // Signers: a secret prepared once and used for many signatures. Same handle scheme as the
        // clients: `new` fills a SafeHandle, the other calls take the raw pointer under a reference.

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int erpauth_kingdee_signer_new(
            byte[] client_secret, out KingdeeSignerHandle out_signer);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int erpauth_kingdee_signer_signature(
            IntPtr signer, byte[] method, byte[] path_and_query, byte[] nonce, byte[] timestamp,
            IntPtr out_buf, UIntPtr out_cap, out UIntPtr out_len);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern void erpauth_kingdee_signer_free(IntPtr signer);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int erpauth_weaver_signer_new(
            byte[] appid, byte[] secret, byte[] aes_key, out WeaverSignerHandle out_signer);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int erpauth_weaver_signer_sign(
            IntPtr signer, long timestamp_ms,
            IntPtr out_buf, UIntPtr out_cap, out UIntPtr out_len);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern void erpauth_weaver_signer_free(IntPtr signer);
    }
}
