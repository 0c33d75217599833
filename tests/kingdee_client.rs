//! The Kingdee client against the in-process emulator: caching, single
//! flight, refresh, refusals with the server's words, transport faults, the
//! business call, and the same through the C ABI.

use erpauth::client::KingdeeClient;
use erpauth::ffi::{self, erpauth_status};
use erpauth::ErrorKind;
use erpauth_emulator::{Emulator, Endpoint, Fault, FaultKind};
use std::ffi::CString;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

mod common;
use common::{last_error, output, start};

const TOKEN: Endpoint = Endpoint::KingdeeAuthToken;

/// The client config for `emu` with the default credentials, `overrides`
/// merged over it.
fn config(emu: &Emulator, overrides: serde_json::Value) -> String {
    common::kingdee_config(emu, overrides)
}

fn client(emu: &Emulator) -> KingdeeClient {
    KingdeeClient::from_json(&config(emu, serde_json::json!({}))).unwrap()
}

fn token_of(client: &KingdeeClient) -> String {
    client.app_token().unwrap().value.token.clone()
}

/// A business call with the given headers, over a plain socket.
fn business_get(emu: &Emulator, target: &str, headers: &[(&str, String)]) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", emu.port())).unwrap();
    let mut raw = format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    for (k, v) in headers {
        raw.push_str(&format!("{k}: {v}\r\n"));
    }
    raw.push_str("\r\n");
    s.write_all(raw.as_bytes()).unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    let status = answer[9..12].parse().unwrap();
    (status, answer.split_once("\r\n\r\n").unwrap().1.to_owned())
}

#[test]
fn token_is_fetched_once_and_cached() {
    let emu = start();
    let c = client(&emu);
    let first = c.app_token().unwrap();
    assert_eq!(first.value.uid.as_deref(), Some("700123"));
    for _ in 0..100 {
        assert_eq!(token_of(&c), first.value.token);
    }
    for _ in 0..10 {
        c.headers("GET", "/jdy/v2/bd/customer").unwrap();
    }
    assert!(emu.token_info(&first.value.token).unwrap().valid);
    assert_eq!(emu.stats().kingdee_auth_token, 1);
}

#[test]
fn thirty_two_threads_on_a_cold_client_make_one_request() {
    let emu = start();
    // A slow answer keeps the flight open while every thread arrives.
    emu.set_fault(Fault::new(TOKEN, FaultKind::Delay).delay_ms(200));
    let c = Arc::new(client(&emu));
    let barrier = Barrier::new(32);
    let tokens = common::on_threads(32, || {
        barrier.wait();
        token_of(&c)
    });
    assert!(tokens.iter().all(|t| *t == tokens[0]));
    assert_eq!(emu.stats().kingdee_auth_token, 1);
}

/// The answer's `expires` is clamped to [60 s, 24 h]: a 1 s lifetime is
/// cached for the minute (a server must not drive a refetch loop), and a
/// token already expired on arrival is returned once but never cached, so
/// every caller of the next flight fetches once, together.
#[test]
fn a_short_lifetime_is_cached_for_a_minute_and_an_expired_one_not_at_all() {
    let emu = start();
    emu.set_kingdee_token_lifetime(1);
    let c = Arc::new(client(&emu));
    let first = token_of(&c);
    std::thread::sleep(Duration::from_millis(1100));
    for _ in 0..20 {
        assert_eq!(token_of(&c), first);
    }
    assert_eq!(emu.stats().kingdee_auth_token, 1);
    // The single flight still holds when the cache has to fetch.
    c.invalidate();
    let tokens = common::on_threads(8, || token_of(&c));
    assert!(tokens.iter().all(|t| *t == tokens[0] && *t != first));
    assert!(emu.token_info(&tokens[0]).unwrap().valid);
    assert_eq!(emu.stats().kingdee_auth_token, 2);
}

#[test]
fn invalidate_means_one_refetch() {
    let emu = start();
    let c = Arc::new(client(&emu));
    let first = token_of(&c);
    c.invalidate();
    let results = common::on_threads(8, || token_of(&c));
    for result in results {
        assert_ne!(result, first);
    }
    let stats = emu.stats();
    assert_eq!(stats.kingdee_auth_token, 2);
    // The agent keeps its connection alive between fetches.
    assert_eq!(stats.connections, 1);
}

#[test]
fn business_call_with_the_clients_headers() {
    let emu = start();
    let c = client(&emu);
    let target = "/jdy/v2/bd/customer?page=1&name=%E4%B8%AD+x&filter=a%3Db";
    let headers = c.headers("GET", target).unwrap();
    let names: Vec<&str> = headers.iter().map(|(k, _)| *k).collect();
    assert_eq!(
        names,
        [
            "X-Api-ClientID",
            "X-Api-Auth-Version",
            "X-Api-TimeStamp",
            "X-Api-Nonce",
            "X-Api-SignHeaders",
            "X-Api-Signature",
            "app-token",
            "X-GW-Router-Addr"
        ]
    );
    let (status, body) = business_get(&emu, target, &headers);
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        r#"{"errcode":0,"description":"成功","data":{"rows":[{"id":"1","name":"测试客户"}],"total":1}}"#
    );
    // Fresh nonce every time: the same headers again are a replay.
    let (status, body) = business_get(&emu, target, &headers);
    assert_eq!(
        (status, body.as_str()),
        (
            519,
            r#"{"code":4008,"msg":"nonce repeated","success":false}"#
        )
    );

    // An expired token: 4011, then invalidate gives a working token.
    emu.expire_tokens();
    let (status, body) = business_get(&emu, target, &c.headers("GET", target).unwrap());
    assert_eq!(
        (status, body.as_str()),
        (
            519,
            r#"{"code":4011,"msg":"access token expired","success":false}"#
        )
    );
    c.invalidate();
    let (status, _) = business_get(&emu, target, &c.headers("GET", target).unwrap());
    assert_eq!(status, 200);
    let stats = emu.stats();
    assert_eq!((stats.kingdee_auth_token, stats.kingdee_business), (2, 4));
}

#[test]
fn uid_is_sent_and_returned() {
    let emu = start();
    let c = KingdeeClient::from_json(&config(&emu, serde_json::json!({"uid": 700999}))).unwrap();
    let token = c.app_token().unwrap();
    assert_eq!(token.value.uid.as_deref(), Some("700999"));
    assert_eq!(
        emu.token_info(&token.value.token).unwrap().user.as_deref(),
        Some("700999")
    );
}

/// Asserts a refusal with the server's words, and that one request was made.
fn assert_rejected(emu: &Emulator, overrides: serde_json::Value, words: &str) {
    emu.reset_stats();
    let c = KingdeeClient::from_json(&config(emu, overrides)).unwrap();
    let err = c.app_token().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Rejected, "{err}");
    assert!(err.message().contains(words), "{err:?} lacks {words:?}");
    assert_eq!(emu.stats().kingdee_auth_token, 1);
}

#[test]
fn refusals_carry_the_servers_words() {
    let emu = start();
    for (overrides, words) in [
        (
            serde_json::json!({"client_secret": "wrong"}),
            "code 4008: signature invalid",
        ),
        (
            serde_json::json!({"client_id": "someone-else"}),
            "code 4003: client id invalid",
        ),
        (
            serde_json::json!({"app_secret": "rotated"}),
            "errcode 1030002006: 授权密钥校验失败",
        ),
        (
            serde_json::json!({"app_key": "otherKey"}),
            "errcode 1030002001: app_key不存在或未授权",
        ),
    ] {
        assert_rejected(&emu, overrides, words);
    }
    emu.set_clock_offset_ms(10 * 60 * 1000);
    assert_rejected(&emu, serde_json::json!({}), "code 4006: timestamp invalid");
    emu.set_clock_offset_ms(0);
    // Secrets never show up in the message.
    let c = KingdeeClient::from_json(&config(
        &emu,
        serde_json::json!({"client_secret": "zzz-secret-1", "app_secret": "zzz-secret-2"}),
    ))
    .unwrap();
    let err = c.app_token().unwrap_err();
    assert!(!err.message().contains("zzz-secret"), "{err}");
}

#[test]
fn transport_faults_map_to_error_kinds() {
    let emu = start();
    let faults = common::check_transport_faults(&emu, TOKEN, || client(&emu).app_token().map(drop));
    assert_eq!(emu.stats().kingdee_auth_token, faults);
}

#[test]
fn a_slow_but_timely_answer_is_fine() {
    let emu = start();
    emu.set_fault(Fault::new(TOKEN, FaultKind::SlowDrip).drip_ms(1));
    assert_eq!(token_of(&client(&emu)).len(), 32);
    emu.set_fault(Fault::new(TOKEN, FaultKind::Delay).delay_ms(300));
    assert_eq!(token_of(&client(&emu)).len(), 32);
}

#[test]
fn the_same_client_recovers_once_a_fault_clears() {
    let emu = start();
    let c = client(&emu);
    emu.set_fault(Fault::new(TOKEN, FaultKind::Http500).count(1));
    assert_eq!(c.app_token().unwrap_err().kind(), ErrorKind::Http);
    // Errors are not cached: the next call asks again and succeeds.
    let token = token_of(&c);
    assert_eq!(emu.stats().kingdee_auth_token, 2);

    emu.set_fault(Fault::new(TOKEN, FaultKind::Hang));
    c.invalidate();
    assert_eq!(c.app_token().unwrap_err().kind(), ErrorKind::Network);
    emu.clear_faults();
    assert_ne!(token_of(&c), token);
    assert_eq!(emu.stats().kingdee_auth_token, 4);
}

#[test]
fn nothing_listening_is_a_network_error() {
    common::check_nothing_listening(|base_url| {
        let json = serde_json::json!({
            "client_id": "c", "client_secret": "s", "app_key": "k", "app_secret": "a",
            "base_url": base_url, "timeout_ms": 1000,
        });
        KingdeeClient::from_json(&json.to_string())
            .unwrap()
            .app_token()
            .map(drop)
    });
}

#[test]
fn no_cookie_is_ever_sent_back() {
    let emu = start();
    emu.set_cookie(true);
    let c = client(&emu);
    for _ in 0..5 {
        token_of(&c);
        c.invalidate();
    }
    let stats = emu.stats();
    assert_eq!((stats.kingdee_auth_token, stats.cookies_received), (5, 0));
}

// ---- the same through the C ABI ----

struct CClient(*mut ffi::erpauth_kingdee_client);

impl CClient {
    fn new(json: &str) -> CClient {
        CClient(common::c_new(json, ffi::erpauth_kingdee_client_new))
    }

    fn app_token(&self) -> (erpauth_status, String) {
        // SAFETY: the client is live; the buffer is described by the closure's arguments.
        output(|out, cap, len| unsafe {
            ffi::erpauth_kingdee_client_app_token(self.0, out, cap, len)
        })
    }
}

impl Drop for CClient {
    fn drop(&mut self) {
        // SAFETY: created by erpauth_kingdee_client_new, freed once.
        unsafe { ffi::erpauth_kingdee_client_free(self.0) }
    }
}

#[test]
fn c_abi_statuses() {
    let emu = start();
    let c = CClient::new(&config(&emu, serde_json::json!({})));
    let (status, token) = c.app_token();
    assert_eq!(status, erpauth_status::ERPAUTH_OK);
    assert_eq!(c.app_token().1, token);
    let method = CString::new("GET").unwrap();
    let target = CString::new("/jdy/v2/bd/customer").unwrap();
    // SAFETY: live client, NUL-terminated strings.
    let (status, lines) = output(|out, cap, len| unsafe {
        ffi::erpauth_kingdee_client_headers(c.0, method.as_ptr(), target.as_ptr(), out, cap, len)
    });
    assert_eq!(status, erpauth_status::ERPAUTH_OK);
    assert!(
        lines.contains(&format!("app-token: {token}\r\n")),
        "{lines}"
    );
    let headers: Vec<(&str, String)> = lines
        .lines()
        .map(|l| {
            let (k, v) = l.split_once(": ").unwrap();
            (k, v.to_owned())
        })
        .collect();
    assert_eq!(business_get(&emu, "/jdy/v2/bd/customer", &headers).0, 200);
    assert_eq!(emu.stats().kingdee_auth_token, 1);

    let rejected = CClient::new(&config(&emu, serde_json::json!({"app_secret": "rotated"})));
    assert_eq!(rejected.app_token().0, erpauth_status::ERPAUTH_REJECTED);
    assert!(
        last_error().contains("errcode 1030002006: 授权密钥校验失败"),
        "{}",
        last_error()
    );

    emu.set_fault(Fault::new(TOKEN, FaultKind::Hang));
    let hanging = CClient::new(&config(&emu, serde_json::json!({})));
    let started = Instant::now();
    assert_eq!(hanging.app_token().0, erpauth_status::ERPAUTH_NETWORK);
    assert!(started.elapsed() < Duration::from_secs(2));
    emu.set_fault(Fault::new(TOKEN, FaultKind::Garbage));
    assert_eq!(hanging.app_token().0, erpauth_status::ERPAUTH_BAD_RESPONSE);
    emu.set_fault(Fault::new(TOKEN, FaultKind::Http500));
    assert_eq!(hanging.app_token().0, erpauth_status::ERPAUTH_HTTP);
    emu.clear_faults();
    assert_eq!(hanging.app_token().0, erpauth_status::ERPAUTH_OK);
    // SAFETY: live client.
    unsafe { ffi::erpauth_kingdee_client_invalidate(hanging.0) };
    assert_eq!(hanging.app_token().0, erpauth_status::ERPAUTH_OK);
    assert_eq!(emu.stats().kingdee_auth_token, 7);
}
