//! HTTP header values: the checks that a configured value or a token from a
//! server can go into a header, and the `Name: value\r\n` line. Shared by the
//! signers (`kingdee::sign_headers`) and both token clients.

use crate::error::{Error, Result};

/// `value` can be sent as a header value: non-empty, no control characters.
/// `what` names it in the message.
pub(crate) fn check_header_value(value: &str, what: &str) -> Result<()> {
    if value.is_empty() || value.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err(Error::invalid(format!(
            "{what} must be non-empty and contain no control characters (it is sent as a header)"
        )));
    }
    Ok(())
}

/// Appends `name: value\r\n`.
pub(crate) fn push_header_line(out: &mut String, name: &str, value: &str) {
    out.push_str(name);
    out.push_str(": ");
    out.push_str(value);
    out.push_str("\r\n");
}

/// The longest token, userid or other server-supplied value the clients
/// accept for a header or hand back to the caller. Real ones are a few dozen
/// bytes (a UUID, a hex or Base64 string); the bound keeps a hostile server
/// from filling every header block and cache entry with megabytes.
pub(crate) const MAX_SERVER_VALUE_BYTES: usize = 4096;

/// Whether a token from a server can go into a header as it is: 1 to
/// [`MAX_SERVER_VALUE_BYTES`] bytes of visible ASCII (0x21-0x7E). Anything
/// else (a CR/LF that would add a header of the server's choosing, a NUL
/// that cuts the header block for `strlen` users, spaces, text) is refused
/// where it is received, with a message that does not echo it.
pub(crate) fn is_header_token(token: &str) -> bool {
    !token.is_empty()
        && token.len() <= MAX_SERVER_VALUE_BYTES
        && token.bytes().all(|b| (0x21..=0x7e).contains(&b))
}
