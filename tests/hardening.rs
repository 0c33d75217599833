//! Defects an outside audit found (issue 12), each reached the most direct
//! way: bounded per-user caches, configs refused at `*_new` instead of
//! failing later, proxies, and what a hostile server's answer may carry.

use erpauth::client::{KingdeeClient, WeaverClient, WeaverUser};
use erpauth::ffi::{self, erpauth_status};
use erpauth::ErrorKind;
use erpauth_emulator::{Emulator, EmulatorConfig};
use std::ffi::CString;

mod common;
use common::{last_error, refused_port, rss_kib};

const AES_KEY: &str = "emu-aes-key-0016";

fn weaver_json(base_url: &str, extra: serde_json::Value) -> String {
    let mut c = serde_json::json!({
        "base_url": base_url, "appid": "emu-appid", "secret": "emu-secret",
        "aes_key": AES_KEY, "timeout_ms": 1000,
    });
    for (k, v) in extra.as_object().unwrap() {
        c[k] = v.clone();
    }
    c.to_string()
}

fn kingdee_json(extra: serde_json::Value) -> String {
    let mut c = serde_json::json!({
        "client_id": "c", "client_secret": "cs-secret-1", "app_key": "k",
        "app_secret": "as-secret-1", "base_url": "http://127.0.0.1:9",
    });
    for (k, v) in extra.as_object().unwrap() {
        c[k] = v.clone();
    }
    c.to_string()
}

fn user(user_type: &str, user_contain: impl Into<String>) -> WeaverUser {
    WeaverUser {
        user_type: user_type.into(),
        user_contain: user_contain.into(),
    }
}

/// 200 000 distinct users against a refused port: before the fix every one
/// left an entry behind (100 000 raised RSS from 22 to 61 MB). Now a failed
/// flight leaves none, so the map stays empty and memory flat.
#[test]
fn failed_fetches_of_many_users_leave_no_entry() {
    let base_url = format!("http://127.0.0.1:{}", refused_port());
    let client = WeaverClient::from_json(&weaver_json(&base_url, serde_json::json!({}))).unwrap();
    // Warm-up: the allocator's and ureq's own first-use memory.
    for i in 0..2_000 {
        let err = client
            .token(Some(&user("loginid", format!("warm{i}"))))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Network, "{err}");
    }
    let before = rss_kib();
    let threads: Vec<_> = (0..2)
        .map(|t| {
            let client = &client;
            move || {
                for i in 0..100_000 {
                    let who = user("loginid", format!("user-{t}-{i:06}-padding-padding"));
                    let err = client.token(Some(&who)).unwrap_err();
                    assert_eq!(err.kind(), ErrorKind::Network, "{err}");
                }
            }
        })
        .collect();
    std::thread::scope(|s| {
        for t in threads {
            s.spawn(t);
        }
    });
    let after = rss_kib();
    assert_eq!(client.cached_users(), 0);
    eprintln!("200 000 failed users: RSS {before} -> {after} KiB");
    assert!(after - before < 4 * 1024, "RSS grew {} KiB", after - before);
}

/// Successful users are kept up to `max_users`, least recently used out;
/// the most recent ones are still served from the cache; `invalidate`
/// empties the map.
#[test]
fn user_tokens_are_capped_least_recently_used_out() {
    let mut config = EmulatorConfig::default();
    let template = config.weaver.users[0].clone();
    for i in 0..300 {
        let mut u = template.clone();
        u.id = format!("{}", 10_000 + i);
        u.loginid = format!("cap{i}");
        u.workcode = format!("W{i}");
        u.idnum = format!("ID{i}");
        u.email = format!("cap{i}@example.com");
        u.outkey = format!("OK{i}");
        config.weaver.users.push(u);
    }
    let emu = Emulator::start(config).unwrap();
    let client = WeaverClient::from_json(&weaver_json(
        &emu.base_url(),
        serde_json::json!({"max_users": 50}),
    ))
    .unwrap();
    let mut tokens = Vec::new();
    for i in 0..300 {
        tokens.push(
            client
                .token(Some(&user("loginid", format!("cap{i}"))))
                .unwrap()
                .value
                .token
                .clone(),
        );
        assert!(client.cached_users() <= 50, "{}", client.cached_users());
    }
    // The most recent users are still cached: no new request for them.
    emu.reset_stats();
    for (i, token) in tokens.iter().enumerate().skip(290) {
        let t = client
            .token(Some(&user("loginid", format!("cap{i}"))))
            .unwrap();
        assert_eq!(&t.value.token, token);
    }
    assert_eq!(emu.stats().weaver_get_token, 0);
    // The oldest was dropped: asking again fetches anew.
    let again = client.token(Some(&user("loginid", "cap0"))).unwrap();
    assert_ne!(again.value.token, tokens[0]);
    assert_eq!(emu.stats().weaver_get_token, 1);

    client.invalidate();
    assert_eq!(client.cached_users(), 0);
}

/// The default cap, through the JSON config.
#[test]
fn max_users_is_checked() {
    let url = "http://127.0.0.1:9";
    for bad in [
        serde_json::json!(0),
        serde_json::json!(-1),
        serde_json::json!("10"),
    ] {
        let err = WeaverClient::from_json(&weaver_json(url, serde_json::json!({"max_users": bad})))
            .unwrap_err();
        assert!(err.message().contains("\"max_users\""), "{err}");
    }
}

/// `userContain` with CR/LF was sent to the HTTP layer and came back as
/// `NETWORK` ("failed to parse header value"); an empty one was sent as an
/// empty header. Both are the caller's mistake, found before any request.
#[test]
fn user_parameters_are_checked_up_front() {
    let base_url = format!("http://127.0.0.1:{}", refused_port());
    let client = WeaverClient::from_json(&weaver_json(&base_url, serde_json::json!({}))).unwrap();
    for (t, c) in [
        ("loginid", "a\r\nX-Injected: 1"),
        ("loginid", "a\nb"),
        ("loginid", ""),
        ("", "zhangs"),
        ("login\tid", "zhangs"),
        ("loginid", "a\0b"),
    ] {
        let err = client.token(Some(&user(t, c))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{t:?} {c:?}: {err}");
        assert!(err.message().contains("user_"), "{err}");
    }
    assert_eq!(client.cached_users(), 0);
}

/// A SOCKS proxy made ureq panic at the first request (`ERPAUTH_INTERNAL`,
/// a two-line message and a panic banner on the host's stderr). Only HTTP
/// CONNECT proxies are accepted, at `*_new`.
#[test]
fn only_http_proxies_are_accepted() {
    for proxy in [
        "socks5://127.0.0.1:1080",
        "socks4://127.0.0.1:1080",
        "socks5h://u:pw-secret-9@127.0.0.1:1080",
        "ftp://127.0.0.1:21",
        "127.0.0.1:3128",
    ] {
        let json = kingdee_json(serde_json::json!({"proxy": proxy}));
        let err = KingdeeClient::from_json(&json).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{proxy}: {err}");
        assert!(err.message().contains("\"proxy\""), "{err}");
        assert!(!err.message().contains("pw-secret-9"), "{err}");
        let json = CString::new(json).unwrap();
        let mut handle = std::ptr::null_mut();
        let status = unsafe { ffi::erpauth_kingdee_client_new(json.as_ptr(), &mut handle) };
        assert_eq!(status, erpauth_status::ERPAUTH_INVALID_ARGUMENT);
        assert!(handle.is_null());
        assert!(!last_error().contains('\n'));
    }
    for proxy in [
        "http://127.0.0.1:3128",
        "https://proxy.example:443",
        "HTTP://p:1",
    ] {
        KingdeeClient::from_json(&kingdee_json(serde_json::json!({"proxy": proxy}))).unwrap();
    }
}

/// The proxy password lived in a plain `String` and showed in `Debug`.
#[test]
fn the_proxy_password_is_not_shown() {
    let client = KingdeeClient::from_json(&kingdee_json(
        serde_json::json!({"proxy": "http://user:pw-secret-9@127.0.0.1:3128"}),
    ))
    .unwrap();
    let debug = format!("{client:?}");
    assert!(!debug.contains("pw-secret-9"), "{debug}");
    let weaver = WeaverClient::from_json(&weaver_json(
        "http://oa.example:80",
        serde_json::json!({"proxy": "http://user:pw-secret-9@127.0.0.1:3128"}),
    ))
    .unwrap();
    assert!(!format!("{weaver:?}").contains("pw-secret-9"));
}

/// A key given twice was accepted, the last one winning, even for
/// `client_secret`.
#[test]
fn duplicate_keys_are_refused() {
    let json = r#"{"client_id":"c","client_secret":"one-secret-1","app_key":"k",
        "app_secret":"a","client_secret":"two-secret-2","base_url":"http://127.0.0.1:9"}"#;
    let err = KingdeeClient::from_json(json).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(
        err.message()
            .contains("\"client_secret\" is given more than once"),
        "{err}"
    );
    assert!(!err.message().contains("secret-"), "{err}");
    let json = weaver_json("http://h", serde_json::json!({}));
    let twice = json.replacen('{', r#"{"timeout_ms":5,"#, 1);
    assert!(WeaverClient::from_json(&twice).is_err());
}

/// Base URLs that passed `*_new` and failed at the first request.
#[test]
fn base_urls_are_parsed_at_new() {
    for url in [
        "http://127.0.0.1:99999",
        "http://user:pw@",
        "http://user:pw@127.0.0.1:8080",
        "http://127.0.0.1\\x",
    ] {
        let err = KingdeeClient::from_json(&kingdee_json(serde_json::json!({"base_url": url})))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{url}: {err}");
        let err = WeaverClient::from_json(&weaver_json(url, serde_json::json!({}))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{url}: {err}");
        assert!(!err.message().contains("pw"), "{err}");
    }
}

/// Plain HTTP to a Kingdee gateway that is not this machine sent
/// `app_signature` and the signed headers in clear.
#[test]
fn kingdee_refuses_plain_http_off_the_machine() {
    let err = KingdeeClient::from_json(&kingdee_json(
        serde_json::json!({"base_url": "http://api.kingdee.com"}),
    ))
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.message().contains("allow_insecure_http"), "{err}");
    KingdeeClient::from_json(&kingdee_json(
        serde_json::json!({"base_url": "http://api.kingdee.com", "allow_insecure_http": true}),
    ))
    .unwrap();
    // Weaver stays as it was: e9 runs plain HTTP on intranets.
    WeaverClient::from_json(&weaver_json(
        "http://oa.example:8080",
        serde_json::json!({}),
    ))
    .unwrap();
}

/// A 10 MB unknown key gave a 10 MB last error; a `ca_file` with a newline
/// gave two lines.
#[test]
fn messages_are_short_single_lines() {
    let key = "k".repeat(10 << 20);
    let json = kingdee_json(serde_json::json!({ key.as_str(): 1 }));
    let err = KingdeeClient::from_json(&json).unwrap_err();
    assert!(err.message().len() <= 512, "{}", err.message().len());
    let json = CString::new(json).unwrap();
    let mut handle = std::ptr::null_mut();
    unsafe { ffi::erpauth_kingdee_client_new(json.as_ptr(), &mut handle) };
    assert!(last_error().len() <= 512);

    let json = kingdee_json(serde_json::json!({"ca_file": "/no/such\nfile.pem"}));
    let err = KingdeeClient::from_json(&json).unwrap_err();
    assert!(!err.message().contains('\n'), "{err}");
    assert!(err.message().contains("/no/such\\nfile.pem"), "{err}");
}

/// A token answer `"abc\r\nX-Injected: evil"` came back from
/// `erpauth_kingdee_client_headers` as an extra header line (and Java's and
/// C#'s header parsers made it an extra map entry); `abc\0def` cut the
/// header block for `strlen` users. Every value a server sends for a header
/// or for the caller is visible ASCII of bounded length, or the answer is
/// `ERPAUTH_BAD_RESPONSE` with a message that does not echo it.
#[test]
fn server_values_cannot_inject_headers() {
    let long = Box::leak(
        format!(
            r#"{{"errcode":0,"data":{{"app-token":"{}"}}}}"#,
            "t".repeat(4097)
        )
        .into_boxed_str(),
    );
    for body in [
        r#"{"errcode":0,"data":{"app-token":"abc\r\nX-Injected: evil"}}"#,
        r#"{"errcode":0,"data":{"app-token":"abc\u0000def"}}"#,
        r#"{"errcode":0,"data":{"app-token":"abc def"}}"#,
        r#"{"errcode":0,"data":{"app-token":"abc\tdef"}}"#,
        r#"{"errcode":0,"data":{"app-token":"令牌令牌令牌"}}"#,
        r#"{"errcode":0,"data":{"access_token":"abc\nX-Api-Signature: forged"}}"#,
        &*long,
    ] {
        let server = common::Canned::start(body);
        let json = kingdee_json(serde_json::json!({"base_url": server.url()}));
        let json = CString::new(json).unwrap();
        let mut client = std::ptr::null_mut();
        let status = unsafe { ffi::erpauth_kingdee_client_new(json.as_ptr(), &mut client) };
        assert_eq!(status, erpauth_status::ERPAUTH_OK);
        let (method, target) = (c"GET", c"/jdy/v2/bd/customer");
        let (status, text) = common::output(|o, n, l| unsafe {
            ffi::erpauth_kingdee_client_headers(client, method.as_ptr(), target.as_ptr(), o, n, l)
        });
        assert_eq!(
            status,
            erpauth_status::ERPAUTH_BAD_RESPONSE,
            "{body}: {text}"
        );
        assert_eq!(text, "");
        let message = last_error();
        assert!(message.contains("cannot carry"), "{message}");
        for echo in ["X-Injected", "evil", "def", "令牌", "forged", "tttttttt"] {
            assert!(!message.contains(echo), "{message}");
        }
        unsafe { ffi::erpauth_kingdee_client_free(client) };
    }

    for (body, user) in [
        (
            r#"{"status":true,"token":"abc\r\nX-Injected: evil"}"#,
            false,
        ),
        (r#"{"status":true,"token":"abc\u0000def"}"#, false),
        (
            r#"{"status":true,"token":"abc","userid":"u1\r\nX-Injected: evil"}"#,
            true,
        ),
        (r#"{"status":true,"token":"abc","userid":"u1 u2"}"#, true),
        (r#"{"status":true,"token":"abc","userid":"用户用户"}"#, true),
    ] {
        let server = common::Canned::start(body);
        let client =
            WeaverClient::from_json(&weaver_json(&server.url(), serde_json::json!({}))).unwrap();
        let who = user.then(|| self::user("loginid", "zhangs"));
        let err = client.token(who.as_ref()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BadResponse, "{body}: {err}");
        for echo in ["X-Injected", "evil", "def", "u2", "用户"] {
            assert!(!err.message().contains(echo), "{err}");
        }
        assert_eq!(client.cached_users(), 0);
    }
}

/// A Weaver handle given to a Kingdee function (and every other pairing)
/// read the wrong type's memory: heap garbage came back as a token. Each
/// handle carries a type tag, checked on every call.
#[test]
fn a_handle_of_another_type_is_refused() {
    let kingdee_json = CString::new(kingdee_json(serde_json::json!({}))).unwrap();
    let weaver_json =
        CString::new(weaver_json("http://127.0.0.1:9", serde_json::json!({}))).unwrap();
    let mut kingdee = std::ptr::null_mut();
    let mut weaver = std::ptr::null_mut();
    let mut signer = std::ptr::null_mut();
    unsafe {
        assert_eq!(
            ffi::erpauth_kingdee_client_new(kingdee_json.as_ptr(), &mut kingdee),
            erpauth_status::ERPAUTH_OK
        );
        assert_eq!(
            ffi::erpauth_weaver_client_new(weaver_json.as_ptr(), &mut weaver),
            erpauth_status::ERPAUTH_OK
        );
        assert_eq!(
            ffi::erpauth_kingdee_signer_new(c"cs-secret-1".as_ptr(), &mut signer),
            erpauth_status::ERPAUTH_OK
        );
    }
    let (method, target) = (c"GET", c"/x");
    let (status, text) = common::output(|o, n, l| unsafe {
        ffi::erpauth_kingdee_client_app_token(weaver.cast(), o, n, l)
    });
    assert_eq!(status, erpauth_status::ERPAUTH_INVALID_ARGUMENT);
    assert_eq!(text, "");
    assert!(
        last_error().contains("not a live Kingdee client handle"),
        "{}",
        last_error()
    );
    let (status, _) = common::output(|o, n, l| unsafe {
        ffi::erpauth_kingdee_client_headers(
            signer.cast(),
            method.as_ptr(),
            target.as_ptr(),
            o,
            n,
            l,
        )
    });
    assert_eq!(status, erpauth_status::ERPAUTH_INVALID_ARGUMENT);
    let (status, _) = common::output(|o, n, l| unsafe {
        ffi::erpauth_weaver_client_token(
            kingdee.cast(),
            std::ptr::null(),
            std::ptr::null(),
            o,
            n,
            l,
        )
    });
    assert_eq!(status, erpauth_status::ERPAUTH_INVALID_ARGUMENT);
    assert!(last_error().contains("not a live Weaver client handle"));
    let (status, _) = common::output(|o, n, l| unsafe {
        ffi::erpauth_kingdee_signer_signature(
            kingdee.cast(),
            method.as_ptr(),
            target.as_ptr(),
            c"1".as_ptr(),
            c"2".as_ptr(),
            o,
            n,
            l,
        )
    });
    assert_eq!(status, erpauth_status::ERPAUTH_INVALID_ARGUMENT);
    // Freeing with the wrong function does nothing and says so.
    unsafe { ffi::erpauth_kingdee_client_free(weaver.cast()) };
    assert!(last_error().contains("not a live Kingdee client handle"));
    unsafe { ffi::erpauth_weaver_client_invalidate(kingdee.cast()) };
    assert!(last_error().contains("not a live Weaver client handle"));
    // Both still work.
    let (status, _) = common::output(|o, n, l| unsafe {
        ffi::erpauth_kingdee_signer_signature(
            signer,
            method.as_ptr(),
            target.as_ptr(),
            c"1".as_ptr(),
            c"2".as_ptr(),
            o,
            n,
            l,
        )
    });
    assert_eq!(status, erpauth_status::ERPAUTH_OK);
    unsafe {
        ffi::erpauth_kingdee_client_free(kingdee);
        ffi::erpauth_weaver_client_free(weaver);
        ffi::erpauth_kingdee_signer_free(signer);
    }
}

/// A double free and a call after free were a segfault or heap garbage.
/// Undefined behaviour still (the header says so), but with the system
/// allocator the poisoned tag is seen: `ERPAUTH_INVALID_ARGUMENT`, and the
/// second free does nothing. (Not run under Miri or valgrind, which rightly
/// report the read of freed memory.)
#[test]
fn a_freed_handle_is_detected() {
    let json = CString::new(kingdee_json(serde_json::json!({}))).unwrap();
    let mut client = std::ptr::null_mut();
    unsafe {
        assert_eq!(
            ffi::erpauth_kingdee_client_new(json.as_ptr(), &mut client),
            erpauth_status::ERPAUTH_OK
        );
        ffi::erpauth_kingdee_client_free(client);
    }
    let (status, text) =
        common::output(|o, n, l| unsafe { ffi::erpauth_kingdee_client_app_token(client, o, n, l) });
    assert_eq!(status, erpauth_status::ERPAUTH_INVALID_ARGUMENT);
    assert_eq!(text, "");
    unsafe { ffi::erpauth_kingdee_client_free(client) };
    assert!(last_error().contains("Kingdee client"), "{}", last_error());
}
