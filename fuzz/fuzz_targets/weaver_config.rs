//! The Weaver client config parser (`erpauth_weaver_client_new`'s JSON) and
//! client construction (AES key schedule, credential MD5): never a panic,
//! every error one clean line, and neither the error nor the client's
//! `Debug` depends on the values of `secret` and `aes_key` (only the key's
//! length may matter, and it is kept).

#![no_main]

use erpauth::client::WeaverClient;
use erpauth_fuzz::{outcome, with_secrets_replaced};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(json) = std::str::from_utf8(data) else {
        return;
    };
    outcome(WeaverClient::from_json(json));
    if let Some((original, replaced)) = with_secrets_replaced(json, &["secret", "aes_key"]) {
        assert_eq!(
            outcome(WeaverClient::from_json(&original)),
            outcome(WeaverClient::from_json(&replaced)),
            "the outcome depends on a secret value: {original}"
        );
    }
});
