//! The Kingdee business call and the authorization lifecycle against the
//! in-process emulator: headers as the gateway checks them, the answer as
//! it came, one retry on a refused token, no retry after a request may have
//! been applied, and the same through the C ABI.

use erpauth::client::{KingdeeClient, Request};
use erpauth::ffi::{self, erpauth_status};
use erpauth::ErrorKind;
use erpauth_emulator::{Emulator, Endpoint, Fault, FaultKind};
use serde_json::Value;
use std::ffi::CString;
use std::ptr;

mod common;
use common::{get, json, last_error, post, start};

fn config(emu: &Emulator, overrides: Value) -> String {
    // A business call is given more time than a token fetch.
    common::kingdee_config(
        emu,
        common::merge(serde_json::json!({"timeout_ms": 2000}), &overrides),
    )
}

fn client(emu: &Emulator) -> KingdeeClient {
    KingdeeClient::from_json(&config(emu, serde_json::json!({}))).unwrap()
}

const ECHO: &str = "/jdy/v2/erpauth/echo";

#[test]
fn first_contact_sends_every_header_and_returns_the_answer() {
    let emu = start();
    let c = client(&emu);
    let r = c.call(&get("/jdy/v2/bd/customer?page=1")).unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(json(&r.body)["data"]["rows"][0]["name"], "测试客户");

    let body = r#"{"name":"客户 A","n":1}"#;
    let r = c
        .call(&post(
            "/jdy/v2/erpauth/echo?a=1&b=%E4%B8%AD+x",
            body.as_bytes(),
        ))
        .unwrap();
    assert_eq!(r.status, 200);
    let echo = json(&r.body)["data"].clone();
    assert_eq!(echo["method"], "POST");
    assert_eq!(echo["path"], ECHO);
    assert_eq!(
        echo["query"],
        serde_json::json!([["a", "1"], ["b", "中 x"]])
    );
    assert_eq!(echo["body"], body);
    assert_eq!(echo["content_type"], "application/json;charset=UTF-8");
    assert_eq!(echo["router_addr"], "https://emu.jdy.com");
    assert_eq!(
        echo["app_token"],
        c.app_token().unwrap().value.token.as_str()
    );
    // One token fetch for both calls; both calls reached the business side.
    let stats = emu.stats();
    assert_eq!((stats.kingdee_auth_token, stats.kingdee_business), (1, 2));

    // Any method and content type, sent as given.
    let r = c
        .call(&Request {
            method: "put",
            path_and_query: ECHO,
            body: Some(b"<x/>"),
            content_type: Some("text/xml; charset=GBK"),
        })
        .unwrap();
    let echo = json(&r.body)["data"].clone();
    assert_eq!(
        (echo["method"].as_str(), echo["content_type"].as_str()),
        (Some("PUT"), Some("text/xml; charset=GBK"))
    );
}

#[test]
fn refusals_and_errors_are_answers_not_failures() {
    let emu = start();
    let c = client(&emu);
    // An unknown API: the gateway's 519 is returned to the caller as it is.
    let r = c.call(&get("/jdy/v2/no/such")).unwrap();
    assert_eq!(r.status, 519);
    assert_eq!(json(&r.body)["code"], 5001);
    // A wrong domain: 404 with a text body.
    let other = KingdeeClient::from_json(&config(
        &emu,
        serde_json::json!({"domain": "https://other.jdy.com"}),
    ))
    .unwrap();
    let r = other.call(&get("/jdy/v2/bd/customer")).unwrap();
    assert_eq!((r.status, r.body.as_slice()), (404, &b"No Route"[..]));
}

#[test]
fn an_expired_token_is_replaced_once_and_the_call_succeeds() {
    let emu = start();
    let c = client(&emu);
    let first = c.call(&get(ECHO)).unwrap();
    let old = json(&first.body)["data"]["app_token"].clone();
    emu.expire_tokens();
    emu.reset_stats();
    let r = c.call(&get(ECHO)).unwrap();
    assert_eq!(r.status, 200);
    assert_ne!(json(&r.body)["data"]["app_token"], old);
    let stats = emu.stats();
    // The refused call, one token fetch, the retried call.
    assert_eq!((stats.kingdee_business, stats.kingdee_auth_token), (2, 1));
}

#[test]
fn an_unknown_token_is_replaced_once_too() {
    let emu = start();
    let c = client(&emu);
    c.call(&get(ECHO)).unwrap();
    // The gateway forgot every token (4010 access token invalid).
    emu.forget_tokens();
    emu.reset_stats();
    assert_eq!(c.call(&get(ECHO)).unwrap().status, 200);
    let stats = emu.stats();
    assert_eq!((stats.kingdee_business, stats.kingdee_auth_token), (2, 1));
}

#[test]
fn a_token_refused_twice_is_answered_not_retried_again() {
    let emu = start();
    // Tokens that die at once: every fetched token is expired on arrival.
    emu.set_kingdee_token_lifetime(0);
    let c = client(&emu);
    let r = c.call(&get(ECHO)).unwrap();
    assert_eq!(r.status, 519);
    assert_eq!(json(&r.body)["code"], 4011);
    let stats = emu.stats();
    assert_eq!((stats.kingdee_business, stats.kingdee_auth_token), (2, 2));
}

#[test]
fn a_timeout_after_sending_is_reported_and_never_resent() {
    let emu = start();
    let c =
        KingdeeClient::from_json(&config(&emu, serde_json::json!({"timeout_ms": 300}))).unwrap();
    c.app_token().unwrap();
    emu.set_fault(
        Fault::new(Endpoint::KingdeeBusiness, FaultKind::Delay)
            .count(1)
            .delay_ms(1500),
    );
    let err = c.call(&post(ECHO, b"{\"order\":1}")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network);
    assert!(
        err.message().contains("may have reached the server"),
        "{err}"
    );
    assert_eq!(emu.stats().kingdee_business, 1);

    // A refused connection proves nothing was sent; still one attempt, and
    // the message does not claim the request may have been applied.
    let dead = KingdeeClient::from_json(&config(
        &emu,
        serde_json::json!({"base_url": "http://127.0.0.1:1"}),
    ))
    .unwrap();
    let err = dead.call(&get(ECHO)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network);
    assert!(!err.message().contains("may have reached"), "{err}");
}

#[test]
fn bodies_come_back_byte_for_byte_up_to_the_cap() {
    let emu = start();
    let c = KingdeeClient::from_json(&config(&emu, serde_json::json!({"max_body_bytes": 1000})))
        .unwrap();
    let raw: Vec<u8> = vec![0xff, 0x00, b'a', 0xc3, 0x28, b'\n'];
    let r = c
        .call(&Request {
            method: "POST",
            path_and_query: "/jdy/v2/erpauth/echo_raw",
            body: Some(&raw),
            content_type: Some("application/octet-stream"),
        })
        .unwrap();
    assert_eq!((r.status, r.body.as_slice()), (200, raw.as_slice()));

    let big = vec![b'x'; 1001];
    let err = c.call(&post("/jdy/v2/erpauth/echo_raw", &big)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadResponse);
    assert!(err.message().contains("max_body_bytes"), "{err}");
    let exact = vec![b'x'; 1000];
    let r = c.call(&post("/jdy/v2/erpauth/echo_raw", &exact)).unwrap();
    assert_eq!(r.body.len(), 1000);
}

#[test]
fn bad_arguments_are_refused_before_anything_is_sent() {
    let emu = start();
    let c = client(&emu);
    for (method, target) in [
        ("TRACE", ECHO),
        ("GET", "jdy/v2/x"),
        ("GET", "/jdy/v2/x y"),
        ("GET", "/jdy/v2/x\r\nX-Evil: 1"),
    ] {
        let err = c
            .call(&Request {
                method,
                path_and_query: target,
                body: None,
                content_type: None,
            })
            .unwrap_err();
        assert_eq!(
            err.kind(),
            ErrorKind::InvalidArgument,
            "{method} {target:?}"
        );
    }
    assert_eq!(emu.stats().kingdee_business, 0);
}

#[test]
fn a_token_with_control_characters_is_refused() {
    // A hostile token endpoint: errcode 0 and a token that would smuggle a
    // header into the business request.
    let server = common::Canned::start(
        r#"{"errcode":0,"description":"ok","data":{"app-token":"abc\r\nX-Evil: 1"}}"#,
    );
    let c = KingdeeClient::from_json(
        &serde_json::json!({
            "client_id": "c", "client_secret": "s", "app_key": "k", "app_secret": "zzz-app-secret",
            "base_url": server.url(), "timeout_ms": 2000,
        })
        .to_string(),
    )
    .unwrap();
    let err = c.call(&get(ECHO)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadResponse);
    assert!(err.message().contains("cannot carry"), "{err}");
    assert!(!err.message().contains("X-Evil"), "{err}");
}

#[test]
fn threads_share_one_retry_after_expiry() {
    let emu = start();
    let c = std::sync::Arc::new(client(&emu));
    c.call(&get(ECHO)).unwrap();
    emu.expire_tokens();
    emu.reset_stats();
    let results = common::on_threads(8, || c.call(&get(ECHO)).unwrap().status);
    for result in results {
        assert_eq!(result, 200);
    }
    // However many calls saw the expired token, one new token was fetched.
    assert_eq!(emu.stats().kingdee_auth_token, 1);
}

unsafe fn c_call(
    client: *mut ffi::erpauth_kingdee_client,
    method: &str,
    target: &str,
    body: Option<&str>,
) -> (erpauth_status, *mut ffi::erpauth_response) {
    let method = CString::new(method).unwrap();
    let target = CString::new(target).unwrap();
    let body = body.map(|b| CString::new(b).unwrap());
    let mut out = ptr::null_mut();
    let status = unsafe {
        ffi::erpauth_kingdee_client_call(
            client,
            method.as_ptr(),
            target.as_ptr(),
            body.as_ref().map_or(ptr::null(), |b| b.as_ptr()),
            ptr::null(),
            &mut out,
        )
    };
    (status, out)
}

#[test]
fn the_c_abi_call_and_response_handle() {
    let emu = start();
    let client = common::c_new(
        &config(&emu, serde_json::json!({})),
        ffi::erpauth_kingdee_client_new,
    );
    unsafe {
        let (status, response) = c_call(client, "POST", ECHO, Some("{\"k\":\"值\"}"));
        assert_eq!(status, erpauth_status::ERPAUTH_OK);
        assert_eq!(ffi::erpauth_response_status(response), 200);
        // Size query, then the body: no second request.
        let mut len = 0usize;
        assert_eq!(
            ffi::erpauth_response_body(response, ptr::null_mut(), 0, &mut len),
            erpauth_status::ERPAUTH_BUFFER_TOO_SMALL
        );
        let mut buf = vec![0u8; len + 1];
        let mut len2 = 0usize;
        assert_eq!(
            ffi::erpauth_response_body(response, buf.as_mut_ptr().cast(), buf.len(), &mut len2),
            erpauth_status::ERPAUTH_OK
        );
        assert_eq!((len2, buf[len]), (len, 0));
        let echo = json(&buf[..len]);
        assert_eq!(echo["data"]["body"], "{\"k\":\"值\"}");
        assert_eq!(emu.stats().kingdee_business, 1);
        ffi::erpauth_response_free(response);

        // NULLs: clear errors, the out pointer cleared, nothing sent.
        let mut out = 1usize as *mut ffi::erpauth_response;
        let m = CString::new("GET").unwrap();
        assert_eq!(
            ffi::erpauth_kingdee_client_call(
                client,
                m.as_ptr(),
                ptr::null(),
                ptr::null(),
                ptr::null(),
                &mut out
            ),
            erpauth_status::ERPAUTH_INVALID_ARGUMENT
        );
        assert!(out.is_null());
        assert!(last_error().contains("path_and_query"), "{}", last_error());
        let (status, response) = c_call(ptr::null_mut(), "GET", ECHO, None);
        assert_eq!(status, erpauth_status::ERPAUTH_INVALID_ARGUMENT);
        assert!(response.is_null());
        assert_eq!(ffi::erpauth_response_status(ptr::null()), -1);
        let mut len = 7usize;
        assert_eq!(
            ffi::erpauth_response_body(ptr::null(), ptr::null_mut(), 0, &mut len),
            erpauth_status::ERPAUTH_INVALID_ARGUMENT
        );
        assert_eq!(len, 0);
        ffi::erpauth_response_free(ptr::null_mut());
        assert_eq!(emu.stats().kingdee_business, 1);
        ffi::erpauth_kingdee_client_free(client);
    }
}

fn pulled_client(emu: &Emulator) -> KingdeeClient {
    KingdeeClient::from_json(
        &serde_json::json!({
            "client_id": "emu-client-id",
            "client_secret": "emu-client-secret",
            "outer_instance_id": "emu-instance-1",
            "base_url": emu.base_url(),
            "timeout_ms": 2000,
        })
        .to_string(),
    )
    .unwrap()
}

#[test]
fn the_authorization_is_pulled_at_first_contact() {
    let emu = start();
    let c = pulled_client(&emu);
    assert_eq!(emu.stats().kingdee_push_app_authorize, 0);
    let r = c.call(&get(ECHO)).unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(json(&r.body)["data"]["router_addr"], "https://emu.jdy.com");
    let stats = emu.stats();
    assert_eq!(
        (stats.kingdee_push_app_authorize, stats.kingdee_auth_token),
        (1, 1)
    );
    let auth = json(c.authorization_json().unwrap().as_bytes());
    assert_eq!(auth["app_key"], "emuAppKey");
    assert_eq!(auth["domain"], "https://emu.jdy.com");
    assert_eq!(auth["source"], "push_app_authorize");
    assert_eq!(auth["outer_instance_id"], "emu-instance-1");
    assert_eq!(auth["details"]["accountId"], "emu-account-1");
    assert!(!auth.to_string().contains("emu-app-secret"), "{auth}");
    // Cached: asking again pulls nothing.
    c.authorization_json().unwrap();
    c.call(&get(ECHO)).unwrap();
    assert_eq!(emu.stats().kingdee_push_app_authorize, 1);
}

#[test]
fn a_rotation_mid_run_costs_the_caller_nothing() {
    let emu = start();
    // Configured secret first, the pull only when it stops working.
    let c = std::sync::Arc::new(
        KingdeeClient::from_json(&config(
            &emu,
            serde_json::json!({"outer_instance_id": "emu-instance-1"}),
        ))
        .unwrap(),
    );
    c.call(&get(ECHO)).unwrap();
    assert_eq!(emu.stats().kingdee_push_app_authorize, 0);

    // Kingdee rotates the secret; issued tokens stay valid: nothing happens.
    let new_secret = emu.rotate_kingdee_app_secret();
    assert_eq!(c.call(&get(ECHO)).unwrap().status, 200);
    // The token then expires: the token request with the old secret gets
    // 1030002006, the client pulls, fetches, and the call still succeeds,
    // in every thread at once, with one pull.
    emu.expire_tokens();
    emu.reset_stats();
    let results = common::on_threads(6, || c.call(&get(ECHO)).unwrap().status);
    for result in results {
        assert_eq!(result, 200);
    }
    let stats = emu.stats();
    assert_eq!(stats.kingdee_push_app_authorize, 1);
    // One refused token request (old secret), one with the pulled secret.
    assert_eq!(stats.kingdee_auth_token, 2);
    let auth = json(c.authorization_json().unwrap().as_bytes());
    assert_eq!(auth["source"], "push_app_authorize");
    assert!(!auth.to_string().contains(&new_secret));
}

#[test]
fn set_app_secret_takes_a_pushed_secret_on_a_live_client() {
    let emu = start();
    let c = client(&emu);
    c.call(&get(ECHO)).unwrap();
    let new_secret = emu.rotate_kingdee_app_secret();
    emu.expire_tokens();
    // Without outer_instance_id the client cannot pull: the refusal says why.
    let err = c.call(&get(ECHO)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Rejected);
    assert!(err.message().contains("1030002006"), "{err}");
    assert!(err.message().contains("push_app_authorize"), "{err}");

    emu.reset_stats();
    c.set_app_secret(erpauth::client::Secret::new(new_secret.as_str()))
        .unwrap();
    assert_eq!(c.call(&get(ECHO)).unwrap().status, 200);
    assert_eq!(emu.stats().kingdee_auth_token, 1);
    // Setting it drops a valid cached token too: the next call fetches.
    c.set_app_secret(erpauth::client::Secret::new(new_secret.as_str()))
        .unwrap();
    c.call(&get(ECHO)).unwrap();
    assert_eq!(emu.stats().kingdee_auth_token, 2);
    let auth = json(c.authorization_json().unwrap().as_bytes());
    assert_eq!(
        (auth["source"].as_str(), auth["app_key"].as_str()),
        (Some("set_app_secret"), Some("emuAppKey"))
    );
    assert!(!auth.to_string().contains(&new_secret));
    assert_eq!(
        c.set_app_secret(erpauth::client::Secret::new(""))
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidArgument
    );
}

#[test]
fn hostile_or_refused_authorization_answers() {
    let emu = start();
    let c = pulled_client(&emu);
    emu.set_fault(Fault::new(Endpoint::KingdeePushAppAuthorize, FaultKind::Garbage).count(1));
    let err = c.call(&get(ECHO)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadResponse);
    assert!(err.message().contains("push_app_authorize"), "{err}");
    // Not cached: the next call pulls again and works.
    assert_eq!(c.call(&get(ECHO)).unwrap().status, 200);

    let wrong = KingdeeClient::from_json(
        &serde_json::json!({
            "client_id": "emu-client-id", "client_secret": "emu-client-secret",
            "outer_instance_id": "no-such-instance", "base_url": emu.base_url(),
        })
        .to_string(),
    )
    .unwrap();
    let err = wrong.authorization_json().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Rejected);
    assert!(err.message().contains("1030002010"), "{err}");
}

#[test]
fn configs_with_and_without_an_instance() {
    let base = |extra: Value| {
        let mut c = serde_json::json!({"client_id": "c", "client_secret": "s"});
        for (k, v) in extra.as_object().unwrap() {
            c[k] = v.clone();
        }
        KingdeeClient::from_json(&c.to_string())
    };
    assert!(base(serde_json::json!({"outer_instance_id": "i"})).is_ok());
    for bad in [
        serde_json::json!({}),
        serde_json::json!({"outer_instance_id": ""}),
        serde_json::json!({"outer_instance_id": "i", "app_secret": "zzz-only"}),
        serde_json::json!({"app_key": "k"}),
    ] {
        let err = base(bad.clone()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{bad}");
        assert!(!err.message().contains("zzz-only"), "{err}");
    }
}

#[test]
fn the_c_abi_authorization_and_set_app_secret() {
    let emu = start();
    let client = common::c_new(
        &config(&emu, serde_json::json!({})),
        ffi::erpauth_kingdee_client_new,
    );
    unsafe {
        let mut buf = [0u8; 512];
        let mut len = 0usize;
        assert_eq!(
            ffi::erpauth_kingdee_client_authorization(
                client,
                buf.as_mut_ptr().cast(),
                buf.len(),
                &mut len
            ),
            erpauth_status::ERPAUTH_OK
        );
        let auth = json(&buf[..len]);
        assert_eq!(auth["source"], "config");
        assert_eq!(auth["outer_instance_id"], Value::Null);

        let secret = CString::new(emu.rotate_kingdee_app_secret()).unwrap();
        emu.expire_tokens();
        assert_eq!(
            ffi::erpauth_kingdee_client_set_app_secret(client, secret.as_ptr()),
            erpauth_status::ERPAUTH_OK
        );
        let (status, response) = c_call(client, "GET", ECHO, None);
        assert_eq!(status, erpauth_status::ERPAUTH_OK);
        assert_eq!(ffi::erpauth_response_status(response), 200);
        ffi::erpauth_response_free(response);

        assert_eq!(
            ffi::erpauth_kingdee_client_set_app_secret(client, ptr::null()),
            erpauth_status::ERPAUTH_INVALID_ARGUMENT
        );
        assert!(last_error().contains("app_secret"), "{}", last_error());
        assert_eq!(
            ffi::erpauth_kingdee_client_set_app_secret(ptr::null_mut(), secret.as_ptr()),
            erpauth_status::ERPAUTH_INVALID_ARGUMENT
        );
        assert_eq!(
            ffi::erpauth_kingdee_client_authorization(
                ptr::null_mut(),
                buf.as_mut_ptr().cast(),
                buf.len(),
                &mut len
            ),
            erpauth_status::ERPAUTH_INVALID_ARGUMENT
        );
        ffi::erpauth_kingdee_client_free(client);
    }
}

#[test]
fn hostile_tokens_and_domains_from_the_emulator_are_refused() {
    let emu = start();
    let c = client(&emu);
    emu.set_fault(Fault::new(Endpoint::KingdeeAuthToken, FaultKind::HostileToken).count(1));
    let err = c.call(&get(ECHO)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadResponse);
    assert!(!err.message().contains("X-Evil"), "{err}");
    // Nothing was cached or sent: the next call works.
    assert_eq!(emu.stats().kingdee_business, 0);
    assert_eq!(c.call(&get(ECHO)).unwrap().status, 200);

    let pulled = pulled_client(&emu);
    emu.set_fault(Fault::new(Endpoint::KingdeePushAppAuthorize, FaultKind::HostileToken).count(1));
    let err = pulled.authorization_json().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadResponse);
    assert!(err.message().contains("domain"), "{err}");
}
