//! The percent-encoders and decoder of the Kingdee gateway.
//!
//! Both encoders work on UTF-8 bytes, write `%XX` with upper-case hex and turn
//! a space into `+`. They differ only in the punctuation they leave alone:
//! `java_encode` is `java.net.URLEncoder` (keeps `* . - _`), `gw_encode` is
//! the gateway's own encoder (keeps `. - _ ~`).

use crate::error::{Error, Result};

use crate::hex_digits;

/// Bit set of the bytes an encoder leaves as they are.
struct Keep([bool; 256]);

const fn keep_set(extra: &[u8]) -> Keep {
    let mut set = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        set[b] = c.is_ascii_alphanumeric();
        b += 1;
    }
    let mut i = 0;
    while i < extra.len() {
        set[extra[i] as usize] = true;
        i += 1;
    }
    Keep(set)
}

static JAVA_KEEP: Keep = keep_set(b".-*_");
static GW_KEEP: Keep = keep_set(b".-_~");

/// Appends the encoding of `input` to `out`. Runs of bytes that stay as they
/// are are copied in one go, which is most of a typical query.
fn encode_bytes_into(out: &mut Vec<u8>, input: &[u8], keep: &Keep) {
    out.reserve(input.len() + input.len() / 2);
    let mut run_start = 0;
    for (i, &b) in input.iter().enumerate() {
        if keep.0[b as usize] {
            continue;
        }
        out.extend_from_slice(&input[run_start..i]);
        run_start = i + 1;
        if b == b' ' {
            out.push(b'+');
        } else {
            out.push(b'%');
            out.extend_from_slice(&hex_digits::pair(hex_digits::UPPER, b));
        }
    }
    out.extend_from_slice(&input[run_start..]);
}

fn encode_into(out: &mut String, input: &str, keep: &Keep) {
    // SAFETY: the encoders append only ASCII, so `out` stays UTF-8.
    encode_bytes_into(unsafe { out.as_mut_vec() }, input.as_bytes(), keep);
}

/// `java.net.URLEncoder.encode(input, "UTF-8")`: keeps `A-Z a-z 0-9 . - * _`.
pub fn java_encode(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    encode_into(&mut out, input, &JAVA_KEEP);
    out
}

/// The gateway's encoder: keeps `A-Z a-z 0-9 . - _ ~`.
pub fn gw_encode(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    encode_into(&mut out, input, &GW_KEEP);
    out
}

pub(crate) fn gw_encode_into(out: &mut String, input: &str) {
    encode_into(out, input, &GW_KEEP);
}

pub(crate) fn java_encode_into(out: &mut String, input: &str) {
    encode_into(out, input, &JAVA_KEEP);
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes `%XX` escapes (and, when `plus_is_space`, `+` as a space) and
/// checks that the result is UTF-8. `what` names the part in error messages.
pub fn percent_decode(input: &str, plus_is_space: bool, what: &str) -> Result<String> {
    let mut out = Vec::with_capacity(input.len());
    decode_into(&mut out, input.as_bytes(), plus_is_space, what)?;
    // SAFETY: decode_into checked that `out` is UTF-8.
    Ok(unsafe { String::from_utf8_unchecked(out) })
}

/// Replaces the contents of `out` with the decoding of `input` (which must
/// come from a `&str`), checked to be UTF-8.
pub(crate) fn decode_into(
    out: &mut Vec<u8>,
    input: &[u8],
    plus_is_space: bool,
    what: &str,
) -> Result<()> {
    out.clear();
    decode_append(out, input, plus_is_space, what)
}

/// Appends the decoding of `input` (which must come from a `&str`) to `out`,
/// checked to be UTF-8. Bytes between escapes are copied in runs.
pub(crate) fn decode_append(
    out: &mut Vec<u8>,
    input: &[u8],
    plus_is_space: bool,
    what: &str,
) -> Result<()> {
    // Without plus_is_space, '+' is searched for but copied as it is.
    let plus = if plus_is_space { b'+' } else { b'%' };
    let find_special = |bytes: &[u8]| memchr::memchr2(b'%', plus, bytes);
    let Some(first) = find_special(input) else {
        // Unchanged bytes of a &str are UTF-8 already.
        out.extend_from_slice(input);
        return Ok(());
    };
    let start = out.len();
    out.extend_from_slice(&input[..first]);
    let mut i = first;
    let mut escaped_non_ascii = false;
    while i < input.len() {
        match input[i] {
            b'%' => {
                let hi = input.get(i + 1).copied().and_then(hex_value);
                let lo = input.get(i + 2).copied().and_then(hex_value);
                let (Some(hi), Some(lo)) = (hi, lo) else {
                    let end = (i + 3).min(input.len());
                    // Escaped, so a control character in the input cannot
                    // break the one-line message.
                    let shown = String::from_utf8_lossy(&input[i..end])
                        .escape_debug()
                        .to_string();
                    return Err(Error::invalid(format!(
                        "malformed percent escape \"{shown}\" at byte {i} of the {what}: \
                         a '%' must be followed by two hex digits (write a literal '%' as %25)"
                    )));
                };
                let b = hi << 4 | lo;
                escaped_non_ascii |= b >= 0x80;
                out.push(b);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                let run = find_special(&input[i..]).unwrap_or(input.len() - i);
                out.extend_from_slice(&input[i..i + run]);
                i += run;
            }
        }
    }
    // Only escapes can produce bytes that are not UTF-8.
    if escaped_non_ascii {
        if let Err(e) = std::str::from_utf8(&out[start..]) {
            return Err(Error::invalid(format!(
                "the {what} decodes to bytes that are not UTF-8 (at decoded byte {}): \
                 percent escapes must encode UTF-8 text",
                e.valid_up_to()
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoders_differ_only_in_star_and_tilde() {
        assert_eq!(java_encode("a*b~c d"), "a*b%7Ec+d");
        assert_eq!(gw_encode("a*b~c d"), "a%2Ab~c+d");
        assert_eq!(gw_encode("/x/y"), "%2Fx%2Fy");
        assert_eq!(java_encode("中"), "%E4%B8%AD");
        assert_eq!(gw_encode("=&%+"), "%3D%26%25%2B");
        assert_eq!(gw_encode(""), "");
    }

    #[test]
    fn decode_handles_plus_and_escapes() {
        assert_eq!(
            percent_decode("%E4%B8%AD+x", true, "query").unwrap(),
            "中 x"
        );
        assert_eq!(percent_decode("a+b", false, "path").unwrap(), "a+b");
        assert_eq!(percent_decode("%2f%2F", false, "path").unwrap(), "//");
    }

    #[test]
    fn decode_rejects_bad_escapes_and_bad_utf8() {
        for bad in ["%", "%4", "%G0", "a%zz"] {
            let err = percent_decode(bad, true, "query").unwrap_err();
            assert!(err.message().contains("malformed percent escape"), "{err}");
        }
        let err = percent_decode("%FF", true, "query").unwrap_err();
        assert!(err.message().contains("not UTF-8"), "{err}");
    }
}
