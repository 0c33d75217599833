//! A small HTTP/1.1 server-side parser and response writer.
//!
//! Hand-written rather than a framework so the emulator owns the socket and
//! can misbehave at the byte level (see `faults`). It handles what real
//! clients send: keep-alive, `Content-Length` and chunked bodies, and
//! `Expect: 100-continue` (.NET Framework sends it on every POST).

use std::io::{self, BufRead, Read, Write};

/// Largest request line or header line accepted.
const MAX_LINE: u64 = 16 * 1024;
/// Largest header block accepted.
const MAX_HEADERS: usize = 100;
/// Largest request body accepted.
const MAX_BODY: usize = 8 * 1024 * 1024;

/// One parsed request.
#[derive(Clone, Debug)]
pub struct Request {
    /// As sent (`GET`, `POST`, ...).
    pub method: String,
    /// The request target as sent: `/path?query`.
    pub target: String,
    /// `true` for HTTP/1.0.
    pub http10: bool,
    /// Header names and values in order (names as sent).
    pub headers: Vec<(String, String)>,
    /// The body (chunked bodies already decoded).
    pub body: Vec<u8>,
}

impl Request {
    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether the connection may stay open after the answer.
    pub fn keep_alive(&self) -> bool {
        let tokens = |v: &str, t: &str| v.split(',').any(|x| x.trim().eq_ignore_ascii_case(t));
        let conn = self.header("Connection").unwrap_or("");
        if self.http10 {
            tokens(conn, "keep-alive")
        } else {
            !tokens(conn, "close")
        }
    }

    /// The path part of the target (before `?`), still encoded.
    pub fn raw_path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    /// The query part of the target (after the first `?`), still encoded.
    pub fn raw_query(&self) -> Option<&str> {
        self.target.split_once('?').map(|(_, q)| q)
    }
}

/// Why a request could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// The socket failed or closed in the middle of a request.
    Disconnected,
    /// The bytes are not an HTTP/1.x request; answer with this status and
    /// message, then close.
    Malformed(u16, String),
}

impl From<io::Error> for ReadError {
    fn from(_: io::Error) -> Self {
        ReadError::Disconnected
    }
}

fn malformed(msg: impl Into<String>) -> ReadError {
    ReadError::Malformed(400, msg.into())
}

/// Reads one line ending in `\n` (without the line end), at most `MAX_LINE`
/// bytes. `Ok(None)` on EOF before the first byte.
fn read_line<R: BufRead>(reader: &mut R) -> Result<Option<String>, ReadError> {
    let mut buf = Vec::new();
    let n = reader
        .by_ref()
        .take(MAX_LINE + 1)
        .read_until(b'\n', &mut buf)?;
    if n == 0 {
        return Ok(None);
    }
    if buf.last() != Some(&b'\n') {
        if buf.len() as u64 > MAX_LINE {
            return Err(ReadError::Malformed(431, "line too long".into()));
        }
        return Err(ReadError::Disconnected);
    }
    buf.pop();
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    // Header values are ASCII in practice; anything else is kept readable
    // rather than refused, as Java servers do with ISO-8859-1.
    Ok(Some(String::from_utf8_lossy(&buf).into_owned()))
}

/// Reads the next request. `Ok(None)` when the client closed the connection
/// cleanly between requests. `continue_writer` receives `100 Continue` when
/// the client asks for it.
pub fn read_request(
    reader: &mut impl BufRead,
    continue_writer: &mut impl Write,
) -> Result<Option<Request>, ReadError> {
    // Tolerate empty lines before a request (RFC 9112 section 2.2).
    let line = loop {
        match read_line(reader)? {
            None => return Ok(None),
            Some(l) if l.is_empty() => continue,
            Some(l) => break l,
        }
    };
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed(format!("bad request line {line:?}")));
    };
    let http10 = match version {
        "HTTP/1.1" => false,
        "HTTP/1.0" => true,
        _ => {
            return Err(ReadError::Malformed(
                505,
                format!("unsupported version {version:?}"),
            ))
        }
    };
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(malformed(format!("bad method {method:?}")));
    }
    if !target.starts_with('/') {
        return Err(malformed(format!(
            "request target must start with '/': {target:?}"
        )));
    }

    let mut headers = Vec::new();
    loop {
        let Some(line) = read_line(reader)? else {
            return Err(ReadError::Disconnected);
        };
        if line.is_empty() {
            break;
        }
        if headers.len() == MAX_HEADERS {
            return Err(ReadError::Malformed(431, "too many headers".into()));
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(malformed(format!("header line without ':': {line:?}")));
        };
        if name.is_empty() || name.bytes().any(|b| b <= b' ' || b == 0x7f) {
            return Err(malformed(format!("bad header name {name:?}")));
        }
        headers.push((name.to_owned(), value.trim_matches([' ', '\t']).to_owned()));
    }

    let mut request = Request {
        method: method.to_owned(),
        target: target.to_owned(),
        http10,
        headers,
        body: Vec::new(),
    };

    let chunked = request
        .header("Transfer-Encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    let length = match request.header("Content-Length") {
        Some(v) => Some(
            v.parse::<usize>()
                .map_err(|_| malformed(format!("bad Content-Length {v:?}")))?,
        ),
        None => None,
    };
    let has_body = chunked || length.is_some_and(|n| n > 0);
    if has_body
        && request
            .header("Expect")
            .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
    {
        continue_writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        continue_writer.flush()?;
    }
    if chunked {
        request.body = read_chunked(reader)?;
    } else if let Some(n) = length {
        if n > MAX_BODY {
            return Err(ReadError::Malformed(
                413,
                format!("body of {n} bytes is too large"),
            ));
        }
        let mut body = vec![0; n];
        reader.read_exact(&mut body)?;
        request.body = body;
    }
    Ok(Some(request))
}

fn read_chunked(reader: &mut impl BufRead) -> Result<Vec<u8>, ReadError> {
    let mut body = Vec::new();
    loop {
        let line = read_line(reader)?.ok_or(ReadError::Disconnected)?;
        let size_text = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| malformed(format!("bad chunk size {size_text:?}")))?;
        if size == 0 {
            // Trailers, up to the empty line.
            loop {
                match read_line(reader)? {
                    Some(l) if l.is_empty() => return Ok(body),
                    Some(_) => continue,
                    None => return Err(ReadError::Disconnected),
                }
            }
        }
        if body.len() + size > MAX_BODY {
            return Err(ReadError::Malformed(
                413,
                "chunked body is too large".into(),
            ));
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..])?;
        let mut crlf = [0u8; 2];
        reader.read_exact(&mut crlf)?;
        if &crlf != b"\r\n" {
            return Err(malformed("chunk data not followed by CRLF"));
        }
    }
}

/// A complete answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Extra headers (`Content-Length`, `Connection` and `Set-Cookie` are
    /// added when written).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// An answer with a JSON body.
    pub fn json(status: u16, body: String) -> Response {
        Response {
            status,
            headers: vec![(
                "Content-Type".into(),
                "application/json;charset=UTF-8".into(),
            )],
            body: body.into_bytes(),
        }
    }

    /// An answer with any body bytes.
    pub fn bytes(status: u16, content_type: &str, body: Vec<u8>) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body,
        }
    }

    /// An answer with a plain-text or HTML body.
    pub fn text(status: u16, content_type: &str, body: &str) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.as_bytes().to_vec(),
        }
    }

    /// The header block (status line to the empty line) for a body of
    /// `content_length` bytes.
    pub fn head_bytes(
        &self,
        content_length: usize,
        keep_alive: bool,
        cookie: Option<&str>,
    ) -> Vec<u8> {
        let mut out = format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        out.push_str("Server: erpauth-emulator\r\n");
        for (name, value) in &self.headers {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
        if let Some(cookie) = cookie {
            out.push_str(&format!(
                "Set-Cookie: JSESSIONID={cookie}; Path=/; HttpOnly\r\n"
            ));
        }
        out.push_str(&format!("Content-Length: {content_length}\r\n"));
        out.push_str(if keep_alive {
            "Connection: keep-alive\r\n\r\n"
        } else {
            "Connection: close\r\n\r\n"
        });
        out.into_bytes()
    }

    /// The whole answer as bytes.
    pub fn to_bytes(&self, keep_alive: bool, cookie: Option<&str>) -> Vec<u8> {
        let mut out = self.head_bytes(self.body.len(), keep_alive, cookie);
        out.extend_from_slice(&self.body);
        out
    }
}

/// Reason phrases of the statuses the emulator sends.
pub fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        302 => "Found",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Payload Too Large",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        505 => "HTTP Version Not Supported",
        519 => "Gateway Refused",
        _ => "Unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(bytes: &[u8]) -> (Result<Option<Request>, ReadError>, Vec<u8>) {
        let mut reader = io::BufReader::new(bytes);
        let mut written = Vec::new();
        (read_request(&mut reader, &mut written), written)
    }

    #[test]
    fn two_requests_on_one_connection() {
        let wire = b"GET /a?x=1 HTTP/1.1\r\nHost: h\r\nX-Y:  v \r\n\r\n\
                     POST /b HTTP/1.1\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
        let mut reader = io::BufReader::new(&wire[..]);
        let mut sink = Vec::new();
        let a = read_request(&mut reader, &mut sink).unwrap().unwrap();
        assert_eq!(
            (a.method.as_str(), a.raw_path(), a.raw_query()),
            ("GET", "/a", Some("x=1"))
        );
        assert_eq!(a.header("x-y"), Some("v"));
        assert!(a.keep_alive());
        let b = read_request(&mut reader, &mut sink).unwrap().unwrap();
        assert_eq!(b.body, b"{}");
        assert!(!b.keep_alive());
        assert!(read_request(&mut reader, &mut sink).unwrap().is_none());
        assert!(sink.is_empty());
    }

    #[test]
    fn chunked_body_and_expect_continue() {
        let wire =
            b"POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n\
                     3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nTrailer: x\r\n\r\n";
        let (req, written) = parse(wire);
        assert_eq!(req.unwrap().unwrap().body, b"abcde");
        assert_eq!(written, b"HTTP/1.1 100 Continue\r\n\r\n");
    }

    #[test]
    fn http10_closes_unless_keep_alive() {
        let (req, _) = parse(b"GET / HTTP/1.0\r\n\r\n");
        assert!(!req.unwrap().unwrap().keep_alive());
        let (req, _) = parse(b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
        assert!(req.unwrap().unwrap().keep_alive());
    }

    #[test]
    fn malformed_requests() {
        for wire in [
            &b"GET /\r\n\r\n"[..],
            b"get / HTTP/1.1\r\n\r\n",
            b"GET http://x/ HTTP/1.1\r\n\r\n",
            b"GET / HTTP/1.1\r\nNoColon\r\n\r\n",
            b"POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n",
        ] {
            assert!(
                matches!(parse(wire).0, Err(ReadError::Malformed(400, _))),
                "{wire:?}"
            );
        }
        assert!(matches!(
            parse(b"GET / HTTP/2.0\r\n\r\n").0,
            Err(ReadError::Malformed(505, _))
        ));
        assert!(matches!(
            parse(b"GET / HTTP/1.1\r\nHost: x").0,
            Err(ReadError::Disconnected)
        ));
        let long = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(20_000));
        assert!(matches!(
            parse(long.as_bytes()).0,
            Err(ReadError::Malformed(431, _))
        ));
    }

    #[test]
    fn response_bytes() {
        let r = Response::json(519, r#"{"code":4008}"#.into());
        let text = String::from_utf8(r.to_bytes(true, Some("abc"))).unwrap();
        assert!(
            text.starts_with("HTTP/1.1 519 Gateway Refused\r\n"),
            "{text}"
        );
        assert!(text.contains("Set-Cookie: JSESSIONID=abc; Path=/; HttpOnly\r\n"));
        assert!(
            text.ends_with("Content-Length: 13\r\nConnection: keep-alive\r\n\r\n{\"code\":4008}")
        );
    }
}
