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

/// Whether a token from a server can go into a header as it is: visible
/// ASCII only. Anything else (a CR/LF that would add a header of the
/// server's choosing, a NUL, text) is refused where it is received.
pub(crate) fn is_header_token(token: &str) -> bool {
    !token.is_empty() && token.bytes().all(|b| (0x21..=0x7e).contains(&b))
}
