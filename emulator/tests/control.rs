//! Control endpoints, stats, cookies, keep-alive and shutdown.

mod common;

use common::*;
use erpauth_emulator::{Emulator, EmulatorConfig, Stats};
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn start() -> Emulator {
    Emulator::start(EmulatorConfig::default()).unwrap()
}

fn post_json(port: u16, path: &str, body: &str) -> Answer {
    let raw = format!("POST {path} HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len());
    exchange(port, raw.as_bytes())
}

#[test]
fn stats_endpoint_shape_and_reset() {
    let emu = start();
    kingdee_token(emu.port());
    let answer = exchange(emu.port(), b"GET /__emulator/stats HTTP/1.1\r\n\r\n");
    assert_eq!(
        answer.text(),
        r#"{"kingdee_auth_token":1,"kingdee_business":0,"weaver_get_token":0,"kingdee_push_app_authorize":0,"weaver_business":0,"weaver_regist":0,"weaver_apply_token":0,"weaver_rest_business":0,"connections":2,"cookies_received":0}"#
    );
    let parsed: Stats = serde_json::from_slice(&answer.body).unwrap();
    assert_eq!(parsed, emu.stats());

    let answer = post_json(emu.port(), "/__emulator/reset_stats", "");
    assert_eq!(answer.text(), r#"{"ok":true}"#);
    // The reset request's own connection was counted before the reset.
    assert_eq!(emu.stats(), Stats::default());
    assert_eq!(
        exchange(
            emu.port(),
            b"POST /__emulator/stats HTTP/1.1\r\nContent-Length: 0\r\n\r\n"
        )
        .status,
        405
    );
}

#[test]
fn config_endpoint_applies_partial_configs() {
    let emu = start();
    let answer = post_json(
        emu.port(),
        "/__emulator/config",
        r#"{"kingdee":{"token_lifetime_s":2},"set_cookie":true,"fault":{"endpoint":"weaver_get_token","kind":"garbage","count":1}}"#,
    );
    assert_eq!(answer.text(), r#"{"ok":true}"#);
    assert!(
        answer.header("Set-Cookie").is_none(),
        "applied after this answer was built"
    );
    let config = emu.config();
    assert_eq!(config.kingdee.token_lifetime_s, 2);
    assert_eq!(config.kingdee.client_id, "emu-client-id");
    assert!(config.set_cookie);
    let answer = exchange(
        emu.port(),
        &weaver_post(&format!(
            "appid: {APPID}\r\nsign: {}\r\n",
            weaver_sign_now()
        )),
    );
    assert_eq!(answer.text(), "<html>not json");

    let answer = exchange(emu.port(), b"GET /__emulator/config HTTP/1.1\r\n\r\n");
    assert_eq!(answer.json()["kingdee"]["token_lifetime_s"], 2);

    let answer = post_json(
        emu.port(),
        "/__emulator/config",
        r#"{"kingdee":{"token_lifetime":2}}"#,
    );
    assert_eq!(answer.status, 400);
    let json = answer.json();
    assert_eq!(json["ok"], false);
    assert!(
        json["error"].as_str().unwrap().contains("token_lifetime"),
        "{json}"
    );
    let answer = post_json(emu.port(), "/__emulator/config", "not json");
    assert_eq!(answer.status, 400);
    let answer = post_json(
        emu.port(),
        "/__emulator/config",
        r#"{"fault":{"kind":"boom"}}"#,
    );
    assert!(answer.json()["error"].as_str().unwrap().contains("boom"));
    assert_eq!(
        emu.config().kingdee.token_lifetime_s,
        2,
        "a refused patch changes nothing"
    );

    // Credentials can change at runtime too.
    let answer = post_json(
        emu.port(),
        "/__emulator/config",
        r#"{"kingdee":{"app_secret":"rotated"}}"#,
    );
    assert_eq!(answer.status, 200);
    let answer = exchange(emu.port(), &signed_get(&token_target(), ""));
    assert_eq!(answer.json()["errcode"], 1030002006);
}

#[test]
fn expire_tokens_and_token_info_endpoints() {
    let emu = start();
    let token = kingdee_token(emu.port());
    let raw = format!("GET /__emulator/token?token={token} HTTP/1.1\r\n\r\n");
    assert_eq!(
        exchange(emu.port(), raw.as_bytes()).text(),
        r#"{"system":"kingdee","user":"700123","valid":true}"#
    );
    assert_eq!(
        post_json(emu.port(), "/__emulator/expire_tokens", "").text(),
        r#"{"ok":true}"#
    );
    assert_eq!(exchange(emu.port(), raw.as_bytes()).json()["valid"], false);
    let unknown = exchange(
        emu.port(),
        b"GET /__emulator/token?token=zzz HTTP/1.1\r\n\r\n",
    );
    assert_eq!(
        unknown.text(),
        r#"{"system":null,"user":null,"valid":false}"#
    );
    assert!(emu.token_info("zzz").is_none());
}

#[test]
fn cookies_are_set_and_returned_cookies_counted() {
    let emu = start();
    let answer = exchange(emu.port(), &signed_get(&token_target(), ""));
    assert!(answer.header("Set-Cookie").is_none());
    emu.set_cookie(true);
    let answer = exchange(emu.port(), &signed_get(&token_target(), ""));
    let cookie = answer.header("Set-Cookie").unwrap();
    assert!(
        cookie.starts_with("JSESSIONID=") && cookie.ends_with("; Path=/; HttpOnly"),
        "{cookie}"
    );
    let other = exchange(emu.port(), b"GET /__emulator/stats HTTP/1.1\r\n\r\n");
    assert_ne!(
        other.header("Set-Cookie"),
        Some(cookie),
        "a new session each time"
    );
    assert_eq!(emu.stats().cookies_received, 0);

    let session = cookie.split(';').next().unwrap();
    let answer = exchange(
        emu.port(),
        &signed_get(&token_target(), &format!("Cookie: {session}\r\n")),
    );
    assert_eq!(answer.status, 200);
    assert_eq!(emu.stats().cookies_received, 1);
}

#[test]
fn keep_alive_reuses_one_connection() {
    let emu = start();
    let mut conn = Conn::open(emu.port());
    for _ in 0..3 {
        let answer = conn.exchange(&signed_get(&token_target(), ""));
        assert_eq!(answer.header("Connection"), Some("keep-alive"));
    }
    let answer = conn.exchange(&weaver_post(&format!(
        "appid: {APPID}\r\nsign: {}\r\nConnection: close\r\n",
        weaver_sign_now()
    )));
    assert_eq!(answer.header("Connection"), Some("close"));
    let stats = emu.stats();
    assert_eq!(
        (
            stats.kingdee_auth_token,
            stats.weaver_get_token,
            stats.connections
        ),
        (3, 1, 1)
    );
}

#[test]
fn malformed_requests_get_400_and_close() {
    let emu = start();
    let answer = exchange(emu.port(), b"HELLO\r\n\r\n");
    assert_eq!(answer.status, 400);
    assert_eq!(answer.header("Connection"), Some("close"));
}

#[test]
fn drop_closes_the_listener_and_idle_connections() {
    let emu = start();
    let port = emu.port();
    let mut idle = Conn::open(port);
    idle.exchange(&signed_get(&token_target(), ""));
    let started = Instant::now();
    drop(emu);
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(
        TcpStream::connect(("127.0.0.1", port)).is_err(),
        "listener closed"
    );
    use std::io::Read;
    let mut buf = [0u8; 1];
    assert!(matches!(idle.reader.read(&mut buf), Ok(0) | Err(_)));
}

#[test]
fn start_on_a_taken_port_fails() {
    let emu = start();
    let err = Emulator::start_on(EmulatorConfig::default(), emu.port()).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::AddrInUse);
}
