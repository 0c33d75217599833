//! Opaque handles: a boxed Rust value behind a pointer the host holds. The
//! `_new`, `_free` and borrowing steps every handle type shares (clients,
//! signers, responses).

use super::erpauth_status;
use super::support::{call_status, call_void};
use crate::error::{Error, Result};

/// # Safety
/// `ptr` is NULL or a live handle from the matching `_new`.
pub(crate) unsafe fn handle<'a, T>(ptr: *const T, what: &str) -> Result<&'a T> {
    // SAFETY: the caller guarantees a live handle or NULL.
    unsafe { ptr.as_ref() }.ok_or_else(|| Error::invalid(format!("{what} is NULL")))
}

/// The contract of every `_new`: `*out` is NULL unless a handle is made;
/// `out_name` names the out parameter in the message.
///
/// # Safety
/// `out` is NULL or valid for writing one pointer.
pub(crate) unsafe fn new_handle<T>(
    out: *mut *mut T,
    out_name: &str,
    make: impl FnOnce() -> Result<T>,
) -> erpauth_status {
    if !out.is_null() {
        // SAFETY: non-NULL and writable per the contract.
        unsafe { *out = std::ptr::null_mut() };
    }
    call_status(|| {
        if out.is_null() {
            return Err(Error::invalid(format!(
                "{out_name} is NULL: pass the address of a pointer that receives the new handle"
            )));
        }
        let value = make()?;
        // SAFETY: checked non-NULL above.
        unsafe { *out = Box::into_raw(Box::new(value)) };
        Ok(())
    })
}

/// Frees a handle from `new_handle`, inside the panic boundary. NULL is a no-op.
///
/// # Safety
/// `ptr` is NULL or a handle from `new_handle` not freed before.
pub(crate) unsafe fn free_handle<T>(ptr: *mut T) {
    call_void(|| {
        if !ptr.is_null() {
            // SAFETY: a handle from new_handle, freed once per the contract.
            drop(unsafe { Box::from_raw(ptr) });
        }
    })
}
