//! The answer of a business call as an opaque handle, so that asking for the
//! body's size and then reading it never sends the request twice; and the
//! argument conversion every `_call` export shares.

use super::erpauth_status;
use super::handle::{free_handle, handle, new_handle, opt_handle, HandleType};
use super::support::{call_with_bytes_output, opt_str_arg, str_arg};
use crate::client::{Request, Response};
use crate::error::Result;
use std::ffi::{c_char, CStr};

/// The answer of one business call (opaque): HTTP status and body. Made by
/// `erpauth_kingdee_client_call` and the other `_call` functions, freed with
/// `erpauth_response_free`.
pub struct erpauth_response {
    inner: Response,
}

/// The arguments every `_call` export takes, converted.
struct CallArgs<'a> {
    method: &'a str,
    path_and_query: &'a str,
    body: Option<&'a [u8]>,
    content_type: Option<&'a str>,
}

impl<'a> CallArgs<'a> {
    /// # Safety
    /// Each pointer is NULL or a NUL-terminated string.
    unsafe fn read(
        method: *const c_char,
        path_and_query: *const c_char,
        body: *const c_char,
        content_type: *const c_char,
    ) -> Result<CallArgs<'a>> {
        unsafe {
            Ok(CallArgs {
                method: str_arg(method, "method")?,
                path_and_query: str_arg(path_and_query, "path_and_query")?,
                // A body is sent byte for byte: it need not be UTF-8 (a form
                // in GBK, say), so it is not checked as the other strings are.
                body: (!body.is_null()).then(|| CStr::from_ptr(body).to_bytes()),
                content_type: opt_str_arg(content_type, "content_type")?,
            })
        }
    }

    fn request(&self) -> Request<'a> {
        Request {
            method: self.method,
            path_and_query: self.path_and_query,
            body: self.body,
            content_type: self.content_type,
        }
    }
}

/// The contract of every `_call`: the client's tag checked, then the four
/// request arguments converted (in that order, so the first bad one is
/// named), then `send`; `*out_response` is NULL unless an answer arrived.
///
/// # Safety
/// `client` is NULL or a handle's memory; each string pointer is NULL or a
/// NUL-terminated string; `out_response` is NULL or valid for writing one
/// pointer.
pub(super) unsafe fn client_call<'a, C: HandleType + 'a>(
    client: *const C,
    method: *const c_char,
    path_and_query: *const c_char,
    body: *const c_char,
    content_type: *const c_char,
    out_response: *mut *mut erpauth_response,
    send: impl FnOnce(&'a C, &Request<'_>) -> Result<Response>,
) -> erpauth_status {
    unsafe {
        new_handle(out_response, "out_response", || {
            let client = handle(client)?;
            let args = CallArgs::read(method, path_and_query, body, content_type)?;
            send(client, &args.request()).map(|inner| erpauth_response { inner })
        })
    }
}

/// The HTTP status of the answer (100-599); -1 when `response` is NULL or
/// not a live response handle (then `erpauth_last_error` says which).
/// Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn erpauth_response_status(response: *const erpauth_response) -> i32 {
    // SAFETY: NULL or a handle per the contract; its tag is checked.
    match unsafe { opt_handle(response) } {
        Some(r) => i32::from(r.inner.status),
        None => -1,
    }
}

/// The body of the answer, byte for byte as it came (not necessarily UTF-8;
/// the length counts bytes), through the caller-owned buffer (`out`,
/// `out_cap`, `out_len`): with `out_cap < needed + 1` nothing is written,
/// `*out_len = needed` and `ERPAUTH_BUFFER_TOO_SMALL` is returned; the answer
/// is held by the handle, so the retry sends nothing. A NUL is written after
/// the body; a body may itself contain NUL bytes, so use `*out_len`.
/// Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn erpauth_response_body(
    response: *const erpauth_response,
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
) -> erpauth_status {
    unsafe {
        call_with_bytes_output(out, out_cap, out_len, || {
            let response = handle(response)?;
            Ok(response.inner.body.as_slice())
        })
    }
}

/// Frees an answer. NULL is a no-op; freeing twice is undefined.
#[no_mangle]
pub unsafe extern "C" fn erpauth_response_free(response: *mut erpauth_response) {
    // SAFETY: NULL or a handle from a `_call`, freed once per the contract.
    unsafe { free_handle(response) }
}
