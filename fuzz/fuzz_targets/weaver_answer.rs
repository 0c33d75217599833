//! The parser of the e9 getToken answer. Input: two bytes of HTTP status
//! (big-endian), one byte whose low bit says whether a user was named, then
//! the body. A token comes only from a JSON object with `"status": true`
//! and a non-empty token (and a userid when a user was named); token and
//! userid are 1 to 4096 bytes of visible ASCII (they go into headers and
//! back to the caller); every other answer is an error of the right kind
//! with a one-line message that does not echo a refused token.

#![no_main]

use erpauth::client::fuzzing::weaver_token_answer;
use erpauth::ErrorKind;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let status = u16::from_be_bytes([data[0], data[1]]);
    let user_requested = data[2] & 1 == 1;
    let body = &data[3..];
    let json: Option<Value> = serde_json::from_slice(body).ok();
    match weaver_token_answer(status, body, user_requested) {
        Ok((token, userid)) => {
            let json = json.expect("a token came from JSON");
            assert_eq!(json["status"], Value::Bool(true));
            assert_eq!(json["token"].as_str(), Some(token.as_str()));
            erpauth_fuzz::check_server_value(&token);
            if let Some(userid) = &userid {
                assert_eq!(json["userid"].as_str(), Some(userid.as_str()));
                erpauth_fuzz::check_server_value(userid);
            }
            if user_requested {
                assert!(json["userid"].is_string());
            }
        }
        Err(err) => {
            erpauth_fuzz::check_message(&err);
            erpauth_fuzz::check_not_echoed(&err, body, &["token", "userid"]);
            match err.kind() {
                ErrorKind::Rejected => assert_eq!(json.unwrap()["status"], Value::Bool(false)),
                ErrorKind::BadResponse => {}
                ErrorKind::Http => assert_ne!(status, 200),
                other => panic!("unexpected kind {other:?}"),
            }
        }
    }
});
