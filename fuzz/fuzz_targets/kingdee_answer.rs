//! The parser of the Kingdee gateway's app-token answer. Input: two bytes of
//! HTTP status (big-endian), then the body. A token comes only from a 200
//! answer whose JSON says errcode 0 and carries a token of 1 to 4096 bytes
//! of visible ASCII (it goes into the `app-token` header); every other
//! answer is an error of the right kind with a one-line message that does
//! not echo a refused token.

#![no_main]

use erpauth::client::fuzzing::kingdee_token_answer;
use erpauth::ErrorKind;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let status = u16::from_be_bytes([data[0], data[1]]);
    let body = &data[2..];
    match kingdee_token_answer(status, body) {
        Ok(token) => {
            assert_eq!(status, 200);
            erpauth_fuzz::check_server_value(&token);
            let json: Value = serde_json::from_slice(body).expect("a token came from JSON");
            let data = &json["data"];
            assert!(
                data["app-token"].as_str() == Some(token.as_str())
                    || data["access_token"].as_str() == Some(token.as_str())
            );
        }
        Err(err) => {
            erpauth_fuzz::check_message(&err);
            erpauth_fuzz::check_not_echoed(&err, body, &["app-token", "access_token"]);
            match err.kind() {
                // A gateway refusal is HTTP 519; the app's is HTTP 200.
                ErrorKind::Rejected => assert!(status == 519 || status == 200),
                ErrorKind::BadResponse => assert_eq!(status, 200),
                ErrorKind::Http => assert_ne!(status, 200),
                other => panic!("unexpected kind {other:?}"),
            }
        }
    }
});
