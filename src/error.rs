//! The one error type of the crate.
//!
//! Messages are written for the integration engineer who reads them: they say
//! what was wrong and what to change. They never contain a secret: callers
//! build them from argument *names*, lengths and server answers only.

use std::fmt;

/// What kind of failure an [`Error`] is. Each kind maps to one status of the
/// C ABI (see `erpauth_status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The caller passed something unusable: a missing or malformed value, a
    /// key of the wrong length, a bad config.
    InvalidArgument,
    /// DNS, connect, TLS, I/O or a timeout.
    Network,
    /// The server answered with an unexpected HTTP status and no usable body.
    Http,
    /// The server answered and refused; the message holds its own words.
    Rejected,
    /// The server's answer was not of the documented shape.
    BadResponse,
    /// A bug in erpauth (a caught panic included).
    Internal,
}

/// An error with a kind and a one-line message that is safe to log.
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

impl Error {
    /// An error of `kind` with `message`. The message must not contain secrets.
    ///
    /// Whatever the caller built, the stored message is one short line:
    /// control characters are escaped (`\n`, `\u{1b}`) so nothing can forge a
    /// second line in a host's log, and it is cut at a character boundary to
    /// at most [`MAX_MESSAGE_BYTES`] bytes (an ellipsis marks the cut).
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        let message = one_short_line(message.into());
        message_log::record(kind, &message);
        Error { kind, message }
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidArgument, message)
    }

    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The one-line message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Error({:?}: {})", self.kind, self.message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// The longest error message, in bytes of UTF-8: `erpauth_last_error` never
/// needs a buffer of more than this plus one for the NUL.
pub const MAX_MESSAGE_BYTES: usize = 512;

/// `message` with control characters escaped, cut to [`MAX_MESSAGE_BYTES`].
fn one_short_line(message: String) -> String {
    if message.len() <= MAX_MESSAGE_BYTES && !message.chars().any(char::is_control) {
        return message;
    }
    const ELLIPSIS: &str = "…";
    let limit = MAX_MESSAGE_BYTES - ELLIPSIS.len();
    let mut out = String::with_capacity(MAX_MESSAGE_BYTES);
    let mut cut = false;
    for c in message.chars() {
        let start = out.len();
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
        if out.len() > limit {
            out.truncate(start);
            cut = true;
            break;
        }
    }
    if cut {
        out.push_str(ELLIPSIS);
    }
    out
}

/// Shorthand for results of this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// A test aid compiled in only when the library is *built* with
/// `ERPAUTH_TEST_MESSAGE_LOG=/path` in the environment, as the test command
/// (`scripts/test-all.sh`) builds it: then every error message the library
/// makes is appended to that file, one per line, and the last suite checks
/// that no test secret appears in any message. A library built without it
/// (every release build) has no trace of it: it reads no environment
/// variable and cannot be made to write anywhere.
mod message_log {
    use super::ErrorKind;
    use std::fs::{File, OpenOptions};
    use std::io::Write;
    use std::sync::{Mutex, OnceLock};

    /// The path, fixed when the library was compiled (cargo rebuilds when
    /// the variable changes).
    const PATH: Option<&str> = option_env!("ERPAUTH_TEST_MESSAGE_LOG");

    static LOG: OnceLock<Option<Mutex<File>>> = OnceLock::new();

    pub(super) fn record(kind: ErrorKind, message: &str) {
        let Some(path) = PATH else { return };
        let log = LOG.get_or_init(|| {
            let file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .ok()?;
            Some(Mutex::new(file))
        });
        if let Some(file) = log {
            let line = format!("{kind:?}\t{}\n", message.replace('\n', " "));
            if let Ok(mut file) = file.lock() {
                // One write per line, so lines from many processes do not interleave.
                let _ = file.write_all(line.as_bytes());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_one_short_line() {
        let long = Error::new(ErrorKind::InvalidArgument, "k".repeat(10 << 20));
        assert!(
            long.message().len() <= MAX_MESSAGE_BYTES,
            "{}",
            long.message().len()
        );
        assert!(long.message().ends_with('…'));

        let wide = Error::new(ErrorKind::BadResponse, "字".repeat(1000));
        assert!(wide.message().len() <= MAX_MESSAGE_BYTES);
        assert!(wide.message().starts_with("字字"));

        let two = Error::new(
            ErrorKind::InvalidArgument,
            "ca_file: /tmp/a\nb\r\u{1b}[31m\0",
        );
        assert_eq!(two.message(), "ca_file: /tmp/a\\nb\\r\\u{1b}[31m\\u{0}");
        assert!(!two.message().chars().any(char::is_control));

        // Escapes are never cut in half.
        for n in 490..512 {
            let m = Error::new(
                ErrorKind::Http,
                format!("{}{}", "a".repeat(n), "\n".repeat(20)),
            );
            assert!(m.message().len() <= MAX_MESSAGE_BYTES);
            let body = m.message().trim_end_matches('…');
            assert!(!body.ends_with('\\') && !body.ends_with("\\u{"), "{body}");
        }
    }
}
