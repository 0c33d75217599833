//! The Weaver getToken endpoint of the emulator, over raw sockets.

mod common;

use common::*;
use erpauth_emulator::{reference, Emulator, EmulatorConfig};

fn start() -> Emulator {
    Emulator::start(EmulatorConfig::default()).unwrap()
}

fn refusal(msg: &str) -> String {
    format!(r#"{{"msg":"{msg}","status":false}}"#)
}

fn post(emu: &Emulator, header_lines: &str) -> String {
    let answer = exchange(emu.port(), &weaver_post(header_lines));
    assert_eq!(answer.status, 200);
    answer.text()
}

#[test]
fn app_token_and_user_token() {
    let emu = start();
    let answer = exchange(
        emu.port(),
        &weaver_post(&format!(
            "appid: {APPID}\r\nsign: {}\r\n",
            weaver_sign_now()
        )),
    );
    assert_eq!(answer.status, 200);
    let json = answer.json();
    assert_eq!(
        json.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["msg", "status", "token"]
    );
    assert_eq!(json["msg"], "获取成功!");
    assert_eq!(json["status"], true);
    let token = json["token"].as_str().unwrap();
    assert_eq!(token.len(), 36);
    assert_eq!(token.matches('-').count(), 4);
    let info = emu.token_info(token).unwrap();
    assert_eq!((info.system, info.valid, info.user), ("weaver", true, None));

    for (user_type, contain) in [
        ("id", "9"),
        ("loginid", "zhangs"),
        ("workcode", "A009"),
        ("email", "zhangs@example.com"),
    ] {
        let lines = format!(
            "appid: {APPID}\r\nsign: {}\r\nuserType: {user_type}\r\nuserContain: {contain}\r\n",
            weaver_sign_now()
        );
        let json = exchange(emu.port(), &weaver_post(&lines)).json();
        assert_eq!(json["status"], true, "{json}");
        let userid = json["userid"].as_str().unwrap();
        assert_eq!(
            reference::weaver_decrypt_userid(AES_KEY, userid).as_deref(),
            Some("9")
        );
        let info = emu.token_info(json["token"].as_str().unwrap()).unwrap();
        assert_eq!(info.user.as_deref(), Some("9"));
    }
    assert_eq!(emu.stats().weaver_get_token, 5);
}

#[test]
fn every_refusal_has_the_servers_words() {
    let emu = start();
    let sign = weaver_sign_now;
    let cases: Vec<(String, String)> = vec![
        (
            format!("sign: {}\r\n", sign()),
            refusal("appid或sign参数值异常!!!"),
        ),
        (
            format!("appid: {APPID}\r\n"),
            refusal("appid或sign参数值异常!!!"),
        ),
        (
            format!("appid: {APPID}\r\nsign: not-hex\r\n"),
            refusal("appid或sign参数值异常!!!"),
        ),
        (
            format!("appid: {APPID}\r\nsign: abc\r\n"),
            refusal("appid或sign参数值异常!!!"),
        ),
        (
            format!("appid: nobody\r\nsign: {}\r\n", sign()),
            refusal("appid或sign参数值异常!!!"),
        ),
        (
            format!("appid: disabled-appid\r\nsign: {}\r\n", sign()),
            refusal("应用标识appid==>>disabled-appid已被禁用,请联系管理员!!!"),
        ),
        (
            format!(
                "appid: {APPID}\r\nsign: {}\r\n",
                reference::weaver_sign(APPID, SECRET, "another-key-0016", now_ms()).unwrap()
            ),
            refusal("签名解密异常,请确认!!!"),
        ),
        (
            format!(
                "appid: {APPID}\r\nsign: {}\r\n",
                reference::weaver_sign(APPID, "wrong-secret", AES_KEY, now_ms()).unwrap()
            ),
            refusal("签名解密异常,请确认!!!"),
        ),
        (
            format!("appid: {APPID}\r\nsign: 00112233445566778899aabbccddeeff\r\n"),
            refusal("签名解密异常,请确认!!!"),
        ),
        (
            format!(
                "appid: {APPID}\r\nsign: {}\r\n",
                reference::weaver_sign(APPID, SECRET, AES_KEY, now_ms() - 301_000).unwrap()
            ),
            refusal("签名已过期,请确认!!!"),
        ),
        (
            format!(
                "appid: {APPID}\r\nsign: {}\r\n",
                reference::weaver_sign(APPID, SECRET, AES_KEY, now_ms() + 301_000).unwrap()
            ),
            refusal("签名已过期,请确认!!!"),
        ),
        (
            format!("appid: {APPID}\r\nsign: {}\r\nuserType: id\r\n", sign()),
            refusal("userType或userContain参数值异常!!!"),
        ),
        (
            format!("appid: {APPID}\r\nsign: {}\r\nuserContain: 9\r\n", sign()),
            refusal("userType或userContain参数值异常!!!"),
        ),
        (
            format!(
                "appid: {APPID}\r\nsign: {}\r\nuserType: id\r\nuserContain: \r\n",
                sign()
            ),
            refusal("userType或userContain参数值异常!!!"),
        ),
        (
            format!(
                "appid: {APPID}\r\nsign: {}\r\nuserType: id123\r\nuserContain: 9\r\n",
                sign()
            ),
            refusal("userType:id123 无效,请确认!!!"),
        ),
        (
            format!(
                "appid: {APPID}\r\nsign: {}\r\nuserType: loginid\r\nuserContain: nobody\r\n",
                sign()
            ),
            refusal("userId解析异常,请确认!!!"),
        ),
        (
            // Empty attributes never match (no user has an idnum here).
            format!(
                "appid: {APPID}\r\nsign: {}\r\nuserType: idnum\r\nuserContain: x\r\n",
                sign()
            ),
            refusal("userId解析异常,请确认!!!"),
        ),
    ];
    let count = cases.len() as u64;
    for (lines, expect) in cases {
        assert_eq!(post(&emu, &lines), expect, "{lines}");
    }
    assert_eq!(emu.stats().weaver_get_token, count);
}

#[test]
fn a_sign_is_accepted_once() {
    let emu = start();
    let lines = format!("appid: {APPID}\r\nsign: {}\r\n", weaver_sign_now());
    assert!(post(&emu, &lines).contains(r#""status":true"#));
    assert_eq!(
        post(&emu, &lines),
        refusal("禁用重复签名获取token,请确认!!!")
    );
    // The same sign in upper-case hex is the same sign.
    assert_eq!(
        post(
            &emu,
            &lines
                .to_uppercase()
                .replace("APPID: EMU-APPID", "appid: emu-appid")
        ),
        refusal("禁用重复签名获取token,请确认!!!")
    );
}

#[test]
fn all_aes_key_lengths_work() {
    for key in [
        "0123456789abcdef",
        "0123456789abcdef01234567",
        "0123456789abcdef0123456789abcdef",
    ] {
        let mut config = EmulatorConfig::default();
        config.weaver.aes_key = key.into();
        let emu = Emulator::start(config).unwrap();
        let sign = reference::weaver_sign(APPID, SECRET, key, now_ms()).unwrap();
        let lines = format!("appid: {APPID}\r\nsign: {sign}\r\nuserType: id\r\nuserContain: 1\r\n");
        let json = exchange(emu.port(), &weaver_post(&lines)).json();
        assert_eq!(json["status"], true);
        assert_eq!(
            reference::weaver_decrypt_userid(key, json["userid"].as_str().unwrap()).as_deref(),
            Some("1")
        );
    }
    let mut config = EmulatorConfig::default();
    config.weaver.aes_key = "short".into();
    let err = Emulator::start(config).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}

#[test]
fn token_ttl_and_clock_offset() {
    let emu = start();
    emu.set_weaver_token_ttl(1);
    let json = exchange(
        emu.port(),
        &weaver_post(&format!(
            "appid: {APPID}\r\nsign: {}\r\n",
            weaver_sign_now()
        )),
    )
    .json();
    let token = json["token"].as_str().unwrap().to_owned();
    assert!(emu.token_info(&token).unwrap().valid);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert!(!emu.token_info(&token).unwrap().valid);

    emu.set_clock_offset_ms(-10 * 60 * 1000);
    let lines = format!("appid: {APPID}\r\nsign: {}\r\n", weaver_sign_now());
    assert_eq!(post(&emu, &lines), refusal("签名已过期,请确认!!!"));
}

#[test]
fn get_is_not_allowed_and_expect_continue_is_honoured() {
    let emu = start();
    let raw = format!(
        "GET /api/cus/token/auth/getToken HTTP/1.1\r\nappid: {APPID}\r\nsign: {}\r\n\r\n",
        weaver_sign_now()
    );
    assert_eq!(exchange(emu.port(), raw.as_bytes()).status, 405);

    // .NET Framework sends Expect: 100-continue and waits for the interim answer.
    let mut conn = Conn::open(emu.port());
    let head = format!(
        "POST /api/cus/token/auth/getToken HTTP/1.1\r\nappid: {APPID}\r\nsign: {}\r\n\
         Expect: 100-continue\r\nContent-Length: 2\r\n\r\n",
        weaver_sign_now()
    );
    conn.send(head.as_bytes());
    let interim = conn.read_answer_head_only();
    assert_eq!(interim, "HTTP/1.1 100 Continue");
    conn.send(b"{}");
    assert_eq!(conn.read_answer().unwrap().json()["status"], true);
}

/// A getToken answer for the default app, for `user_lines` (userType and
/// userContain header lines, or "").
fn get_token(emu: &Emulator, user_lines: &str) -> serde_json::Value {
    let answer = exchange(
        emu.port(),
        &weaver_post(&format!(
            "appid: {APPID}\r\nsign: {}\r\n{user_lines}",
            weaver_sign_now()
        )),
    );
    answer.json()
}

fn business(emu: &Emulator, method: &str, path: &str, header_lines: &str) -> (u16, String) {
    let raw = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{header_lines}Content-Length: 0\r\n\r\n"
    );
    let answer = exchange(emu.port(), raw.as_bytes());
    (answer.status, answer.text())
}

const TODO: &str = "/api/workflow/paService/getToDoWorkflowRequestList";

#[test]
fn business_calls_check_appid_token_and_userid() {
    let emu = start();
    let user = get_token(&emu, "userType: loginid\r\nuserContain: zhangs\r\n");
    let (token, userid) = (
        user["token"].as_str().unwrap(),
        user["userid"].as_str().unwrap(),
    );
    let good = format!("appid: {APPID}\r\ntoken: {token}\r\nuserid: {userid}\r\n");
    let (status, text) = business(&emu, "GET", &format!("{TODO}?x=1"), &good);
    assert_eq!(status, 200, "{text}");
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["data"]["user"], "9");
    assert_eq!(json["data"]["query"], "x=1");

    let refused = |lines: &str| business(&emu, "GET", TODO, lines).1;
    assert_eq!(
        refused(&format!(
            "appid: other\r\ntoken: {token}\r\nuserid: {userid}\r\n"
        )),
        r#"{"code":-1,"msg":"认证信息错误","status":false}"#
    );
    assert_eq!(
        refused(&format!("appid: {APPID}\r\ntoken: {token}\r\n")),
        r#"{"code":-1,"msg":"userid与token不匹配","status":false}"#
    );
    let app = get_token(&emu, "");
    let app_token = app["token"].as_str().unwrap();
    assert_eq!(
        refused(&format!(
            "appid: {APPID}\r\ntoken: {app_token}\r\nuserid: {userid}\r\n"
        )),
        r#"{"code":-1,"msg":"userid与token不匹配","status":false}"#
    );
    let admin = reference::weaver_decrypt_userid(AES_KEY, userid).unwrap();
    assert_eq!(admin, "9");
    assert_eq!(
        refused(&format!(
            "appid: {APPID}\r\ntoken: {token}\r\nuserid: AAAA\r\n"
        )),
        r#"{"code":-1,"msg":"userid解析异常","status":false}"#
    );
    let (status, _) = business(&emu, "POST", TODO, &good);
    assert_eq!(status, 405);
    let (status, _) = business(&emu, "GET", "/api/workflow/paService/nothing", &good);
    assert_eq!(status, 404);

    emu.expire_tokens();
    assert_eq!(
        refused(&good),
        r#"{"errorCode":"002","errorMsg":"登录信息超时","status":false}"#
    );
    emu.forget_tokens();
    assert_eq!(
        refused(&good),
        format!(r#"{{"code":-1,"msg":"token不存在或者超时：{token}","status":false}}"#)
    );
    assert_eq!(emu.stats().weaver_business, 9);
}
