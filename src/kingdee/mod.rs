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

mod canonical;
mod encode;
mod hex_base64;
#[doc(hidden)]
pub mod reference;
mod string_to_sign;

pub use encode::{gw_encode, java_encode, percent_decode};

use crate::error::{Error, Result};
use crate::headers::{check_header_value, push_header_line};
use crate::hmac_sha256::HmacKey;
use string_to_sign::with_string_to_sign;

/// The value of `X-Api-Auth-Version`.
pub const AUTH_VERSION: &str = "2.0";
/// The value of `X-Api-SignHeaders`.
pub const SIGN_HEADERS: &str = "X-Api-TimeStamp,X-Api-Nonce";

/// Orders two (name, value) parameters as the canonical query does: by
/// the bytes of `gw_encode(name) + "=" + java_encode(value)`.
pub(crate) fn cmp_params(a: (&str, &str), b: (&str, &str)) -> std::cmp::Ordering {
    canonical::cmp_params(
        (a.0.as_bytes(), a.1.as_bytes()),
        (b.0.as_bytes(), b.1.as_bytes()),
    )
}

/// `Base64(lower_hex(HMAC-SHA256(key = app_secret, msg = app_key)))`.
pub fn app_signature(app_key: &str, app_secret: &str) -> String {
    app_signature_inline(app_key, app_secret)
        .as_str()
        .to_owned()
}

/// The five-line string `X-Api-Signature` signs, each line ending in `\n`.
/// The method is upper-cased; nonce and timestamp must be decimal digits.
pub fn string_to_sign(
    method: &str,
    path_and_query: &str,
    nonce: &str,
    timestamp: &str,
) -> Result<String> {
    with_string_to_sign(method, path_and_query, nonce, timestamp, |text| {
        String::from_utf8(text.to_vec()).expect("the string to sign is ASCII")
    })
}

/// `X-Api-Signature`: `Base64(lower_hex(HMAC-SHA256(client_secret, string_to_sign)))`.
pub fn signature(
    client_secret: &str,
    method: &str,
    path_and_query: &str,
    nonce: &str,
    timestamp: &str,
) -> Result<String> {
    signature_inline(client_secret, method, path_and_query, nonce, timestamp)
        .map(|s| s.as_str().to_owned())
}

/// [`signature`] without allocating the result.
pub fn signature_inline(
    client_secret: &str,
    method: &str,
    path_and_query: &str,
    nonce: &str,
    timestamp: &str,
) -> Result<Signature> {
    Signer::new(client_secret).signature_inline(method, path_and_query, nonce, timestamp)
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
        self.signature_inline(method, path_and_query, nonce, timestamp)
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
        let timestamp = crate::clock::now_ms().to_string();
        let signature = self.signature_inline(method, path_and_query, &nonce, &timestamp)?;
        Ok(GatewayHeaders {
            client_id: client_id.to_owned(),
            timestamp,
            nonce,
            signature: signature.as_str().to_owned(),
        })
    }

    /// [`signature`](Self::signature) without allocating the result.
    pub fn signature_inline(
        &self,
        method: &str,
        path_and_query: &str,
        nonce: &str,
        timestamp: &str,
    ) -> Result<Signature> {
        with_string_to_sign(method, path_and_query, nonce, timestamp, |text| {
            hmac_hex_base64(&self.key, text)
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

/// Signs one request with a fresh random nonce and the current time.
pub fn sign_headers(
    client_id: &str,
    client_secret: &str,
    method: &str,
    path_and_query: &str,
) -> Result<GatewayHeaders> {
    Signer::new(client_secret).sign_headers(client_id, method, path_and_query)
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
pub struct Signature([u8; 88]);

impl Signature {
    /// The signature text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("Base64 is ASCII")
    }
}

impl AsRef<str> for Signature {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Debug for Signature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `app_signature` without allocating the result.
pub fn app_signature_inline(app_key: &str, app_secret: &str) -> Signature {
    hmac_hex_base64(&HmacKey::new(app_secret.as_bytes()), app_key.as_bytes())
}

fn hmac_hex_base64(key: &HmacKey, msg: &[u8]) -> Signature {
    Signature(hex_base64::encode(&key.mac(msg)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_to_sign_shape() {
        let s = string_to_sign("get", "/x", "1", "2").unwrap();
        assert_eq!(s, "GET\n%2Fx\n\nx-api-nonce:1\nx-api-timestamp:2\n");
        assert!(string_to_sign("GET", "/x", "", "2").is_err());
        assert!(string_to_sign("G T", "/x", "1", "2").is_err());
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
