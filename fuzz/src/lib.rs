//! Checks shared by the fuzz targets.

use erpauth::Error;
use serde_json::{Map, Value};

/// An error message must be one line of text a log can hold: no control
/// characters (a server's text with a newline must not forge a second log
/// line), not empty.
pub fn check_message(err: &Error) {
    let m = err.message();
    assert!(!m.is_empty(), "empty message for {:?}", err.kind());
    assert!(
        !m.chars().any(char::is_control),
        "control character in the message {m:?}"
    );
}

/// A token, userid or other value a server sent that the library accepted:
/// it goes into a header or back to the caller, so it must be visible ASCII
/// (0x21-0x7E; no CR/LF to add a header, no NUL to cut a header block) of at
/// most 4096 bytes. Written out here, not with the library's own check.
pub fn check_server_value(value: &str) {
    assert!(!value.is_empty(), "an empty server value was accepted");
    assert!(
        value.len() <= 4096,
        "a server value of {} bytes was accepted",
        value.len()
    );
    assert!(
        value.bytes().all(|b| (0x21..=0x7e).contains(&b)),
        "a server value with a byte outside 0x21-0x7E was accepted: {value:?}"
    );
}

/// The refusal of a token or userid a header cannot carry must not echo it
/// into the message. (Other refusals may quote a snippet of the body, on
/// purpose: it is how a wrong base_url shows.)
pub fn check_not_echoed(err: &Error, body: &[u8], keys: &[&str]) {
    const REFUSAL: &str = "an HTTP header cannot carry";
    // A body that holds the phrase itself (the fuzzer writes it in) can be
    // quoted by another refusal, which is allowed to quote the body.
    if !err.message().contains(REFUSAL)
        || body.windows(REFUSAL.len()).any(|w| w == REFUSAL.as_bytes())
    {
        return;
    }
    let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(body) else {
        return;
    };
    let mut values: Vec<&str> = keys.iter().filter_map(|k| obj.get(*k)?.as_str()).collect();
    if let Some(Value::Object(data)) = obj.get("data") {
        values.extend(keys.iter().filter_map(|k| data.get(*k)?.as_str()));
    }
    for v in values {
        // Only values the fixed text of that message cannot hold by chance.
        if v.len() >= 8 && v.bytes().any(|b| b < 0x20 || b >= 0x7f) {
            assert!(!err.message().contains(v), "the message echoes {v:?}");
        }
    }
}

/// `json` re-serialized, and re-serialized with the string value of each of
/// `secret_keys` replaced by as many `R`s as it had bytes (so emptiness and
/// byte length, the only properties of a secret a config check may look
/// at, stay the same). `None` if `json` is not a JSON object.
pub fn with_secrets_replaced(json: &str, secret_keys: &[&str]) -> Option<(String, String)> {
    let Ok(Value::Object(original)) = serde_json::from_str::<Value>(json) else {
        return None;
    };
    let mut replaced: Map<String, Value> = original.clone();
    for key in secret_keys {
        if let Some(Value::String(s)) = replaced.get_mut(*key) {
            *s = "R".repeat(s.len());
        }
    }
    Some((
        Value::Object(original).to_string(),
        Value::Object(replaced).to_string(),
    ))
}

/// What a client constructor made of a config, as text: its `Debug` on
/// success, kind and message on failure. A JSON syntax position ("line 1
/// column 74") is replaced by `N`: it counts the escaped length of the
/// text before it, secrets included, which `with_secrets_replaced` keeps
/// in bytes but not in JSON escapes.
pub fn outcome<T: std::fmt::Debug>(result: erpauth::Result<T>) -> String {
    match result {
        Ok(client) => format!("ok {client:?}"),
        Err(err) => {
            check_message(&err);
            format!(
                "error {:?}: {}",
                err.kind(),
                without_positions(err.message())
            )
        }
    }
}

fn without_positions(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find(|c: char| c.is_ascii_digit()) {
        let (before, from_digits) = rest.split_at(i);
        out.push_str(before);
        let digits = from_digits
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(from_digits.len());
        if before.ends_with("line ") || before.ends_with("column ") {
            out.push('N');
        } else {
            out.push_str(&from_digits[..digits]);
        }
        rest = &from_digits[digits..];
    }
    out.push_str(rest);
    out
}
