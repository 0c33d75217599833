//! What every export shares: argument conversion, the caller-owned buffer
//! contract, the panic boundary and the thread-local last error.

use super::erpauth_status;
use crate::error::{Error, ErrorKind, Result, MAX_MESSAGE_BYTES};
use std::cell::RefCell;
use std::ffi::{c_char, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// The bytes of one thread's last error: messages are at most
/// [`MAX_MESSAGE_BYTES`] long ([`Error::new`] cuts them), so a fixed buffer
/// holds any of them and the thread-local needs no heap and no destructor.
/// That matters during thread teardown: a thread-local with a destructor
/// that is first touched from a pthread key destructor (after the thread's
/// own thread-local destructors ran) is registered again and never freed, a
/// leak per thread; one already destroyed cannot be touched at all.
struct Message {
    bytes: [u8; MAX_MESSAGE_BYTES],
    len: usize,
}

thread_local! {
    static LAST_ERROR: RefCell<Message> = const {
        RefCell::new(Message { bytes: [0; MAX_MESSAGE_BYTES], len: 0 })
    };
}

pub(crate) fn status_of(kind: ErrorKind) -> erpauth_status {
    match kind {
        ErrorKind::InvalidArgument => erpauth_status::ERPAUTH_INVALID_ARGUMENT,
        ErrorKind::Network => erpauth_status::ERPAUTH_NETWORK,
        ErrorKind::Http => erpauth_status::ERPAUTH_HTTP,
        ErrorKind::Rejected => erpauth_status::ERPAUTH_REJECTED,
        ErrorKind::BadResponse => erpauth_status::ERPAUTH_BAD_RESPONSE,
        ErrorKind::Internal => erpauth_status::ERPAUTH_INTERNAL,
    }
}

/// Stores `message` as this thread's last error (cut at a character
/// boundary if it were ever longer than the buffer). Never panics: `try_with`
/// and `try_borrow_mut`, so that a call made while the thread is being torn
/// down cannot panic outside the boundary and abort the host.
fn set_last_error(message: &str) {
    let mut len = message.len().min(MAX_MESSAGE_BYTES);
    while !message.is_char_boundary(len) {
        len -= 1;
    }
    let _ = LAST_ERROR.try_with(|e| {
        if let Ok(mut e) = e.try_borrow_mut() {
            e.bytes[..len].copy_from_slice(&message.as_bytes()[..len]);
            e.len = len;
        }
    });
}

/// Records `err` as this thread's last error and returns its status.
pub(crate) fn fail(err: &Error) -> erpauth_status {
    set_last_error(err.message());
    status_of(err.kind())
}

fn panic_error(payload: &(dyn std::any::Any + Send)) -> Error {
    let what = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("unknown panic");
    Error::new(
        ErrorKind::Internal,
        format!("internal error in erpauth (please report it): {what}"),
    )
}

/// Arguments up to this many bytes are measured and checked in one pass.
const SHORT_ARGUMENT: usize = 24;

/// Borrows a NUL-terminated UTF-8 argument; `name` goes into the message.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that outlives `'a`.
pub(crate) unsafe fn str_arg<'a>(ptr: *const c_char, name: &str) -> Result<&'a str> {
    if ptr.is_null() {
        return Err(Error::invalid(format!(
            "{name} is NULL: pass a NUL-terminated UTF-8 string"
        )));
    }
    // Most arguments are short ASCII (a method, a nonce, an appid): finding
    // the NUL and checking for ASCII in one pass over the first bytes is
    // cheaper than strlen and a UTF-8 check each (a tenth of a Weaver sign).
    let mut high_bits = 0u8;
    for len in 0..SHORT_ARGUMENT {
        // SAFETY: every byte up to and including the NUL is readable, and
        // this stops at the NUL.
        let byte = unsafe { *ptr.cast::<u8>().add(len) };
        if byte == 0 {
            if high_bits < 0x80 {
                // SAFETY: `len` bytes before the NUL, all ASCII, so UTF-8.
                return Ok(unsafe {
                    std::str::from_utf8_unchecked(std::slice::from_raw_parts(ptr.cast(), len))
                });
            }
            break;
        }
        high_bits |= byte;
    }
    // SAFETY: non-NULL and NUL-terminated per the caller's contract.
    let bytes = unsafe { CStr::from_ptr(ptr) }.to_bytes();
    std::str::from_utf8(bytes).map_err(|e| {
        Error::invalid(format!(
            "{name} is not valid UTF-8 (bad byte at offset {}): convert it to UTF-8 \
             before the call, not to GBK or another code page",
            e.valid_up_to()
        ))
    })
}

/// Like [`str_arg`], but NULL is `None`.
///
/// # Safety
/// As for [`str_arg`].
pub(crate) unsafe fn opt_str_arg<'a>(ptr: *const c_char, name: &str) -> Result<Option<&'a str>> {
    if ptr.is_null() {
        Ok(None)
    } else {
        unsafe { str_arg(ptr, name) }.map(Some)
    }
}

/// Writes `value` per the buffer contract. `out_len` is known non-NULL.
///
/// # Safety
/// `out` is NULL or valid for `out_cap` bytes; `out_len` is valid for writing.
unsafe fn write_output(
    value: &[u8],
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
) -> erpauth_status {
    let needed = value.len();
    // SAFETY: out_len is non-NULL and writable per the caller's contract.
    unsafe { *out_len = needed };
    if out.is_null() || out_cap < needed + 1 {
        return erpauth_status::ERPAUTH_BUFFER_TOO_SMALL;
    }
    // SAFETY: out holds at least needed + 1 bytes; the regions cannot overlap
    // because `value` is owned by Rust.
    unsafe {
        std::ptr::copy_nonoverlapping(value.as_ptr(), out.cast::<u8>(), needed);
        *out.add(needed) = 0;
    }
    erpauth_status::ERPAUTH_OK
}

/// The whole contract of an export that produces a string: checks `out_len`,
/// runs `f` inside the panic boundary, writes the result or records the error
/// and clears the output.
///
/// # Safety
/// `out` is NULL or valid for `out_cap` bytes; `out_len` is NULL or valid.
pub(crate) unsafe fn call_with_output<T, F>(
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
    f: F,
) -> erpauth_status
where
    T: AsRef<str>,
    F: FnOnce() -> Result<T>,
{
    struct Text<T>(T);
    impl<T: AsRef<str>> AsRef<[u8]> for Text<T> {
        fn as_ref(&self) -> &[u8] {
            self.0.as_ref().as_bytes()
        }
    }
    unsafe { call_with_bytes_output(out, out_cap, out_len, || f().map(Text)) }
}

/// [`call_with_output`] for bytes that need not be UTF-8 (a response body):
/// the buffer contract counts bytes.
///
/// # Safety
/// As for [`call_with_output`].
pub(crate) unsafe fn call_with_bytes_output<T, F>(
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
    f: F,
) -> erpauth_status
where
    T: AsRef<[u8]>,
    F: FnOnce() -> Result<T>,
{
    let status = catch_unwind(AssertUnwindSafe(|| {
        if out_len.is_null() {
            return fail(&Error::invalid(
                "out_len is NULL: pass a pointer to a size_t that receives the result length",
            ));
        }
        match f() {
            Ok(value) => {
                let status = unsafe { write_output(value.as_ref(), out, out_cap, out_len) };
                if status == erpauth_status::ERPAUTH_BUFFER_TOO_SMALL {
                    set_last_error(&format!(
                        "output buffer too small: {} bytes needed plus 1 for the NUL, {out_cap} given",
                        value.as_ref().len()
                    ));
                }
                status
            }
            Err(err) => fail(&err),
        }
    }))
    .unwrap_or_else(fail_after_panic);
    if status != erpauth_status::ERPAUTH_OK && status != erpauth_status::ERPAUTH_BUFFER_TOO_SMALL {
        // SAFETY: both pointers are checked for NULL first.
        unsafe {
            if !out_len.is_null() {
                *out_len = 0;
            }
            if !out.is_null() && out_cap > 0 {
                *out = 0;
            }
        }
    }
    status
}

/// The contract of an export without string output: panic boundary and
/// last error.
pub(crate) fn call_status<F>(f: F) -> erpauth_status
where
    F: FnOnce() -> Result<()>,
{
    match catch_unwind(AssertUnwindSafe(|| match f() {
        Ok(()) => erpauth_status::ERPAUTH_OK,
        Err(err) => fail(&err),
    })) {
        Ok(status) => status,
        Err(payload) => fail_after_panic(payload),
    }
}

/// Records a caught panic as the last error. Runs outside the first panic
/// boundary, so it has one of its own: nothing here may unwind into C (a
/// payload whose drop panics, a failing allocation of the message), and if
/// anything does, the status is still returned and the message dropped.
fn fail_after_panic(payload: Box<dyn std::any::Any + Send>) -> erpauth_status {
    let status = catch_unwind(AssertUnwindSafe(|| fail(&panic_error(payload.as_ref()))))
        .unwrap_or(erpauth_status::ERPAUTH_INTERNAL);
    // A payload's own Drop may panic; forget it rather than unwind here.
    std::mem::forget(catch_unwind(AssertUnwindSafe(move || drop(payload))));
    status
}

/// Runs a function that cannot fail (invalidate, free) inside the panic
/// boundary; a panic is recorded as the last error and otherwise swallowed.
pub(crate) fn call_void<F: FnOnce()>(f: F) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(f)) {
        fail_after_panic(payload);
    }
}

/// `erpauth_last_error`: copies the message without replacing it.
///
/// # Safety
/// As for [`call_with_output`].
pub(crate) unsafe fn copy_last_error(
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
) -> erpauth_status {
    catch_unwind(AssertUnwindSafe(|| {
        if out_len.is_null() {
            // The stored message is kept (this call never replaces it), but
            // the output is cleared as for any failure.
            if !out.is_null() && out_cap > 0 {
                // SAFETY: out holds at least one byte.
                unsafe { *out = 0 };
            }
            return erpauth_status::ERPAUTH_INVALID_ARGUMENT;
        }
        // During thread teardown the message may be gone: then it is empty.
        LAST_ERROR
            .try_with(|e| match e.try_borrow() {
                Ok(e) => unsafe { write_output(&e.bytes[..e.len], out, out_cap, out_len) },
                Err(_) => unsafe { write_output(b"", out, out_cap, out_len) },
            })
            .unwrap_or_else(|_| unsafe { write_output(b"", out, out_cap, out_len) })
    }))
    .unwrap_or(erpauth_status::ERPAUTH_INTERNAL)
}

#[cfg(test)]
mod tests {
    use super::str_arg;
    use std::ffi::CString;

    /// Every length around the one-pass limit, with ASCII, multi-byte UTF-8
    /// and a bad byte at each position: the fast path and the fallback
    /// agree with `std::str::from_utf8`. Under Miri each string is an exact
    /// heap allocation, so a read past its NUL is reported.
    #[test]
    fn short_and_long_arguments_are_measured_and_checked_exactly() {
        for len in 0..=super::SHORT_ARGUMENT + 8 {
            let ascii = "a".repeat(len);
            let c = CString::new(ascii.clone()).unwrap();
            assert_eq!(unsafe { str_arg(c.as_ptr(), "x") }.unwrap(), ascii);
            for at in 0..len {
                let mut bytes = ascii.clone().into_bytes();
                bytes[at] = 0xff;
                let c = CString::new(bytes).unwrap();
                let err = unsafe { str_arg(c.as_ptr(), "x") }.unwrap_err();
                assert!(
                    err.message().contains(&format!("bad byte at offset {at}")),
                    "{err}"
                );
                if at + 3 <= len {
                    let mut text = ascii.clone();
                    text.replace_range(at..at + 3, "中");
                    let c = CString::new(text.clone()).unwrap();
                    assert_eq!(unsafe { str_arg(c.as_ptr(), "x") }.unwrap(), text);
                }
            }
        }
    }
}
