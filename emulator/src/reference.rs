//! What a correct client sends, computed with the emulator's own code (not
//! with `erpauth`). The emulator's tests use it to drive every path of the
//! server over raw sockets; it is public so other test code can build valid
//! or deliberately broken requests too.

use crate::{kingdee, weaver};

/// `app_signature` for `app_key` under `app_secret`.
pub fn kingdee_app_signature(app_key: &str, app_secret: &str) -> String {
    kingdee::hmac_hex_base64(app_secret, app_key)
}

/// `X-Api-Signature` for a request target as it goes on the wire
/// (`/path?query`); `None` if the target has a malformed escape.
pub fn kingdee_signature(
    client_secret: &str,
    method: &str,
    target: &str,
    nonce: &str,
    timestamp: &str,
) -> Option<String> {
    let (raw_path, raw_query) = match target.split_once('?') {
        Some((p, q)) => (p, q),
        None => (target, ""),
    };
    let path = kingdee::url_decode(raw_path, false)?;
    let query = kingdee::parse_query(raw_query)?;
    Some(kingdee::hmac_hex_base64(
        client_secret,
        &kingdee::string_to_sign(method, &path, &query, nonce, timestamp),
    ))
}

/// `java.net.URLEncoder` encoding, for building query strings.
pub fn java_encode(text: &str) -> String {
    kingdee::java_encode(text)
}

/// The Weaver getToken `sign` for `time_ms`; `None` for a bad key length.
pub fn weaver_sign(appid: &str, secret: &str, aes_key: &str, time_ms: i64) -> Option<String> {
    weaver::make_sign(appid, secret, aes_key, time_ms)
}

/// Decrypts a `userid` the getToken endpoint returned (Base64 of
/// AES-ECB-PKCS5 of the OA user id).
pub fn weaver_decrypt_userid(aes_key: &str, userid: &str) -> Option<String> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(userid)
        .ok()?;
    String::from_utf8(weaver::aes_ecb_decrypt(aes_key.as_bytes(), &bytes)?).ok()
}
