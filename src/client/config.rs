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
#[derive(Clone, PartialEq, Eq)]
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
    /// `proxy`: an HTTP proxy URL such as `http://user:pass@proxy:3128`
    /// (`http://` or `https://`), or `"env"`. Kept as a [`Secret`]: it may
    /// hold a password, which is wiped on drop and never shown by `Debug`.
    pub proxy: Option<Secret>,
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

/// The members of a JSON object in order, duplicates kept (a map would
/// silently keep only one of them).
struct Entries<'a>(Vec<(&'a str, &'a RawValue)>);

impl<'de: 'a, 'a> serde::Deserialize<'de> for Entries<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Visitor<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Visitor<'a> {
            type Value = Entries<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut access: A,
            ) -> std::result::Result<Entries<'a>, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = access.next_entry::<&'de str, &'de RawValue>()? {
                    entries.push(entry);
                }
                Ok(Entries(entries))
            }
        }
        d.deserialize_map(Visitor(std::marker::PhantomData))
    }
}

/// The refusal of an unknown config key.
///
/// The key is quoted only when it is a near miss of a known one (at most two
/// edits away, "client_secert"): a key further from every known name may be
/// a value that a missing quote or comma joined to a key
/// (`"client_s` + secret), and quoting it would put the secret into the
/// message. Such a key is named by its place in the object instead.
fn unknown_key(what: &str, key: &str, ordinal: usize, known: &[&str]) -> Error {
    const NEAR_MISS: usize = 2;
    let mut all: Vec<&str> = known.iter().chain(HTTP_KEYS).copied().collect();
    all.sort_unstable();
    let nearest = all
        .iter()
        .map(|candidate| (strsim::levenshtein(key, candidate), *candidate))
        .min();
    let known_list = all.join(", ");
    match nearest {
        Some((distance, candidate)) if distance <= NEAR_MISS => Error::invalid(format!(
            "unknown {what} config key \"{}\"; did you mean \"{candidate}\"? known keys: {known_list}",
            key.escape_debug()
        )),
        _ => Error::invalid(format!(
            "unknown {what} config key: key number {ordinal} of the object (not quoted: it is \
             unlike every known key and may hold a misplaced value); known keys: {known_list}"
        )),
    }
}

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
        let Entries(entries) = serde_json::from_str(json).map_err(|e| {
            // Only the kind and the position: serde_json's own text quotes
            // the string it refused ("invalid type: string \"...\""), and in
            // a config broken by a missing quote that string can be a secret.
            let kind = match e.classify() {
                serde_json::error::Category::Syntax => "a syntax error",
                serde_json::error::Category::Eof => "the text ends early",
                serde_json::error::Category::Data | serde_json::error::Category::Io => {
                    "a key that is not a plain string (keys must be plain strings without escapes)"
                }
            };
            Error::invalid(format!(
                "{what} config is not valid JSON: {kind} at line {} column {}",
                e.line(),
                e.column()
            ))
        })?;
        let mut map = BTreeMap::new();
        for (ordinal, (key, value)) in entries.into_iter().enumerate() {
            if !known.contains(&key) && !HTTP_KEYS.contains(&key) {
                return Err(unknown_key(what, key, ordinal + 1, known));
            }
            // A JSON object with a key twice is ambiguous (serde_json keeps
            // the last one, other parsers the first): refused, so that a
            // second "client_secret" never silently replaces the first.
            if map.insert(key, value).is_some() {
                return Err(Error::invalid(format!(
                    "{what} config key \"{key}\" is given more than once; give each key once"
                )));
            }
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

    /// An optional string kept as a [`Secret`] from the first copy on.
    pub fn opt_secret(&mut self, key: &str) -> Result<Option<Secret>> {
        match self.raw(key) {
            None => Ok(None),
            Some(raw) if raw.starts_with('"') => match unescape_json_string(raw) {
                Some(secret) => Ok(Some(Secret(secret))),
                None => Err(self.type_error(key, "a string")),
            },
            Some(_) => Err(self.type_error(key, "a string")),
        }
    }

    /// An optional boolean.
    pub fn opt_bool(&mut self, key: &str) -> Result<Option<bool>> {
        match self.raw(key) {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(_) => Err(self.type_error(key, "true or false")),
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
        o.proxy = self.opt_secret("proxy")?;
        if let Some(s) = self.opt_u64("refresh_margin_s", 0, 86_400)? {
            o.refresh_margin = Duration::from_secs(s);
        }
        if let Some(n) = self.opt_u64("max_body_bytes", 1, 1 << 32)? {
            o.max_body_bytes = n;
        }
        Ok(o)
    }
}

/// Checks a base URL completely, so that a config that cannot work fails at
/// `*_new` with `INVALID_ARGUMENT` rather than at the first request as
/// `NETWORK`, and strips a trailing `/`. Refused: another scheme, no host,
/// a query or fragment, spaces, control characters or backslashes, a port
/// outside 1..=65535, anything `http::Uri` does not parse, and userinfo
/// (`user:password@`), which would otherwise become an `Authorization:
/// Basic` header and keep a password in memory the client cannot wipe.
pub(crate) fn base_url(value: String, what: &str) -> Result<String> {
    let usage = "must be an http:// or https:// URL with a host, an optional port \
                 and path, and no query, e.g. \"http://oa.example.com:8080\"";
    let bad = |why: &str| Error::invalid(format!("{what} config key \"base_url\" {usage}{why}"));
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
        .ok_or_else(|| bad(""))?;
    if value.bytes().any(|b| b <= b' ' || b == 0x7f || b == b'\\') {
        return Err(bad(
            " (it holds a space, a control character or a backslash)",
        ));
    }
    if rest.contains(['?', '#']) {
        return Err(bad(" (it holds a query or fragment)"));
    }
    let authority = rest.split('/').next().unwrap_or("");
    if authority.contains('@') {
        return Err(Error::invalid(format!(
            "{what} config key \"base_url\" holds credentials (user:password@): they \
             are not sent and must not be kept in a URL; remove them (the token call \
             authenticates with the configured keys)"
        )));
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    if host.is_empty() {
        return Err(bad(" (it has no host)"));
    }
    let port = match authority.rsplit_once(':') {
        Some((_, p)) if !authority.ends_with(']') => Some(p),
        _ => None,
    };
    if let Some(port) = port {
        if !matches!(port.parse::<u32>(), Ok(1..=65_535)) {
            return Err(bad(" (the port must be a number from 1 to 65535)"));
        }
    }
    match value.parse::<ureq::http::Uri>() {
        Ok(uri) if uri.host().is_some() => {}
        _ => return Err(bad("")),
    }
    Ok(value.trim_end_matches('/').to_owned())
}

/// Whether the host of a checked base URL is this machine (127.0.0.0/8,
/// `[::1]`, `localhost`): plain HTTP to it never crosses a network.
pub(crate) fn is_loopback(base_url: &str) -> bool {
    let host = host_of(base_url);
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(h, _)| h),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
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
        let known = &["client_id", "client_secret"];
        let err = ConfigObject::parse(r#"{"client_secert":"zzz-secret"}"#, "Kingdee", known)
            .err()
            .unwrap();
        assert!(
            err.message()
                .contains("\"client_secert\"; did you mean \"client_secret\"?"),
            "{err}"
        );
        assert!(!err.message().contains("zzz-secret"));
        // A key far from every known one may be a value joined to a key by a
        // missing quote (found by fuzzing the config): named by its place.
        for json in [
            r#"{"client_id":"x","client_szzz-secret":1}"#,
            r#"{"client_id":"x","base_urlzzz-secret":1}"#,
            r#"{"client_id":"x","zzz-secret":1}"#,
        ] {
            let err = ConfigObject::parse(json, "Kingdee", known).err().unwrap();
            assert!(
                err.message().contains("key number 2 of the object"),
                "{err}"
            );
            assert!(!err.message().contains("zzz"), "{err}");
        }

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

        // A config broken by a missing quote turns a secret into part of a
        // key; a key with an escape cannot be borrowed, and serde_json's own
        // message would quote it. Only the kind and the position are told.
        for (json, kind) in [
            (
                r#"{"client_id":"x" "client_secret":"zzz-secret"}"#,
                "a syntax error",
            ),
            (
                r#"{"client_id":"x","zzz-secret\u0041":1}"#,
                "a key that is not a plain string",
            ),
            (r#"{"client_secret":"zzz-secret"#, "the text ends early"),
        ] {
            let err = ConfigObject::parse(json, "Kingdee", &["client_id", "client_secret"])
                .err()
                .unwrap();
            assert!(err.message().contains(kind), "{err}");
            assert!(err.message().contains(" at line 1 column "), "{err}");
            assert!(!err.message().contains("zzz"), "{err}");
        }

        // A key given twice is refused, never last-one-wins.
        let err = ConfigObject::parse(
            r#"{"secret":"zzz-first","a":1,"secret":"zzz-second"}"#,
            "Weaver",
            &["secret", "a"],
        )
        .err()
        .unwrap();
        assert!(
            err.message().contains("\"secret\" is given more than once"),
            "{err}"
        );
        assert!(!err.message().contains("zzz"), "{err}");
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
        // Each of these passed before and failed later as NETWORK.
        for bad in [
            "http://127.0.0.1:99999",
            "http://127.0.0.1:0",
            "http://h:",
            "http://h:8o80",
            "http://user:pw@",
            "http://user:pw@h:1",
            "https://token@h",
            "http://h\\x",
            "http://h/a\\b",
            "http://[::1",
            "http://:80",
        ] {
            let err = base_url(bad.into(), "x").unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::InvalidArgument, "{bad}");
            assert!(!err.message().contains("pw"), "{err}");
        }
        assert!(base_url("http://u:pw@h".into(), "x")
            .unwrap_err()
            .message()
            .contains("credentials"));
        for good in ["http://[::1]:8080", "https://h:65535/x/", "http://10.0.0.1"] {
            base_url(good.into(), "x").unwrap();
        }
        assert!(is_loopback("http://127.0.0.1:1") && is_loopback("http://[::1]:9"));
        assert!(is_loopback("http://LOCALHOST") && is_loopback("http://127.9.9.9"));
        assert!(!is_loopback("http://10.0.0.1:80") && !is_loopback("http://localhost.example"));
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
