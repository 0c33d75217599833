//! The Kingdee client config parser (`erpauth_kingdee_client_new`'s JSON)
//! and client construction: never a panic, every error one clean line, and
//! neither the error nor the client's `Debug` depends on the secret values
//! (so neither can show them).

#![no_main]

use erpauth::client::KingdeeClient;
use erpauth_fuzz::{outcome, with_secrets_replaced};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(json) = std::str::from_utf8(data) else {
        return;
    };
    outcome(KingdeeClient::from_json(json));
    if let Some((original, replaced)) =
        with_secrets_replaced(json, &["client_secret", "app_secret"])
    {
        assert_eq!(
            outcome(KingdeeClient::from_json(&original)),
            outcome(KingdeeClient::from_json(&replaced)),
            "the outcome depends on a secret value: {original}"
        );
    }
});
