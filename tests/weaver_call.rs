//! The Weaver e9 business call of the getToken client against the
//! in-process emulator: appid, token and userid as the server checks them,
//! one retry when the server says the token is unknown or timed out, no
//! retry after a request may have been applied, and the C ABI.

use erpauth::client::{Request, WeaverClient, WeaverUser};
use erpauth::ffi::{self, erpauth_status};
use erpauth::ErrorKind;
use erpauth_emulator::{Emulator, Endpoint, Fault, FaultKind};
use serde_json::Value;
use std::ffi::CString;
use std::ptr;

mod common;
use common::{get, json, last_error, start};

const TODO: &str = "/api/workflow/paService/getToDoWorkflowRequestList";
const CREATE: &str = "/api/workflow/paService/doCreateRequest";

fn config(emu: &Emulator, overrides: Value) -> String {
    // A business call is given more time than a token fetch.
    common::weaver_config(
        emu,
        common::merge(serde_json::json!({"timeout_ms": 2000}), &overrides),
    )
}

fn client(emu: &Emulator) -> WeaverClient {
    WeaverClient::from_json(&config(emu, serde_json::json!({}))).unwrap()
}

fn zhangs() -> WeaverUser {
    WeaverUser {
        user_type: "loginid".into(),
        user_contain: "zhangs".into(),
    }
}

#[test]
fn first_contact_sends_appid_token_and_userid() {
    let emu = start();
    let c = client(&emu);
    let r = c.call(&get(&format!("{TODO}?pageSize=10")), None).unwrap();
    assert_eq!(r.status, 200);
    let data = json(&r.body)["data"].clone();
    assert_eq!(data["appid"], "emu-appid");
    assert_eq!(data["query"], "pageSize=10");
    assert_eq!(data["user"], Value::Null);
    assert_eq!(data["token"], c.token(None).unwrap().value.token.as_str());

    // For a user: the userid getToken returned, which the server decrypts
    // back to that user's id.
    let form = "requestName=%E6%B5%8B%E8%AF%95&workflowId=1";
    let r = c
        .call(
            &Request {
                method: "POST",
                path_and_query: CREATE,
                body: Some(form.as_bytes()),
                content_type: Some("application/x-www-form-urlencoded"),
            },
            Some(&zhangs()),
        )
        .unwrap();
    let data = json(&r.body)["data"].clone();
    assert_eq!(data["user"], "9");
    assert_eq!(data["body"], form);
    assert_eq!(data["content_type"], "application/x-www-form-urlencoded");
    let stats = emu.stats();
    assert_eq!((stats.weaver_get_token, stats.weaver_business), (2, 2));
    assert_eq!(stats.cookies_received, 0);
}

#[test]
fn a_timed_out_or_unknown_token_is_replaced_once() {
    let emu = start();
    let c = client(&emu);
    c.call(&get(TODO), Some(&zhangs())).unwrap();
    for (break_tokens, words) in [
        (Emulator::expire_tokens as fn(&Emulator), "登录信息超时"),
        (Emulator::forget_tokens, "token不存在或者超时"),
    ] {
        break_tokens(&emu);
        emu.reset_stats();
        let r = c.call(&get(TODO), Some(&zhangs())).unwrap();
        assert_eq!(r.status, 200, "{words}");
        assert_eq!(json(&r.body)["data"]["user"], "9", "{words}");
        let stats = emu.stats();
        assert_eq!(
            (stats.weaver_business, stats.weaver_get_token),
            (2, 1),
            "{words}"
        );
    }
}

#[test]
fn a_token_refused_twice_is_answered_not_retried_again() {
    let emu = start();
    emu.set_weaver_token_ttl(0);
    let c = client(&emu);
    let r = c.call(&get(TODO), None).unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(json(&r.body)["errorMsg"], "登录信息超时");
    let stats = emu.stats();
    assert_eq!((stats.weaver_business, stats.weaver_get_token), (2, 2));
}

#[test]
fn other_refusals_are_answers_and_not_retried() {
    let emu = start();
    let c = client(&emu);
    let r = c
        .call(&get("/api/workflow/paService/noSuchThing"), None)
        .unwrap();
    assert_eq!(r.status, 404);
    assert_eq!(emu.stats().weaver_business, 1);
}

#[test]
fn a_timeout_after_sending_is_reported_and_never_resent() {
    let emu = start();
    let c = WeaverClient::from_json(&config(&emu, serde_json::json!({"timeout_ms": 300}))).unwrap();
    c.token(None).unwrap();
    emu.set_fault(
        Fault::new(Endpoint::WeaverBusiness, FaultKind::Delay)
            .count(1)
            .delay_ms(1500),
    );
    let err = c
        .call(
            &Request {
                method: "POST",
                path_and_query: CREATE,
                body: Some(b"workflowId=1"),
                content_type: Some("application/x-www-form-urlencoded"),
            },
            None,
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network);
    assert!(
        err.message().contains("may have reached the server"),
        "{err}"
    );
    assert_eq!(emu.stats().weaver_business, 1);
}

#[test]
fn a_token_with_control_characters_is_refused() {
    let server =
        common::Canned::start(r#"{"msg":"获取成功!","status":true,"token":"t\r\nX-Evil: 1"}"#);
    let c = WeaverClient::from_json(
        &serde_json::json!({
            "base_url": server.url(), "appid": "a",
            "secret": "zzz-weaver-secret", "aes_key": "emu-aes-key-0016", "timeout_ms": 2000,
        })
        .to_string(),
    )
    .unwrap();
    let err = c.call(&get(TODO), None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadResponse);
    assert!(err.message().contains("cannot carry"), "{err}");
    assert!(!err.message().contains("X-Evil"), "{err}");
}

#[test]
fn the_c_abi_call() {
    let emu = start();
    let method = CString::new("GET").unwrap();
    let target = CString::new(TODO).unwrap();
    let user_type = CString::new("workcode").unwrap();
    let user_contain = CString::new("A009").unwrap();
    let client = common::c_new(
        &config(&emu, serde_json::json!({})),
        ffi::erpauth_weaver_client_new,
    );
    // The call for workcode and `user_contain`; `response` starts as given.
    let call = |user_contain: *const std::ffi::c_char, mut response: *mut ffi::erpauth_response| {
        // SAFETY: a live client and NUL-terminated strings (or NULL).
        let status = unsafe {
            ffi::erpauth_weaver_client_call(
                client,
                method.as_ptr(),
                target.as_ptr(),
                ptr::null(),
                ptr::null(),
                user_type.as_ptr(),
                user_contain,
                &mut response,
            )
        };
        (status, response)
    };
    unsafe {
        let (status, response) = call(user_contain.as_ptr(), ptr::null_mut());
        assert_eq!(status, erpauth_status::ERPAUTH_OK);
        assert_eq!(ffi::erpauth_response_status(response), 200);
        let mut buf = vec![0u8; 4096];
        let mut len = 0usize;
        assert_eq!(
            ffi::erpauth_response_body(response, buf.as_mut_ptr().cast(), buf.len(), &mut len),
            erpauth_status::ERPAUTH_OK
        );
        assert_eq!(json(&buf[..len])["data"]["user"], "9");
        ffi::erpauth_response_free(response);

        // Half a user: refused before anything is sent, the handle NULLed.
        let (status, response) = call(ptr::null(), 1usize as *mut ffi::erpauth_response);
        assert_eq!(status, erpauth_status::ERPAUTH_INVALID_ARGUMENT);
        assert!(response.is_null());
        assert!(last_error().contains("user_contain"), "{}", last_error());
        assert_eq!(emu.stats().weaver_business, 1);
        ffi::erpauth_weaver_client_free(client);
    }
}

#[test]
fn hostile_tokens_from_the_emulator_are_refused() {
    let emu = start();
    let c = client(&emu);
    emu.set_fault(Fault::new(Endpoint::WeaverGetToken, FaultKind::HostileToken).count(2));
    for user in [None, Some(zhangs())] {
        let err = c.call(&get(TODO), user.as_ref()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BadResponse);
        assert!(!err.message().contains("X-Evil"), "{err}");
    }
    assert_eq!(emu.stats().weaver_business, 0);
    assert_eq!(c.call(&get(TODO), Some(&zhangs())).unwrap().status, 200);
}
