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
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        let message = message.into();
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

/// Shorthand for results of this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// With `ERPAUTH_TEST_MESSAGE_LOG=/path` in the environment, every error
/// message the library makes is appended to that file, one per line. The
/// test command sets it for every suite (Rust, C, Python, Java, C#) and then
/// checks that no test secret appears in any message. Messages never carry
/// secrets by construction, so the file is no leak in itself.
mod message_log {
    use super::ErrorKind;
    use std::fs::{File, OpenOptions};
    use std::io::Write;
    use std::sync::{Mutex, OnceLock};

    static LOG: OnceLock<Option<Mutex<File>>> = OnceLock::new();

    pub(super) fn record(kind: ErrorKind, message: &str) {
        let log = LOG.get_or_init(|| {
            let path = std::env::var_os("ERPAUTH_TEST_MESSAGE_LOG")?;
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
