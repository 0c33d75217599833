//! Client configuration from one JSON object.
//!
//! Parsed by hand rather than with `#[derive(Deserialize)]` so that every
//! error names the key and what it must be, and so that no error ever quotes
//! a value (a serde type error would echo a secret back into the message).

use crate::error::{Error, Result};
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;
use zeroize::Zeroizing;

/// A secret string: zeroized on drop, never shown by `Debug`.
#[derive(Clone)]
pub struct Secret(Zeroizing<String>);

/// Decodes a JSON string literal (already checked by the JSON parser) into
/// a zeroizing buffer sized up front, so it never reallocates and leaves no
/// partial copy. `None` for a malformed literal or a lone surrogate.
fn unescape_json_string(literal: &str) -> Option<Zeroizing<String>> {
    let inner = literal.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = Zeroizing::new(String::with_capacity(inner.len()));
    let mut chars = inner.chars();
    let hex4 = |chars: &mut std::str::Chars<'_>| -> Option<u32> {
        let mut v = 0;
        for _ in 0..4 {
            v = v * 16 + chars.next()?.to_digit(16)?;
        }
        Some(v)
    };
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let decoded = match chars.next()? {
            '"' => '"',
            '\\' => '\\',
            '/' => '/',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'u' => {
                let first = hex4(&mut chars)?;
                let code = if (0xD800..0xDC00).contains(&first) {
                    if chars.next()? != '\\' || chars.next()? != 'u' {
                        return None;
                    }
                    let second = hex4(&mut chars)?;
                    if !(0xDC00..0xE000).contains(&second) {
                        return None;
                    }
                    0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                } else {
                    first
                };
                char::from_u32(code)?
            }
            _ => return None,
        };
        out.push(decoded);
    }
    Some(out)
}

impl Secret {
    /// Wraps `value`.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(Zeroizing::new(value.into()))
    }

    /// The secret itself, for signing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Which roots a TLS connection trusts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TlsRoots {
    /// Mozilla's root certificates, built in (the default).
    #[default]
    WebPki,
    /// The operating system's trust store and verifier.
    System,
}

/// Options shared by both clients: transport, TLS, proxy, timing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpOptions {
    /// Bound on the whole request, connect to last body byte (`timeout_ms`, default 10 000).
    pub timeout: Duration,
    /// `tls_roots`: `"webpki"` (default) or `"system"`.
    pub tls_roots: TlsRoots,
    /// `ca_file`: a PEM bundle of the CAs to trust instead of the web roots
    /// (for on-premise servers with an internal CA), as curl's `--cacert`.
    pub ca_file: Option<String>,
    /// `proxy`: an HTTP proxy URL such as `http://user:pass@proxy:3128`.
    pub proxy: Option<String>,
    /// `refresh_margin_s`: refresh a token this long before it ends, at most
    /// a tenth of its lifetime (default 300).
    pub refresh_margin: Duration,
    /// `max_body_bytes`: the largest business-call answer accepted (default
    /// 10 MiB); a larger one is refused, not buffered.
    pub max_body_bytes: u64,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            timeout: Duration::from_millis(10_000),
            tls_roots: TlsRoots::WebPki,
            ca_file: None,
            proxy: None,
            refresh_margin: Duration::from_secs(300),
            max_body_bytes: 10 << 20,
        }
    }
}

/// The keys every client accepts besides its own.
pub(crate) const HTTP_KEYS: &[&str] = &[
    "timeout_ms",
    "tls_roots",
    "ca_file",
    "proxy",
    "refresh_margin_s",
    "max_body_bytes",
];

/// A JSON object being read key by key.
///
/// The values are kept as borrowed raw JSON text: nothing is copied until a
/// key is read, and a secret is unescaped straight into a zeroizing buffer.
/// So a refused config (unknown key, wrong type, syntax error) leaves no
/// copy of a secret behind in freed memory, and neither does a secret
/// written with JSON escapes (serde_json would unescape it in a scratch
/// buffer it frees without clearing).
pub(crate) struct ConfigObject<'a> {
    map: BTreeMap<&'a str, &'a RawValue>,
    what: &'static str,
}

impl<'a> ConfigObject<'a> {
    pub fn parse(json: &'a str, what: &'static str, known: &[&str]) -> Result<Self> {
        if !json.trim_start().starts_with('{') {
            return Err(Error::invalid(format!(
                "{what} config must be a JSON object like {{\"key\": \"value\"}}"
            )));
        }
        let map: BTreeMap<&str, &RawValue> = serde_json::from_str(json).map_err(|e| {
            // serde_json's errors carry a position, never the input text.
            Error::invalid(format!(
                "{what} config is not valid JSON (keys must be plain strings without escapes): {e}"
            ))
        })?;
        if let Some(unknown) = map
            .keys()
            .find(|k| !known.contains(k) && !HTTP_KEYS.contains(k))
        {
            let mut all: Vec<&str> = known.iter().chain(HTTP_KEYS).copied().collect();
            all.sort_unstable();
            return Err(Error::invalid(format!(
                "unknown {what} config key \"{}\"; known keys: {}",
                unknown.escape_debug(),
                all.join(", ")
            )));
        }
        Ok(ConfigObject { map, what })
    }

    fn type_error(&self, key: &str, expected: &str) -> Error {
        Error::invalid(format!(
            "{} config key \"{key}\" must be {expected}",
            self.what
        ))
    }

    /// The raw JSON text of `key`, `None` when absent or `null`.
    fn raw(&mut self, key: &str) -> Option<&'a str> {
        self.map
            .remove(key)
            .map(|raw| raw.get().trim())
            .filter(|raw| *raw != "null")
    }

    pub fn opt_string(&mut self, key: &str) -> Result<Option<String>> {
        match self.raw(key) {
            None => Ok(None),
            Some(raw) if raw.starts_with('"') => serde_json::from_str(raw)
                .map(Some)
                .map_err(|_| self.type_error(key, "a string")),
            Some(_) => Err(self.type_error(key, "a string")),
        }
    }

    fn required(&self, key: &str) -> Error {
        Error::invalid(format!(
            "{} config key \"{key}\" is required and must be a non-empty string",
            self.what
        ))
    }

    pub fn string(&mut self, key: &str) -> Result<String> {
        match self.opt_string(key)? {
            Some(s) if !s.is_empty() => Ok(s),
            _ => Err(self.required(key)),
        }
    }

    pub fn secret(&mut self, key: &str) -> Result<Secret> {
        match self.raw(key) {
            None => Err(self.required(key)),
            Some(raw) if raw.starts_with('"') => match unescape_json_string(raw) {
                Some(secret) if !secret.is_empty() => Ok(Secret(secret)),
                Some(_) => Err(self.required(key)),
                None => Err(self.type_error(key, "a string")),
            },
            Some(_) => Err(self.type_error(key, "a string")),
        }
    }

    pub fn opt_u64(&mut self, key: &str, min: u64, max: u64) -> Result<Option<u64>> {
        let expected = format!("an integer from {min} to {max}");
        match self.raw(key) {
            None => Ok(None),
            Some(raw) => match raw.parse::<u64>() {
                Ok(v) if (min..=max).contains(&v) => Ok(Some(v)),
                _ => Err(self.type_error(key, &expected)),
            },
        }
    }

    /// A string, or an integer taken as its decimal text (Kingdee's `uid`).
    pub fn opt_string_or_integer(&mut self, key: &str) -> Result<Option<String>> {
        match self.raw(key) {
            None => Ok(None),
            Some(raw) if raw.starts_with('"') => self.opt_string_from(key, raw),
            Some(raw) if raw.parse::<u64>().is_ok() => Ok(Some(raw.to_owned())),
            Some(_) => Err(self.type_error(key, "a string or a non-negative integer")),
        }
    }

    fn opt_string_from(&self, key: &str, raw: &str) -> Result<Option<String>> {
        serde_json::from_str(raw)
            .map(Some)
            .map_err(|_| self.type_error(key, "a string"))
    }

    pub fn http_options(&mut self) -> Result<HttpOptions> {
        let mut o = HttpOptions::default();
        if let Some(ms) = self.opt_u64("timeout_ms", 1, 3_600_000)? {
            o.timeout = Duration::from_millis(ms);
        }
        o.tls_roots = match self.opt_string("tls_roots")?.as_deref() {
            None | Some("webpki") => TlsRoots::WebPki,
            Some("system") => TlsRoots::System,
            Some(_) => return Err(self.type_error("tls_roots", "\"webpki\" or \"system\"")),
        };
        o.ca_file = self.opt_string("ca_file")?;
        if o.ca_file.is_some() && o.tls_roots == TlsRoots::System {
            return Err(Error::invalid(format!(
                "{} config: \"ca_file\" cannot be combined with \"tls_roots\": \"system\"; \
                 add the CA to the system trust store instead, or drop tls_roots",
                self.what
            )));
        }
        o.proxy = self.opt_string("proxy")?;
        if let Some(s) = self.opt_u64("refresh_margin_s", 0, 86_400)? {
            o.refresh_margin = Duration::from_secs(s);
        }
        if let Some(n) = self.opt_u64("max_body_bytes", 1, 1 << 32)? {
            o.max_body_bytes = n;
        }
        Ok(o)
    }
}

/// Checks a base URL and strips a trailing `/`.
pub(crate) fn base_url(value: String, what: &str) -> Result<String> {
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    let ok = match rest {
        Some(rest) => {
            let host = rest.split('/').next().unwrap_or("");
            !host.is_empty()
                && !rest.contains(['?', '#'])
                && !value.bytes().any(|b| b <= b' ' || b == 0x7f)
        }
        None => false,
    };
    if !ok {
        return Err(Error::invalid(format!(
            "{what} config key \"base_url\" must be an http:// or https:// URL with a host \
             and no query, e.g. \"http://oa.example.com:8080\""
        )));
    }
    Ok(value.trim_end_matches('/').to_owned())
}

/// The `host[:port]` of a base URL, for error messages.
pub(crate) fn host_of(base_url: &str) -> &str {
    let rest = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or(rest);
    // Never show proxy-style credentials.
    authority.rsplit_once('@').map_or(authority, |(_, h)| h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_key_and_never_the_value() {
        let err = ConfigObject::parse(r#"{"a":1,"bogus":"zzz-secret"}"#, "Kingdee", &["a"])
            .err()
            .unwrap();
        assert!(err.message().contains("\"bogus\""), "{err}");
        assert!(!err.message().contains("zzz-secret"));

        let mut c = ConfigObject::parse(r#"{"timeout_ms":"zzz-secret"}"#, "Weaver", &[]).unwrap();
        let err = c.http_options().unwrap_err();
        assert!(err.message().contains("\"timeout_ms\""), "{err}");
        assert!(!err.message().contains("zzz-secret"));

        let mut c = ConfigObject::parse(r#"{"secret":5}"#, "Weaver", &["secret"]).unwrap();
        assert!(c
            .secret("secret")
            .unwrap_err()
            .message()
            .contains("\"secret\""));

        assert!(ConfigObject::parse("[1]", "Weaver", &[]).is_err());
        assert!(ConfigObject::parse("{", "Weaver", &[]).is_err());
    }

    #[test]
    fn base_urls() {
        assert_eq!(base_url("http://h:1/".into(), "x").unwrap(), "http://h:1");
        assert_eq!(
            base_url("https://h/api".into(), "x").unwrap(),
            "https://h/api"
        );
        for bad in ["h:1", "ftp://h", "http://", "http://h?x=1", "http://h x"] {
            assert!(base_url(bad.into(), "x").is_err(), "{bad}");
        }
        assert_eq!(host_of("http://u:p@h:8080/x"), "h:8080");
    }

    #[test]
    fn secrets_are_unescaped_like_json() {
        for (literal, expected) in [
            (r#""plain""#, "plain"),
            (r#""a\"b\\c\/d""#, "a\"b\\c/d"),
            (r#""\b\f\n\r\t""#, "\u{8}\u{c}\n\r\t"),
            (r#""\u4e2d\u6587 \ud83d\ude00""#, "中文 😀"),
            (r#""中文""#, "中文"),
        ] {
            let via_serde: String = serde_json::from_str(literal).unwrap();
            assert_eq!(via_serde, expected);
            assert_eq!(
                unescape_json_string(literal).as_deref().map(String::as_str),
                Some(expected)
            );
        }
        assert!(unescape_json_string(r#""\ud83d""#).is_none());
        assert!(unescape_json_string(r#""\x""#).is_none());
    }

    #[test]
    fn secret_debug_is_masked() {
        assert_eq!(format!("{:?}", Secret::new("hunter2")), "Secret(***)");
    }
}
