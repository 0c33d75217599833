//! Opaque handles: a boxed Rust value behind a pointer the host holds. The
//! `_new`, `_free` and borrowing steps every handle type shares (clients,
//! signers, responses), and the shapes of export built on them: a client
//! made from a config, text written from a handle, a call without a status.
//!
//! Each handle is allocated with a type tag in front of the value, checked on
//! every call and overwritten when the handle is freed. Passing a freed or
//! foreign pointer stays undefined behaviour (the header says so), but the
//! common mistakes are caught before the value is touched: a handle of
//! another type (a Weaver client given to a Kingdee function) and, as long
//! as the allocator has not handed the memory out again, a handle already
//! freed (a double `_free`, a call after `_free`) give
//! `ERPAUTH_INVALID_ARGUMENT` instead of a crash or heap garbage.

use super::erpauth_status;
use super::support::{call_status, call_void, call_with_output, fail, str_arg};
use crate::error::{Error, Result};
use std::ffi::c_char;

/// A handle type's tag: a distinct, improbable 64-bit value per type.
pub(crate) trait HandleType {
    /// The tag of a live handle of this type.
    const TAG: u64;
    /// What the handle is, for messages ("Kingdee client").
    const NAME: &'static str;
    /// The name of the exports' parameter that takes it ("client"), for
    /// messages.
    const PARAM: &'static str;
}

macro_rules! handle_types {
    ($($ty:ty => $tag:expr, $name:expr, $param:expr;)*) => {
        $(impl HandleType for $ty {
            const TAG: u64 = $tag;
            const NAME: &'static str = $name;
            const PARAM: &'static str = $param;
        })*
    };
}

handle_types! {
    super::erpauth_kingdee_client => 0x4552_5041_4B44_434C, "Kingdee client", "client";
    super::erpauth_weaver_client => 0x4552_5041_5756_434C, "Weaver client", "client";
    super::erpauth_kingdee_signer => 0x4552_5041_4B44_5347, "Kingdee signer", "signer";
    super::erpauth_weaver_signer => 0x4552_5041_5756_5347, "Weaver signer", "signer";
    super::erpauth_response => 0x4552_5041_5245_5350, "response", "response";
    super::erpauth_weaver_rest_client => 0x4552_5041_5752_434C, "Weaver REST client", "client";
}

/// Written over the tag when a handle is freed.
const FREED: u64 = 0x4652_4545_4446_5245;

/// What a handle pointer points at: the tag first (`repr(C)`: at offset 0
/// whatever `T` is), then the value.
#[repr(C)]
struct Tagged<T> {
    tag: u64,
    value: T,
}

/// The tag at `ptr`, read without forming a reference to the value.
///
/// # Safety
/// `ptr` is non-NULL and points to readable memory of at least 8 bytes.
unsafe fn tag_at<T>(ptr: *const T) -> u64 {
    // SAFETY: per the contract; a volatile read, because the memory may be a
    // freed block the compiler must not reason about.
    unsafe { std::ptr::read_volatile(ptr.cast::<u64>()) }
}

fn not_a_handle<T: HandleType>(what: &str, tag: u64) -> Error {
    Error::invalid(if tag == FREED {
        format!(
            "{what} is a {} that was already freed: do not use a handle after its _free",
            T::NAME
        )
    } else {
        format!(
            "{what} is not a live {} handle (a handle of another type, one already freed, \
             or not a handle at all)",
            T::NAME
        )
    })
}

/// The value behind a handle, after its tag is checked. NULL and a wrong or
/// freed tag are `InvalidArgument` naming the parameter.
///
/// # Safety
/// `ptr` is NULL or points to memory a handle of some type occupied.
pub(crate) unsafe fn handle<'a, T: HandleType>(ptr: *const T) -> Result<&'a T> {
    if ptr.is_null() {
        return Err(Error::invalid(format!("{} is NULL", T::PARAM)));
    }
    // SAFETY: non-NULL, and a handle's memory per the contract.
    let tag = unsafe { tag_at(ptr) };
    if tag != T::TAG {
        return Err(not_a_handle::<T>(T::PARAM, tag));
    }
    // SAFETY: the tag says this is a live Tagged<T> made by new_handle.
    Ok(unsafe { &(*ptr.cast::<Tagged<T>>()).value })
}

/// Like [`handle`] for the functions without a status (invalidate): NULL is
/// `None` and silent; a wrong or freed tag is `None` with the last error set.
///
/// # Safety
/// As for [`handle`].
pub(crate) unsafe fn opt_handle<'a, T: HandleType>(ptr: *const T) -> Option<&'a T> {
    if ptr.is_null() {
        return None;
    }
    match unsafe { handle(ptr) } {
        Ok(value) => Some(value),
        Err(err) => {
            fail(&err);
            None
        }
    }
}

/// The contract of every `_new`: `*out` is NULL unless a handle is made;
/// `out_name` names the out parameter in the message.
///
/// # Safety
/// `out` is NULL or valid for writing one pointer.
pub(crate) unsafe fn new_handle<T: HandleType>(
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
        let tagged = Box::into_raw(Box::new(Tagged { tag: T::TAG, value }));
        // SAFETY: checked non-NULL above.
        unsafe { *out = tagged.cast::<T>() };
        Ok(())
    })
}

/// The `_new` of a client: `make` parses the `config_json` argument.
///
/// # Safety
/// `config_json` is NULL or a NUL-terminated string; `out_client` is NULL
/// or valid for writing one pointer.
pub(crate) unsafe fn new_client<T: HandleType>(
    config_json: *const c_char,
    out_client: *mut *mut T,
    make: impl FnOnce(&str) -> Result<T>,
) -> erpauth_status {
    unsafe {
        new_handle(out_client, "out_client", || {
            make(str_arg(config_json, "config_json")?)
        })
    }
}

/// An export that writes text computed from the value behind a handle: the
/// tag check, then `f`, inside [`call_with_output`].
///
/// # Safety
/// As for [`handle`] and [`call_with_output`].
pub(crate) unsafe fn handle_output<'a, H: HandleType + 'a, T: AsRef<str>>(
    ptr: *const H,
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
    f: impl FnOnce(&'a H) -> Result<T>,
) -> erpauth_status {
    unsafe { call_with_output(out, out_cap, out_len, || f(handle(ptr)?)) }
}

/// An export without a status (invalidate): `f` on the value behind a live
/// handle, inside the panic boundary. NULL is a no-op; a wrong or freed tag
/// skips `f` and sets the last error.
///
/// # Safety
/// As for [`handle`].
pub(crate) unsafe fn with_opt_handle<H: HandleType>(ptr: *const H, f: impl FnOnce(&H)) {
    call_void(|| {
        if let Some(value) = unsafe { opt_handle(ptr) } {
            f(value);
        }
    })
}

/// Frees a handle from `new_handle`, inside the panic boundary. NULL is a
/// no-op; a pointer whose tag is not this type's (freed before, or another
/// type) is left alone and the last error says so.
///
/// # Safety
/// `ptr` is NULL or points to memory a handle of some type occupied.
pub(crate) unsafe fn free_handle<T: HandleType>(ptr: *mut T) {
    call_void(|| {
        if ptr.is_null() {
            return;
        }
        // SAFETY: non-NULL, a handle's memory per the contract.
        let tag = unsafe { tag_at(ptr) };
        if tag != T::TAG {
            fail(&not_a_handle::<T>("the handle given to _free", tag));
            return;
        }
        let tagged = ptr.cast::<Tagged<T>>();
        // SAFETY: a live Tagged<T> from new_handle (its tag says so). The
        // tag is poisoned first, so that a second free or a later call sees
        // FREED for as long as the allocator leaves those bytes alone.
        unsafe {
            std::ptr::write_volatile(std::ptr::addr_of_mut!((*tagged).tag), FREED);
            drop(Box::from_raw(tagged));
        }
    })
}
