//! Builds the string to sign straight from a raw request target into
//! reusable buffers: once a thread's buffers have grown, signing allocates
//! nothing. `Target::parse` + `canonical_query` + `string_to_sign_for` in
//! [`super::reference`] are the plain statement of the same rules; tests
//! check the two agree.

use super::canonical;
use super::encode::decode_append;
use crate::error::{Error, Result};
use std::cell::RefCell;

/// Buffers kept per thread between signatures.
#[derive(Default)]
pub(crate) struct StringToSignBuilder {
    /// The decoded path, names and values, back to back.
    decoded: Vec<u8>,
    /// (name start, name end = value start, value end) of each parameter in
    /// `decoded`.
    params: Vec<(usize, usize, usize)>,
    /// The string to sign.
    out: Vec<u8>,
}

/// Buffers larger than this are dropped after use rather than kept.
const KEEP_CAPACITY: usize = 64 * 1024;

thread_local! {
    static BUILDER: RefCell<StringToSignBuilder> = RefCell::new(StringToSignBuilder::default());
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
        let builder: &mut StringToSignBuilder = match cell.try_borrow_mut() {
            Ok(b) => {
                borrowed = b;
                &mut borrowed
            }
            Err(_) => {
                fresh = StringToSignBuilder::default();
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

pub(crate) fn check_path(raw_path: &[u8]) -> Result<()> {
    if raw_path.first() != Some(&b'/') {
        return Err(Error::invalid(
            "path_and_query must start with '/': pass only the path and query, \
             not the scheme and host (e.g. \"/jdy/v2/bd/customer?page=1\")",
        ));
    }
    Ok(())
}

impl StringToSignBuilder {
    fn trim(&mut self) {
        for buf in [&mut self.decoded, &mut self.out] {
            if buf.capacity() > KEEP_CAPACITY {
                *buf = Vec::new();
            }
        }
        if self.params.capacity() > KEEP_CAPACITY / 24 {
            self.params = Vec::new();
        }
    }

    fn build(&mut self, method: &str, path_and_query: &str, nonce: &str, ts: &str) -> Result<()> {
        check_method(method)?;
        check_digits(nonce, "nonce")?;
        check_digits(ts, "timestamp")?;
        let bytes = path_and_query.as_bytes();
        let (raw_path, raw_query) = match memchr::memchr(b'?', bytes) {
            Some(q) => (&bytes[..q], &bytes[q + 1..]),
            None => (bytes, &b""[..]),
        };
        check_path(raw_path)?;

        let out = &mut self.out;
        out.clear();
        out.extend(method.bytes().map(|b| b.to_ascii_uppercase()));
        out.push(b'\n');
        let decoded = &mut self.decoded;
        decoded.clear();
        decode_append(decoded, raw_path, false, "path")?;
        canonical::gw(out, decoded);
        out.push(b'\n');

        decoded.clear();
        self.params.clear();
        let mut rest = raw_query;
        while !rest.is_empty() {
            let end = memchr::memchr(b'&', rest).unwrap_or(rest.len());
            let piece = &rest[..end];
            rest = rest.get(end + 1..).unwrap_or_default();
            if piece.is_empty() {
                continue;
            }
            let (name, value) = match memchr::memchr(b'=', piece) {
                Some(eq) => (&piece[..eq], &piece[eq + 1..]),
                None => (piece, &b""[..]),
            };
            let start = decoded.len();
            decode_append(decoded, name, true, "query")?;
            let middle = decoded.len();
            decode_append(decoded, value, true, "query")?;
            // The official client (apigwclient 0.1.5, getQueryEncode) leaves
            // a parameter with an empty name out of the string to sign
            // (`if (index < 1) continue;`): `?=v&a=1` signs only `a=1`. The
            // value is still decoded, so a malformed escape is refused alike.
            if middle == start {
                decoded.truncate(start);
                continue;
            }
            self.params.push((start, middle, decoded.len()));
        }
        let decoded = &self.decoded;
        let split = |&(start, middle, end): &(usize, usize, usize)| {
            (&decoded[start..middle], &decoded[middle..end])
        };
        canonical::sort_params(&mut self.params, split);
        for (i, param) in self.params.iter().enumerate() {
            if i > 0 {
                out.push(b'&');
            }
            let (name, value) = split(param);
            canonical::gw_gw(out, name);
            out.push(b'=');
            canonical::gw_java(out, value);
        }

        out.extend_from_slice(b"\nx-api-nonce:");
        out.extend_from_slice(nonce.as_bytes());
        out.extend_from_slice(b"\nx-api-timestamp:");
        out.extend_from_slice(ts.as_bytes());
        out.push(b'\n');
        Ok(())
    }
}
