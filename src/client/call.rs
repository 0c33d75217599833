//! The signed business call, shared by every client: one request with the
//! client's headers, the answer returned whatever its status, and one retry
//! with a new token when the server says the token is invalid.
//!
//! The retry is safe because a token-invalid answer proves the server
//! refused the request before acting on it. Nothing else is ever retried: a
//! transport failure after the request may have left (a timeout while
//! waiting for the answer, a reset mid-answer) is reported, since the server
//! may have applied it.

use super::cache::{Cached, SingleFlightCache};
use super::http::{snippet, Answer, Failure, Http};
use crate::error::{Error, ErrorKind, Result};

/// One business request.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    /// `GET`, `POST`, `PUT`, `DELETE` or `PATCH` (any case; sent upper-case).
    pub method: &'a str,
    /// The request target as sent: `/path?query`, already percent-encoded.
    pub path_and_query: &'a str,
    /// The body, if any.
    pub body: Option<&'a [u8]>,
    /// Its `Content-Type`; `application/json;charset=UTF-8` when a body has none.
    pub content_type: Option<&'a str>,
}

/// The answer of a business call: HTTP status and body bytes, as they came.
#[derive(Clone, PartialEq, Eq)]
pub struct Response {
    /// The HTTP status.
    pub status: u16,
    /// The body, byte for byte (not necessarily UTF-8).
    pub body: Vec<u8>,
}

impl std::fmt::Debug for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("body_len", &self.body.len())
            .finish()
    }
}

impl From<Answer> for Response {
    fn from(answer: Answer) -> Self {
        Response {
            status: answer.status,
            body: answer.body,
        }
    }
}

/// The default `Content-Type` of a body.
pub const DEFAULT_CONTENT_TYPE: &str = "application/json;charset=UTF-8";

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "DELETE", "PATCH"];

impl<'a> Request<'a> {
    /// Checks the method and target; returns the method upper-case.
    pub(crate) fn checked_method(&self) -> Result<&'static str> {
        let method = METHODS
            .iter()
            .find(|m| m.eq_ignore_ascii_case(self.method))
            .ok_or_else(|| {
                Error::invalid(format!(
                    "method must be one of {}; got {:?}",
                    METHODS.join(", "),
                    snippet(self.method.as_bytes())
                ))
            })?;
        let target = self.path_and_query;
        if !target.starts_with('/')
            || target.starts_with("//")
            || target.bytes().any(|b| b <= b' ' || b == 0x7f || b == b'#')
        {
            return Err(Error::invalid(
                "path_and_query must be a request target such as \"/jdy/v2/bd/customer?page=1\": \
                 starting with one '/', percent-encoded, without spaces, control characters or '#'",
            ));
        }
        if let Some(ct) = self.content_type {
            if ct.is_empty() || ct.chars().any(char::is_control) {
                return Err(Error::invalid(
                    "content_type must be a non-empty header value without control characters",
                ));
            }
        }
        Ok(method)
    }

    /// The extra headers of the body: its `Content-Type`.
    pub(crate) fn body_headers(&self) -> Option<(&'static str, &'a str)> {
        self.body.map(|_| {
            (
                "Content-Type",
                self.content_type.unwrap_or(DEFAULT_CONTENT_TYPE),
            )
        })
    }
}

/// Sends `request` with `headers` over `http` and returns the answer (of at
/// most the config's `max_body_bytes`). A failure says whether the request
/// may have been applied.
pub(crate) fn send(
    http: &Http,
    method: &str,
    request: &Request<'_>,
    headers: &[(&str, &str)],
) -> Result<Answer> {
    let mut all: Vec<(&str, &str)> = headers.to_vec();
    if let Some(ct) = request.body_headers() {
        all.push(ct);
    }
    http.exchange(
        method,
        request.path_and_query,
        &all,
        request.body,
        http.max_body_bytes(),
    )
    .map_err(|Failure { error, maybe_sent }| {
        if maybe_sent && error.kind() == ErrorKind::Network {
            Error::new(
                ErrorKind::Network,
                format!(
                    "{}; the request may have reached the server and been applied, \
                     so it was not sent again",
                    error.message()
                ),
            )
        } else {
            error
        }
    })
}

/// The whole business call: takes a token, sends, and on a token-invalid
/// answer drops that token (only if it is still the cached one, so a token
/// another thread just fetched survives), takes a new one and sends once
/// more. The second answer is returned whatever it says.
///
/// `token` yields the cached or fetched token; `send` performs the request
/// with it (signing anew each time, so a retry never repeats a nonce);
/// `token_invalid` reads an answer; `same` tells whether a cached token is
/// the one a request used.
pub(crate) fn with_token_retry<T>(
    cache: &SingleFlightCache<T>,
    token: impl Fn() -> Result<Cached<T>>,
    send: impl Fn(&T) -> Result<Answer>,
    token_invalid: impl Fn(&Answer) -> bool,
    same: impl Fn(&T, &T) -> bool,
) -> Result<Response> {
    let first = token()?;
    let answer = send(&first.value)?;
    if !token_invalid(&answer) {
        return Ok(answer.into());
    }
    cache.invalidate_if(|cached| same(cached, &first.value));
    drop(first);
    let second = token()?;
    Ok(send(&second.value)?.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(method: &str, target: &str) -> Request<'static> {
        Request {
            method: Box::leak(method.to_owned().into_boxed_str()),
            path_and_query: Box::leak(target.to_owned().into_boxed_str()),
            body: None,
            content_type: None,
        }
    }

    #[test]
    fn methods_and_targets_are_checked() {
        assert_eq!(req("get", "/a?b=1").checked_method().unwrap(), "GET");
        assert_eq!(req("PATCH", "/a").checked_method().unwrap(), "PATCH");
        for (m, t) in [
            ("TRACE", "/a"),
            ("GET", "a"),
            ("GET", "//evil.example/a"),
            ("GET", "/a b"),
            ("GET", "/a\r\nX: y"),
            ("GET", "/a#frag"),
        ] {
            let err = req(m, t).checked_method().unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{m} {t}");
        }
        let mut r = req("POST", "/a");
        r.content_type = Some("text/plain\r\nX: y");
        assert!(r.checked_method().is_err());
    }

    #[test]
    fn a_body_gets_a_content_type() {
        let mut r = req("POST", "/a");
        assert_eq!(r.body_headers(), None);
        r.body = Some(b"{}");
        assert_eq!(
            r.body_headers(),
            Some(("Content-Type", DEFAULT_CONTENT_TYPE))
        );
        r.content_type = Some("text/xml");
        assert_eq!(r.body_headers(), Some(("Content-Type", "text/xml")));
    }

    #[test]
    fn debug_shows_no_body() {
        let r = Response {
            status: 200,
            body: b"secret-ish".to_vec(),
        };
        assert_eq!(format!("{r:?}"), "Response { status: 200, body_len: 10 }");
    }
}
