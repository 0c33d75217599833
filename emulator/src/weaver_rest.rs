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

/// The server's key pair unless the config names another: the 2048-bit test
/// key of `tests/vectors/weaver_rest.json` (PKCS#8 DER, Base64). Published,
/// so never a key for anything but tests.
pub const DEFAULT_SERVER_KEY: &str = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCjT4pEbmFKPzsO3HfcuLgkewaxng5KpCJO3LzxgHTDFRQTlh0QPi9mOghT3/OsPM8ESKTZOckJ+vYK5xgb7RuFqgAzjvimNMCFlbcUsKVOY7TNyVSKrhGVZnanQ4HqQ00DNoxpR+oQrAMyaYU31giB56HxcGSCMemzD2/p0kdgGx4fDbKY6P8cYm2ITuY8kLYBuTkEVUMVHaxjj116KeT0pAlWG71DqeOksAcc7DFMJ7zsQX02TVaYfnRzOndEEfm2MLalmnzQAR7kEbs92CYFLwzxBFzciSeYaLiAkbc+9MRB9BCh6KbBFEIth+V9uiSwtteBTd1M5udr39ovxqvRAgMBAAECggEAHXQ/D9CIo4d781Y4GAsIyyuVLXvAQB4SQf715OiyJm0qzc2JOGC+08Urs1T08d+VxsQDV1pgs/gbYCQF6SN+j0D2AFaM6g0hm/ZAqu6hId5BwcvJ/6kdasCsLcazK7kvrqCr+mEKCi+789+sM0HbDvLj9lO7DPBLogvqt1VBokd3zhgiGp0sLHxaGLXoYD2Sudh0Wexe0BmzaZjlIn4kttOWgTLT/RvRAXVKBU8Ook2dQMxHgFshws1qZAqBUhwH9YPZ3/y9N5auLyJseOcLM2cKhWF7CprvK2Ev8FA5ArsqdTcLlTkjkoEdNbE9rlurOg/7KpqRNef0SSmohFktQQKBgQDdZd6SoiWQUXOdoo0/eYYZiyxqp5u5N8OXm1AxAVBmHOccGJCQblvaT2lNj2shJymJxblkOh/+6/Z4XtrnPANI51aN6gsHjDreefmWg7Pa/5jsq7iRvh7KMMnB/nYN0gUzBLafxiDb1z9Y0Slz2D1EXglPYoS9Qu9MvH2Eab1pzQKBgQC81ZnaKj0tm+E9z8BqPuJZa/+iNu/tkZ+oa3TTr8paFuMELlqikY/rEhYMZ3Lxcm/1VD2WPgwz8Hga46qOoc0mxLhisYp+cNNhpGKRz/vVUktoKrMjIsp9Jh5qIWwdcxU6FA6OInUKgna/dNU7Kb8z4toe+okbhhY5i6Y4A9r2FQKBgFvJOecMtgoI2qfFlk10cjXwzu9AoXy+M6aMy0glxVEwNlgdjwFx3z64oW14Qe+yrrPhdySoPE+RP9NTb+lhpfL5hZa8KupsJpPJecH+w/fM83dbEd/KNDWa2GpGtmawZVtrXtMKbuD1cdu+izLtuSi4258/tsxIDbGAi4Dz3YUZAoGBAKWM3oVV4qzJrH70VEzRNMAQ3tzoLRCqSr7s9k9gHpc82Wog+XTtCK+d+5aEW1EyctUyNYwyeaBPgfyQ/EZvs9v5O23LGRAg+jDwXTpYjQBIVbPNO5/iMIPnl2KUSqTG8CUq0Ffr/ZBpMJJJa2ejAe4LRA9Etk9bDsEEnYUeXCjBAoGAGyorRUJW+rD8jXHGPUejdIB07d7kPxiqgMXneikltsey7HItgCKpwVscAPqf57cZrpk+0Tk16C1pvasz9bMdAGrMXNBns6m141tMX5nuUI8kI7cHc6e8ytGv6CukjC9IgPa5nshaSyldUJVWXGGd1qVrKUqxzDZrdFwRfjxgRnI=";

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
    /// Forgets every issued token, as a restarted server does.
    pub fn forget_tokens(&self) {
        lock(&self.tokens).clear();
    }

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

/// The business checks of a REST token: `None` when `token` was not issued
/// by applytoken (so the getToken rules apply), else the decrypted user id
/// (or none without a `userid` header), or the refusal to send: a token that
/// is expired or of another appid gets `token不存在或者超时：<token>`, a
/// `userid` that does not decrypt to a configured user `登录信息超时`
/// (errorCode 002).
pub fn check_business(
    shared: &Shared,
    request: &Request,
) -> Option<Result<Option<String>, Response>> {
    let appid = request.header("appid").unwrap_or("");
    let token = request.header("token").unwrap_or("");
    let valid = {
        let tokens = lock(&shared.weaver_rest.tokens);
        let issued = tokens.get(token)?;
        issued.appid == appid && issued.expires_at > Instant::now()
    };
    if !valid {
        return Some(Err(refusal(&msg::token_timeout(token))));
    }
    let Some(encrypted) = request.header("userid") else {
        return Some(Ok(None));
    };
    let users = shared.config().weaver.users;
    Some(match decrypt(&server_key(shared), encrypted) {
        Some(id) if users.iter().any(|u| u.id == id) => Ok(Some(id)),
        _ => Err(Response::json(
            200,
            json!({"msg": msg::LOGIN_TIMEOUT, "errorCode": "002", "status": false}).to_string(),
        )),
    })
}

/// The REST business endpoint: the checks of [`check_business`] (a token
/// that was never issued gets `token不存在或者超时` too), then an echo of
/// what it received.
pub fn echo(shared: &Shared, request: &Request) -> Response {
    let user = match check_business(shared, request) {
        Some(Ok(user)) => user,
        Some(Err(refusal)) => return refusal,
        None => return refusal(&msg::token_timeout(request.header("token").unwrap_or(""))),
    };
    Response::json(
        200,
        json!({
            "code": 0,
            "status": true,
            "method": request.method,
            "target": request.target,
            "appid": request.header("appid").unwrap_or(""),
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
