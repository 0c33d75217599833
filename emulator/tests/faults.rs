//! Every fault, observed on a raw socket.

mod common;

use common::*;
use erpauth_emulator::{Emulator, EmulatorConfig, Endpoint, Fault, FaultEndpoint, FaultKind};
use std::io::{ErrorKind, Read};
use std::time::{Duration, Instant};

fn start() -> Emulator {
    Emulator::start(EmulatorConfig::default()).unwrap()
}

fn weaver_request() -> Vec<u8> {
    weaver_post(&format!(
        "appid: {APPID}\r\nsign: {}\r\n",
        weaver_sign_now()
    ))
}

/// Everything the server sends until it closes or resets the connection.
fn read_to_end(conn: &mut Conn) -> (Vec<u8>, Option<ErrorKind>) {
    let mut got = Vec::new();
    let mut buf = [0u8; 65536];
    loop {
        match conn.reader.read(&mut buf) {
            Ok(0) => return (got, None),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) => return (got, Some(e.kind())),
        }
    }
}

#[test]
fn http_status_faults() {
    let emu = start();
    emu.set_fault(Fault::new(Endpoint::WeaverGetToken, FaultKind::Http500));
    let answer = exchange(emu.port(), &weaver_request());
    assert_eq!(answer.status, 500);
    assert!(serde_json::from_slice::<serde_json::Value>(&answer.body).is_err());

    emu.set_fault(Fault::new(Endpoint::WeaverGetToken, FaultKind::Http502Json));
    let answer = exchange(emu.port(), &weaver_request());
    assert_eq!(answer.status, 502);
    assert_eq!(answer.json()["msg"], "Bad Gateway");

    emu.set_fault(Fault::new(
        Endpoint::WeaverGetToken,
        FaultKind::Http519NoBody,
    ));
    let answer = exchange(emu.port(), &weaver_request());
    assert_eq!((answer.status, answer.body.len()), (519, 0));

    emu.set_fault(Fault::new(Endpoint::WeaverGetToken, FaultKind::Garbage));
    let answer = exchange(emu.port(), &weaver_request());
    assert_eq!(
        (answer.status, answer.text().as_str()),
        (200, "<html>not json")
    );

    emu.set_fault(Fault::new(
        Endpoint::WeaverGetToken,
        FaultKind::RedirectLoop,
    ));
    let request = signed_get(&token_target(), "");
    // A fault on one endpoint leaves the others alone.
    assert_eq!(exchange(emu.port(), &request).status, 200);
    let answer = exchange(emu.port(), &weaver_request());
    assert_eq!(answer.status, 302);
    assert_eq!(
        answer.header("Location"),
        Some("/api/cus/token/auth/getToken")
    );
    assert_eq!(emu.stats().weaver_get_token, 5);
}

#[test]
fn count_limits_a_fault_and_faulted_requests_are_counted() {
    let emu = start();
    emu.set_fault(Fault::new(FaultEndpoint::All, FaultKind::Http500).count(2));
    let mut conn = Conn::open(emu.port());
    assert_eq!(conn.exchange(&weaver_request()).status, 500);
    assert_eq!(conn.exchange(&weaver_request()).status, 500);
    assert_eq!(conn.exchange(&weaver_request()).status, 200);
    // Each endpoint has its own count.
    assert_eq!(conn.exchange(&signed_get(&token_target(), "")).status, 500);
    let stats = emu.stats();
    assert_eq!(
        (
            stats.weaver_get_token,
            stats.kingdee_auth_token,
            stats.connections
        ),
        (3, 1, 1)
    );
}

#[test]
fn delay_then_normal_answer() {
    let emu = start();
    emu.set_fault(Fault::new(Endpoint::KingdeeAuthToken, FaultKind::Delay).delay_ms(300));
    let started = Instant::now();
    let answer = exchange(emu.port(), &signed_get(&token_target(), ""));
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(answer.json()["errcode"], 0);
}

#[test]
fn hang_never_answers_and_shutdown_ends_it() {
    let emu = start();
    emu.set_fault(Fault::new(Endpoint::WeaverGetToken, FaultKind::Hang));
    let mut conn = Conn::open(emu.port());
    conn.send(&weaver_request());
    conn.writer
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let mut buf = [0u8; 16];
    let err = conn.reader.read(&mut buf).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{err}"
    );
    let started = Instant::now();
    drop(emu);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "drop took {:?}",
        started.elapsed()
    );
    conn.writer
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    assert!(
        matches!(conn.reader.read(&mut buf), Ok(0) | Err(_)),
        "closed at shutdown"
    );
}

#[test]
fn reset_sends_rst() {
    let emu = start();
    emu.set_fault(Fault::new(Endpoint::WeaverGetToken, FaultKind::Reset));
    let mut conn = Conn::open(emu.port());
    conn.send(&weaver_request());
    let (got, err) = read_to_end(&mut conn);
    assert!(got.is_empty());
    assert_eq!(err, Some(ErrorKind::ConnectionReset));
}

#[test]
fn reset_mid_body_sends_part_of_the_body_then_rst() {
    let emu = start();
    emu.set_fault(Fault::new(
        Endpoint::WeaverGetToken,
        FaultKind::ResetMidBody,
    ));
    let mut conn = Conn::open(emu.port());
    conn.send(&weaver_request());
    let (got, err) = read_to_end(&mut conn);
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
    assert!(text.contains("Content-Length: 1000\r\n"));
    assert!(text.ends_with("\r\n\r\n{\"errcode\""), "{text}");
    assert_eq!(err, Some(ErrorKind::ConnectionReset));
}

#[test]
fn half_close_sends_eof_without_an_answer() {
    let emu = start();
    emu.set_fault(Fault::new(Endpoint::KingdeeAuthToken, FaultKind::HalfClose));
    let mut conn = Conn::open(emu.port());
    conn.send(&signed_get(&token_target(), ""));
    let (got, err) = read_to_end(&mut conn);
    assert!(got.is_empty());
    assert_eq!(err, None, "a clean EOF");
}

#[test]
fn slow_drip_delivers_a_valid_answer_slowly() {
    let emu = start();
    emu.set_fault(Fault::new(Endpoint::WeaverGetToken, FaultKind::SlowDrip).drip_ms(2));
    let mut conn = Conn::open(emu.port());
    let started = Instant::now();
    let answer = conn.exchange(&weaver_request());
    let elapsed = started.elapsed();
    assert_eq!(answer.json()["status"], true);
    // About 200 bytes at 2 ms each.
    assert!(elapsed >= Duration::from_millis(300), "{elapsed:?}");
    // The connection stays usable.
    emu.clear_faults();
    assert_eq!(conn.exchange(&weaver_request()).json()["status"], true);
}

#[test]
fn huge_body_is_streamed() {
    let emu = start();
    emu.set_fault(Fault::new(Endpoint::KingdeeAuthToken, FaultKind::HugeBody).huge_body_mib(3));
    let mut conn = Conn::open(emu.port());
    let answer = conn.exchange(&signed_get(&token_target(), ""));
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body.len(), 3 * 1024 * 1024);
    assert!(answer
        .body
        .starts_with(br#"{"errcode":0,"description":"xxx"#));

    // A client that gives up early does not keep the server busy: with the
    // default 100 MiB, closing after the headers ends the thread.
    emu.set_fault(Fault::new(Endpoint::KingdeeAuthToken, FaultKind::HugeBody));
    let mut conn = Conn::open(emu.port());
    conn.send(&signed_get(&token_target(), ""));
    assert!(conn.read_answer_head_only().starts_with("HTTP/1.1 200"));
    drop(conn);
    let started = Instant::now();
    drop(emu);
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn faults_from_the_config_file_shape() {
    let config: EmulatorConfig = serde_json::from_str(
        r#"{"fault":[{"endpoint":"kingdee_business","kind":"garbage"},
                     {"endpoint":"weaver_get_token","kind":"http_500","count":1}]}"#,
    )
    .unwrap();
    let emu = Emulator::start(config).unwrap();
    assert_eq!(exchange(emu.port(), &weaver_request()).status, 500);
    assert_eq!(exchange(emu.port(), &weaver_request()).status, 200);
    let answer = exchange(emu.port(), &signed_get("/jdy/v2/bd/customer", ""));
    assert_eq!(answer.text(), "<html>not json");
    // The runtime config answer does not list faults.
    assert!(emu.config().fault.is_empty());
}
