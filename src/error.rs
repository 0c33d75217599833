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
        Error {
            kind,
            message: message.into(),
        }
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
