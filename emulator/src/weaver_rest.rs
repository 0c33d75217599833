//! Weaver e9's standard REST authentication: `regist`, `applytoken` and a
//! business endpoint that checks `appid`, `token` and `userid` and echoes the
//! request (docs/protocol/weaver.md, "The standard REST authentication"),
//! written from the protocol text without using the `erpauth` crate.
//!
//! The RSA decryptions here are test-server code: the `rsa` crate's
//! private-key timing issue (RUSTSEC-2023-0071) does not matter for a server
//! on 127.0.0.1 holding a published test key.

use crate::http::{Request, Response};
use crate::state::{lock, Shared};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePublicKey};
use rsa::{Pkcs1v15Encrypt, RsaPrivateKey, RsaPublicKey};
use serde_json::json;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// `POST /api/ec/dev/auth/regist`.
pub const REGIST_PATH: &str = "/api/ec/dev/auth/regist";
/// `POST /api/ec/dev/auth/applytoken`.
pub const APPLY_TOKEN_PATH: &str = "/api/ec/dev/auth/applytoken";
/// The business endpoint: any method; checks the three headers and echoes.
pub const ECHO_PATH: &str = "/api/emulator/rest/echo";
/// Token lifetime when applytoken has no usable `time` header, in seconds.
pub const DEFAULT_TIME_S: u64 = 1800;

/// The server's key pair unless the config names another: the 1024-bit test
/// key of `tests/vectors/weaver_rest.json` (PKCS#8 DER, Base64). Published,
/// so never a key for anything but tests.
pub const DEFAULT_SERVER_KEY: &str = "MIICeAIBADANBgkqhkiG9w0BAQEFAASCAmIwggJeAgEAAoGBAPASq798zSNgmp0RlFLKXsKGHRhT4puDXkHy1IfpQDF/Bc0CgMFhu0HnpzSwP0hkqo7AUWneA3FNKJlbvB+1nXik3Z8LsiWuc0v+ykP2lk8Iz4PNuE5lDL2FUBVpbfvJyNpuwvZZ6z/3+sVYRwjGNcyDiqYwVvgboyfufX9P/VAjAgMBAAECgYEA55irdQw5fbJ5FaNa2k9+ANyOfuSVzH571NUksISVN+qZNv/+JBBbLKYEiPCp6/WpEBN5ts7FtWzBCMkVf+WdpWHTWpnyUqi2iMNut+ZWmVbA//KfeDG/ZItQyGILViLIBcTEQBuaovSIv1FhWuD4dAaj4ZRe3/oBB1YmsV9RncECQQD7FBb2HWVySDgBYhJufaCZIK5aScrZXNd4G29T38Lmt/kn2LpakKYGlShAygkuBmlustRfySVuPQXeOtKYqdQhAkEA9Mda/uXhqBoU8xyyEFk+FCmX5rKKXAjCo4mX31J/ExrB+UvrvFI0heF8cmjP82QdfgAF1lWYTRTiowKM0RlbwwJASTJoJ0QWqSSIv056FSAmy72NVuEgdBHu9yL4Z7laNqz3xDgYzAJThKPDYnAEERjpb85Ov8YCVYsQxOLdNoh8QQJBAL5N36kdAHu5C2CXhri/KUxzqe1qEbfL98c9Sh4N/U3VF8nCBNy87KjJzf8FDeekhmlXizJACdCj1C/345MNrBECQQDLr3+BGzEcaDf8C0alFeEkMeATl8O4HUZAOA+Lw6Rpj0hibprvPJiFZNApjidhOuC7+SnBxyrFI2mxSaKNc+GS";

/// The server's messages, verbatim where e9's are known.
pub mod msg {
    /// applytoken: `secret` does not decrypt under the server key.
    pub const SECRET_DECRYPT_FAILED: &str = "secret解密失败,请检查加密内容.";
    /// regist/applytoken: unknown appid, or a `secret` that decrypts to
    /// something other than the current `secrit`.
    pub const AUTH_FAILED: &str = "认证信息错误";
    /// Business call: a `userid` that does not decrypt to a known user (with
    /// errorCode 002).
    pub const LOGIN_TIMEOUT: &str = "登录信息超时";
    /// applytoken success.
    pub const TOKEN_OK: &str = "获取成功!";
    /// regist success.
    pub const REGIST_OK: &str = "ok";
    /// regist without a usable `cpk` (the emulator's own words).
    pub const BAD_CPK: &str = "cpk参数值异常";

    /// Business call with a missing, unknown or expired token.
    pub fn token_timeout(token: &str) -> String {
        format!("token不存在或者超时：{token}")
    }
}

/// What a hostile server sends instead of a correct answer (config key
/// `weaver_rest.hostile`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Hostile {
    /// Correct answers.
    #[default]
    None,
    /// regist answers an `spk` that is no RSA key.
    BadSpk,
    /// regist answers no `secrit`.
    NoSecrit,
    /// applytoken answers a token with CR LF and a header after it.
    TokenControlChars,
}

struct Registration {
    secrit: String,
    cpk: String,
}

struct RestToken {
    appid: String,
    expires_at: Instant,
}

/// The REST side's state: registrations (one per appid: a new regist
/// replaces the old `secrit`), issued tokens, the parsed server key.
#[derive(Default)]
pub struct RestState {
    key: Mutex<Option<(String, RsaPrivateKey)>>,
    registrations: Mutex<HashMap<String, Registration>>,
    tokens: Mutex<HashMap<String, RestToken>>,
}

impl RestState {
    /// Makes every issued token expired.
    pub fn expire_tokens(&self) {
        let now = Instant::now();
        for t in lock(&self.tokens).values_mut() {
            t.expires_at = now;
        }
    }

    /// The `cpk` of the current registration of `appid`.
    pub fn registered_cpk(&self, appid: &str) -> Option<String> {
        lock(&self.registrations).get(appid).map(|r| r.cpk.clone())
    }

    /// Whether `token` was issued and is not expired.
    pub fn token_valid(&self, token: &str) -> Option<bool> {
        lock(&self.tokens)
            .get(token)
            .map(|t| t.expires_at > Instant::now())
    }

    fn key(&self, text: &str) -> Option<RsaPrivateKey> {
        let mut slot = lock(&self.key);
        if let Some((t, k)) = &*slot {
            if t == text {
                return Some(k.clone());
            }
        }
        let der = STANDARD.decode(text).ok()?;
        let key = RsaPrivateKey::from_pkcs8_der(&der).ok()?;
        *slot = Some((text.to_owned(), key.clone()));
        Some(key)
    }
}

/// Checks a configured server key (for config validation).
pub fn valid_server_key(text: &str) -> bool {
    STANDARD
        .decode(text)
        .ok()
        .and_then(|der| RsaPrivateKey::from_pkcs8_der(&der).ok())
        .is_some()
}

fn refusal(msg: &str) -> Response {
    Response::json(
        200,
        json!({"msg": msg, "code": -1, "msgShowType": "none", "status": false}).to_string(),
    )
}

fn post_only(request: &Request) -> Option<Response> {
    (request.method != "POST").then(|| {
        Response::text(
            405,
            "text/plain;charset=UTF-8",
            "Request method not supported",
        )
    })
}

/// RSA-PKCS#1-v1.5 decryption of a Base64 header value.
fn decrypt(key: &RsaPrivateKey, base64_text: &str) -> Option<String> {
    let ct = STANDARD.decode(base64_text).ok()?;
    let plain = key.decrypt(Pkcs1v15Encrypt, &ct).ok()?;
    String::from_utf8(plain).ok()
}

fn server_key(shared: &Shared) -> RsaPrivateKey {
    let text = shared.config().weaver_rest.server_private_key;
    shared
        .weaver_rest
        .key(&text)
        .expect("the server key is validated with the config")
}

/// `POST /api/ec/dev/auth/regist`.
pub fn regist(shared: &Shared, request: &Request) -> Response {
    if let Some(r) = post_only(request) {
        return r;
    }
    let config = shared.config().weaver_rest;
    let appid = request.header("appid").unwrap_or("");
    if !config.appids.iter().any(|a| a == appid) {
        return refusal(msg::AUTH_FAILED);
    }
    let cpk = request.header("cpk").unwrap_or("");
    let cpk_ok = STANDARD
        .decode(cpk)
        .ok()
        .and_then(|der| RsaPublicKey::from_public_key_der(&der).ok())
        .is_some();
    if !cpk_ok {
        return refusal(msg::BAD_CPK);
    }
    let key = server_key(shared);
    let spk = STANDARD.encode(
        key.to_public_key()
            .to_public_key_der()
            .expect("encodable")
            .as_bytes(),
    );
    let secrit = shared.random_uuid();
    lock(&shared.weaver_rest.registrations).insert(
        appid.to_owned(),
        Registration {
            secrit: secrit.clone(),
            cpk: cpk.to_owned(),
        },
    );
    let body = match config.hostile {
        Hostile::BadSpk => json!({"msg": msg::REGIST_OK, "code": 0, "msgShowType": "none",
            "status": true, "secrit": secrit, "spk": "bm90IGFuIFJTQSBrZXk="}),
        Hostile::NoSecrit => json!({"msg": msg::REGIST_OK, "code": 0, "msgShowType": "none",
            "status": true, "spk": spk}),
        _ => json!({"msg": msg::REGIST_OK, "code": 0, "msgShowType": "none",
            "status": true, "secrit": secrit, "spk": spk}),
    };
    Response::json(200, body.to_string())
}

/// `POST /api/ec/dev/auth/applytoken`.
pub fn apply_token(shared: &Shared, request: &Request) -> Response {
    if let Some(r) = post_only(request) {
        return r;
    }
    let config = shared.config().weaver_rest;
    let appid = request.header("appid").unwrap_or("");
    let expected = match lock(&shared.weaver_rest.registrations).get(appid) {
        Some(r) => r.secrit.clone(),
        None => return refusal(msg::AUTH_FAILED),
    };
    let Some(secrit) = decrypt(&server_key(shared), request.header("secret").unwrap_or("")) else {
        return refusal(msg::SECRET_DECRYPT_FAILED);
    };
    if secrit != expected {
        return refusal(msg::AUTH_FAILED);
    }
    let time_s = request
        .header("time")
        .and_then(|t| t.trim().parse::<u64>().ok())
        .filter(|t| *t > 0)
        .unwrap_or(DEFAULT_TIME_S);
    let token = shared.random_uuid();
    lock(&shared.weaver_rest.tokens).insert(
        token.clone(),
        RestToken {
            appid: appid.to_owned(),
            expires_at: Instant::now() + Duration::from_secs(time_s),
        },
    );
    let sent = if config.hostile == Hostile::TokenControlChars {
        format!("{token}\r\nX-Injected: 1")
    } else {
        token
    };
    Response::json(
        200,
        json!({"msg": msg::TOKEN_OK, "code": 0, "msgShowType": "none", "status": true,
            "token": sent})
        .to_string(),
    )
}

/// The business endpoint: `appid` and `token` must match a live token of
/// that appid; a `userid`, when sent, must decrypt to a known OA user id.
/// Echoes what it received.
pub fn echo(shared: &Shared, request: &Request) -> Response {
    let appid = request.header("appid").unwrap_or("");
    let token = request.header("token").unwrap_or("");
    let valid = lock(&shared.weaver_rest.tokens)
        .get(token)
        .is_some_and(|t| t.appid == appid && t.expires_at > Instant::now());
    if !valid {
        return refusal(&msg::token_timeout(token));
    }
    let user = match request.header("userid") {
        None => None,
        Some(encrypted) => {
            let users = shared.config().weaver.users;
            match decrypt(&server_key(shared), encrypted) {
                Some(id) if users.iter().any(|u| u.id == id) => Some(id),
                _ => {
                    return Response::json(
                        200,
                        json!({"msg": msg::LOGIN_TIMEOUT, "errorCode": "002", "status": false})
                            .to_string(),
                    )
                }
            }
        }
    };
    Response::json(
        200,
        json!({
            "code": 0,
            "status": true,
            "method": request.method,
            "target": request.target,
            "appid": appid,
            "userid": user,
            "content_type": request.header("Content-Type"),
            "body": String::from_utf8_lossy(&request.body),
        })
        .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Vectors {
        server: Key,
        client: ClientKey,
        encrypt: Vec<Encrypted>,
    }
    #[derive(serde::Deserialize)]
    struct Key {
        private_pkcs8: String,
        spk: String,
    }
    #[derive(serde::Deserialize)]
    struct ClientKey {
        private_pkcs8: String,
        cpk: String,
    }
    #[derive(serde::Deserialize)]
    struct Encrypted {
        plaintext: String,
        ciphertext: String,
    }

    #[test]
    fn the_default_key_is_the_vector_key_and_decrypts_the_vectors() {
        let v: Vectors =
            serde_json::from_str(include_str!("../../tests/vectors/weaver_rest.json")).unwrap();
        assert_eq!(v.server.private_pkcs8, DEFAULT_SERVER_KEY);
        let key =
            RsaPrivateKey::from_pkcs8_der(&STANDARD.decode(DEFAULT_SERVER_KEY).unwrap()).unwrap();
        let spk = STANDARD.encode(key.to_public_key().to_public_key_der().unwrap().as_bytes());
        assert_eq!(spk, v.server.spk);
        for e in &v.encrypt {
            assert_eq!(decrypt(&key, &e.ciphertext).as_deref(), Some(&*e.plaintext));
        }
        let client =
            RsaPrivateKey::from_pkcs8_der(&STANDARD.decode(&v.client.private_pkcs8).unwrap())
                .unwrap();
        let cpk = STANDARD.encode(
            client
                .to_public_key()
                .to_public_key_der()
                .unwrap()
                .as_bytes(),
        );
        assert_eq!(cpk, v.client.cpk);
        assert!(decrypt(&key, "AAAA").is_none());
        assert!(valid_server_key(DEFAULT_SERVER_KEY));
        assert!(!valid_server_key("AAAA"));
    }
}
