//! The request-target decoding and canonicalization of Kingdee signatures:
//! the allocation-free string-to-sign builder must agree with the plain
//! statement of the rules (`Target::parse` + `string_to_sign_for`) on any
//! input, its lines must decode back to the parsed target, and both
//! encoders must round-trip through the decoder.

#![no_main]

use erpauth::kingdee::reference::{string_to_sign_for, Target};
use erpauth::kingdee::{self, gw_encode, java_encode, percent_decode};
use libfuzzer_sys::fuzz_target;

fn decode(s: &str) -> String {
    percent_decode(s, true, "fuzz").expect("encoder output decodes")
}

fuzz_target!(|data: &[u8]| {
    // Non-UTF-8 targets are refused at the C boundary (fuzzed in c_api).
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };

    // The encoders keep only their documented sets and round-trip.
    let gw = gw_encode(input);
    assert!(gw
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b".-_~%+".contains(&b)));
    assert_eq!(decode(&gw), input);
    let java = java_encode(input);
    assert!(java
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b".-*_%+".contains(&b)));
    assert_eq!(decode(&java), input);
    // Decoding arbitrary text never panics; without escapes it is the identity.
    let plain = percent_decode(input, false, "fuzz");
    if !input.contains('%') {
        assert_eq!(plain.as_deref(), Ok(input));
    }
    let _ = percent_decode(input, true, "fuzz");

    let fast = kingdee::string_to_sign("post", input, "12", "34");
    let parsed = Target::parse(input);
    let reference = parsed
        .clone()
        .map(|t| string_to_sign_for("post", &t, "12", "34"));
    assert_eq!(fast, reference, "target {input:?}");
    let (sts, target) = match (fast, parsed) {
        (Ok(sts), Ok(target)) => (sts, target),
        (Err(err), _) => {
            erpauth_fuzz::check_message(&err);
            return;
        }
        (Ok(_), Err(_)) => unreachable!("compared equal above"),
    };

    let lines: Vec<&str> = sts.split('\n').collect();
    assert_eq!(lines.len(), 6, "{sts:?}");
    assert_eq!(lines[0], "POST");
    assert_eq!(lines[3], "x-api-nonce:12");
    assert_eq!(lines[4], "x-api-timestamp:34");
    assert_eq!(lines[5], "");
    // The path line is the decoded path, gw-encoded once.
    assert_eq!(decode(lines[1]), target.path);
    // The query line: `gw(gw(name)) = gw(java(value))` pieces, in the byte
    // order of the singly encoded `gw(name)=java(value)`, one per parameter
    // whose name is not empty (the official client leaves those out).
    let mut singly: Vec<String> = Vec::new();
    let mut params: Vec<(String, String)> = Vec::new();
    if !lines[2].is_empty() {
        for piece in lines[2].split('&') {
            let (k, v) = piece.split_once('=').expect("every piece has a '='");
            let (k1, v1) = (decode(k), decode(v));
            singly.push(format!("{k1}={v1}"));
            params.push((decode(&k1), decode(&v1)));
        }
    }
    assert!(singly.windows(2).all(|w| w[0] <= w[1]), "unsorted {sts:?}");
    let mut expected: Vec<(String, String)> = target
        .query
        .iter()
        .filter(|(name, _)| !name.is_empty())
        .cloned()
        .collect();
    expected.sort();
    params.sort();
    assert_eq!(params, expected);

    let signature = kingdee::signature("secret", "POST", input, "12", "34").unwrap();
    assert_eq!(signature.len(), 88);
});
