//! The Kingdee gateway of the emulator, over raw sockets.

mod common;

use common::*;
use erpauth_emulator::{reference, Emulator, EmulatorConfig};

fn start() -> Emulator {
    Emulator::start(EmulatorConfig::default()).unwrap()
}

const REFUSAL_4008: &str = r#"{"code":4008,"msg":"signature invalid","success":false}"#;

#[test]
fn token_answer_has_the_documented_shape() {
    let emu = start();
    let answer = exchange(emu.port(), &signed_get(&token_target(), ""));
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.header("Content-Type"),
        Some("application/json;charset=UTF-8")
    );
    let text = answer.text();
    assert!(
        text.starts_with(r#"{"errcode":0,"description":"成功","data":{"uid":700123,"app-token":""#),
        "{text}"
    );
    let json = answer.json();
    let token = json["data"]["app-token"].as_str().unwrap();
    assert_eq!(token.len(), 32);
    assert_eq!(json["data"]["access_token"], token);
    assert_eq!(json["data"]["expires"], 86400);
    let info = emu.token_info(token).unwrap();
    assert_eq!(
        (info.system, info.valid, info.user.as_deref()),
        ("kingdee", true, Some("700123"))
    );
    assert_ne!(
        kingdee_token(emu.port()),
        token,
        "every fetch hands out a fresh token"
    );
    let stats = emu.stats();
    assert_eq!((stats.kingdee_auth_token, stats.connections), (2, 2));
}

#[test]
fn uid_and_expires_options() {
    let emu = start();
    let target = format!("{}&uid=700999", token_target());
    let json = exchange(emu.port(), &signed_get(&target, "")).json();
    assert_eq!(json["data"]["uid"], 700999);
    let target = format!("{}&uid=abc", token_target());
    let text = exchange(emu.port(), &signed_get(&target, "")).text();
    assert_eq!(
        text,
        r#"{"errcode":1030002002,"description":"uid参数错误","data":null}"#
    );

    emu.update_config(&serde_json::json!({"kingdee": {"include_expires": false}}))
        .unwrap();
    let text = exchange(emu.port(), &signed_get(&token_target(), "")).text();
    assert!(
        text.starts_with(r#"{"errcode":0,"description":"成功","data":{"uid":700123,"app-token":""#),
        "{text}"
    );
    assert!(
        text.ends_with(r#""}}"#),
        "no access_token and expires: {text}"
    );
}

#[test]
fn app_credentials_are_checked() {
    let emu = start();
    let wrong_sig = format!(
        "{TOKEN_PATH}?app_key={APP_KEY}&app_signature={}",
        reference::java_encode(&reference::kingdee_app_signature(APP_KEY, "rotated-secret"))
    );
    let answer = exchange(emu.port(), &signed_get(&wrong_sig, ""));
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.text(),
        r#"{"errcode":1030002006,"description":"授权密钥校验失败","data":null}"#
    );

    let wrong_key = format!(
        "{TOKEN_PATH}?app_key=otherKey&app_signature={}",
        reference::java_encode(&reference::kingdee_app_signature("otherKey", APP_SECRET))
    );
    let answer = exchange(emu.port(), &signed_get(&wrong_key, ""));
    assert_eq!(
        answer.text(),
        r#"{"errcode":1030002001,"description":"app_key不存在或未授权","data":null}"#
    );
    assert_eq!(emu.stats().kingdee_auth_token, 2);
}

/// Sends the token request with the six headers replaced by `headers`.
fn with_headers(emu: &Emulator, headers: &str) -> common::Answer {
    let raw = format!(
        "GET {} HTTP/1.1\r\nHost: x\r\n{headers}\r\n",
        token_target()
    );
    exchange(emu.port(), raw.as_bytes())
}

#[test]
fn gateway_refusals() {
    let emu = start();
    let target = token_target();
    let ts = now_ms().to_string();
    let good = gateway_headers("GET", &target, &fresh_nonce(), &ts);
    let cases: Vec<(String, u32, &str)> = vec![
        (
            good.replace("X-Api-Auth-Version: 2.0", "X-Api-Auth-Version: 1.0"),
            4001,
            "auth type not supported",
        ),
        (
            good.replace(&format!("X-Api-ClientID: {CLIENT_ID}"), "X-Api-ClientID: "),
            4002,
            "client id empty",
        ),
        (
            good.replace(CLIENT_ID, "someone-else"),
            4003,
            "client id invalid",
        ),
        (
            good.replace("X-Api-TimeStamp,X-Api-Nonce", "X-Api-TimeStamp"),
            4007,
            "SignHeaders invalid",
        ),
        (good.replace(&ts, "12ab"), 4006, "timestamp invalid"),
        (
            gateway_headers(
                "GET",
                &target,
                &fresh_nonce(),
                &(now_ms() - 301_000).to_string(),
            ),
            4006,
            "timestamp invalid",
        ),
        (
            gateway_headers(
                "GET",
                &target,
                &fresh_nonce(),
                &(now_ms() + 301_000).to_string(),
            ),
            4006,
            "timestamp invalid",
        ),
        (
            gateway_headers("POST", &target, &fresh_nonce(), &ts),
            4008,
            "signature invalid",
        ),
        (
            gateway_headers("GET", "/other", &fresh_nonce(), &ts),
            4008,
            "signature invalid",
        ),
    ];
    for (headers, code, msg) in cases {
        let answer = with_headers(&emu, &headers);
        assert_eq!(answer.status, 519, "{headers}");
        let expect = format!(r#"{{"code":{code},"msg":"{msg}","success":false}}"#);
        assert_eq!(answer.text(), expect, "{headers}");
    }
    // The SignHeaders list is compared as a set of names, case-insensitively.
    let reordered = gateway_headers("GET", &target, &fresh_nonce(), &ts).replace(
        "X-Api-TimeStamp,X-Api-Nonce",
        "x-api-nonce, X-API-TIMESTAMP",
    );
    assert_eq!(with_headers(&emu, &reordered).status, 200);
    // Header names are case-insensitive, as in every HTTP server.
    let lower = gateway_headers("GET", &target, &fresh_nonce(), &ts).replace("X-Api-", "x-api-");
    assert_eq!(with_headers(&emu, &lower).status, 200);
}

#[test]
fn a_replayed_nonce_is_refused_even_when_correctly_signed() {
    let emu = start();
    let request = signed_get(&token_target(), "");
    assert_eq!(exchange(emu.port(), &request).status, 200);
    let again = exchange(emu.port(), &request);
    assert_eq!(again.status, 519);
    assert_eq!(
        again.text(),
        r#"{"code":4008,"msg":"nonce repeated","success":false}"#
    );
    // A forged request does not use up its nonce.
    let nonce = fresh_nonce();
    let ts = now_ms().to_string();
    let forged = gateway_headers("GET", "/forged", &nonce, &ts);
    assert_eq!(with_headers(&emu, &forged).text(), REFUSAL_4008);
    assert_eq!(
        with_headers(&emu, &gateway_headers("GET", &token_target(), &nonce, &ts)).status,
        200
    );
}

#[test]
fn clock_offset_makes_good_timestamps_fail() {
    let emu = start();
    emu.set_clock_offset_ms(10 * 60 * 1000);
    let answer = exchange(emu.port(), &signed_get(&token_target(), ""));
    assert_eq!(
        answer.text(),
        r#"{"code":4006,"msg":"timestamp invalid","success":false}"#
    );
    emu.set_clock_offset_ms(-4 * 60 * 1000);
    assert_eq!(
        exchange(emu.port(), &signed_get(&token_target(), "")).status,
        200
    );
}

#[test]
fn signature_covers_decoded_path_and_query() {
    let emu = start();
    let token = kingdee_token(emu.port());
    let extra = format!("app-token: {token}\r\nX-GW-Router-Addr: {DOMAIN}\r\n");
    // Escapes in the path, '+' as space and repeated names in the query: the
    // server decodes the target before building the string to sign.
    let target = "/jdy/v2/bd/%63ustomer?name=%E4%B8%AD+x&page=1&a-b=%3D*~&page=2";
    let answer = exchange(emu.port(), &signed_get(target, &extra));
    assert_eq!(answer.status, 200, "{}", answer.text());

    // Signed over a different spelling of the same query: still valid,
    // since only decoded values are signed.
    let nonce = fresh_nonce();
    let ts = now_ms().to_string();
    let headers = gateway_headers("GET", "/jdy/v2/bd/customer?q=a%20b", &nonce, &ts);
    let raw = format!("GET /jdy/v2/bd/customer?q=a+b HTTP/1.1\r\n{headers}{extra}\r\n");
    assert_eq!(exchange(emu.port(), raw.as_bytes()).status, 200);

    // One changed value breaks the signature.
    let headers = gateway_headers("GET", "/jdy/v2/bd/customer?q=a", &fresh_nonce(), &ts);
    let raw = format!("GET /jdy/v2/bd/customer?q=b HTTP/1.1\r\n{headers}{extra}\r\n");
    assert_eq!(exchange(emu.port(), raw.as_bytes()).text(), REFUSAL_4008);

    // A malformed escape is a bad request, not a signature problem.
    let raw = format!("GET /jdy/v2/bd/customer?q=%zz HTTP/1.1\r\n{extra}\r\n");
    assert_eq!(exchange(emu.port(), raw.as_bytes()).status, 400);
}

#[test]
fn business_call() {
    let emu = start();
    let token = kingdee_token(emu.port());
    let ok_headers = format!("app-token: {token}\r\nX-GW-Router-Addr: {DOMAIN}\r\n");
    let answer = exchange(emu.port(), &signed_get("/jdy/v2/bd/customer", &ok_headers));
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.text(),
        r#"{"errcode":0,"description":"成功","data":{"rows":[{"id":"1","name":"测试客户"}],"total":1}}"#
    );

    for (token_header, expected) in [
        (
            "",
            r#"{"code":4009,"msg":"access token empty","success":false}"#,
        ),
        (
            "app-token: nope\r\n",
            r#"{"code":4010,"msg":"access token invalid","success":false}"#,
        ),
    ] {
        let answer = exchange(
            emu.port(),
            &signed_get(
                "/jdy/v2/bd/customer",
                &format!("{token_header}X-GW-Router-Addr: {DOMAIN}\r\n"),
            ),
        );
        assert_eq!(answer.text(), expected);
    }

    let answer = exchange(
        emu.port(),
        &signed_get(
            "/jdy/v2/bd/customer",
            &format!("app-token: {token}\r\nX-GW-Router-Addr: https://tf.jdy.com\r\n"),
        ),
    );
    assert_eq!((answer.status, answer.text().as_str()), (404, "No Route"));
    let answer = exchange(
        emu.port(),
        &signed_get("/jdy/v2/bd/customer", &format!("app-token: {token}\r\n")),
    );
    assert_eq!(answer.status, 404);

    let answer = exchange(emu.port(), &signed_get("/jdy/v2/bd/nothing", &ok_headers));
    assert_eq!(
        answer.text(),
        r#"{"code":5001,"msg":"API Not Found","success":false}"#
    );

    // Unsigned business calls fail the six-header check first.
    let raw = format!("GET /jdy/v2/bd/customer HTTP/1.1\r\n{ok_headers}\r\n");
    assert_eq!(exchange(emu.port(), raw.as_bytes()).status, 519);

    emu.expire_tokens();
    let answer = exchange(emu.port(), &signed_get("/jdy/v2/bd/customer", &ok_headers));
    assert_eq!(
        answer.text(),
        r#"{"code":4011,"msg":"access token expired","success":false}"#
    );
    assert_eq!(emu.stats().kingdee_business, 8);
}

#[test]
fn tokens_expire_after_their_lifetime() {
    let emu = start();
    emu.set_kingdee_token_lifetime(1);
    let answer = exchange(emu.port(), &signed_get(&token_target(), ""));
    assert_eq!(answer.json()["data"]["expires"], 1);
    let token = answer.json()["data"]["app-token"]
        .as_str()
        .unwrap()
        .to_owned();
    let headers = format!("app-token: {token}\r\nX-GW-Router-Addr: {DOMAIN}\r\n");
    assert_eq!(
        exchange(emu.port(), &signed_get("/jdy/v2/bd/customer", &headers)).status,
        200
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let answer = exchange(emu.port(), &signed_get("/jdy/v2/bd/customer", &headers));
    assert_eq!(
        answer.text(),
        r#"{"code":4011,"msg":"access token expired","success":false}"#
    );
    assert!(!emu.token_info(&token).unwrap().valid);
}

#[test]
fn wrong_method_and_unknown_paths() {
    let emu = start();
    let target = token_target();
    let headers = gateway_headers("POST", &target, &fresh_nonce(), &now_ms().to_string());
    let raw = format!("POST {target} HTTP/1.1\r\n{headers}Content-Length: 0\r\n\r\n");
    let answer = exchange(emu.port(), raw.as_bytes());
    assert_eq!(
        answer.text(),
        r#"{"code":5002,"msg":"Method Not Allowed","success":false}"#
    );
    let answer = exchange(emu.port(), b"GET /nowhere HTTP/1.1\r\n\r\n");
    assert_eq!(answer.status, 404);
    assert_eq!(emu.stats().kingdee_auth_token, 1);
}

/// A correctly signed POST with a body.
fn signed_post(target: &str, extra_headers: &str, body: &str) -> Vec<u8> {
    let headers = gateway_headers("POST", target, &fresh_nonce(), &now_ms().to_string());
    format!(
        "POST {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}{extra_headers}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

const PULL: &str = "/jdyconnector/app_management/push_app_authorize?outerInstanceId=emu-instance-1";

#[test]
fn push_app_authorize_answers_the_current_secret() {
    let emu = start();
    let json = exchange(emu.port(), &signed_post(PULL, "", "{}")).json();
    assert_eq!(json["errcode"], 0);
    let entry = &json["data"][0];
    assert_eq!(entry["appKey"], APP_KEY);
    assert_eq!(entry["appSecret"], APP_SECRET);
    assert_eq!(entry["domain"], "https://emu.jdy.com");
    assert_eq!(entry["status"], 1);

    // Rotation: the pull answers the new secret, the token endpoint refuses
    // the old one with 1030002006, an issued token stays valid.
    let token = kingdee_token(emu.port());
    let rotated = emu.rotate_kingdee_app_secret();
    assert_ne!(rotated, APP_SECRET);
    let json = exchange(emu.port(), &signed_post(PULL, "", "")).json();
    assert_eq!(json["data"][0]["appSecret"], rotated.as_str());
    let text = exchange(emu.port(), &signed_get(&token_target(), "")).text();
    assert_eq!(
        text,
        r#"{"errcode":1030002006,"description":"授权密钥校验失败","data":null}"#
    );
    assert!(emu.token_info(&token).unwrap().valid);
    let rotated_target = format!(
        "{TOKEN_PATH}?app_key={APP_KEY}&app_signature={}",
        reference::java_encode(&reference::kingdee_app_signature(APP_KEY, &rotated))
    );
    assert_eq!(
        exchange(emu.port(), &signed_get(&rotated_target, "")).json()["errcode"],
        0
    );
    assert_eq!(emu.stats().kingdee_push_app_authorize, 2);
}

#[test]
fn push_app_authorize_refusals() {
    let emu = start();
    let wrong = PULL.replace("emu-instance-1", "other");
    assert_eq!(
        exchange(emu.port(), &signed_post(&wrong, "", "{}")).text(),
        r#"{"errcode":1030002010,"description":"outerInstanceId不存在或未授权","data":null}"#
    );
    let get = exchange(emu.port(), &signed_get(PULL, ""));
    assert_eq!((get.status, get.json()["code"].as_i64()), (519, Some(5002)));
    // Signed for another target: 4008.
    let headers = gateway_headers("POST", "/other", &fresh_nonce(), &now_ms().to_string());
    let raw =
        format!("POST {PULL} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}Content-Length: 0\r\n\r\n");
    let answer = exchange(emu.port(), raw.as_bytes());
    assert_eq!(
        (answer.status, answer.text()),
        (519, REFUSAL_4008.to_owned())
    );
    // The control endpoint answers the new secret.
    let answer = exchange(
        emu.port(),
        b"POST /__emulator/kingdee/rotate_app_secret HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
    );
    let secret = answer.json()["app_secret"].as_str().unwrap().to_owned();
    assert!(
        secret.starts_with("emu-app-secret-") && secret.len() == 31,
        "{secret}"
    );
    assert_eq!(emu.config().kingdee.app_secret, secret);
}

#[test]
fn echo_checks_every_header_and_answers_what_it_received() {
    let emu = start();
    let token = kingdee_token(emu.port());
    let good = format!("app-token: {token}\r\nX-GW-Router-Addr: https://emu.jdy.com\r\n");
    let target = "/jdy/v2/erpauth/echo?b=2&a=%E4%B8%AD";
    let json = exchange(emu.port(), &signed_post(target, &good, r#"{"x":1}"#)).json();
    let data = &json["data"];
    assert_eq!(data["method"], "POST");
    assert_eq!(data["query"], serde_json::json!([["b", "2"], ["a", "中"]]));
    assert_eq!(data["body"], r#"{"x":1}"#);
    assert_eq!(data["app_token"], token.as_str());
    // Each header missing or wrong is refused before the echo.
    let no_token = "X-GW-Router-Addr: https://emu.jdy.com\r\n";
    assert_eq!(
        exchange(emu.port(), &signed_post(target, no_token, "")).json()["code"],
        4009
    );
    let wrong_domain = format!("app-token: {token}\r\nX-GW-Router-Addr: https://x.jdy.com\r\n");
    assert_eq!(
        exchange(emu.port(), &signed_post(target, &wrong_domain, "")).status,
        404
    );
    emu.forget_tokens();
    assert_eq!(
        exchange(emu.port(), &signed_post(target, &good, "")).json()["code"],
        4010
    );
    // echo_raw: the body back, byte for byte.
    let token = kingdee_token(emu.port());
    let good = format!("app-token: {token}\r\nX-GW-Router-Addr: https://emu.jdy.com\r\n");
    let answer = exchange(
        emu.port(),
        &signed_post("/jdy/v2/erpauth/echo_raw", &good, "raw ✓"),
    );
    assert_eq!((answer.status, answer.text()), (200, "raw ✓".to_owned()));
    assert_eq!(answer.header("Content-Type"), Some("application/json"));
}
