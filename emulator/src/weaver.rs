//! The Weaver e9 getToken endpoint (`docs/protocol/weaver.md`, section 1), written
//! from the spec without using the `erpauth` crate.

use crate::http::{Request, Response};
use crate::state::{Shared, TokenState};
use aes::cipher::{block_padding::Pkcs7, BlockDecryptMut, BlockEncryptMut, KeyInit};
use base64::Engine as _;
use md5::{Digest, Md5};
use serde::Serialize;
use std::time::{Duration, Instant};

/// Path of the endpoint.
pub const GET_TOKEN_PATH: &str = "/api/cus/token/auth/getToken";
/// Prefix of the e9 business calls the emulator implements.
pub const BUSINESS_PREFIX: &str = "/api/workflow/paService/";
/// Lists a user's to-do requests (GET); echoes what it received.
pub const TODO_LIST_PATH: &str = "/api/workflow/paService/getToDoWorkflowRequestList";
/// Creates a workflow request (POST); echoes what it received.
pub const CREATE_REQUEST_PATH: &str = "/api/workflow/paService/doCreateRequest";
/// How old (or how far in the future) a sign's time may be.
const SIGN_WINDOW_MS: i64 = 5 * 60 * 1000;

/// The server's messages, verbatim.
pub mod msg {
    /// appid or sign missing or malformed, or the appid is unknown.
    pub const BAD_APPID_OR_SIGN: &str = "appid或sign参数值异常!!!";
    /// The sign does not decrypt to the expected text.
    pub const DECRYPT_FAILED: &str = "签名解密异常,请确认!!!";
    /// The sign's time is outside the five-minute window.
    pub const EXPIRED: &str = "签名已过期,请确认!!!";
    /// The sign was used before.
    pub const REPEATED: &str = "禁用重复签名获取token,请确认!!!";
    /// Only one of userType/userContain, or an empty one.
    pub const BAD_USER_PARAMS: &str = "userType或userContain参数值异常!!!";
    /// No user has that attribute value.
    pub const NO_SUCH_USER: &str = "userId解析异常,请确认!!!";
    /// Success.
    pub const OK: &str = "获取成功!";

    /// The appid exists but is disabled.
    pub fn disabled(appid: &str) -> String {
        format!("应用标识appid==>>{appid}已被禁用,请联系管理员!!!")
    }

    /// The userType is not one of the six known ones.
    pub fn bad_user_type(user_type: &str) -> String {
        format!("userType:{user_type} 无效,请确认!!!")
    }
}

#[derive(Serialize)]
struct Answer<'a> {
    msg: &'a str,
    status: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    userid: Option<&'a str>,
}

fn refusal(msg: &str) -> Response {
    answer(&Answer {
        msg,
        status: false,
        token: None,
        userid: None,
    })
}

fn answer(a: &Answer) -> Response {
    Response::json(200, serde_json::to_string(a).expect("serializable"))
}

/// AES-ECB-PKCS5 encryption under a 16/24/32-byte key.
pub fn aes_ecb_encrypt(key: &[u8], plaintext: &[u8]) -> Option<Vec<u8>> {
    Some(match key.len() {
        16 => ecb::Encryptor::<aes::Aes128>::new_from_slice(key)
            .ok()?
            .encrypt_padded_vec_mut::<Pkcs7>(plaintext),
        24 => ecb::Encryptor::<aes::Aes192>::new_from_slice(key)
            .ok()?
            .encrypt_padded_vec_mut::<Pkcs7>(plaintext),
        32 => ecb::Encryptor::<aes::Aes256>::new_from_slice(key)
            .ok()?
            .encrypt_padded_vec_mut::<Pkcs7>(plaintext),
        _ => return None,
    })
}

/// AES-ECB-PKCS5 decryption; `None` for a bad key length, a ciphertext that
/// is not whole blocks, or bad padding.
pub fn aes_ecb_decrypt(key: &[u8], ciphertext: &[u8]) -> Option<Vec<u8>> {
    match key.len() {
        16 => ecb::Decryptor::<aes::Aes128>::new_from_slice(key)
            .ok()?
            .decrypt_padded_vec_mut::<Pkcs7>(ciphertext)
            .ok(),
        24 => ecb::Decryptor::<aes::Aes192>::new_from_slice(key)
            .ok()?
            .decrypt_padded_vec_mut::<Pkcs7>(ciphertext)
            .ok(),
        32 => ecb::Decryptor::<aes::Aes256>::new_from_slice(key)
            .ok()?
            .decrypt_padded_vec_mut::<Pkcs7>(ciphertext)
            .ok(),
        _ => None,
    }
}

/// `UPPER(hex(MD5(appid:secret)))`.
pub fn credential_md5(appid: &str, secret: &str) -> String {
    hex::encode_upper(Md5::digest(format!("{appid}:{secret}").as_bytes()))
}

/// The sign a correct client sends for `time_ms` (used by the emulator's own
/// tests and the CLI's cross-check, never to verify).
pub fn make_sign(appid: &str, secret: &str, aes_key: &str, time_ms: i64) -> Option<String> {
    let text = format!("{time_ms}_{}", credential_md5(appid, secret));
    aes_ecb_encrypt(aes_key.as_bytes(), text.as_bytes()).map(hex::encode)
}

/// `POST /api/cus/token/auth/getToken`.
pub fn get_token(shared: &Shared, request: &Request) -> Response {
    if request.method != "POST" {
        return Response::text(
            405,
            "text/plain;charset=UTF-8",
            "Request method not supported",
        );
    }
    let config = shared.config().weaver;
    let appid = request.header("appid").unwrap_or("");
    let sign = request.header("sign").unwrap_or("");
    let sign_bytes = match hex::decode(sign) {
        Ok(bytes) if !appid.is_empty() && !bytes.is_empty() => bytes,
        _ => return refusal(msg::BAD_APPID_OR_SIGN),
    };
    if config.disabled_appids.iter().any(|d| d == appid) {
        return refusal(&msg::disabled(appid));
    }
    // An unknown appid gets the same words as a malformed one: the server
    // finds no app to check the sign against.
    if appid != config.appid {
        return refusal(msg::BAD_APPID_OR_SIGN);
    }

    let Some(plaintext) = aes_ecb_decrypt(config.aes_key.as_bytes(), &sign_bytes)
        .and_then(|p| String::from_utf8(p).ok())
    else {
        return refusal(msg::DECRYPT_FAILED);
    };
    let expected_md5 = credential_md5(appid, &config.secret);
    let time_ms = match plaintext.split_once('_') {
        Some((time, md5))
            if md5 == expected_md5
                && !time.is_empty()
                && time.bytes().all(|b| b.is_ascii_digit()) =>
        {
            match time.parse::<i64>() {
                Ok(t) => t,
                Err(_) => return refusal(msg::DECRYPT_FAILED),
            }
        }
        _ => return refusal(msg::DECRYPT_FAILED),
    };
    if (shared.server_now_ms() - time_ms).abs() > SIGN_WINDOW_MS {
        return refusal(msg::EXPIRED);
    }
    // The sign is used up once verified, whatever the user parameters say.
    if !shared.remember_sign(&sign.to_ascii_lowercase()) {
        return refusal(msg::REPEATED);
    }

    let user_type = request.header("userType");
    let user_contain = request.header("userContain");
    let user = match (user_type, user_contain) {
        (None, None) => None,
        (Some(t), Some(c)) if !t.is_empty() && !c.is_empty() => {
            if !crate::config::USER_TYPES.contains(&t) {
                return refusal(&msg::bad_user_type(t));
            }
            match config.users.iter().find(|u| u.attribute(t) == Some(c)) {
                Some(u) => Some(u.id.clone()),
                None => return refusal(msg::NO_SUCH_USER),
            }
        }
        _ => return refusal(msg::BAD_USER_PARAMS),
    };

    let token = shared.random_uuid();
    shared.weaver_tokens().insert(
        token.clone(),
        TokenState {
            expires_at: Instant::now() + Duration::from_secs(config.token_ttl_s),
            user: user.clone(),
        },
    );
    let userid = user.map(|id| {
        let encrypted = aes_ecb_encrypt(config.aes_key.as_bytes(), id.as_bytes())
            .expect("aes_key length is validated with the config");
        base64::engine::general_purpose::STANDARD.encode(encrypted)
    });
    answer(&Answer {
        msg: msg::OK,
        status: true,
        token: Some(&token),
        userid: userid.as_deref(),
    })
}

/// A business refusal in the shape e9's REST filter uses.
fn business_refusal(body: serde_json::Value) -> Response {
    Response::json(200, body.to_string())
}

/// e9 business calls: `appid`, `token` (issued and not expired) and, for a
/// token issued for a user, `userid` = Base64(AES(aes_key, that user's id)).
/// An unknown token gets `token不存在或者超时：<token>` (code -1), an expired
/// one `登录信息超时` (errorCode 002), as servers in the field answer.
pub fn business(shared: &Shared, request: &Request) -> Response {
    let config = shared.config().weaver;
    let appid = request.header("appid").unwrap_or("");
    let token = request.header("token").unwrap_or("");
    // A token of the standard REST authentication (regist / applytoken) is
    // checked by its own rules (an RSA-encrypted userid, any user); the
    // endpoints behave the same after that.
    let userid = match crate::weaver_rest::check_business(shared, request) {
        Some(Ok(userid)) => userid,
        Some(Err(refusal)) => return refusal,
        None => {
            if appid != config.appid {
                return business_refusal(serde_json::json!({
                    "code": -1, "status": false, "msg": "认证信息错误",
                }));
            }
            let state = shared.weaver_tokens().get(token).cloned();
            let Some(state) = state else {
                return business_refusal(serde_json::json!({
                    "code": -1, "status": false, "msg": format!("token不存在或者超时：{token}"),
                }));
            };
            if state.expires_at <= Instant::now() {
                return business_refusal(serde_json::json!({
                    "errorCode": "002", "status": false, "errorMsg": "登录信息超时",
                }));
            }
            match (request.header("userid"), &state.user) {
                (None, None) => None,
                (Some(sent), Some(expected)) => {
                    let decrypted = base64::engine::general_purpose::STANDARD
                        .decode(sent)
                        .ok()
                        .and_then(|ct| aes_ecb_decrypt(config.aes_key.as_bytes(), &ct))
                        .and_then(|p| String::from_utf8(p).ok());
                    if decrypted.as_deref() != Some(expected.as_str()) {
                        return business_refusal(serde_json::json!({
                            "code": -1, "status": false, "msg": "userid解析异常",
                        }));
                    }
                    decrypted
                }
                (None, Some(_)) | (Some(_), None) => {
                    return business_refusal(serde_json::json!({
                        "code": -1, "status": false, "msg": "userid与token不匹配",
                    }))
                }
            }
        }
    };
    let path = request.raw_path();
    let allowed = match path {
        TODO_LIST_PATH => "GET",
        CREATE_REQUEST_PATH => "POST",
        _ => {
            return Response::json(
                404,
                serde_json::json!({"code": 404, "status": false, "msg": "接口不存在"}).to_string(),
            )
        }
    };
    if request.method != allowed {
        return Response::text(
            405,
            "text/plain;charset=UTF-8",
            "Request method not supported",
        );
    }
    let headers: Vec<(&str, &str)> = request
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    Response::json(
        200,
        serde_json::json!({
            "code": "SUCCESS",
            "status": true,
            "data": {
                "method": request.method,
                "path": path,
                "query": request.raw_query(),
                "content_type": request.header("Content-Type"),
                "body": String::from_utf8_lossy(&request.body),
                "appid": appid,
                "token": token,
                "user": userid,
                "headers": headers,
            },
        })
        .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Vectors {
        sign: Vec<SignVector>,
    }
    #[derive(serde::Deserialize)]
    struct SignVector {
        appid: String,
        secret: String,
        aes_key: String,
        timestamp_ms: i64,
        plaintext: String,
        sign: String,
    }

    #[test]
    fn public_vector_round_trips() {
        let v: Vectors =
            serde_json::from_str(include_str!("../../tests/vectors/weaver.json")).unwrap();
        for s in &v.sign {
            assert_eq!(
                make_sign(&s.appid, &s.secret, &s.aes_key, s.timestamp_ms).unwrap(),
                s.sign
            );
            let plain =
                aes_ecb_decrypt(s.aes_key.as_bytes(), &hex::decode(&s.sign).unwrap()).unwrap();
            assert_eq!(plain, s.plaintext.as_bytes());
        }
    }

    #[test]
    fn key_lengths() {
        for len in [16, 24, 32] {
            let key = vec![b'k'; len];
            let ct = aes_ecb_encrypt(&key, b"hello").unwrap();
            assert_eq!(aes_ecb_decrypt(&key, &ct).unwrap(), b"hello");
        }
        assert!(aes_ecb_encrypt(b"short", b"x").is_none());
        assert!(aes_ecb_decrypt(&[b'k'; 16], b"not whole blocks").is_none());
    }
}
