//! The parsers of the e9 REST regist and applytoken answers. Input: one
//! byte whose low bit picks the parser (0 regist, 1 applytoken), two bytes
//! of HTTP status (big-endian), then the body. A result comes only from a
//! JSON object that says success (`"status": true`, or no `status` and
//! `code` 0); a token only if it is visible ASCII of at most 512 bytes, so it
//! can go into a header as it is; every other answer is an error of the
//! right kind with a one-line message.

#![no_main]

use erpauth::client::fuzzing::{weaver_rest_apply_token_answer, weaver_rest_regist_answer};
use erpauth::{Error, ErrorKind};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fn says_success(json: &Value) -> bool {
    match json.get("status") {
        Some(Value::Bool(b)) => *b,
        _ => json["code"].as_i64() == Some(0) || json["code"].as_str() == Some("0"),
    }
}

fn check_error(err: &Error, status: u16, json: Option<&Value>) {
    erpauth_fuzz::check_message(err);
    match err.kind() {
        ErrorKind::Rejected => assert!(!says_success(json.expect("a refusal is JSON"))),
        ErrorKind::BadResponse => {}
        ErrorKind::Http => assert_ne!(status, 200),
        other => panic!("unexpected kind {other:?}"),
    }
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let apply_token = data[0] & 1 == 1;
    let status = u16::from_be_bytes([data[1], data[2]]);
    let body = &data[3..];
    let json: Option<Value> = serde_json::from_slice(body).ok();
    if apply_token {
        match weaver_rest_apply_token_answer(status, body) {
            Ok(token) => {
                let json = json.expect("a token came from JSON");
                assert!(says_success(&json));
                assert_eq!(json["token"].as_str(), Some(token.as_str()));
                assert!(!token.is_empty() && token.len() <= 512);
                assert!(token.bytes().all(|b| (0x21..=0x7e).contains(&b)));
            }
            Err(err) => check_error(&err, status, json.as_ref()),
        }
    } else {
        match weaver_rest_regist_answer(status, body) {
            Ok((spk, secrit)) => {
                let json = json.expect("a registration came from JSON");
                assert!(says_success(&json));
                assert_eq!(json["spk"].as_str(), Some(spk.as_str()));
                assert!(!secrit.is_empty());
                assert!(
                    json["secrit"].as_str() == Some(secrit.as_str())
                        || json["secret"].as_str() == Some(secrit.as_str())
                );
            }
            Err(err) => check_error(&err, status, json.as_ref()),
        }
    }
});
