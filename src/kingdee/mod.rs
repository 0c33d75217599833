//! Kingdee API gateway signatures (`docs/protocol/kingdee.md`).
//!
//! ```
//! let sig = erpauth::kingdee::signature(
//!     "f2adcfef73369bfc4e1384677d38a0ff",
//!     "GET",
//!     "/jdyconnector/app_management/kingdee_auth_token?app_key=bVZgAZOv1\
//!      &app_signature=MzZlYTk0ODk4MWZlNjdiODNmNWU4YzViNzYxNGM5MTFlOGJkN2NjMzk0MTJkZGNhZGM0NzZhN2YxZDJmOTlkZA%3D%3D",
//!     "4427456950",
//!     "1670305063559",
//! ).unwrap();
//! assert_eq!(sig, "OTFiZTliNDFiMjNkYTI3YzVhNzg4MDI4ZGU3MWY1ZTA5ZTk1NjVlNGM1YTI1ZjIxY2Y5YTA3ZGY2OGI1MGQ1MQ==");
//! ```

mod encode;
mod fast;
mod hex_base64;
mod sts;

pub use encode::{gw_encode, java_encode, percent_decode};

use crate::error::{Error, Result};
use crate::hmac_sha256::HmacKey;
use sts::{check_path, with_string_to_sign};

/// The value of `X-Api-Auth-Version`.
pub const AUTH_VERSION: &str = "2.0";
/// The value of `X-Api-SignHeaders`.
pub const SIGN_HEADERS: &str = "X-Api-TimeStamp,X-Api-Nonce";

/// A request target split into its decoded path and query parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The path with `%XX` escapes decoded (`+` stays `+`).
    pub path: String,
    /// The query parameters in wire order, names and values decoded
    /// (`+` is a space). Repeated names are kept.
    pub query: Vec<(String, String)>,
}

impl Target {
    /// Decodes a request target as it goes on the wire: `/path` or
    /// `/path?k=v&k2=v2`. Empty `&&` pieces are skipped; a piece without `=`
    /// is a parameter with an empty value.
    pub fn parse(path_and_query: &str) -> Result<Target> {
        let (raw_path, raw_query) = match path_and_query.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (path_and_query, None),
        };
        check_path(raw_path.as_bytes())?;
        let path = percent_decode(raw_path, false, "path")?;
        let mut query = Vec::new();
        if let Some(q) = raw_query {
            for piece in q.split('&').filter(|p| !p.is_empty()) {
                let (k, v) = piece.split_once('=').unwrap_or((piece, ""));
                query.push((
                    percent_decode(k, true, "query")?,
                    percent_decode(v, true, "query")?,
                ));
            }
        }
        Ok(Target { path, query })
    }
}

/// Orders two (name, value) parameters as the canonical query does: by
/// the bytes of `gw_encode(name) + "=" + java_encode(value)`.
pub(crate) fn cmp_params(a: (&str, &str), b: (&str, &str)) -> std::cmp::Ordering {
    fast::cmp_params(
        (a.0.as_bytes(), a.1.as_bytes()),
        (b.0.as_bytes(), b.1.as_bytes()),
    )
}

/// `Base64(lower_hex(HMAC-SHA256(key = app_secret, msg = app_key)))`.
pub fn app_signature(app_key: &str, app_secret: &str) -> String {
    app_signature_text(app_key, app_secret).as_str().to_owned()
}

/// The canonical query of the official gateway client: each parameter as
/// `gw_encode(name) = java_encode(value)`, those strings sorted by bytes, then
/// each split at its first `=` and both halves `gw_encode`d again.
pub fn canonical_query<K: AsRef<str>, V: AsRef<str>>(params: &[(K, V)]) -> String {
    let mut pairs: Vec<String> = params
        .iter()
        .map(|(k, v)| {
            let (k, v) = (k.as_ref(), v.as_ref());
            let mut s = String::with_capacity(k.len() + v.len() + 1);
            encode::gw_encode_into(&mut s, k);
            s.push('=');
            encode::java_encode_into(&mut s, v);
            s
        })
        .collect();
    pairs.sort_unstable();
    let mut out = String::with_capacity(pairs.iter().map(|s| s.len() + 8).sum());
    for (i, s) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        // The first '=' is ours: gw_encode turned any '=' of the name into %3D.
        let (k, v) = s.split_once('=').unwrap_or((s, ""));
        encode::gw_encode_into(&mut out, k);
        out.push('=');
        encode::gw_encode_into(&mut out, v);
    }
    out
}

/// The five-line string `X-Api-Signature` signs, each line ending in `\n`.
/// The method is upper-cased; nonce and timestamp must be decimal digits.
pub fn string_to_sign(
    method: &str,
    path_and_query: &str,
    nonce: &str,
    timestamp: &str,
) -> Result<String> {
    with_string_to_sign(method, path_and_query, nonce, timestamp, |sts| {
        String::from_utf8(sts.to_vec()).expect("the string to sign is ASCII")
    })
}

/// The string to sign for an already decoded target (arguments unchecked).
pub fn string_to_sign_for(method: &str, target: &Target, nonce: &str, timestamp: &str) -> String {
    let query = canonical_query(&target.query);
    let mut s = String::with_capacity(
        method.len() + target.path.len() * 3 + query.len() + nonce.len() + timestamp.len() + 40,
    );
    for b in method.bytes() {
        s.push(b.to_ascii_uppercase() as char);
    }
    s.push('\n');
    encode::gw_encode_into(&mut s, &target.path);
    s.push('\n');
    s.push_str(&query);
    s.push_str("\nx-api-nonce:");
    s.push_str(nonce);
    s.push_str("\nx-api-timestamp:");
    s.push_str(timestamp);
    s.push('\n');
    s
}

/// `X-Api-Signature`: `Base64(lower_hex(HMAC-SHA256(client_secret, string_to_sign)))`.
pub fn signature(
    client_secret: &str,
    method: &str,
    path_and_query: &str,
    nonce: &str,
    timestamp: &str,
) -> Result<String> {
    signature_text(client_secret, method, path_and_query, nonce, timestamp)
        .map(|s| s.as_str().to_owned())
}

/// [`signature`] without allocating the result.
pub fn signature_text(
    client_secret: &str,
    method: &str,
    path_and_query: &str,
    nonce: &str,
    timestamp: &str,
) -> Result<HexBase64> {
    Signer::new(client_secret).signature_text(method, path_and_query, nonce, timestamp)
}

/// Signs requests for one client secret, the HMAC key prepared once.
///
/// The same signatures as [`signature`] and [`sign_headers`]; for a program
/// that signs many requests with one secret, each signature skips the two
/// SHA-256 blocks of the key (of about seven). Keeps no copy of the secret,
/// only the key's HMAC states, which are wiped on drop.
///
/// ```
/// let signer = erpauth::kingdee::Signer::new("f2adcfef73369bfc4e1384677d38a0ff");
/// let sig = signer.signature(
///     "GET",
///     "/jdyconnector/app_management/kingdee_auth_token?app_key=bVZgAZOv1\
///      &app_signature=MzZlYTk0ODk4MWZlNjdiODNmNWU4YzViNzYxNGM5MTFlOGJkN2NjMzk0MTJkZGNhZGM0NzZhN2YxZDJmOTlkZA%3D%3D",
///     "4427456950",
///     "1670305063559",
/// ).unwrap();
/// assert_eq!(sig, "OTFiZTliNDFiMjNkYTI3YzVhNzg4MDI4ZGU3MWY1ZTA5ZTk1NjVlNGM1YTI1ZjIxY2Y5YTA3ZGY2OGI1MGQ1MQ==");
/// ```
#[derive(Clone)]
pub struct Signer {
    key: HmacKey,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("kingdee::Signer(***)")
    }
}

impl Signer {
    /// A signer for `client_secret` (any length, empty included, as the gateway's HMAC accepts).
    pub fn new(client_secret: &str) -> Self {
        Signer {
            key: HmacKey::new(client_secret.as_bytes()),
        }
    }

    /// `X-Api-Signature` for one request, as [`signature`].
    pub fn signature(
        &self,
        method: &str,
        path_and_query: &str,
        nonce: &str,
        timestamp: &str,
    ) -> Result<String> {
        self.signature_text(method, path_and_query, nonce, timestamp)
            .map(|s| s.as_str().to_owned())
    }

    /// The six gateway headers of one request with a fresh random nonce and
    /// the current time, as [`sign_headers`].
    pub fn sign_headers(
        &self,
        client_id: &str,
        method: &str,
        path_and_query: &str,
    ) -> Result<GatewayHeaders> {
        check_header_value(client_id, "client_id")?;
        let nonce = random_nonce()?.to_string();
        let timestamp = crate::now_ms().to_string();
        let signature = self.signature_text(method, path_and_query, &nonce, &timestamp)?;
        Ok(GatewayHeaders {
            client_id: client_id.to_owned(),
            timestamp,
            nonce,
            signature: signature.as_str().to_owned(),
        })
    }

    /// [`signature`](Self::signature) without allocating the result.
    pub fn signature_text(
        &self,
        method: &str,
        path_and_query: &str,
        nonce: &str,
        timestamp: &str,
    ) -> Result<HexBase64> {
        with_string_to_sign(method, path_and_query, nonce, timestamp, |sts| {
            hmac_hex_base64(&self.key, sts)
        })
    }
}

/// The six gateway headers of one request, in the order they are documented.
#[derive(Clone, PartialEq, Eq)]
pub struct GatewayHeaders {
    /// `X-Api-ClientID`.
    pub client_id: String,
    /// `X-Api-TimeStamp` (milliseconds since the epoch).
    pub timestamp: String,
    /// `X-Api-Nonce`.
    pub nonce: String,
    /// `X-Api-Signature`.
    pub signature: String,
}

impl std::fmt::Debug for GatewayHeaders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.pairs()).finish()
    }
}

impl GatewayHeaders {
    /// `(name, value)` pairs in documented order.
    pub fn pairs(&self) -> [(&'static str, &str); 6] {
        [
            ("X-Api-ClientID", &self.client_id),
            ("X-Api-Auth-Version", AUTH_VERSION),
            ("X-Api-TimeStamp", &self.timestamp),
            ("X-Api-Nonce", &self.nonce),
            ("X-Api-SignHeaders", SIGN_HEADERS),
            ("X-Api-Signature", &self.signature),
        ]
    }

    /// The headers as `Name: value\r\n` lines.
    pub fn to_lines(&self) -> String {
        let mut out = String::with_capacity(256);
        for (name, value) in self.pairs() {
            push_header_line(&mut out, name, value);
        }
        out
    }
}

pub(crate) fn push_header_line(out: &mut String, name: &str, value: &str) {
    out.push_str(name);
    out.push_str(": ");
    out.push_str(value);
    out.push_str("\r\n");
}

/// Signs one request with a fresh random nonce and the current time.
pub fn sign_headers(
    client_id: &str,
    client_secret: &str,
    method: &str,
    path_and_query: &str,
) -> Result<GatewayHeaders> {
    Signer::new(client_secret).sign_headers(client_id, method, path_and_query)
}

pub(crate) fn check_header_value(value: &str, what: &str) -> Result<()> {
    if value.is_empty() || value.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err(Error::invalid(format!(
            "{what} must be non-empty and contain no control characters (it is sent as a header)"
        )));
    }
    Ok(())
}

/// A random ten-digit positive integer, as the official client sends.
pub fn random_nonce() -> Result<u64> {
    let mut bytes = [0u8; 8];
    getrandom::getrandom(&mut bytes).map_err(|e| {
        Error::new(
            crate::ErrorKind::Internal,
            format!("the operating system's random number generator failed: {e}"),
        )
    })?;
    Ok(1_000_000_000 + u64::from_le_bytes(bytes) % 9_000_000_000)
}

/// A Kingdee signature: Base64 of 64 hex characters, always 88 ASCII bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct HexBase64([u8; 88]);

impl HexBase64 {
    /// The signature text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("Base64 is ASCII")
    }
}

impl AsRef<str> for HexBase64 {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Debug for HexBase64 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `app_signature` without allocating the result.
pub fn app_signature_text(app_key: &str, app_secret: &str) -> HexBase64 {
    hmac_hex_base64(&HmacKey::new(app_secret.as_bytes()), app_key.as_bytes())
}

fn hmac_hex_base64(key: &HmacKey, msg: &[u8]) -> HexBase64 {
    HexBase64(hex_base64::encode(&key.mac(msg)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_query_sorts_whole_pairs_and_encodes_twice() {
        let q = canonical_query(&[("a", "2"), ("a-b", "1")]);
        assert_eq!(q, "a-b=1&a=2");
        let q = canonical_query(&[("page", "1"), ("page2", "x")]);
        assert_eq!(q, "page2=x&page=1");
        let q = canonical_query(&[("k", "中 =*~")]);
        assert_eq!(q, "k=%25E4%25B8%25AD%2B%253D%2A%257E");
        let q = canonical_query(&[("k", "2"), ("k", "1"), ("k", "1")]);
        assert_eq!(q, "k=1&k=1&k=2");
        assert_eq!(canonical_query::<&str, &str>(&[]), "");
    }

    #[test]
    fn target_decoding() {
        let t = Target::parse("/a%20b?q=%E4%B8%AD+x&&flag&e=").unwrap();
        assert_eq!(t.path, "/a b");
        assert_eq!(
            t.query,
            vec![
                ("q".into(), "中 x".into()),
                ("flag".into(), "".into()),
                ("e".into(), "".into())
            ]
        );
        assert!(Target::parse("https://x/y").is_err());
        assert!(Target::parse("/p?a=%").is_err());
    }

    #[test]
    fn string_to_sign_shape() {
        let s = string_to_sign("get", "/x", "1", "2").unwrap();
        assert_eq!(s, "GET\n%2Fx\n\nx-api-nonce:1\nx-api-timestamp:2\n");
        assert!(string_to_sign("GET", "/x", "", "2").is_err());
        assert!(string_to_sign("G T", "/x", "1", "2").is_err());
    }

    /// The buffer-reusing builder must agree with the plain statement of
    /// the rules (`Target::parse` + `string_to_sign_for`) on any target.
    #[test]
    fn fast_builder_agrees_with_reference() {
        const ATOMS: &[&str] = &[
            "a",
            "Z",
            "9",
            "-",
            ".",
            "_",
            "~",
            "*",
            "+",
            " ",
            "%20",
            "%2B",
            "%2b",
            "%25",
            "%3D",
            "=",
            "&",
            "&&",
            "%E4%B8%AD",
            "中",
            "😀",
            "%F0%9F%98%80",
            "/",
            "%2F",
            "page",
            "page2",
            "a-b",
            "",
        ];
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for _ in 0..20_000 {
            let mut target = String::from("/");
            for _ in 0..next(4) {
                target.push_str(ATOMS[next(ATOMS.len())]);
            }
            if next(4) > 0 {
                target.push('?');
                // Now and then a long query, past the insertion sort's reach.
                let atoms = if next(20) == 0 {
                    40 + next(200)
                } else {
                    next(10)
                };
                for _ in 0..atoms {
                    target.push_str(ATOMS[next(ATOMS.len())]);
                }
            }
            let fast = string_to_sign("post", &target, "12", "34");
            let reference =
                Target::parse(&target).map(|t| string_to_sign_for("post", &t, "12", "34"));
            assert_eq!(fast, reference, "target {target:?}");
        }
    }

    #[test]
    fn nonce_is_ten_digits() {
        for _ in 0..1000 {
            let n = random_nonce().unwrap();
            assert_eq!(n.to_string().len(), 10);
        }
    }

    #[test]
    fn header_lines() {
        let h = sign_headers("cid", "secret", "POST", "/p?a=1").unwrap();
        let lines = h.to_lines();
        assert!(lines.starts_with("X-Api-ClientID: cid\r\nX-Api-Auth-Version: 2.0\r\n"));
        assert_eq!(lines.matches("\r\n").count(), 6);
        let expect = signature("secret", "POST", "/p?a=1", &h.nonce, &h.timestamp).unwrap();
        assert_eq!(h.signature, expect);
        assert!(sign_headers("c\r\nid", "s", "GET", "/").is_err());
    }
}
