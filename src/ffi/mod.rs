//! The C ABI. Every export here follows one pattern: check and convert the
//! raw arguments, call the plain-Rust function, write the result into the
//! caller's buffer. [`call_with_output`] holds the panic boundary, the buffer
//! contract and the thread-local last error, so the exports stay thin.
//!
//! # Safety contract
//!
//! Every `unsafe extern "C"` function here, and every `unsafe fn` helper in
//! this module's files, relies on the same promises from its caller, the C
//! ABI's convention stated in the header preamble and
//! `docs/protocol/c-api.md`:
//!
//! - each `const char *` argument is NULL or points to a NUL-terminated
//!   string that stays valid and unchanged for the call;
//! - `out` is NULL (with `out_cap` 0) or writable for `out_cap` bytes, and does
//!   not overlap any input; `out_len` and each `out_*` handle pointer is NULL
//!   or writable;
//! - a handle argument is NULL or a live handle of that type from its `_new`,
//!   not yet passed to its `_free`, and `_free` is not called while another
//!   call on the handle runs.
//!
//! NULL is checked everywhere and reported as `ERPAUTH_INVALID_ARGUMENT`, so
//! only the rest is trusted. An `unsafe` block that passes the caller's
//! pointers on to a helper with this same contract carries no comment; a
//! `// SAFETY:` comment marks each place that argues something beyond it.

#![allow(non_camel_case_types)]
// The contract above is the same for every export: repeating it under
// `# Safety` on each function would only duplicate it into the header.
#![allow(clippy::missing_safety_doc)]

mod client;
mod handle;
mod response;
mod signer;
mod support;
mod weaver_rest;

pub use client::*;
pub use response::*;
pub use signer::*;
pub use weaver_rest::*;

use crate::{kingdee, weaver};
use std::ffi::c_char;
use support::{call_with_output, str_arg};

/// The four strings a Kingdee signature covers, as the exports that take them
/// read them from C (in this order, so the first bad one is named).
pub(crate) struct SignedRequest<'a> {
    pub(crate) method: &'a str,
    pub(crate) path_and_query: &'a str,
    pub(crate) nonce: &'a str,
    pub(crate) timestamp: &'a str,
}

impl SignedRequest<'_> {
    /// # Safety
    /// Each pointer is NULL or a NUL-terminated string.
    pub(crate) unsafe fn read(
        method: *const c_char,
        path_and_query: *const c_char,
        nonce: *const c_char,
        timestamp: *const c_char,
    ) -> crate::Result<Self> {
        unsafe {
            Ok(SignedRequest {
                method: str_arg(method, "method")?,
                path_and_query: str_arg(path_and_query, "path_and_query")?,
                nonce: str_arg(nonce, "nonce")?,
                timestamp: str_arg(timestamp, "timestamp")?,
            })
        }
    }
}

/// Status returned by every erpauth function (an `int32_t` on the wire).
#[repr(i32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum erpauth_status {
    /// Success.
    ERPAUTH_OK = 0,
    /// The output buffer is too small; `*out_len` holds the size needed (without the NUL).
    ERPAUTH_BUFFER_TOO_SMALL = 1,
    /// NULL, bad UTF-8, a malformed escape, a bad key, a bad config.
    ERPAUTH_INVALID_ARGUMENT = 2,
    /// DNS, connect, TLS, I/O or timeout.
    ERPAUTH_NETWORK = 3,
    /// Unexpected HTTP status with no usable body.
    ERPAUTH_HTTP = 4,
    /// The server answered and refused; `erpauth_last_error` holds its words.
    ERPAUTH_REJECTED = 5,
    /// The answer was not of the documented shape.
    ERPAUTH_BAD_RESPONSE = 6,
    /// A bug in erpauth, a caught panic included.
    ERPAUTH_INTERNAL = 7,
}

/// Copies the message of the last call on this thread that did not return
/// `ERPAUTH_OK` into `out`: one line of UTF-8 text, empty if no call failed
/// yet. For `ERPAUTH_REJECTED` it holds the server's own code and message.
///
/// Buffer contract as for every output: with `out_cap < needed + 1` nothing is
/// written, `*out_len = needed` and `ERPAUTH_BUFFER_TOO_SMALL` is returned.
/// This function never replaces the stored message, so it can be retried
/// with a bigger buffer. Thread-safe: each thread has its own last error.
#[no_mangle]
pub unsafe extern "C" fn erpauth_last_error(
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
) -> erpauth_status {
    // SAFETY: the caller promises out/out_cap/out_len describe its buffer.
    unsafe { support::copy_last_error(out, out_cap, out_len) }
}

// The version the header was generated for, so that a host can detect a
// header/library mismatch (see ERPAUTH_VERSION in cbindgen.toml). Constants
// because cbindgen cannot read the package version; tests/header.rs checks
// that they are the package's.

/// The major version of the header (the library version it was generated for).
pub const VERSION_MAJOR: u32 = 0;
/// The minor version of the header.
pub const VERSION_MINOR: u32 = 1;
/// The patch version of the header.
pub const VERSION_PATCH: u32 = 0;
/// The library version, e.g. "0.1.0": a static NUL-terminated string, never
/// NULL, never to be freed; equal to `ERPAUTH_VERSION` of the header it was
/// built with, so `strcmp(erpauth_version(), ERPAUTH_VERSION) != 0` tells a
/// host that loaded the library at run time that its header is of another
/// version. Thread-safe.
#[no_mangle]
pub extern "C" fn erpauth_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// Kingdee `app_signature`: Base64(lower-hex(HMAC-SHA256(app_secret, app_key))).
///
/// `app_key` and `app_secret` are NUL-terminated UTF-8. The result (88 ASCII
/// characters) goes into the caller-owned `out` buffer: with
/// `out_cap >= needed + 1` it is written with a NUL and `*out_len = needed`;
/// otherwise nothing is written, `*out_len = needed` and
/// `ERPAUTH_BUFFER_TOO_SMALL` is returned (`out` may be NULL when `out_cap` is
/// 0). On any other failure `*out_len = 0` and `out[0] = '\0'` if
/// `out_cap > 0`. `out_len` must not be NULL. Thread-safe; no I/O.
#[no_mangle]
pub unsafe extern "C" fn erpauth_kingdee_app_signature(
    app_key: *const c_char,
    app_secret: *const c_char,
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
) -> erpauth_status {
    unsafe {
        call_with_output(out, out_cap, out_len, || {
            let app_key = str_arg(app_key, "app_key")?;
            let app_secret = str_arg(app_secret, "app_secret")?;
            Ok(kingdee::app_signature_inline(app_key, app_secret))
        })
    }
}

/// The exact five-line string that `X-Api-Signature` signs, for debugging a
/// signature mismatch: METHOD, gw-encoded path, canonical query,
/// `x-api-nonce:NONCE`, `x-api-timestamp:TIMESTAMP`, each ending in "\n".
///
/// `path_and_query` is the request target as sent (`/path?k=v`); `%XX`
/// escapes are decoded in path and query and `+` is a space in the query.
/// `nonce` and `timestamp` are decimal digits. A malformed escape or a target
/// that decodes to non-UTF-8 gives `ERPAUTH_INVALID_ARGUMENT`. Output through
/// the caller-owned buffer (`out`, `out_cap`, `out_len`) as for
/// `erpauth_kingdee_app_signature`. Thread-safe; no I/O.
#[no_mangle]
pub unsafe extern "C" fn erpauth_kingdee_string_to_sign(
    method: *const c_char,
    path_and_query: *const c_char,
    nonce: *const c_char,
    timestamp: *const c_char,
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
) -> erpauth_status {
    unsafe {
        call_with_output(out, out_cap, out_len, || {
            let r = SignedRequest::read(method, path_and_query, nonce, timestamp)?;
            kingdee::string_to_sign(r.method, r.path_and_query, r.nonce, r.timestamp)
        })
    }
}

/// Kingdee `X-Api-Signature` for one request:
/// Base64(lower-hex(HMAC-SHA256(client_secret, string_to_sign))), with the
/// string to sign built as `erpauth_kingdee_string_to_sign` shows it.
///
/// Output through the caller-owned buffer (`out`, `out_cap`, `out_len`) as for
/// `erpauth_kingdee_app_signature`. Thread-safe; no I/O.
#[no_mangle]
pub unsafe extern "C" fn erpauth_kingdee_signature(
    client_secret: *const c_char,
    method: *const c_char,
    path_and_query: *const c_char,
    nonce: *const c_char,
    timestamp: *const c_char,
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
) -> erpauth_status {
    unsafe {
        call_with_output(out, out_cap, out_len, || {
            let client_secret = str_arg(client_secret, "client_secret")?;
            let r = SignedRequest::read(method, path_and_query, nonce, timestamp)?;
            kingdee::signature_inline(
                client_secret,
                r.method,
                r.path_and_query,
                r.nonce,
                r.timestamp,
            )
        })
    }
}

/// All six Kingdee gateway headers for one request, with a fresh random
/// ten-digit nonce and the current time in milliseconds, as
/// "Name: value\r\n" lines in this order: X-Api-ClientID,
/// X-Api-Auth-Version, X-Api-TimeStamp, X-Api-Nonce, X-Api-SignHeaders,
/// X-Api-Signature.
///
/// Each call makes a new nonce, so a retry after `ERPAUTH_BUFFER_TOO_SMALL`
/// returns different (equally valid) headers of about the same length; ask
/// with a buffer of 512 bytes to avoid the retry. Output through the
/// caller-owned buffer (`out`, `out_cap`, `out_len`) as for
/// `erpauth_kingdee_app_signature`. Thread-safe; no I/O.
#[no_mangle]
pub unsafe extern "C" fn erpauth_kingdee_sign_headers(
    client_id: *const c_char,
    client_secret: *const c_char,
    method: *const c_char,
    path_and_query: *const c_char,
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
) -> erpauth_status {
    unsafe {
        call_with_output(out, out_cap, out_len, || {
            let headers = kingdee::sign_headers(
                str_arg(client_id, "client_id")?,
                str_arg(client_secret, "client_secret")?,
                str_arg(method, "method")?,
                str_arg(path_and_query, "path_and_query")?,
            )?;
            Ok(headers.to_lines())
        })
    }
}

/// The Weaver e9 getToken `sign`:
/// lower-hex(AES-ECB-PKCS5(aes_key, timestamp + "_" + UPPER(hex(MD5(appid:secret))))).
///
/// `aes_key` must be 16, 24 or 32 bytes of UTF-8 (AES-128/192/256), else
/// `ERPAUTH_INVALID_ARGUMENT`. `timestamp_ms > 0` signs that time (tests and
/// vectors); `timestamp_ms <= 0` signs the current time, strictly increasing
/// across the whole process, so no two signs are ever equal, even from
/// threads in the same millisecond. Output (96 hex characters for a
/// 13-digit time) through the caller-owned buffer (`out`, `out_cap`,
/// `out_len`) as for `erpauth_kingdee_app_signature`; a retry after
/// `ERPAUTH_BUFFER_TOO_SMALL` with `timestamp_ms <= 0` signs a newer time.
/// Thread-safe; no I/O.
#[no_mangle]
pub unsafe extern "C" fn erpauth_weaver_sign(
    appid: *const c_char,
    secret: *const c_char,
    aes_key: *const c_char,
    timestamp_ms: i64,
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
) -> erpauth_status {
    unsafe {
        call_with_output(out, out_cap, out_len, || {
            weaver::sign_inline(
                str_arg(appid, "appid")?,
                str_arg(secret, "secret")?,
                str_arg(aes_key, "aes_key")?,
                timestamp_ms,
            )
        })
    }
}

#[cfg(test)]
mod tests;
