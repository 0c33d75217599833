//! # erpauth
//!
//! Byte-exact request signing and token fetching for the Kingdee API gateway
//! (金蝶精斗云 / 金蝶云星辰) and Weaver e-cology 9 OA (泛微 e9).
//!
//! The protocol logic lives in plain Rust modules ([`kingdee`], [`weaver`]);
//! the `extern "C"` functions in `ffi` only convert arguments and delegate, and
//! `include/erpauth.h` is generated from them (`cargo xtask header`). The
//! layers and what each may import: docs/ARCHITECTURE.md.

#![deny(unsafe_op_in_unsafe_fn)]

pub mod client;
mod clock;
mod error;
pub mod ffi;
mod headers;
mod hex_digits;
#[doc(hidden)]
pub mod hmac_sha256;
pub mod kingdee;
pub mod weaver;
pub mod weaver_rest;

pub use error::{Error, ErrorKind, Result};

/// The crate version, as `erpauth_version()` returns it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
