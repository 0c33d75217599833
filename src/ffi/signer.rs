//! Signer handles: a secret prepared once ([`kingdee::Signer`],
//! [`weaver::Signer`]) and used for many signatures. They give the same
//! results as the one-shot functions; what they save is the per-call work on
//! the secret (the HMAC key blocks; the MD5 and the AES key schedule) and,
//! for hosts such as JNA whose per-call cost grows with the argument count,
//! the secret arguments themselves.

use super::handle::{free_handle, handle_output, new_handle};
use super::support::str_arg;
use super::{erpauth_status, SignedRequest};
use crate::{kingdee, weaver};
use std::ffi::c_char;

/// A Kingdee client secret prepared for signing (opaque). Create with
/// `erpauth_kingdee_signer_new`, free with `erpauth_kingdee_signer_free`.
pub struct erpauth_kingdee_signer {
    inner: kingdee::Signer,
}

/// A Weaver e9 (appid, secret, aes_key) prepared for signing (opaque).
/// Create with `erpauth_weaver_signer_new`, free with
/// `erpauth_weaver_signer_free`.
pub struct erpauth_weaver_signer {
    inner: weaver::Signer,
}

/// Prepares `client_secret` for `erpauth_kingdee_signer_signature`: the
/// HMAC-SHA256 key is expanded once and the secret itself is not kept.
///
/// On success `*out_signer` holds a new signer to be freed with
/// `erpauth_kingdee_signer_free`; on failure it is set to NULL. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn erpauth_kingdee_signer_new(
    client_secret: *const c_char,
    out_signer: *mut *mut erpauth_kingdee_signer,
) -> erpauth_status {
    unsafe {
        new_handle(out_signer, "out_signer", || {
            let client_secret = str_arg(client_secret, "client_secret")?;
            Ok(erpauth_kingdee_signer {
                inner: kingdee::Signer::new(client_secret),
            })
        })
    }
}

/// `X-Api-Signature` for one request under the signer's client secret: the
/// same result as `erpauth_kingdee_signature` with that secret, and the same
/// arguments, errors and output (88 characters) through the caller-owned
/// buffer (`out`, `out_cap`, `out_len`). Thread-safe, on the same signer too.
#[no_mangle]
pub unsafe extern "C" fn erpauth_kingdee_signer_signature(
    signer: *const erpauth_kingdee_signer,
    method: *const c_char,
    path_and_query: *const c_char,
    nonce: *const c_char,
    timestamp: *const c_char,
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
) -> erpauth_status {
    unsafe {
        handle_output(signer, out, out_cap, out_len, |signer| {
            let r = SignedRequest::read(method, path_and_query, nonce, timestamp)?;
            signer
                .inner
                .signature_inline(r.method, r.path_and_query, r.nonce, r.timestamp)
        })
    }
}

/// Frees a Kingdee signer and wipes its key from memory. Accepts NULL.
/// Must come after every other call on that signer has returned.
#[no_mangle]
pub unsafe extern "C" fn erpauth_kingdee_signer_free(signer: *mut erpauth_kingdee_signer) {
    // SAFETY: a handle from erpauth_kingdee_signer_new or NULL, freed once.
    unsafe { free_handle(signer) }
}

/// Prepares (`appid`, `secret`, `aes_key`) for `erpauth_weaver_signer_sign`:
/// MD5(appid:secret) and the AES key schedule are computed once and the
/// secret itself is not kept. `aes_key` must be 16, 24 or 32 bytes of UTF-8,
/// else `ERPAUTH_INVALID_ARGUMENT`.
///
/// On success `*out_signer` holds a new signer to be freed with
/// `erpauth_weaver_signer_free`; on failure it is set to NULL. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn erpauth_weaver_signer_new(
    appid: *const c_char,
    secret: *const c_char,
    aes_key: *const c_char,
    out_signer: *mut *mut erpauth_weaver_signer,
) -> erpauth_status {
    unsafe {
        new_handle(out_signer, "out_signer", || {
            let inner = weaver::Signer::new(
                str_arg(appid, "appid")?,
                str_arg(secret, "secret")?,
                str_arg(aes_key, "aes_key")?,
            )?;
            Ok(erpauth_weaver_signer { inner })
        })
    }
}

/// The getToken `sign` under the signer's credentials: the same result as
/// `erpauth_weaver_sign` with them. `timestamp_ms > 0` signs that time;
/// `timestamp_ms <= 0` signs the current time, strictly increasing across
/// the whole process (shared with `erpauth_weaver_sign`). Output through the
/// caller-owned buffer (`out`, `out_cap`, `out_len`) as for
/// `erpauth_weaver_sign`. Thread-safe, on the same signer too.
#[no_mangle]
pub unsafe extern "C" fn erpauth_weaver_signer_sign(
    signer: *const erpauth_weaver_signer,
    timestamp_ms: i64,
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
) -> erpauth_status {
    unsafe {
        handle_output(signer, out, out_cap, out_len, |signer| {
            Ok(signer.inner.sign_inline(timestamp_ms))
        })
    }
}

/// Frees a Weaver signer and wipes its key material from memory. Accepts
/// NULL. Must come after every other call on that signer has returned.
#[no_mangle]
pub unsafe extern "C" fn erpauth_weaver_signer_free(signer: *mut erpauth_weaver_signer) {
    // SAFETY: a handle from erpauth_weaver_signer_new or NULL, freed once.
    unsafe { free_handle(signer) }
}
