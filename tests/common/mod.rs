//! Helpers shared by the integration tests that call the C ABI from Rust.

#![allow(dead_code)] // each test binary uses its own subset

use erpauth::ffi::{self, erpauth_status};
use std::ffi::c_char;

/// This thread's `erpauth_last_error`.
pub fn last_error() -> String {
    let mut buf = vec![0u8; 1024];
    let mut len = 0usize;
    // SAFETY: buf is 1024 writable bytes and len a valid usize.
    let status = unsafe { ffi::erpauth_last_error(buf.as_mut_ptr().cast(), buf.len(), &mut len) };
    assert_eq!(status, erpauth_status::ERPAUTH_OK);
    String::from_utf8(buf[..len].to_vec()).unwrap()
}

/// Calls an output function with a 512-byte buffer.
pub fn output(
    call: impl FnOnce(*mut c_char, usize, *mut usize) -> erpauth_status,
) -> (erpauth_status, String) {
    let mut buf = vec![0u8; 512];
    let mut len = 0usize;
    let status = call(buf.as_mut_ptr().cast(), buf.len(), &mut len);
    (status, String::from_utf8(buf[..len].to_vec()).unwrap())
}
