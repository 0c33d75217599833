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
