//! The HTTP side of both clients: one ureq agent per client, answers read
//! with a size cap, and transport failures turned into clear errors.

use super::config::{host_of, HttpOptions, TlsRoots};
use crate::error::{Error, ErrorKind, Result};
use std::io::Read;
use ureq::tls::{Certificate, RootCerts, TlsConfig};

/// Answers larger than this are refused, not buffered.
pub const MAX_BODY_BYTES: u64 = 1 << 20;

/// A received answer: status and body text.
#[derive(Debug)]
pub(crate) struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Answer {
    /// An answer made from its parts, as the fuzz targets and the parsers'
    /// unit tests hand them to the parsers.
    pub(crate) fn new(status: u16, body: impl AsRef<[u8]>) -> Answer {
        Answer {
            status,
            body: body.as_ref().to_vec(),
        }
    }
}

/// A failed exchange, and whether the request may have reached the server
/// (so that a request which could have been applied is never sent again).
#[derive(Debug)]
pub(crate) struct Failure {
    pub error: Error,
    pub maybe_sent: bool,
}

/// `false` only for failures that prove no byte of the request left: the
/// name did not resolve or no connection was made.
fn may_have_been_sent(e: &ureq::Error) -> bool {
    match e {
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => false,
        ureq::Error::Timeout(ureq::Timeout::Resolve | ureq::Timeout::Connect) => false,
        ureq::Error::Io(io) => !matches!(io.kind(), std::io::ErrorKind::ConnectionRefused),
        _ => true,
    }
}

/// An agent bound to one base URL.
pub(crate) struct Http {
    agent: ureq::Agent,
    base_url: String,
    timeout_ms: u128,
    /// Whether the trust anchors are the config's own `ca_file`: the hint
    /// of a certificate failure then cannot be "set ca_file".
    ca_file: bool,
    /// The config's `max_body_bytes`: the largest business-call answer.
    max_body_bytes: u64,
}

/// The proxy of `options`. Only HTTP CONNECT proxies (`http://`,
/// `https://`) are accepted, checked here so that a config with another
/// scheme fails at `*_new` with a clear message rather than at the first
/// request (ureq's SOCKS support is not compiled in, and a SOCKS proxy
/// made it panic).
fn proxy(options: &HttpOptions, what: &str) -> Result<Option<ureq::Proxy>> {
    let Some(url) = options.proxy.as_ref().map(|s| s.expose()) else {
        return Ok(None);
    };
    let usage = "write it as http://host:port or https://host:port (HTTP CONNECT proxies \
                 only; SOCKS is not supported), or \"env\" to use HTTPS_PROXY/HTTP_PROXY";
    let proxy = if url == "env" {
        // Opt-in only: an OA server on the intranet must not be sent to a
        // proxy just because the host process happens to have HTTP_PROXY set.
        match ureq::Proxy::try_from_env() {
            None => return Ok(None),
            Some(p) => p,
        }
    } else {
        let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
        if !lower.starts_with("http://") && !lower.starts_with("https://") {
            let why = if url.contains("://") {
                "has an unsupported scheme"
            } else {
                "is not a usable proxy URL"
            };
            return Err(Error::invalid(format!(
                "{what} config key \"proxy\" {why}; {usage}"
            )));
        }
        ureq::Proxy::new(url).map_err(|_| {
            Error::invalid(format!(
                "{what} config key \"proxy\" is not a usable proxy URL; {usage}"
            ))
        })?
    };
    match proxy.protocol() {
        ureq::ProxyProtocol::Http | ureq::ProxyProtocol::Https => Ok(Some(proxy)),
        _ => Err(Error::invalid(format!(
            "{what} config key \"proxy\" is \"env\", and the environment names a proxy \
             with an unsupported scheme; {usage}"
        ))),
    }
}

impl Http {
    pub fn new(base_url: String, options: &HttpOptions, what: &str) -> Result<Http> {
        let root_certs = match (&options.ca_file, options.tls_roots) {
            (None, TlsRoots::WebPki) => RootCerts::WebPki,
            (None, TlsRoots::System) => RootCerts::Specific(system_roots(what)?),
            // Like curl's --cacert or a Java trust store: the bundle replaces
            // the web roots, so an intranet server's CA is trusted without
            // trusting the public PKI for that server too.
            (Some(path), _) => RootCerts::Specific(std::sync::Arc::new(ca_file_certs(path, what)?)),
        };
        let proxy = proxy(options, what)?;
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(options.timeout))
            // Statuses are interpreted by the callers, who read the body of
            // refusals for the server's own words.
            .http_status_as_error(false)
            // Token endpoints do not redirect; following one would send the
            // signed headers to another place. A 3xx is reported instead.
            .max_redirects(0)
            .proxy(proxy)
            .tls_config(TlsConfig::builder().root_certs(root_certs).build())
            .user_agent(concat!("erpauth/", env!("CARGO_PKG_VERSION")))
            .build()
            .new_agent();
        Ok(Http {
            agent,
            base_url,
            timeout_ms: options.timeout.as_millis(),
            ca_file: options.ca_file.is_some(),
            max_body_bytes: options.max_body_bytes,
        })
    }

    /// The largest business-call answer this client accepts.
    pub fn max_body_bytes(&self) -> u64 {
        self.max_body_bytes
    }

    pub fn host(&self) -> &str {
        host_of(&self.base_url)
    }

    /// Sends a request to `base_url + target` with `headers` and no body
    /// (the token endpoints), reading at most [`MAX_BODY_BYTES`].
    pub fn send(&self, method: &str, target: &str, headers: &[(&str, &str)]) -> Result<Answer> {
        self.exchange(method, target, headers, None, MAX_BODY_BYTES)
            .map_err(|failure| failure.error)
    }

    /// Sends `method base_url + target` with `headers` and, when given, a
    /// body; reads an answer of at most `limit` bytes.
    pub fn exchange(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
        limit: u64,
    ) -> std::result::Result<Answer, Failure> {
        let url = format!("{}{}", self.base_url, target);
        let mut builder = ureq::http::Request::builder().method(method).uri(&url);
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        let result = match body {
            // GET and POST without a body go out exactly as before: no
            // Content-Length on a GET, `Content-Length: 0` on a POST.
            None if method == "POST" => builder.body(&[][..]).map(|r| self.agent.run(r)),
            None => builder.body(()).map(|r| self.agent.run(r)),
            Some(bytes) => builder.body(bytes).map(|r| self.agent.run(r)),
        };
        let result = result.map_err(|_| Failure {
            error: Error::invalid(format!(
                "the request {method} {} cannot be built: check method and path_and_query",
                snippet(target.as_bytes())
            )),
            maybe_sent: false,
        })?;
        let mut response = result.map_err(|e| Failure {
            maybe_sent: may_have_been_sent(&e),
            error: self.transport_error(e),
        })?;
        let status = response.status().as_u16();
        // Room for a typical answer up front: growing by realloc would free
        // blocks holding parts of it (an authorization answer holds a secret).
        let mut body = Vec::with_capacity(8192.min(limit as usize + 1));
        let reader = response.body_mut().with_config().limit(limit).reader();
        // `take` one byte past the cap so an oversized body is detected even
        // if the length limit is reported as a plain I/O error.
        let read = reader.take(limit.saturating_add(1)).read_to_end(&mut body);
        let error = match read {
            Ok(_) if body.len() as u64 > limit => self.too_big(limit),
            Ok(_) => return Ok(Answer { status, body }),
            Err(e) => {
                if let Some(ureq::Error::BodyExceedsLimit(_)) = e
                    .get_ref()
                    .and_then(|inner| inner.downcast_ref::<ureq::Error>())
                {
                    self.too_big(limit)
                } else {
                    self.transport_error(ureq::Error::Io(e))
                }
            }
        };
        // An answer had begun: the request was received.
        Err(Failure {
            error,
            maybe_sent: true,
        })
    }

    fn too_big(&self, limit: u64) -> Error {
        let hint = if limit == MAX_BODY_BYTES {
            "check that base_url points at the token endpoint's server"
        } else {
            "raise max_body_bytes if such answers are expected"
        };
        Error::new(
            ErrorKind::BadResponse,
            format!(
                "the answer from {} is larger than {limit} bytes and was refused; {hint}",
                self.host(),
            ),
        )
    }

    fn transport_error(&self, e: ureq::Error) -> Error {
        let host = self.host();
        let what = match &e {
            ureq::Error::Timeout(_) => format!(
                "no complete answer within timeout_ms = {} (the server may be down, \
                 overloaded or unreachable)",
                self.timeout_ms
            ),
            ureq::Error::HostNotFound => "the host name did not resolve (DNS)".to_owned(),
            ureq::Error::ConnectionFailed => {
                "the connection failed (nothing listening, or a firewall)".to_owned()
            }
            ureq::Error::Io(io) => self.io_failure(io),
            ureq::Error::Rustls(tls) => tls_failure(tls, self.ca_file),
            ureq::Error::Tls(_) | ureq::Error::Pem(_) => format!(
                "TLS failed ({e}); for a server with an internal CA set \"ca_file\", \
                 and use http:// only if the server speaks plain HTTP"
            ),
            ureq::Error::Protocol(_) => format!(
                "the answer is not HTTP ({e}); is this an https:// server behind an http:// base_url?"
            ),
            other => other.to_string(),
        };
        Error::new(
            ErrorKind::Network,
            format!("request to {host} failed: {what}"),
        )
    }
}

impl Http {
    /// ureq reports TLS and DNS failures as I/O errors; they are told apart
    /// here so the message says what to fix.
    fn io_failure(&self, io: &std::io::Error) -> String {
        if let Some(tls) = io.get_ref().and_then(|e| e.downcast_ref::<rustls::Error>()) {
            return tls_failure(tls, self.ca_file);
        }
        if is_dns_failure(io) {
            return format!("the host name did not resolve (DNS): {io}");
        }
        match io.kind() {
            std::io::ErrorKind::ConnectionRefused => {
                "connection refused (nothing listening on that port)".to_owned()
            }
            std::io::ErrorKind::ConnectionReset => "the server reset the connection".to_owned(),
            std::io::ErrorKind::UnexpectedEof => {
                "the server closed the connection before the answer was complete".to_owned()
            }
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
                format!("no complete answer within timeout_ms = {}", self.timeout_ms)
            }
            _ => format!("I/O error: {io}"),
        }
    }
}

/// What went wrong in a TLS handshake, and what to change. `ca_file` says
/// whether the config already names its own trust anchors.
fn tls_failure(tls: &rustls::Error, ca_file: bool) -> String {
    use rustls::CertificateError as C;
    match tls {
        rustls::Error::InvalidCertificate(cert) => {
            let what = match cert {
                // webpki's CaUsedAsEndEntity reaches rustls as `Other`. webpki
                // checks it before it looks for an issuer, so it is what a
                // self-signed `openssl req -x509` certificate gives whatever
                // the trust anchors: the hint depends on whether ca_file is
                // set, and the rustls text ("Other(OtherError(...))") is left
                // out to keep the advice whole within the message cap.
                C::Other(other) if format!("{other:?}").contains("CaUsedAsEndEntity") => {
                    const WHAT: &str = "TLS failed: the server's certificate is a CA \
                        certificate (CA:TRUE, the `openssl req -x509` default) used as a server \
                        certificate, which TLS refuses";
                    const SELF_SIGNED: &str =
                        "remake the self-signed one with `-addext basicConstraints=critical,CA:FALSE`";
                    // The ca_file hint comes early: a long host name in the
                    // prefix must not cut it off at the message cap.
                    return if ca_file {
                        format!(
                            "{WHAT} even when ca_file holds it (CaUsedAsEndEntity); give the \
                             server a leaf certificate with CA:FALSE and its name in \
                             subjectAltName, signed by that CA, or {SELF_SIGNED}"
                        )
                    } else {
                        format!(
                            "{WHAT} (CaUsedAsEndEntity); set \"ca_file\" to a CA's PEM file \
                             and give the server a CA:FALSE leaf certificate with its name in \
                             subjectAltName signed by that CA, or {SELF_SIGNED} and set \
                             \"ca_file\" to it"
                        )
                    };
                }
                C::Expired | C::ExpiredContext { .. } => {
                    return format!(
                        "TLS failed: the server's certificate has expired ({tls}); the \
                         server needs a renewed certificate"
                    )
                }
                C::NotValidYet | C::NotValidYetContext { .. } => {
                    return format!(
                        "TLS failed: the server's certificate is not valid yet ({tls}); \
                         check this machine's clock"
                    )
                }
                C::NotValidForName | C::NotValidForNameContext { .. } => {
                    return format!(
                        "TLS failed: the server's certificate is for another name, not \
                         the host of base_url ({tls}); use a name the certificate holds in \
                         base_url, or give the server a certificate for this host"
                    )
                }
                _ => tls,
            };
            if ca_file {
                format!(
                    "TLS failed: the server's certificate is not trusted ({what}); it is \
                     not signed by a certificate in ca_file: check that ca_file holds the \
                     CA that issued the server's certificate"
                )
            } else {
                format!(
                    "TLS failed: the server's certificate is not trusted ({what}); for a \
                     server with an internal CA set \"ca_file\" to that CA's PEM file"
                )
            }
        }
        rustls::Error::NoCertificatesPresented => {
            format!("TLS failed: the server presented no certificate ({tls})")
        }
        rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => format!(
            "TLS failed: the server does not speak TLS ({tls}); if it is a plain HTTP \
             server, use an http:// base_url"
        ),
        _ => format!("TLS failed ({tls})"),
    }
}

/// Name resolution failures: std's getaddrinfo error on Unix, Winsock's
/// host-not-found codes on Windows.
fn is_dns_failure(io: &std::io::Error) -> bool {
    const WSAHOST_NOT_FOUND: i32 = 11001;
    const WSANO_DATA: i32 = 11004;
    io.to_string()
        .starts_with("failed to lookup address information")
        || (cfg!(windows) && matches!(io.raw_os_error(), Some(WSAHOST_NOT_FOUND | WSANO_DATA)))
}

/// The operating system's trusted roots (the PEM bundle or directory named
/// by `SSL_CERT_FILE`/`SSL_CERT_DIR`, else the distribution's bundle on
/// Linux, the system store on Windows and macOS), loaded once per process.
fn system_roots(what: &str) -> Result<std::sync::Arc<Vec<Certificate<'static>>>> {
    static ROOTS: std::sync::OnceLock<std::sync::Arc<Vec<Certificate<'static>>>> =
        std::sync::OnceLock::new();
    if let Some(roots) = ROOTS.get() {
        return Ok(roots.clone());
    }
    let loaded = rustls_native_certs::load_native_certs();
    if loaded.certs.is_empty() {
        let why = loaded
            .errors
            .first()
            .map(|e| format!(": {e}"))
            .unwrap_or_default();
        return Err(Error::invalid(format!(
            "{what} config key \"tls_roots\" is \"system\", but no trusted root \
             certificate was found in the operating system's store{why}; install the \
             CA certificates package or set SSL_CERT_FILE"
        )));
    }
    let roots = loaded
        .certs
        .iter()
        .map(|der| Certificate::from_der(der.as_ref()).to_owned())
        .collect();
    Ok(ROOTS.get_or_init(|| std::sync::Arc::new(roots)).clone())
}

/// The certificates of the PEM file at `path`.
fn ca_file_certs(path: &str, what: &str) -> Result<Vec<Certificate<'static>>> {
    let pem = std::fs::read(path).map_err(|e| {
        Error::invalid(format!(
            "{what} config key \"ca_file\": cannot read {path}: {e}"
        ))
    })?;
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(ureq::tls::PemItem::Certificate(c)) => certs.push(c),
            Ok(_) => {}
            Err(_) => {
                return Err(Error::invalid(format!(
                    "{what} config key \"ca_file\": {path} is not a valid PEM file"
                )))
            }
        }
    }
    if certs.is_empty() {
        return Err(Error::invalid(format!(
            "{what} config key \"ca_file\": {path} holds no PEM certificate"
        )));
    }
    Ok(certs)
}

/// A non-200 answer that is not a refusal the caller recognized: the status,
/// a hint for a redirect, and a snippet of the body.
pub(crate) fn http_error(answer: &Answer, host: &str) -> Error {
    let hint = if (300..400).contains(&answer.status) {
        " (a redirect: set base_url to the address the server redirects to)"
    } else {
        ""
    };
    let body = snippet(&answer.body);
    Error::new(
        ErrorKind::Http,
        if body.is_empty() {
            format!("{host} answered HTTP {} with no body{hint}", answer.status)
        } else {
            format!("{host} answered HTTP {}{hint}: {body}", answer.status)
        },
    )
}

/// The verdict of an answer that reports its own outcome (`said`:
/// `Some(true)` success, `Some(false)` a refusal, `None` neither): `Ok`, the
/// `refused` error, or, when it says neither, the HTTP error of a non-200
/// status and otherwise `BadResponse` saying what the `what` answer `lacks`.
pub(crate) fn outcome(
    answer: &Answer,
    host: &str,
    what: &str,
    said: Option<bool>,
    lacks: &str,
    refused: impl FnOnce() -> Error,
) -> Result<()> {
    match said {
        Some(true) => Ok(()),
        Some(false) => Err(refused()),
        None if answer.status != 200 => Err(http_error(answer, host)),
        None => Err(Error::new(
            ErrorKind::BadResponse,
            format!(
                "the {what} answer from {host} has {lacks}: {}",
                snippet(&answer.body)
            ),
        )),
    }
}

/// A server's own words for an error message: kept verbatim, except that
/// control characters become spaces (the message is one line, and a server
/// must not be able to forge log lines) and more than 300 characters are cut.
pub(crate) fn server_words(text: &str) -> String {
    let text = &*without_queries(text);
    let mut out: String = text
        .chars()
        .take(300)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().nth(300).is_some() {
        out.push('…');
    }
    out
}

/// `text` with every query string cut out: a server that echoes the request
/// it refused (an error page quoting the URL) would otherwise put the
/// app-token call's `app_signature` into the message. From a `?` followed
/// by a `name=` up to the next space, quote or angle bracket, `?…` stays.
pub(crate) fn without_queries(text: &str) -> std::borrow::Cow<'_, str> {
    let is_end = |c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`');
    let starts_query = |rest: &str| {
        let name: &str = rest.split(is_end).next().unwrap_or("");
        name.contains('=')
    };
    if !text
        .match_indices('?')
        .any(|(i, _)| starts_query(&text[i + 1..]))
    {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('?') {
        out.push_str(&rest[..=i]);
        let after = &rest[i + 1..];
        if starts_query(after) {
            out.push('…');
            let end = after.find(is_end).unwrap_or(after.len());
            rest = &after[end..];
        } else {
            rest = after;
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// Shortens a body for an error message: valid UTF-8, one line, at most
/// 120 characters.
pub(crate) fn snippet(body: &[u8]) -> String {
    let lossy = String::from_utf8_lossy(body);
    let text = without_queries(&lossy);
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(120)
        .collect();
    if text.chars().count() > 120 {
        format!("{}…", one_line.trim_end())
    } else {
        one_line.trim().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(tls_roots: TlsRoots, ca_file: Option<&str>) -> HttpOptions {
        HttpOptions {
            tls_roots,
            ca_file: ca_file.map(str::to_owned),
            ..HttpOptions::default()
        }
    }

    #[test]
    fn trust_store_options() {
        let url = || "https://example.invalid".to_owned();
        Http::new(url(), &options(TlsRoots::WebPki, None), "Kingdee").unwrap();
        // Debian's ca-certificates bundle is the system store here.
        Http::new(url(), &options(TlsRoots::System, None), "Kingdee").unwrap();
        let bundle = "/etc/ssl/certs/ca-certificates.crt";
        if std::path::Path::new(bundle).exists() {
            Http::new(url(), &options(TlsRoots::WebPki, Some(bundle)), "Kingdee").unwrap();
        }

        let missing = Http::new(
            url(),
            &options(TlsRoots::WebPki, Some("/no/such.pem")),
            "Weaver",
        );
        let err = missing.err().unwrap();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
        assert!(err.message().contains("\"ca_file\""), "{err}");

        let not_pem = std::env::temp_dir().join(format!("erpauth-not-pem-{}", std::process::id()));
        std::fs::write(&not_pem, "not a certificate").unwrap();
        let err = Http::new(
            url(),
            &options(TlsRoots::WebPki, not_pem.to_str()),
            "Weaver",
        )
        .err()
        .unwrap();
        std::fs::remove_file(&not_pem).unwrap();
        assert!(err.message().contains("no PEM certificate"), "{err}");
    }

    #[test]
    fn server_words_are_one_line() {
        assert_eq!(server_words("授权密钥校验失败"), "授权密钥校验失败");
        assert_eq!(server_words("a\nb\r\u{7}c\u{1b}[31m"), "a b  c [31m");
        let long = "字".repeat(400);
        assert_eq!(server_words(&long).chars().count(), 301);
    }

    #[test]
    fn quoted_server_text_has_no_query_strings() {
        let echo = "<h1>500</h1><p>GET /jdyconnector/app_management/kingdee_auth_token\
                    ?app_key=abc&app_signature=ZDljMTI3NGIyNTE1MTRkYzlk failed</p>";
        let s = snippet(echo.as_bytes());
        assert!(!s.contains("ZDljMTI3"), "{s}");
        assert!(s.contains("kingdee_auth_token?… failed"), "{s}");
        let w = server_words("bad request \"/x?app_signature=ZDljMTI3\" what? yes?");
        assert_eq!(w, "bad request \"/x?…\" what? yes?");
        assert_eq!(snippet(b"why? because"), "why? because");
    }

    #[test]
    fn certificate_failures_say_what_is_wrong() {
        use rustls::{CertificateError, Error as TlsError, OtherError};
        #[derive(Debug)]
        struct CaUsedAsEndEntity;
        impl std::fmt::Display for CaUsedAsEndEntity {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("CaUsedAsEndEntity")
            }
        }
        impl std::error::Error for CaUsedAsEndEntity {}
        let ca = TlsError::InvalidCertificate(CertificateError::Other(OtherError(
            std::sync::Arc::new(CaUsedAsEndEntity),
        )));
        let m = tls_failure(&ca, true);
        assert!(m.contains("CA:TRUE") && m.contains("CA:FALSE"), "{m}");
        assert!(!m.contains("set \"ca_file\""), "{m}");
        // webpki refuses a CA certificate before it looks for an issuer, so
        // without ca_file the user needs both changes.
        let m = tls_failure(&ca, false);
        assert!(
            m.contains("CA:FALSE") && m.contains("set \"ca_file\""),
            "{m}"
        );
        // The whole advice fits the 512-byte cap after "request to
        // <host:port> failed: " for a host:port of up to 80 characters.
        for ca_file in [true, false] {
            let m = tls_failure(&ca, ca_file);
            assert!(m.len() <= 512 - 21 - 80, "{} bytes: {m}", m.len());
        }
        let unknown = TlsError::InvalidCertificate(CertificateError::UnknownIssuer);
        assert!(tls_failure(&unknown, true).contains("not signed by a certificate in ca_file"));
        assert!(tls_failure(&unknown, false).contains("set \"ca_file\""));
    }

    #[test]
    fn snippets_are_short_single_lines() {
        assert_eq!(snippet(b"a\nb"), "a b");
        let long = "x".repeat(500);
        assert_eq!(snippet(long.as_bytes()).chars().count(), 121);
    }
}
