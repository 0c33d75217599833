//! Builds the string to sign straight from a raw request target into
//! reusable buffers: once a thread's buffers have grown, signing allocates
//! nothing. `Target::parse` + `canonical_query` + `string_to_sign_for` are
//! the plain statement of the same rules; tests check the two agree.

use super::encode::{decode_into, gw_encode_bytes_into, java_encode_bytes_into};
use crate::error::{Error, Result};
use std::cell::RefCell;

/// Buffers kept per thread between signatures.
#[derive(Default)]
pub(crate) struct StsBuilder {
    /// One decoded path, name or value at a time.
    decoded: Vec<u8>,
    /// The single-encoded `gw(name)=java(value)` strings, back to back.
    pairs: Vec<u8>,
    /// (start, position of the '=', end) of each string in `pairs`.
    ranges: Vec<(usize, usize, usize)>,
    /// The string to sign.
    out: Vec<u8>,
}

/// Buffers larger than this are dropped after use rather than kept.
const KEEP_CAPACITY: usize = 64 * 1024;

thread_local! {
    static BUILDER: RefCell<StsBuilder> = RefCell::new(StsBuilder::default());
}

/// Runs `f` on the string to sign, built in this thread's buffers.
pub(crate) fn with_string_to_sign<R>(
    method: &str,
    path_and_query: &str,
    nonce: &str,
    timestamp: &str,
    f: impl FnOnce(&[u8]) -> R,
) -> Result<R> {
    BUILDER.with(|cell| {
        let mut fresh;
        let mut borrowed;
        // Re-entry cannot happen through the public API, but a fresh
        // builder keeps it correct if it ever does.
        let builder: &mut StsBuilder = match cell.try_borrow_mut() {
            Ok(b) => {
                borrowed = b;
                &mut borrowed
            }
            Err(_) => {
                fresh = StsBuilder::default();
                &mut fresh
            }
        };
        let result = builder
            .build(method, path_and_query, nonce, timestamp)
            .map(|()| f(&builder.out));
        builder.trim();
        result
    })
}

pub(crate) fn check_method(method: &str) -> Result<()> {
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(Error::invalid(
            "method must be an HTTP method made of letters, e.g. \"GET\" or \"POST\"",
        ));
    }
    Ok(())
}

pub(crate) fn check_digits(value: &str, what: &str) -> Result<()> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid(format!(
            "{what} must be a non-empty string of decimal digits"
        )));
    }
    Ok(())
}

pub(crate) fn check_path(raw_path: &str) -> Result<()> {
    if !raw_path.starts_with('/') {
        return Err(Error::invalid(
            "path_and_query must start with '/': pass only the path and query, \
             not the scheme and host (e.g. \"/jdy/v2/bd/customer?page=1\")",
        ));
    }
    Ok(())
}

impl StsBuilder {
    fn trim(&mut self) {
        for buf in [&mut self.decoded, &mut self.pairs, &mut self.out] {
            if buf.capacity() > KEEP_CAPACITY {
                *buf = Vec::new();
            }
        }
        if self.ranges.capacity() > KEEP_CAPACITY / 24 {
            self.ranges = Vec::new();
        }
    }

    fn build(&mut self, method: &str, path_and_query: &str, nonce: &str, ts: &str) -> Result<()> {
        check_method(method)?;
        check_digits(nonce, "nonce")?;
        check_digits(ts, "timestamp")?;
        let (raw_path, raw_query) = match path_and_query.split_once('?') {
            Some((p, q)) => (p, q),
            None => (path_and_query, ""),
        };
        check_path(raw_path)?;

        let out = &mut self.out;
        out.clear();
        out.extend(method.bytes().map(|b| b.to_ascii_uppercase()));
        out.push(b'\n');
        decode_into(&mut self.decoded, raw_path.as_bytes(), false, "path")?;
        gw_encode_bytes_into(out, &self.decoded);
        out.push(b'\n');

        self.pairs.clear();
        self.ranges.clear();
        for piece in raw_query.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = piece.split_once('=').unwrap_or((piece, ""));
            let start = self.pairs.len();
            decode_into(&mut self.decoded, name.as_bytes(), true, "query")?;
            gw_encode_bytes_into(&mut self.pairs, &self.decoded);
            let eq = self.pairs.len();
            self.pairs.push(b'=');
            decode_into(&mut self.decoded, value.as_bytes(), true, "query")?;
            java_encode_bytes_into(&mut self.pairs, &self.decoded);
            self.ranges.push((start, eq, self.pairs.len()));
        }
        let pairs = &self.pairs;
        self.ranges
            .sort_unstable_by(|a, b| pairs[a.0..a.2].cmp(&pairs[b.0..b.2]));
        for (i, &(start, eq, end)) in self.ranges.iter().enumerate() {
            if i > 0 {
                out.push(b'&');
            }
            gw_encode_bytes_into(out, &pairs[start..eq]);
            out.push(b'=');
            gw_encode_bytes_into(out, &pairs[eq + 1..end]);
        }

        out.extend_from_slice(b"\nx-api-nonce:");
        out.extend_from_slice(nonce.as_bytes());
        out.extend_from_slice(b"\nx-api-timestamp:");
        out.extend_from_slice(ts.as_bytes());
        out.push(b'\n');
        Ok(())
    }
}
