//! The Kingdee API gateway: signature verification of every request, the
//! app-token endpoint and one business endpoint.
//!
//! Written from `docs/protocol/kingdee.md` without using the `erpauth` crate, so that
//! the emulator is an independent check of the library's signing.

use crate::http::{Request, Response};
use crate::state::{Shared, TokenState};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;
use std::time::{Duration, Instant};

/// Path of the app-token endpoint.
pub const AUTH_TOKEN_PATH: &str = "/jdyconnector/app_management/kingdee_auth_token";
/// The authorization pull.
pub const PUSH_APP_AUTHORIZE_PATH: &str = "/jdyconnector/app_management/push_app_authorize";
/// A business call that checks every header and echoes the request as JSON.
pub const ECHO_PATH: &str = "/jdy/v2/erpauth/echo";
/// A business call that checks every header and answers the request body
/// verbatim, with the request's Content-Type (for non-UTF-8 and large bodies).
pub const ECHO_RAW_PATH: &str = "/jdy/v2/erpauth/echo_raw";
/// `errcode` for an `outerInstanceId` the emulator does not know (the
/// emulator's choice).
pub const ERRCODE_UNKNOWN_INSTANCE: i64 = 1030002010;
/// Description that goes with [`ERRCODE_UNKNOWN_INSTANCE`].
pub const DESCRIPTION_UNKNOWN_INSTANCE: &str = "outerInstanceId不存在或未授权";
/// Prefix of business calls.
pub const BUSINESS_PREFIX: &str = "/jdy/v2/";
/// The one business call the emulator implements.
pub const CUSTOMER_PATH: &str = "/jdy/v2/bd/customer";
/// How far a request timestamp may be from the server clock.
const TIMESTAMP_WINDOW_MS: i64 = 5 * 60 * 1000;

/// `errcode` for an `app_key` the emulator does not know (the emulator's
/// choice; the spec documents only 1030002006).
pub const ERRCODE_UNKNOWN_APP_KEY: i64 = 1030002001;
/// Description that goes with [`ERRCODE_UNKNOWN_APP_KEY`].
pub const DESCRIPTION_UNKNOWN_APP_KEY: &str = "app_key不存在或未授权";
/// `errcode` for a `uid` parameter that is not a number (emulator's choice).
pub const ERRCODE_BAD_UID: i64 = 1030002002;
/// Description that goes with [`ERRCODE_BAD_UID`].
pub const DESCRIPTION_BAD_UID: &str = "uid参数错误";
/// `errcode` for a wrong `app_signature` (documented by Kingdee).
pub const ERRCODE_BAD_APP_SIGNATURE: i64 = 1030002006;
/// Description that goes with [`ERRCODE_BAD_APP_SIGNATURE`].
pub const DESCRIPTION_BAD_APP_SIGNATURE: &str = "授权密钥校验失败";

/// Bytes `java.net.URLEncoder` leaves alone besides letters and digits.
const JAVA_UNRESERVED: &[u8] = b".-*_";
/// Bytes the gateway's encoder leaves alone besides letters and digits.
const GATEWAY_UNRESERVED: &[u8] = b".-_~";

fn percent_encode(text: &str, unreserved: &[u8]) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for &byte in text.as_bytes() {
        if byte.is_ascii_alphanumeric() || unreserved.contains(&byte) {
            out.push(char::from(byte));
        } else if byte == b' ' {
            out.push('+');
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The gateway's encoder.
pub fn gateway_encode(text: &str) -> String {
    percent_encode(text, GATEWAY_UNRESERVED)
}

/// `java.net.URLEncoder.encode(text, "UTF-8")`.
pub fn java_encode(text: &str) -> String {
    percent_encode(text, JAVA_UNRESERVED)
}

/// Decodes `%XX` (and `+` when `plus_is_space`); `None` for a malformed
/// escape or a result that is not UTF-8.
pub fn url_decode(text: &str, plus_is_space: bool) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&first, tail)) = rest.split_first() {
        match first {
            b'%' => {
                let hex = tail.get(..2)?;
                let hex = std::str::from_utf8(hex).ok()?;
                if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return None;
                }
                bytes.push(u8::from_str_radix(hex, 16).ok()?);
                rest = &tail[2..];
            }
            b'+' if plus_is_space => {
                bytes.push(b' ');
                rest = tail;
            }
            other => {
                bytes.push(other);
                rest = tail;
            }
        }
    }
    String::from_utf8(bytes).ok()
}

/// The query parameters of a raw query string, decoded, in wire order.
pub fn parse_query(raw: &str) -> Option<Vec<(String, String)>> {
    raw.split('&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            let (name, value) = match piece.find('=') {
                Some(i) => (&piece[..i], &piece[i + 1..]),
                None => (piece, ""),
            };
            Some((url_decode(name, true)?, url_decode(value, true)?))
        })
        .collect()
}

/// The canonical query of the official client: `gw(name)=java(value)`
/// strings sorted as whole strings, then split at the first `=` and both
/// halves encoded again with the gateway encoder; a parameter whose name is
/// empty is left out.
pub fn canonical_query(params: &[(String, String)]) -> String {
    let mut once: Vec<String> = params
        .iter()
        .map(|(name, value)| format!("{}={}", gateway_encode(name), java_encode(value)))
        .collect();
    once.sort();
    once.iter()
        // As the official client's getQueryEncode: `int index =
        // param.indexOf("="); if (index < 1) continue;` leaves a parameter
        // with an empty name out.
        .filter(|pair| pair.find('=').is_some_and(|index| index >= 1))
        .map(|pair| {
            let (name, value) = pair.split_once('=').expect("every pair has an '='");
            format!("{}={}", gateway_encode(name), gateway_encode(value))
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The five-line string to sign for a decoded path and query.
pub fn string_to_sign(
    method: &str,
    path: &str,
    query: &[(String, String)],
    nonce: &str,
    timestamp: &str,
) -> String {
    format!(
        "{}\n{}\n{}\nx-api-nonce:{}\nx-api-timestamp:{}\n",
        method.to_ascii_uppercase(),
        gateway_encode(path),
        canonical_query(query),
        nonce,
        timestamp
    )
}

/// `Base64(lower_hex(HMAC-SHA256(key, message)))`.
pub fn hmac_hex_base64(key: &str, message: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("any key length");
    mac.update(message.as_bytes());
    let hex_digest = hex::encode(mac.finalize().into_bytes());
    base64::engine::general_purpose::STANDARD.encode(hex_digest.as_bytes())
}

/// A gateway refusal: HTTP 519 `{"code":N,"msg":"...","success":false}`.
pub fn refusal(code: u32, msg: &str) -> Response {
    #[derive(Serialize)]
    struct Refusal<'a> {
        code: u32,
        msg: &'a str,
        success: bool,
    }
    Response::json(
        519,
        serde_json::to_string(&Refusal {
            code,
            msg,
            success: false,
        })
        .expect("serializable"),
    )
}

/// An app-level answer `{"errcode":N,"description":"...","data":...}`.
fn app_answer<T: Serialize>(errcode: i64, description: &str, data: Option<T>) -> Response {
    #[derive(Serialize)]
    struct Answer<'a, T> {
        errcode: i64,
        description: &'a str,
        data: Option<T>,
    }
    Response::json(
        200,
        serde_json::to_string(&Answer {
            errcode,
            description,
            data,
        })
        .expect("serializable"),
    )
}

/// The decoded request target, or the answer for an undecodable one.
pub struct DecodedTarget {
    /// Decoded path.
    pub path: String,
    /// Decoded query parameters.
    pub query: Vec<(String, String)>,
}

/// Decodes the target; an undecodable one gets HTTP 400, as a Java gateway
/// would give for a broken URL.
pub fn decode_target(request: &Request) -> Result<DecodedTarget, Response> {
    let bad = || {
        Response::text(
            400,
            "text/plain;charset=UTF-8",
            "Bad Request: malformed percent-encoding in the request target",
        )
    };
    let path = url_decode(request.raw_path(), false).ok_or_else(bad)?;
    let query = match request.raw_query() {
        Some(q) => parse_query(q).ok_or_else(bad)?,
        None => Vec::new(),
    };
    Ok(DecodedTarget { path, query })
}

/// The six-header check every gateway request goes through.
fn check_gateway_headers(
    shared: &Shared,
    request: &Request,
    target: &DecodedTarget,
) -> Result<(), Response> {
    let config = shared.config();
    let header = |name| request.header(name).unwrap_or("");

    if header("X-Api-Auth-Version") != "2.0" {
        return Err(refusal(4001, "auth type not supported"));
    }
    let client_id = header("X-Api-ClientID");
    if client_id.is_empty() {
        return Err(refusal(4002, "client id empty"));
    }
    if client_id != config.kingdee.client_id {
        return Err(refusal(4003, "client id invalid"));
    }
    let mut signed: Vec<String> = header("X-Api-SignHeaders")
        .split(',')
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    signed.sort();
    if signed != ["x-api-nonce", "x-api-timestamp"] {
        return Err(refusal(4007, "SignHeaders invalid"));
    }
    let timestamp = header("X-Api-TimeStamp");
    let now = shared.server_now_ms();
    match timestamp.parse::<i64>() {
        Ok(ts)
            if timestamp.bytes().all(|b| b.is_ascii_digit())
                && (ts - now).abs() <= TIMESTAMP_WINDOW_MS => {}
        _ => return Err(refusal(4006, "timestamp invalid")),
    }
    let nonce = header("X-Api-Nonce");
    let expected = hmac_hex_base64(
        &config.kingdee.client_secret,
        &string_to_sign(
            &request.method,
            &target.path,
            &target.query,
            nonce,
            timestamp,
        ),
    );
    if nonce.is_empty() || header("X-Api-Signature") != expected {
        return Err(refusal(4008, "signature invalid"));
    }
    // Only correctly signed requests consume their nonce: a forged request
    // must not be able to block a genuine one.
    if !shared.remember_nonce(client_id, nonce) {
        return Err(refusal(4008, "nonce repeated"));
    }
    Ok(())
}

/// `GET /jdyconnector/app_management/kingdee_auth_token`.
pub fn auth_token(shared: &Shared, request: &Request) -> Response {
    let target = match decode_target(request) {
        Ok(t) => t,
        Err(answer) => return answer,
    };
    if request.method != "GET" {
        return refusal(5002, "Method Not Allowed");
    }
    if let Err(answer) = check_gateway_headers(shared, request, &target) {
        return answer;
    }
    let config = shared.config().kingdee;
    let param = |name: &str| {
        target
            .query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    if param("app_key") != Some(config.app_key.as_str()) {
        return app_answer::<()>(ERRCODE_UNKNOWN_APP_KEY, DESCRIPTION_UNKNOWN_APP_KEY, None);
    }
    let expected = hmac_hex_base64(&config.app_secret, &config.app_key);
    if param("app_signature") != Some(expected.as_str()) {
        return app_answer::<()>(
            ERRCODE_BAD_APP_SIGNATURE,
            DESCRIPTION_BAD_APP_SIGNATURE,
            None,
        );
    }
    let uid = match param("uid") {
        None => config.uid,
        Some(text) => match text.parse::<u64>() {
            Ok(uid) if text.bytes().all(|b| b.is_ascii_digit()) => uid,
            _ => return app_answer::<()>(ERRCODE_BAD_UID, DESCRIPTION_BAD_UID, None),
        },
    };

    let token = shared.random_hex(16);
    let lifetime = config.token_lifetime_s;
    shared.kingdee_tokens().insert(
        token.clone(),
        TokenState {
            expires_at: Instant::now() + Duration::from_secs(lifetime),
            user: Some(uid.to_string()),
        },
    );

    #[derive(Serialize)]
    struct Data<'a> {
        uid: u64,
        #[serde(rename = "app-token")]
        app_token: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        access_token: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        expires: Option<u64>,
    }
    let with_expires = config.include_expires;
    app_answer(
        0,
        "成功",
        Some(Data {
            uid,
            app_token: &token,
            access_token: with_expires.then_some(token.as_str()),
            expires: with_expires.then_some(lifetime),
        }),
    )
}

/// `/jdy/v2/...`: the six headers, `app-token`, `X-GW-Router-Addr`; only
/// `GET /jdy/v2/bd/customer` exists.
pub fn business(shared: &Shared, request: &Request) -> Response {
    let target = match decode_target(request) {
        Ok(t) => t,
        Err(answer) => return answer,
    };
    if let Err(answer) = check_gateway_headers(shared, request, &target) {
        return answer;
    }
    let token = request.header("app-token").unwrap_or("");
    if token.is_empty() {
        return refusal(4009, "access token empty");
    }
    match shared.kingdee_tokens().get(token) {
        None => return refusal(4010, "access token invalid"),
        Some(state) if state.expires_at <= Instant::now() => {
            return refusal(4011, "access token expired")
        }
        Some(_) => {}
    }
    if request.header("X-GW-Router-Addr") != Some(shared.config().kingdee.domain.as_str()) {
        return Response::text(404, "text/plain;charset=UTF-8", "No Route");
    }
    if target.path == ECHO_PATH {
        return echo(request, &target);
    }
    if target.path == ECHO_RAW_PATH {
        let content_type = request
            .header("Content-Type")
            .unwrap_or("application/octet-stream");
        return Response::bytes(200, content_type, request.body.clone());
    }
    if target.path != CUSTOMER_PATH {
        return refusal(5001, "API Not Found");
    }
    if request.method != "GET" {
        return refusal(5002, "Method Not Allowed");
    }
    Response::json(
        200,
        r#"{"errcode":0,"description":"成功","data":{"rows":[{"id":"1","name":"测试客户"}],"total":1}}"#
            .to_owned(),
    )
}

/// The echo business call: what arrived, after every check passed.
fn echo(request: &Request, target: &DecodedTarget) -> Response {
    let headers: Vec<(&str, &str)> = request
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let data = serde_json::json!({
        "method": request.method,
        "path": target.path,
        "query": target.query,
        "content_type": request.header("Content-Type"),
        "body": String::from_utf8_lossy(&request.body),
        "body_len": request.body.len(),
        "app_token": request.header("app-token"),
        "router_addr": request.header("X-GW-Router-Addr"),
        "headers": headers,
    });
    Response::json(
        200,
        serde_json::json!({"errcode": 0, "description": "成功", "data": data}).to_string(),
    )
}

/// `POST /jdyconnector/app_management/push_app_authorize?outerInstanceId=...`:
/// the authorizations of that instance, with the current `appSecret`.
pub fn push_app_authorize(shared: &Shared, request: &Request) -> Response {
    let target = match decode_target(request) {
        Ok(t) => t,
        Err(answer) => return answer,
    };
    if request.method != "POST" {
        return refusal(5002, "Method Not Allowed");
    }
    if let Err(answer) = check_gateway_headers(shared, request, &target) {
        return answer;
    }
    let config = shared.config().kingdee;
    let instance = target
        .query
        .iter()
        .find(|(n, _)| n == "outerInstanceId")
        .map(|(_, v)| v.as_str());
    if instance != Some(config.outer_instance_id.as_str()) {
        return app_answer::<()>(ERRCODE_UNKNOWN_INSTANCE, DESCRIPTION_UNKNOWN_INSTANCE, None);
    }
    let data = serde_json::json!([{
        "accountId": "emu-account-1",
        "accountName": "仿真账套",
        "agreementCompanyName": "仿真公司",
        "appKey": config.app_key,
        "appSecret": config.app_secret,
        "clientId": config.client_id,
        "domain": config.domain,
        "groupName": "emu-group",
        "outerInstanceId": config.outer_instance_id,
        "serviceId": "emu-service-1",
        "status": 1,
    }]);
    app_answer(0, "成功", Some(data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Vectors {
        app_signature: Vec<AppVector>,
        api_signature: Vec<ApiVector>,
    }
    #[derive(serde::Deserialize)]
    struct AppVector {
        app_key: String,
        app_secret: String,
        app_signature: String,
    }
    #[derive(serde::Deserialize)]
    struct ApiVector {
        client_secret: String,
        method: String,
        path: String,
        query: Vec<(String, String)>,
        nonce: String,
        timestamp: String,
        string_to_sign: String,
        signature: String,
    }

    /// The public vectors, kept in this crate so the crate tests alone.
    const VECTORS: &str = include_str!("../../tests/vectors/kingdee.json");

    #[test]
    fn public_vectors() {
        let v: Vectors = serde_json::from_str(VECTORS).unwrap();
        for a in &v.app_signature {
            assert_eq!(hmac_hex_base64(&a.app_secret, &a.app_key), a.app_signature);
        }
        for a in &v.api_signature {
            let sts = string_to_sign(&a.method, &a.path, &a.query, &a.nonce, &a.timestamp);
            assert_eq!(sts, a.string_to_sign);
            assert_eq!(hmac_hex_base64(&a.client_secret, &sts), a.signature);
        }
    }

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn canonical_query_rules() {
        assert_eq!(
            canonical_query(&q(&[("a", "2"), ("a-b", "1")])),
            "a-b=1&a=2"
        );
        assert_eq!(
            canonical_query(&q(&[("page", "1"), ("page2", "x")])),
            "page2=x&page=1"
        );
        assert_eq!(
            canonical_query(&q(&[("k", "中 =*~")])),
            "k=%25E4%25B8%25AD%2B%253D%2A%257E"
        );
        assert_eq!(canonical_query(&[]), "");
    }

    #[test]
    fn decoding() {
        assert_eq!(url_decode("%E4%B8%AD+x", true).as_deref(), Some("中 x"));
        assert_eq!(url_decode("a+b", false).as_deref(), Some("a+b"));
        assert_eq!(url_decode("%zz", true), None);
        assert_eq!(url_decode("%4", true), None);
        assert_eq!(url_decode("%FF", true), None);
        assert_eq!(
            parse_query("a=1&&flag&b=x%3Dy").unwrap(),
            q(&[("a", "1"), ("flag", ""), ("b", "x=y")])
        );
    }
}
