//! Weaver e-cology 9 getToken signs (`docs/protocol/weaver.md`, section 1).
//!
//! ```
//! let sign = erpauth::weaver::sign("weaverappid", "weaversecret", "8fy6K39X6PIEEeOq", 1_700_000_000_000).unwrap();
//! assert_eq!(&sign[..16], "2da1e861f36ba4aa");
//! ```

pub use crate::clock::unique_timestamp_ms;
use crate::error::{Error, Result};
use crate::hex_digits;
use aes::cipher::consts::U16;
use aes::cipher::{BlockEncrypt, BlockSizeUser, KeyInit};
use md5::{Digest, Md5};
use zeroize::Zeroizing;

/// `UPPER(hex(MD5(appid + ":" + secret)))`, the 32 characters after the `_`.
pub fn credential_md5(appid: &str, secret: &str) -> [u8; 32] {
    let mut md5 = Md5::new();
    md5.update(appid.as_bytes());
    md5.update(b":");
    md5.update(secret.as_bytes());
    let mut hex = [0u8; 32];
    for (pair, byte) in hex.chunks_exact_mut(2).zip(md5.finalize()) {
        pair.copy_from_slice(&hex_digits::UPPER_PAIRS[usize::from(byte)]);
    }
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

/// AES in ECB mode with PKCS#5/7 padding, the key schedule expanded once.
/// ECB is each 16-byte block encrypted on its own, so the cipher is used
/// directly: encrypting borrows the key schedule instead of consuming a copy.
/// Encrypt-only ciphers: a sign never decrypts, and expanding (then wiping)
/// the decryption schedule too was a tenth of a sign's time.
#[derive(Clone)]
enum EcbKey {
    Aes128(aes::Aes128Enc),
    Aes192(aes::Aes192Enc),
    Aes256(aes::Aes256Enc),
}

fn check_key_length(aes_key: &[u8]) -> Result<()> {
    match aes_key.len() {
        16 | 24 | 32 => Ok(()),
        n => Err(Error::invalid(format!(
            "aes_key must be 16, 24 or 32 bytes of UTF-8 (AES-128/192/256), but it is {n} bytes: \
             copy the AES key exactly as the OA administrator issued it"
        ))),
    }
}

impl EcbKey {
    fn new(aes_key: &[u8]) -> Result<Self> {
        check_key_length(aes_key)?;
        Ok(match aes_key.len() {
            16 => EcbKey::Aes128(KeyInit::new(aes_key.into())),
            24 => EcbKey::Aes192(KeyInit::new(aes_key.into())),
            _ => EcbKey::Aes256(KeyInit::new(aes_key.into())),
        })
    }

    fn encrypt_short_hex(&self, plaintext: &[u8]) -> Sign {
        match self {
            EcbKey::Aes128(k) => encrypt_short_hex(k, plaintext),
            EcbKey::Aes192(k) => encrypt_short_hex(k, plaintext),
            EcbKey::Aes256(k) => encrypt_short_hex(k, plaintext),
        }
    }
}

/// Pads `plaintext` (PKCS#7: n bytes of value n, 1 to 16 of them) into `buf`
/// and encrypts it in place, block by block (ECB); returns the ciphertext.
fn encrypt_padded<'b, C>(cipher: &C, plaintext: &[u8], buf: &'b mut [u8]) -> &'b [u8]
where
    C: BlockEncrypt + BlockSizeUser<BlockSize = U16>,
{
    let padded_len = (plaintext.len() / 16 + 1) * 16;
    let pad = (padded_len - plaintext.len()) as u8;
    buf[..plaintext.len()].copy_from_slice(plaintext);
    buf[plaintext.len()..padded_len].fill(pad);
    for chunk in buf[..padded_len].chunks_exact_mut(16) {
        cipher.encrypt_block(chunk.into());
    }
    &buf[..padded_len]
}

/// Encrypts a plaintext of at most 63 bytes (one that pads to at most four
/// blocks, as every sign text does) into lower-case hex on the stack.
fn encrypt_short_hex<C>(cipher: &C, plaintext: &[u8]) -> Sign
where
    C: BlockEncrypt + BlockSizeUser<BlockSize = U16>,
{
    // Encrypted in place, the buffer ends up holding only ciphertext, which
    // is public (it is the sign), so it is not wiped.
    let mut blocks = [0u8; 64];
    let ciphertext = encrypt_padded(cipher, plaintext, &mut blocks[..]);
    let mut text = Sign {
        hex: [0u8; 128],
        len: ciphertext.len() * 2,
    };
    for (pair, byte) in text.hex.chunks_exact_mut(2).zip(ciphertext) {
        pair.copy_from_slice(&hex_digits::LOWER_PAIRS[usize::from(*byte)]);
    }
    text
}

/// A sign: lower-case hex of at most four AES blocks, kept on the stack.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Sign {
    hex: [u8; 128],
    len: usize,
}

impl Sign {
    /// The sign.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.hex[..self.len]).expect("hex is ASCII")
    }
}

impl AsRef<str> for Sign {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Debug for Sign {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Signs for one (appid, secret, aes_key) with the MD5 and the AES key
/// schedule computed once. The MD5 of `appid:secret` is as good as the
/// secret for making signs, so it is zeroized on drop like the key schedule.
#[derive(Clone)]
pub struct Signer {
    credential_md5: Zeroizing<[u8; 32]>,
    key: EcbKey,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer(***)")
    }
}

impl Signer {
    /// Fails only for an `aes_key` that is not 16, 24 or 32 bytes.
    pub fn new(appid: &str, secret: &str, aes_key: &str) -> Result<Self> {
        Ok(Signer {
            key: EcbKey::new(aes_key.as_bytes())?,
            credential_md5: Zeroizing::new(credential_md5(appid, secret)),
        })
    }

    /// The sign for `timestamp_ms` (> 0), or for a fresh unique timestamp.
    pub fn sign(&self, timestamp_ms: i64) -> String {
        self.sign_inline(timestamp_ms).as_str().to_owned()
    }

    /// [`sign`](Self::sign) without allocating.
    pub fn sign_inline(&self, timestamp_ms: i64) -> Sign {
        let (text, len) = sign_plaintext(&self.credential_md5, timestamp_ms);
        self.key.encrypt_short_hex(&text[..len])
    }
}

/// `"<decimal ms>_<32 hex>"` (at most 19 + 1 + 32 bytes) for `timestamp_ms`
/// (> 0) or a fresh unique timestamp, and its length.
fn sign_plaintext(credential_md5: &[u8; 32], timestamp_ms: i64) -> (Zeroizing<[u8; 52]>, usize) {
    let ts = if timestamp_ms > 0 {
        timestamp_ms
    } else {
        unique_timestamp_ms()
    };
    let mut text = Zeroizing::new([0u8; 52]);
    let mut decimal = itoa::Buffer::new();
    let decimal = decimal.format(ts).as_bytes();
    let digits = decimal.len();
    text[..digits].copy_from_slice(decimal);
    let len = digits + 33;
    text[digits] = b'_';
    text[digits + 1..len].copy_from_slice(credential_md5);
    (text, len)
}

/// The getToken `sign` header. With `timestamp_ms > 0` that time is used (for
/// tests and vectors); otherwise [`unique_timestamp_ms`] picks it.
pub fn sign(appid: &str, secret: &str, aes_key: &str, timestamp_ms: i64) -> Result<String> {
    sign_inline(appid, secret, aes_key, timestamp_ms).map(|sign| sign.as_str().to_owned())
}

/// [`sign`] without allocating the result.
///
/// Unlike [`Signer`], the key schedule is built on this call's stack and used
/// in place: a `Signer` holds an enum big enough for the software AES-256
/// schedule (about a kilobyte), and moving that into and out of `Result`s
/// was a fifth of a one-shot sign's time (perf: memmove).
pub fn sign_inline(appid: &str, secret: &str, aes_key: &str, timestamp_ms: i64) -> Result<Sign> {
    let key = aes_key.as_bytes();
    check_key_length(key)?;
    let md5 = Zeroizing::new(credential_md5(appid, secret));
    let (text, len) = sign_plaintext(&md5, timestamp_ms);
    let text = &text[..len];
    Ok(match key.len() {
        16 => encrypt_short_hex(&aes::Aes128Enc::new(key.into()), text),
        24 => encrypt_short_hex(&aes::Aes192Enc::new(key.into()), text),
        _ => encrypt_short_hex(&aes::Aes256Enc::new(key.into()), text),
    })
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
}
