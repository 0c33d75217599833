//! The canonical form of a request's path and parameters, as the string to
//! sign holds them: the gateway's two encodings fused into single passes
//! (runs of bytes that stay as they are found 16 at a time, SSE2 on x86_64
//! and a table elsewhere, and copied in one go), and the parameter order.
//!
//! What each fused encoder writes, byte by byte, follows from applying the
//! two encoders of the spec one after the other:
//!
//! | decoded byte            | gw(gw(name)) | gw(java(value)) |
//! |-------------------------|--------------|-----------------|
//! | `A-Z a-z 0-9 . - _`     | itself       | itself          |
//! | `~`                     | itself       | `%257E`         |
//! | `*`                     | `%252A`      | `%2A`           |
//! | space                   | `%2B`        | `%2B`           |
//! | any other byte `b`      | `%25` HEX(b) | `%25` HEX(b)    |

use std::cmp::Ordering;

use crate::hex_digits;

/// `A-Z a-z 0-9 . - _`, plus `~` when `tilde` is set.
#[inline]
fn is_kept(b: u8, tilde: bool) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') || (tilde && b == b'~')
}

/// The length of the run at the start of `input` of bytes [`is_kept`].
#[inline]
fn kept_run(input: &[u8], tilde: bool) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: SSE2 is part of the x86_64 baseline.
        unsafe { kept_run_sse2(input, tilde) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        input.iter().take_while(|&&b| is_kept(b, tilde)).count()
    }
}

#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "sse2")]
fn kept_run_sse2(input: &[u8], tilde: bool) -> usize {
    use std::arch::x86_64::*;
    let splat = |b: u8| _mm_set1_epi8(b as i8);
    let mut i = 0;
    while i + 16 <= input.len() {
        // SAFETY: i + 16 <= len, and loadu takes unaligned addresses.
        let v = unsafe { _mm_loadu_si128(input.as_ptr().add(i).cast()) };
        // Signed compares: bytes >= 0x80 are negative and match no range.
        let digit = _mm_and_si128(
            _mm_cmpgt_epi8(v, splat(b'0' - 1)),
            _mm_cmplt_epi8(v, splat(b'9' + 1)),
        );
        // Setting bit 5 folds A-Z onto a-z and maps no other byte into a-z.
        let folded = _mm_or_si128(v, splat(0x20));
        let letter = _mm_and_si128(
            _mm_cmpgt_epi8(folded, splat(b'a' - 1)),
            _mm_cmplt_epi8(folded, splat(b'z' + 1)),
        );
        let mut punct = _mm_or_si128(
            _mm_or_si128(
                _mm_cmpeq_epi8(v, splat(b'.')),
                _mm_cmpeq_epi8(v, splat(b'-')),
            ),
            _mm_cmpeq_epi8(v, splat(b'_')),
        );
        if tilde {
            punct = _mm_or_si128(punct, _mm_cmpeq_epi8(v, splat(b'~')));
        }
        let kept = _mm_or_si128(_mm_or_si128(digit, letter), punct);
        let mask = _mm_movemask_epi8(kept) as u32;
        if mask != 0xFFFF {
            return i + mask.trailing_ones() as usize;
        }
        i += 16;
    }
    i + input[i..]
        .iter()
        .take_while(|&&b| is_kept(b, tilde))
        .count()
}

/// Sorts parameters as the official client does. Queries have a handful of
/// parameters, for which an insertion sort beats the general one.
pub(crate) fn sort_params<'a, T>(params: &mut [T], key: impl Fn(&T) -> (&'a [u8], &'a [u8])) {
    for i in 1..params.len() {
        let mut j = i;
        while j > 0 && cmp_params(key(&params[j - 1]), key(&params[j])) == Ordering::Greater {
            params.swap(j - 1, j);
            j -= 1;
        }
        if params.len() > 32 && i == 32 {
            // Long queries: hand the rest to the general sort.
            params.sort_unstable_by(|a, b| cmp_params(key(a), key(b)));
            return;
        }
    }
}

#[inline]
fn push_escape(out: &mut Vec<u8>, prefix: &[u8], b: u8) {
    out.extend_from_slice(prefix);
    out.extend_from_slice(&hex_digits::pair(hex_digits::UPPER, b));
}

/// Appends `input` encoded with runs of kept bytes copied whole and every
/// other byte written by `other`.
#[inline]
fn encode_runs(out: &mut Vec<u8>, input: &[u8], tilde: bool, other: impl Fn(&mut Vec<u8>, u8)) {
    out.reserve(input.len() + 16);
    let mut i = 0;
    while i < input.len() {
        let run = kept_run(&input[i..], tilde);
        out.extend_from_slice(&input[i..i + run]);
        i += run;
        if let Some(&b) = input.get(i) {
            other(out, b);
            i += 1;
        }
    }
}

/// `gw_encode(path)`.
pub(crate) fn gw(out: &mut Vec<u8>, input: &[u8]) {
    encode_runs(out, input, true, |out, b| match b {
        b' ' => out.push(b'+'),
        _ => push_escape(out, b"%", b),
    });
}

/// `gw_encode(gw_encode(name))`.
pub(crate) fn gw_gw(out: &mut Vec<u8>, input: &[u8]) {
    encode_runs(out, input, true, |out, b| match b {
        b' ' => out.extend_from_slice(b"%2B"),
        _ => push_escape(out, b"%25", b),
    });
}

/// `gw_encode(java_encode(value))`.
pub(crate) fn gw_java(out: &mut Vec<u8>, input: &[u8]) {
    encode_runs(out, input, false, |out, b| match b {
        b'*' => out.extend_from_slice(b"%2A"),
        b' ' => out.extend_from_slice(b"%2B"),
        _ => push_escape(out, b"%25", b),
    });
}

/// The bytes of `gw_encode(name) + "=" + java_encode(value)`, produced on
/// demand: sorting compares these strings, and two parameters usually differ
/// within their first few bytes, so they are never written out whole.
struct SortKey<'a> {
    name: &'a [u8],
    value: &'a [u8],
    in_value: bool,
    pending: [u8; 2],
    pending_len: u8,
}

impl<'a> SortKey<'a> {
    fn new(name: &'a [u8], value: &'a [u8]) -> Self {
        SortKey {
            name,
            value,
            in_value: false,
            pending: [0; 2],
            pending_len: 0,
        }
    }
}

impl Iterator for SortKey<'_> {
    type Item = u8;

    #[inline]
    fn next(&mut self) -> Option<u8> {
        if self.pending_len > 0 {
            let b = self.pending[2 - self.pending_len as usize];
            self.pending_len -= 1;
            return Some(b);
        }
        let (&b, rest) = if self.in_value {
            self.value.split_first()?
        } else {
            match self.name.split_first() {
                Some(next) => next,
                None => {
                    self.in_value = true;
                    return Some(b'=');
                }
            }
        };
        let kept = if self.in_value {
            is_kept(b, false) || b == b'*'
        } else {
            is_kept(b, true)
        };
        if self.in_value {
            self.value = rest;
        } else {
            self.name = rest;
        }
        if kept {
            return Some(b);
        }
        if b == b' ' {
            return Some(b'+');
        }
        self.pending = hex_digits::pair(hex_digits::UPPER, b);
        self.pending_len = 2;
        Some(b'%')
    }
}

/// Orders two decoded parameters as the official client sorts them.
pub(crate) fn cmp_params(a: (&[u8], &[u8]), b: (&[u8], &[u8])) -> Ordering {
    SortKey::new(a.0, a.1).cmp(SortKey::new(b.0, b.1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kingdee::{gw_encode, java_encode};

    #[test]
    fn fused_encoders_equal_the_composed_ones() {
        let mut all: Vec<u8> = (0u8..128).collect();
        all.extend_from_slice("中文 😀 ~*+=&%/".as_bytes());
        let text = String::from_utf8(all).unwrap();
        // Every length, to cross the 16-byte blocks at every offset.
        for end in 0..=text.len() {
            if !text.is_char_boundary(end) {
                continue;
            }
            let s = &text[..end];
            let mut out = Vec::new();
            gw(&mut out, s.as_bytes());
            assert_eq!(out, gw_encode(s).as_bytes());
            out.clear();
            gw_gw(&mut out, s.as_bytes());
            assert_eq!(out, gw_encode(&gw_encode(s)).as_bytes());
            out.clear();
            gw_java(&mut out, s.as_bytes());
            assert_eq!(out, gw_encode(&java_encode(s)).as_bytes());
            let key: Vec<u8> = SortKey::new(s.as_bytes(), s.as_bytes()).collect();
            assert_eq!(
                key,
                format!("{}={}", gw_encode(s), java_encode(s)).as_bytes()
            );
        }
    }

    #[test]
    fn long_runs() {
        let s = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_~".repeat(5);
        let mut out = Vec::new();
        gw(&mut out, s.as_bytes());
        assert_eq!(out, s.as_bytes());
        out.clear();
        gw_java(&mut out, s.as_bytes());
        assert_eq!(out, gw_encode(&java_encode(&s)).as_bytes());
    }
}
