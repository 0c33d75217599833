//! The Weaver client against the in-process emulator: caching per user,
//! single flight, refusals with the server's words, transport faults, many
//! clients at once without repeated signs, no cookies, and the C ABI.

use erpauth::client::{WeaverClient, WeaverUser};
use erpauth::ffi::{self, erpauth_status};
use erpauth::ErrorKind;
use erpauth_emulator::{reference, Emulator, Endpoint, Fault, FaultKind};
use std::ffi::CString;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

mod common;
use common::{last_error, output, start};

const GET_TOKEN: Endpoint = Endpoint::WeaverGetToken;
const AES_KEY: &str = "emu-aes-key-0016";

fn config(emu: &Emulator, overrides: serde_json::Value) -> String {
    common::weaver_config(emu, overrides)
}

fn client(emu: &Emulator) -> WeaverClient {
    WeaverClient::from_json(&config(emu, serde_json::json!({}))).unwrap()
}

fn user(user_type: &str, user_contain: &str) -> WeaverUser {
    WeaverUser {
        user_type: user_type.into(),
        user_contain: user_contain.into(),
    }
}

fn token_of(client: &WeaverClient, who: Option<&WeaverUser>) -> String {
    client.token(who).unwrap().value.token.clone()
}

#[test]
fn tokens_are_cached_per_user() {
    let emu = start();
    let c = client(&emu);
    let app = token_of(&c, None);
    let zhangs = user("loginid", "zhangs");
    let admin = user("workcode", "A001");
    let t9 = c.token(Some(&zhangs)).unwrap();
    let t1 = c.token(Some(&admin)).unwrap();
    let userid9 = t9.value.userid.clone().unwrap();
    assert_eq!(
        reference::weaver_decrypt_userid(AES_KEY, &userid9).as_deref(),
        Some("9")
    );
    assert_eq!(
        reference::weaver_decrypt_userid(AES_KEY, t1.value.userid.as_ref().unwrap()).as_deref(),
        Some("1")
    );
    for _ in 0..50 {
        assert_eq!(token_of(&c, None), app);
        assert_eq!(token_of(&c, Some(&zhangs)), t9.value.token);
        assert_eq!(c.token(Some(&admin)).unwrap().value.token, t1.value.token);
    }
    assert!(c.token(None).unwrap().value.userid.is_none());
    assert_eq!(emu.token_info(&app).unwrap().user, None);
    assert_eq!(
        emu.token_info(&t9.value.token).unwrap().user.as_deref(),
        Some("9")
    );
    let stats = emu.stats();
    assert_eq!((stats.weaver_get_token, stats.connections), (3, 1));
}

#[test]
fn thirty_two_threads_on_a_cold_client_make_one_request() {
    let emu = start();
    emu.set_fault(Fault::new(GET_TOKEN, FaultKind::Delay).delay_ms(200));
    let c = Arc::new(client(&emu));
    let barrier = Barrier::new(32);
    let tokens = common::on_threads(32, || {
        barrier.wait();
        token_of(&c, Some(&user("id", "9")))
    });
    assert!(tokens.iter().all(|t| *t == tokens[0]));
    assert_eq!(emu.stats().weaver_get_token, 1);
}

#[test]
fn a_short_ttl_means_exactly_one_refetch_on_expiry() {
    let emu = start();
    emu.set_weaver_token_ttl(1);
    let c = Arc::new(
        WeaverClient::from_json(&config(&emu, serde_json::json!({"token_ttl_s": 1}))).unwrap(),
    );
    let first = token_of(&c, None);
    for _ in 0..20 {
        assert_eq!(token_of(&c, None), first);
    }
    assert_eq!(emu.stats().weaver_get_token, 1);
    std::thread::sleep(Duration::from_millis(1100));
    assert!(
        !emu.token_info(&first).unwrap().valid,
        "the server let it expire"
    );
    let tokens = common::on_threads(8, || token_of(&c, None));
    assert!(tokens.iter().all(|t| *t == tokens[0] && *t != first));
    assert!(emu.token_info(&tokens[0]).unwrap().valid);
    assert_eq!(emu.stats().weaver_get_token, 2);
}

#[test]
fn invalidate_means_one_refetch_per_cached_entry() {
    let emu = start();
    let c = client(&emu);
    let app = token_of(&c, None);
    let u = user("id", "9");
    let t9 = token_of(&c, Some(&u));
    c.invalidate();
    assert_ne!(token_of(&c, None), app);
    assert_ne!(token_of(&c, Some(&u)), t9);
    token_of(&c, None);
    token_of(&c, Some(&u));
    assert_eq!(emu.stats().weaver_get_token, 4);
}

#[test]
fn many_clients_at_once_never_repeat_a_sign() {
    let emu = start();
    let barrier = Arc::new(Barrier::new(64));
    let mut threads = Vec::new();
    for _ in 0..8 {
        let c = Arc::new(client(&emu));
        for t in 0..8 {
            let (c, barrier) = (c.clone(), barrier.clone());
            threads.push(std::thread::spawn(move || {
                barrier.wait();
                // Half the threads ask for the app token, half for a user,
                // and each then forces two more fetches of its own.
                let who = (t % 2 == 1).then(|| user("id", "9"));
                let mut tokens = Vec::new();
                for _ in 0..3 {
                    tokens.push(c.token(who.as_ref()).map(|t| t.value.token.clone()));
                    c.invalidate();
                }
                tokens
            }));
        }
    }
    let mut ok = 0;
    for t in threads {
        for result in t.join().unwrap() {
            let token = result.unwrap_or_else(|e| panic!("{e:?}"));
            assert_eq!(token.len(), 36);
            ok += 1;
        }
    }
    assert_eq!(ok, 8 * 8 * 3);
    // Single flight and invalidation interleave, so the exact number of
    // fetches varies; every one of them was accepted (no repeated sign).
    let fetches = emu.stats().weaver_get_token;
    eprintln!("64 threads on 8 clients: {ok} tokens from {fetches} getToken requests");
    assert!((16..=192).contains(&fetches), "{fetches}");
}

fn assert_rejected(
    emu: &Emulator,
    overrides: serde_json::Value,
    who: Option<WeaverUser>,
    words: &str,
) {
    emu.reset_stats();
    let c = WeaverClient::from_json(&config(emu, overrides)).unwrap();
    let err = c.token(who.as_ref()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Rejected, "{err}");
    assert!(err.message().contains(words), "{err:?} lacks {words:?}");
    assert_eq!(emu.stats().weaver_get_token, 1);
}

#[test]
fn refusals_carry_the_servers_words() {
    let emu = start();
    let none = serde_json::json!({});
    for (overrides, who, words) in [
        (
            serde_json::json!({"appid": "nobody"}),
            None,
            "appid或sign参数值异常!!!",
        ),
        (
            serde_json::json!({"appid": "disabled-appid"}),
            None,
            "应用标识appid==>>disabled-appid已被禁用,请联系管理员!!!",
        ),
        (
            serde_json::json!({"secret": "wrong-secret"}),
            None,
            "签名解密异常,请确认!!!",
        ),
        (
            serde_json::json!({"aes_key": "another-key-0016"}),
            None,
            "签名解密异常,请确认!!!",
        ),
        (
            none.clone(),
            Some(user("id123", "9")),
            "userType:id123 无效,请确认!!!",
        ),
        (
            none.clone(),
            Some(user("loginid", "nobody")),
            "userId解析异常,请确认!!!",
        ),
    ] {
        assert_rejected(&emu, overrides, who, words);
    }
    // An empty userContain is the caller's mistake, found before any request.
    emu.reset_stats();
    let c = WeaverClient::from_json(&config(&emu, none.clone())).unwrap();
    let err = c.token(Some(&user("id", ""))).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
    assert_eq!(emu.stats().weaver_get_token, 0);
    emu.set_clock_offset_ms(-10 * 60 * 1000);
    assert_rejected(&emu, none, None, "签名已过期,请确认!!!");
    emu.set_clock_offset_ms(0);

    let c = WeaverClient::from_json(&config(
        &emu,
        serde_json::json!({"secret": "zzz-secret-1", "aes_key": "zzz-secret-2-16b"}),
    ))
    .unwrap();
    let err = c.token(None).unwrap_err();
    assert!(!err.message().contains("zzz-secret"), "{err}");
}

#[test]
fn transport_faults_map_to_error_kinds() {
    let emu = start();
    let faults =
        common::check_transport_faults(&emu, GET_TOKEN, || client(&emu).token(None).map(drop));
    assert_eq!(emu.stats().weaver_get_token, faults);
}

#[test]
fn the_same_client_recovers_once_a_fault_clears() {
    let emu = start();
    let c = client(&emu);
    emu.set_fault(Fault::new(GET_TOKEN, FaultKind::Reset).count(2));
    assert_eq!(c.token(None).unwrap_err().kind(), ErrorKind::Network);
    assert_eq!(c.token(None).unwrap_err().kind(), ErrorKind::Network);
    // A retry signs anew, so it is not refused as a repeated sign.
    token_of(&c, None);
    assert_eq!(emu.stats().weaver_get_token, 3);
}

#[test]
fn nothing_listening_is_a_network_error() {
    common::check_nothing_listening(|base_url| {
        let json = serde_json::json!({
            "base_url": base_url, "appid": "a", "secret": "s",
            "aes_key": AES_KEY, "timeout_ms": 1000,
        });
        WeaverClient::from_json(&json.to_string())
            .unwrap()
            .token(None)
            .map(drop)
    });
}

#[test]
fn no_cookie_is_ever_sent_back() {
    let emu = start();
    emu.set_cookie(true);
    let c = client(&emu);
    let u = user("id", "9");
    for _ in 0..5 {
        token_of(&c, None);
        token_of(&c, Some(&u));
        c.invalidate();
    }
    let stats = emu.stats();
    assert_eq!((stats.weaver_get_token, stats.cookies_received), (10, 0));
}

// ---- the same through the C ABI ----

struct CClient(*mut ffi::erpauth_weaver_client);

impl CClient {
    fn new(json: &str) -> CClient {
        CClient(common::c_new(json, ffi::erpauth_weaver_client_new))
    }

    fn token(&self, who: Option<(&str, &str)>) -> (erpauth_status, String) {
        let (t, c) = who.map_or((None, None), |(t, c)| {
            (
                Some(CString::new(t).unwrap()),
                Some(CString::new(c).unwrap()),
            )
        });
        let ptr = |s: &Option<CString>| s.as_ref().map_or(std::ptr::null(), |s| s.as_ptr());
        // SAFETY: live client; NULL or NUL-terminated strings.
        output(|out, cap, len| unsafe {
            ffi::erpauth_weaver_client_token(self.0, ptr(&t), ptr(&c), out, cap, len)
        })
    }

    fn userid(&self, user_type: &str, user_contain: &str) -> (erpauth_status, String) {
        let (t, c) = (
            CString::new(user_type).unwrap(),
            CString::new(user_contain).unwrap(),
        );
        // SAFETY: live client; NUL-terminated strings.
        output(|out, cap, len| unsafe {
            ffi::erpauth_weaver_client_userid(self.0, t.as_ptr(), c.as_ptr(), out, cap, len)
        })
    }
}

impl Drop for CClient {
    fn drop(&mut self) {
        // SAFETY: created by erpauth_weaver_client_new, freed once.
        unsafe { ffi::erpauth_weaver_client_free(self.0) }
    }
}

#[test]
fn c_abi_statuses() {
    let emu = start();
    let c = CClient::new(&config(&emu, serde_json::json!({})));
    let (status, token) = c.token(Some(("email", "zhangs@example.com")));
    assert_eq!(status, erpauth_status::ERPAUTH_OK);
    let (status, userid) = c.userid("email", "zhangs@example.com");
    assert_eq!(status, erpauth_status::ERPAUTH_OK);
    assert_eq!(
        reference::weaver_decrypt_userid(AES_KEY, &userid).as_deref(),
        Some("9")
    );
    assert_eq!(emu.token_info(&token).unwrap().user.as_deref(), Some("9"));
    assert_eq!(c.token(None).0, erpauth_status::ERPAUTH_OK);
    assert_eq!(
        emu.stats().weaver_get_token,
        2,
        "userid came from the cached entry"
    );

    assert_eq!(
        c.token(Some(("id123", "9"))).0,
        erpauth_status::ERPAUTH_REJECTED
    );
    assert!(
        last_error().contains("userType:id123 无效,请确认!!!"),
        "{}",
        last_error()
    );
    let disabled = CClient::new(&config(
        &emu,
        serde_json::json!({"appid": "disabled-appid"}),
    ));
    assert_eq!(disabled.token(None).0, erpauth_status::ERPAUTH_REJECTED);
    assert!(last_error().contains("应用标识appid==>>disabled-appid已被禁用,请联系管理员!!!"));

    emu.set_fault(Fault::new(GET_TOKEN, FaultKind::Hang));
    let started = Instant::now();
    assert_eq!(disabled.token(None).0, erpauth_status::ERPAUTH_NETWORK);
    assert!(started.elapsed() < Duration::from_secs(2));
    emu.set_fault(Fault::new(GET_TOKEN, FaultKind::Garbage));
    assert_eq!(
        c.token(Some(("id", "1"))).0,
        erpauth_status::ERPAUTH_BAD_RESPONSE
    );
    emu.set_fault(Fault::new(GET_TOKEN, FaultKind::Http500));
    assert_eq!(c.token(Some(("id", "1"))).0, erpauth_status::ERPAUTH_HTTP);
    emu.clear_faults();
    assert_eq!(c.token(Some(("id", "1"))).0, erpauth_status::ERPAUTH_OK);
    assert_eq!(emu.stats().weaver_get_token, 8);
}
