//! Every public vector of `tests/vectors/*.json`, checked through the Rust
//! API and through the C ABI (the `erpauth_*` exports called from Rust).
//!
//! The vectors are read at run time from the repository's `tests/vectors`, or
//! from `ERPAUTH_VECTORS_DIR`.
//! A vector file or section this test does not know fails the test, so a new
//! vector can never be skipped silently.

use base64::Engine as _;
use erpauth::ffi::{self, erpauth_status};
use serde_json::Value;
use std::ffi::{c_char, CString};
use std::path::PathBuf;

fn vectors_dir() -> PathBuf {
    let dir = match std::env::var_os("ERPAUTH_VECTORS_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors"),
    };
    assert!(
        dir.is_dir(),
        "vector directory {} is missing: run the tests from a complete checkout of the \
         repository or set ERPAUTH_VECTORS_DIR",
        dir.display()
    );
    dir.canonicalize().unwrap_or(dir)
}

fn load(path: &std::path::Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

fn field<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("vector lacks string field {key:?}: {v}"))
}

fn cstr(s: &str) -> CString {
    CString::new(s).expect("vector strings contain no NUL")
}

/// Calls a C ABI function that writes a string the way C code does: a size
/// query with a NULL buffer first, then exactly `needed + 1` bytes.
fn call_c(f: impl Fn(*mut c_char, usize, *mut usize) -> erpauth_status) -> String {
    let mut needed = usize::MAX;
    let status = f(std::ptr::null_mut(), 0, &mut needed);
    assert_eq!(
        status,
        erpauth_status::ERPAUTH_BUFFER_TOO_SMALL,
        "size query failed: {}",
        last_error()
    );
    let mut buf = vec![0x55u8; needed + 1];
    let mut len = usize::MAX;
    let status = f(buf.as_mut_ptr().cast(), buf.len(), &mut len);
    assert_eq!(status, erpauth_status::ERPAUTH_OK, "{}", last_error());
    assert_eq!(len, needed);
    assert_eq!(buf[needed], 0, "result is NUL-terminated");
    buf.truncate(needed);
    String::from_utf8(buf).expect("output is UTF-8")
}

fn last_error() -> String {
    let mut buf = vec![0u8; 4096];
    let mut len = 0usize;
    // SAFETY: buf is valid for its length; len is a valid size_t.
    let status = unsafe { ffi::erpauth_last_error(buf.as_mut_ptr().cast(), buf.len(), &mut len) };
    assert_eq!(status, erpauth_status::ERPAUTH_OK);
    buf.truncate(len);
    String::from_utf8(buf).expect("last error is UTF-8")
}

/// The request target as a client puts it on the wire: each value encoded
/// once with java_encode, in the order the vector gives.
fn wire_target(path: &str, query: &[(String, String)]) -> String {
    if query.is_empty() {
        return path.to_owned();
    }
    let pairs: Vec<String> = query
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                erpauth::kingdee::java_encode(k),
                erpauth::kingdee::java_encode(v)
            )
        })
        .collect();
    format!("{path}?{}", pairs.join("&"))
}

fn check_kingdee_app_signature(v: &Value) {
    let (app_key, app_secret, expected) = (
        field(v, "app_key"),
        field(v, "app_secret"),
        field(v, "app_signature"),
    );
    assert_eq!(
        erpauth::kingdee::app_signature(app_key, app_secret),
        expected,
        "Rust API, app_key {app_key:?}"
    );
    let (k, s) = (cstr(app_key), cstr(app_secret));
    // SAFETY: NUL-terminated inputs; out/len come from call_c's buffer.
    let got = call_c(|out, cap, len| unsafe {
        ffi::erpauth_kingdee_app_signature(k.as_ptr(), s.as_ptr(), out, cap, len)
    });
    assert_eq!(got, expected, "C ABI, app_key {app_key:?}");
}

fn check_kingdee_api_signature(v: &Value) {
    let secret = field(v, "client_secret");
    let method = field(v, "method");
    let path = field(v, "path");
    let nonce = field(v, "nonce");
    let timestamp = field(v, "timestamp");
    let expected_sts = field(v, "string_to_sign");
    let expected_hex = field(v, "hmac_hex");
    let expected_sig = field(v, "signature");
    let query: Vec<(String, String)> = v["query"]
        .as_array()
        .unwrap_or_else(|| panic!("vector lacks array \"query\": {v}"))
        .iter()
        .map(|pair| {
            let pair = pair.as_array().filter(|p| p.len() == 2);
            let pair = pair.unwrap_or_else(|| panic!("query entries are [name, value]: {v}"));
            let name = pair[0].as_str().expect("query name is a string");
            let value = pair[1].as_str().expect("query value is a string");
            (name.to_owned(), value.to_owned())
        })
        .collect();

    // The vector itself: the signature is Base64 of the 64 hex characters.
    assert_eq!(
        base64::engine::general_purpose::STANDARD.encode(expected_hex),
        expected_sig,
        "vector is inconsistent: signature != Base64(hmac_hex)"
    );

    // The canonical query is the third line of the string to sign.
    let third_line = expected_sts.split('\n').nth(2).expect("five lines");
    assert_eq!(
        erpauth::kingdee::reference::canonical_query(&query),
        third_line
    );

    let target = wire_target(path, &query);
    let sts = erpauth::kingdee::string_to_sign(method, &target, nonce, timestamp)
        .unwrap_or_else(|e| panic!("string_to_sign({target:?}): {e}"));
    assert_eq!(sts, expected_sts, "Rust API string to sign of {target:?}");
    let sig = erpauth::kingdee::signature(secret, method, &target, nonce, timestamp)
        .unwrap_or_else(|e| panic!("signature({target:?}): {e}"));
    assert_eq!(sig, expected_sig, "Rust API signature of {target:?}");
    // The emulator verifies requests with its own code: it must sign alike
    // (the empty-name vectors included), or it would refuse correct clients.
    assert_eq!(
        erpauth_emulator::reference::kingdee_signature(secret, method, &target, nonce, timestamp)
            .as_deref(),
        Some(expected_sig),
        "emulator signature of {target:?}"
    );

    let (c_secret, c_method, c_target, c_nonce, c_ts) = (
        cstr(secret),
        cstr(method),
        cstr(&target),
        cstr(nonce),
        cstr(timestamp),
    );
    // SAFETY: NUL-terminated inputs; out/len come from call_c's buffer.
    let got_sts = call_c(|out, cap, len| unsafe {
        ffi::erpauth_kingdee_string_to_sign(
            c_method.as_ptr(),
            c_target.as_ptr(),
            c_nonce.as_ptr(),
            c_ts.as_ptr(),
            out,
            cap,
            len,
        )
    });
    assert_eq!(got_sts, expected_sts, "C ABI string to sign of {target:?}");
    // SAFETY: as above.
    let got_sig = call_c(|out, cap, len| unsafe {
        ffi::erpauth_kingdee_signature(
            c_secret.as_ptr(),
            c_method.as_ptr(),
            c_target.as_ptr(),
            c_nonce.as_ptr(),
            c_ts.as_ptr(),
            out,
            cap,
            len,
        )
    });
    assert_eq!(got_sig, expected_sig, "C ABI signature of {target:?}");
}

fn check_weaver_sign(v: &Value) {
    let (appid, secret, aes_key) = (field(v, "appid"), field(v, "secret"), field(v, "aes_key"));
    let ts = v["timestamp_ms"]
        .as_i64()
        .unwrap_or_else(|| panic!("vector lacks integer \"timestamp_ms\": {v}"));
    let (expected_text, expected_sign) = (field(v, "plaintext"), field(v, "sign"));

    assert_eq!(
        erpauth::weaver::sign_text(appid, secret, ts),
        expected_text,
        "Rust API sign text, appid {appid:?}"
    );
    let sign = erpauth::weaver::sign(appid, secret, aes_key, ts)
        .unwrap_or_else(|e| panic!("weaver::sign: {e}"));
    assert_eq!(sign, expected_sign, "Rust API sign, appid {appid:?}");

    let (c_appid, c_secret, c_key) = (cstr(appid), cstr(secret), cstr(aes_key));
    // SAFETY: NUL-terminated inputs; out/len come from call_c's buffer.
    let got = call_c(|out, cap, len| unsafe {
        ffi::erpauth_weaver_sign(
            c_appid.as_ptr(),
            c_secret.as_ptr(),
            c_key.as_ptr(),
            ts,
            out,
            cap,
            len,
        )
    });
    assert_eq!(got, expected_sign, "C ABI sign, appid {appid:?}");
}

/// The authorization pull's request: string to sign and X-Api-Signature
/// through the Rust API, the C ABI and the emulator's independent code.
fn check_push_app_authorize_request(v: &Value) {
    let (secret, method, target) = (
        field(v, "client_secret"),
        field(v, "method"),
        field(v, "path_and_query"),
    );
    let (nonce, timestamp) = (field(v, "nonce"), field(v, "timestamp"));
    assert!(target.starts_with(erpauth::client::PUSH_APP_AUTHORIZE_PATH));
    assert_eq!(
        erpauth::kingdee::string_to_sign(method, target, nonce, timestamp).unwrap(),
        field(v, "string_to_sign"),
        "Rust API, {target}"
    );
    let expected = field(v, "signature");
    assert_eq!(
        erpauth::kingdee::signature(secret, method, target, nonce, timestamp).unwrap(),
        expected,
        "Rust API, {target}"
    );
    let (cs, m, t, n, ts) = (
        cstr(secret),
        cstr(method),
        cstr(target),
        cstr(nonce),
        cstr(timestamp),
    );
    // SAFETY: NUL-terminated inputs; out/len come from call_c's buffer.
    let got = call_c(|out, cap, len| unsafe {
        ffi::erpauth_kingdee_signature(
            cs.as_ptr(),
            m.as_ptr(),
            t.as_ptr(),
            n.as_ptr(),
            ts.as_ptr(),
            out,
            cap,
            len,
        )
    });
    assert_eq!(got, expected, "C ABI, {target}");
    assert_eq!(
        erpauth_emulator::reference::kingdee_signature(secret, method, target, nonce, timestamp)
            .unwrap(),
        expected,
        "emulator, {target}"
    );
}

/// An answer of the authorization pull: what is taken from it, or how it is
/// refused (never with a secret in the message).
fn check_push_app_authorize_answer(v: &Value) {
    let what = field(v, "what");
    let status = v["status"].as_u64().unwrap() as u16;
    let got =
        erpauth::client::fuzzing::kingdee_authorization_answer(status, field(v, "body").as_bytes());
    match v.get("error").and_then(Value::as_str) {
        None => {
            let (key, secret, domain) = got.unwrap_or_else(|e| panic!("{what}: {e}"));
            assert_eq!(key, field(v, "app_key"), "{what}");
            assert_eq!(secret, field(v, "app_secret"), "{what}");
            assert_eq!(domain.as_deref(), v["domain"].as_str(), "{what}");
        }
        Some(kind) => {
            let err = got.unwrap_err();
            let want = match kind {
                "rejected" => erpauth::ErrorKind::Rejected,
                "bad_response" => erpauth::ErrorKind::BadResponse,
                "http" => erpauth::ErrorKind::Http,
                other => panic!("{what}: unknown error kind {other}"),
            };
            assert_eq!(err.kind(), want, "{what}: {err}");
            assert!(!err.message().contains("appSecret\":"), "{what}: {err}");
        }
    }
}

fn check_token_refusal(v: &Value, refused: fn(u16, &[u8]) -> bool) {
    let status = v["status"].as_u64().unwrap() as u16;
    assert_eq!(
        refused(status, field(v, "body").as_bytes()),
        v["token_refused"].as_bool().unwrap(),
        "{v}"
    );
}

fn check_kingdee_token_refusal(v: &Value) {
    check_token_refusal(v, erpauth::client::fuzzing::kingdee_token_refused);
}

fn check_weaver_token_refusal(v: &Value) {
    check_token_refusal(v, erpauth::client::fuzzing::weaver_token_refused);
}

/// Runs `check` on every entry of the array `doc[section]`; returns how many.
fn each(doc: &Value, file: &str, section: &str, check: fn(&Value)) -> usize {
    let entries = doc[section]
        .as_array()
        .unwrap_or_else(|| panic!("{file}: section {section:?} is not an array"));
    assert!(!entries.is_empty(), "{file}: section {section:?} is empty");
    entries.iter().for_each(check);
    entries.len()
}

/// Vector files whose checks need a server and live in their own test file:
/// `weaver_rest.json` (decrypt-and-compare RSA vectors) in
/// tests/weaver_rest_client.rs.
const CHECKED_ELSEWHERE: &[&str] = &["weaver_rest.json"];

#[test]
fn all_public_vectors() {
    let dir = vectors_dir();
    // tests/vectors/lifecycle/ holds vectors of parsers and rules that only
    // the library itself exposes (authorization answers, token refusals):
    // checked here, and not by the binding suites, which read the top level.
    let list = |dir: &std::path::Path| -> Vec<PathBuf> {
        std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
            .map(|entry| entry.expect("directory entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect()
    };
    let mut files = list(&dir);
    files.extend(list(&dir.join("lifecycle")));
    files.sort();
    assert!(!files.is_empty(), "no *.json vectors in {}", dir.display());

    let mut passed = 0;
    for path in &files {
        let mut file = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.parent().is_some_and(|p| p.ends_with("lifecycle")) {
            file = format!("lifecycle/{file}");
        }
        if CHECKED_ELSEWHERE.contains(&file.as_str()) {
            continue;
        }
        let doc = load(path);
        let sections: Vec<&String> = doc
            .as_object()
            .unwrap_or_else(|| panic!("{file} is not a JSON object"))
            .keys()
            .filter(|k| *k != "source")
            .collect();
        for section in sections {
            let check: fn(&Value) = match (file.as_str(), section.as_str()) {
                ("kingdee.json", "app_signature") => check_kingdee_app_signature,
                ("kingdee.json", "api_signature") => check_kingdee_api_signature,
                ("weaver.json", "sign") => check_weaver_sign,
                ("lifecycle/kingdee.json", "push_app_authorize_request") => {
                    check_push_app_authorize_request
                }
                ("lifecycle/kingdee.json", "push_app_authorize_answer") => {
                    check_push_app_authorize_answer
                }
                ("lifecycle/kingdee.json", "kingdee_business_token_refusal") => {
                    check_kingdee_token_refusal
                }
                ("lifecycle/kingdee.json", "weaver_business_token_refusal") => {
                    check_weaver_token_refusal
                }
                _ => panic!("{file}: vector section {section:?} has no check in tests/vectors.rs"),
            };
            passed += each(&doc, &file, section, check);
        }
    }
    println!(
        "vectors: {passed} passed (Rust API and C ABI) from {} files in {}",
        files.len(),
        dir.display()
    );
}
