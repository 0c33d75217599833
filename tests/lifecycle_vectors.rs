//! tests/vectors/kingdee_lifecycle.json: the push_app_authorize request
//! signed by erpauth and by the emulator's independent code, the answers in
//! every shape seen, and which business answers mean "token refused".

use erpauth::client::fuzzing;
use erpauth::kingdee;
use erpauth_emulator::reference;
use serde_json::Value;

fn vectors() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/vectors/kingdee_lifecycle.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap()
}

#[test]
fn push_app_authorize_requests() {
    let v = vectors();
    let requests = v["push_app_authorize_request"].as_array().unwrap();
    assert!(!requests.is_empty());
    for r in requests {
        let (secret, method, target) = (
            s(&r["client_secret"]),
            s(&r["method"]),
            s(&r["path_and_query"]),
        );
        let (nonce, ts) = (s(&r["nonce"]), s(&r["timestamp"]));
        assert!(target.starts_with(erpauth::client::PUSH_APP_AUTHORIZE_PATH));
        assert_eq!(
            kingdee::string_to_sign(method, target, nonce, ts).unwrap(),
            s(&r["string_to_sign"])
        );
        let signature = kingdee::signature(secret, method, target, nonce, ts).unwrap();
        assert_eq!(signature, s(&r["signature"]));
        assert_eq!(
            reference::kingdee_signature(secret, method, target, nonce, ts).unwrap(),
            signature
        );
    }
}

#[test]
fn push_app_authorize_answers() {
    let v = vectors();
    for a in v["push_app_authorize_answer"].as_array().unwrap() {
        let what = s(&a["what"]);
        let status = a["status"].as_u64().unwrap() as u16;
        let got = fuzzing::kingdee_authorization_answer(status, s(&a["body"]).as_bytes());
        match a.get("error").and_then(Value::as_str) {
            None => {
                let (key, secret, domain) = got.unwrap_or_else(|e| panic!("{what}: {e}"));
                assert_eq!(key, s(&a["app_key"]), "{what}");
                assert_eq!(secret, s(&a["app_secret"]), "{what}");
                assert_eq!(domain.as_deref(), a["domain"].as_str(), "{what}");
            }
            Some(kind) => {
                let err = got.unwrap_err();
                let want = match kind {
                    "rejected" => erpauth::ErrorKind::Rejected,
                    "bad_response" => erpauth::ErrorKind::BadResponse,
                    "http" => erpauth::ErrorKind::Http,
                    other => panic!("unknown kind {other}"),
                };
                assert_eq!(err.kind(), want, "{what}: {err}");
                // The secrets of the other entries never reach a message.
                assert!(!err.message().contains("5b0c8e7f"), "{err}");
            }
        }
    }
}

#[test]
fn business_token_refusals() {
    let v = vectors();
    let cases = &v["business_token_refusal"];
    for (vendor, check) in [
        (
            "kingdee",
            fuzzing::kingdee_token_refused as fn(u16, &[u8]) -> bool,
        ),
        ("weaver", fuzzing::weaver_token_refused),
    ] {
        let list = cases[vendor].as_array().unwrap();
        assert!(list.iter().any(|c| c["token_refused"] == true));
        assert!(list.iter().any(|c| c["token_refused"] == false));
        for c in list {
            let status = c["status"].as_u64().unwrap() as u16;
            assert_eq!(
                check(status, s(&c["body"]).as_bytes()),
                c["token_refused"].as_bool().unwrap(),
                "{vendor}: {}",
                c["body"]
            );
        }
    }
}
