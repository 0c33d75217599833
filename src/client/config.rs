//! Client configuration from one JSON object.
//!
//! Parsed by hand rather than with `#[derive(Deserialize)]` so that every
//! error names the key and what it must be, and so that no error ever quotes
//! a value (a serde type error would echo a secret back into the message).

use crate::error::{Error, Result};
use serde_json::{Map, Value};
use std::fmt;
use std::time::Duration;
use zeroize::Zeroizing;

/// A secret string: zeroized on drop, never shown by `Debug`.
#[derive(Clone)]
pub struct Secret(Zeroizing<String>);

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
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            timeout: Duration::from_millis(10_000),
            tls_roots: TlsRoots::WebPki,
            ca_file: None,
            proxy: None,
            refresh_margin: Duration::from_secs(300),
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
];

/// A JSON object being read key by key; `finish` rejects unknown keys.
pub(crate) struct ConfigObject {
    map: Map<String, Value>,
    what: &'static str,
}

impl ConfigObject {
    pub fn parse(json: &str, what: &'static str, known: &[&str]) -> Result<Self> {
        let value: Value = serde_json::from_str(json).map_err(|e| {
            // serde_json's syntax errors carry a position, never the input text.
            Error::invalid(format!("{what} config is not valid JSON: {e}"))
        })?;
        let Value::Object(map) = value else {
            return Err(Error::invalid(format!(
                "{what} config must be a JSON object like {{\"key\": \"value\"}}"
            )));
        };
        if let Some(unknown) = map
            .keys()
            .find(|k| !known.contains(&k.as_str()) && !HTTP_KEYS.contains(&k.as_str()))
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

    pub fn opt_string(&mut self, key: &str) -> Result<Option<String>> {
        match self.map.remove(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(self.type_error(key, "a string")),
        }
    }

    pub fn string(&mut self, key: &str) -> Result<String> {
        match self.opt_string(key)? {
            Some(s) if !s.is_empty() => Ok(s),
            _ => Err(Error::invalid(format!(
                "{} config key \"{key}\" is required and must be a non-empty string",
                self.what
            ))),
        }
    }

    pub fn secret(&mut self, key: &str) -> Result<Secret> {
        // Take the value out as is so the only copy lives in the Secret.
        self.string(key).map(Secret::new)
    }

    pub fn opt_u64(&mut self, key: &str, min: u64, max: u64) -> Result<Option<u64>> {
        let expected = format!("an integer from {min} to {max}");
        match self.map.remove(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => match n.as_u64() {
                Some(v) if (min..=max).contains(&v) => Ok(Some(v)),
                _ => Err(self.type_error(key, &expected)),
            },
            Some(_) => Err(self.type_error(key, &expected)),
        }
    }

    /// A string, or an integer taken as its decimal text (Kingdee's `uid`).
    pub fn opt_string_or_integer(&mut self, key: &str) -> Result<Option<String>> {
        match self.map.remove(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(Value::Number(n)) if n.is_u64() => Ok(Some(n.to_string())),
            Some(_) => Err(self.type_error(key, "a string or a non-negative integer")),
        }
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
    fn secret_debug_is_masked() {
        assert_eq!(format!("{:?}", Secret::new("hunter2")), "Secret(***)");
    }
}
