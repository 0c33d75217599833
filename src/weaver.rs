//! Weaver e-cology 9 getToken signs (`spec/weaver.md`, section 1).
//!
//! ```
//! let sign = erpauth::weaver::sign("weaverappid", "weaversecret", "8fy6K39X6PIEEeOq", 1_700_000_000_000).unwrap();
//! assert_eq!(&sign[..16], "2da1e861f36ba4aa");
//! ```

use crate::error::{Error, Result};
use aes::cipher::{block_padding::Pkcs7, BlockEncryptMut, KeyInit};
use md5::{Digest, Md5};
use std::sync::atomic::{AtomicI64, Ordering};

/// `UPPER(hex(MD5(appid + ":" + secret)))`, the 32 characters after the `_`.
pub fn credential_md5(appid: &str, secret: &str) -> [u8; 32] {
    let mut md5 = Md5::new();
    md5.update(appid.as_bytes());
    md5.update(b":");
    md5.update(secret.as_bytes());
    let mut hex = [0u8; 32];
    hex::encode_to_slice(md5.finalize(), &mut hex).expect("32 bytes hold 16 in hex");
    hex.make_ascii_uppercase();
    hex
}

/// The plaintext of the sign: `timestamp_ms + "_" + credential_md5`.
pub fn sign_text(appid: &str, secret: &str, timestamp_ms: i64) -> String {
    let md5 = credential_md5(appid, secret);
    let mut text = timestamp_ms.to_string();
    text.push('_');
    text.push_str(std::str::from_utf8(&md5).expect("hex is ASCII"));
    text
}

/// AES-ECB-PKCS5 under `aes_key` (16, 24 or 32 bytes), as lower-case hex.
pub fn encrypt_hex(aes_key: &[u8], plaintext: &[u8]) -> Result<String> {
    let ciphertext = match aes_key.len() {
        16 => ecb::Encryptor::<aes::Aes128>::new_from_slice(aes_key)
            .expect("length checked")
            .encrypt_padded_vec_mut::<Pkcs7>(plaintext),
        24 => ecb::Encryptor::<aes::Aes192>::new_from_slice(aes_key)
            .expect("length checked")
            .encrypt_padded_vec_mut::<Pkcs7>(plaintext),
        32 => ecb::Encryptor::<aes::Aes256>::new_from_slice(aes_key)
            .expect("length checked")
            .encrypt_padded_vec_mut::<Pkcs7>(plaintext),
        n => return Err(Error::invalid(format!(
            "aes_key must be 16, 24 or 32 bytes of UTF-8 (AES-128/192/256), but it is {n} bytes: \
                 copy the AES key exactly as the OA administrator issued it"
        ))),
    };
    Ok(hex::encode(ciphertext))
}

/// The getToken `sign` header. With `timestamp_ms > 0` that time is used (for
/// tests and vectors); otherwise [`unique_timestamp_ms`] picks it.
pub fn sign(appid: &str, secret: &str, aes_key: &str, timestamp_ms: i64) -> Result<String> {
    check_aes_key(aes_key)?;
    let ts = if timestamp_ms > 0 {
        timestamp_ms
    } else {
        unique_timestamp_ms()
    };
    encrypt_hex(aes_key.as_bytes(), sign_text(appid, secret, ts).as_bytes())
}

/// Fails unless `aes_key` has an AES key length; the message names only the length.
pub fn check_aes_key(aes_key: &str) -> Result<()> {
    match aes_key.len() {
        16 | 24 | 32 => Ok(()),
        _ => encrypt_hex(aes_key.as_bytes(), b"").map(drop),
    }
}

static LAST_TIMESTAMP_MS: AtomicI64 = AtomicI64::new(0);

/// The current time in milliseconds, but strictly greater than every value
/// returned before in this process. The e9 server refuses a sign it has seen,
/// so two signs made in the same millisecond (two threads, or a quick retry)
/// must still differ; when calls outrun the clock the value runs a little
/// ahead of it, well inside the server's five-minute window.
pub fn unique_timestamp_ms() -> i64 {
    let now = crate::now_ms();
    let mut last = LAST_TIMESTAMP_MS.load(Ordering::Relaxed);
    loop {
        let next = now.max(last + 1);
        match LAST_TIMESTAMP_MS.compare_exchange_weak(
            last,
            next,
            Ordering::Relaxed,
            Ordering::Relaxed,
        ) {
            Ok(_) => return next,
            Err(seen) => last = seen,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_key_lengths() {
        assert_eq!(
            sign_text("weaverappid", "weaversecret", 1_700_000_000_000),
            "1700000000000_9A4F96168413AFA4C5BE4E60A859DEA0"
        );
        for len in [16, 24, 32] {
            let key = "k".repeat(len);
            assert_eq!(sign("a", "s", &key, 1_700_000_000_000).unwrap().len(), 96);
        }
        for len in [0, 15, 17, 31, 33] {
            let key = "k".repeat(len);
            let err = sign("a", "s", &key, 1).unwrap_err();
            assert!(err.message().contains(&format!("{len} bytes")), "{err}");
            assert!(len == 0 || !err.message().contains(&key));
        }
    }

    #[test]
    fn timestamps_strictly_increase() {
        let mut prev = unique_timestamp_ms();
        for _ in 0..10_000 {
            let next = unique_timestamp_ms();
            assert!(next > prev);
            prev = next;
        }
    }
}
