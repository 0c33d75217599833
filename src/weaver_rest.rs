//! Weaver e9's standard REST authentication, the cryptographic side (no I/O):
//! the client's RSA key pair, the server's public key (`spk`) and the
//! RSA-PKCS#1-v1.5 encryption of `secrit` and userids under it.
//!
//! Only two RSA operations run here: key generation (the client pair, once
//! per registration) and public-key encryption. The RustCrypto `rsa` crate's
//! known timing side channel (the Marvin attack, RUSTSEC-2023-0071) is in
//! private-key operations (decryption, signing), which the library never
//! performs: an attacker who times our encryptions learns nothing about a
//! private key, because none is involved. The client's private key is only
//! generated and stored.

use crate::error::{Error, ErrorKind, Result};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Encrypt, RsaPrivateKey, RsaPublicKey};
use zeroize::Zeroizing;

/// Size of the client key pair erpauth generates. The server only stores its
/// public half (`cpk`); 2048 bits is the smallest size current guidance accepts.
pub(crate) const CLIENT_KEY_BITS: usize = 2048;

/// The smallest server key accepted. e9 servers send 2048-bit keys, some
/// older ones 1024-bit; a shorter `spk` is refused as a forged or broken
/// answer.
pub(crate) const MIN_SERVER_KEY_BITS: usize = 1024;
/// The largest server key accepted (bounds the work one hostile answer causes).
pub(crate) const MAX_SERVER_KEY_BITS: usize = 8192;

/// Strips PEM armor and whitespace, for keys pasted from a PEM file or wrapped
/// at 64 columns (some integrators store `spk` that way).
fn base64_body(text: &str) -> String {
    text.lines()
        .filter(|line| !line.trim_start().starts_with("-----"))
        .flat_map(|line| line.chars())
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// The server's public key, from the `spk` of the regist answer.
#[derive(Clone)]
pub struct ServerKey {
    key: RsaPublicKey,
}

impl std::fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ServerKey({} bits)", self.bits())
    }
}

impl ServerKey {
    /// Parses `spk`: Base64 of an X.509 SubjectPublicKeyInfo DER (what e9
    /// sends), or of a PKCS#1 RSAPublicKey; PEM armor and line breaks are
    /// tolerated. `what` names the source in the message.
    pub fn from_base64(spk: &str, what: &str) -> Result<Self> {
        let der = STANDARD.decode(base64_body(spk)).map_err(|_| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!("{what} is not Base64 (expected the server's RSA public key, Base64 of its X.509 DER)"),
            )
        })?;
        let key = RsaPublicKey::from_public_key_der(&der)
            .or_else(|_| RsaPublicKey::from_pkcs1_der(&der))
            .map_err(|_| {
                Error::invalid(format!(
                    "{what} is Base64 but not an RSA public key (X.509 SubjectPublicKeyInfo or PKCS#1 DER)"
                ))
            })?;
        let bits = key.size() * 8;
        if !(MIN_SERVER_KEY_BITS..=MAX_SERVER_KEY_BITS).contains(&bits) {
            return Err(Error::invalid(format!(
                "{what} is a {bits}-bit RSA key; only {MIN_SERVER_KEY_BITS} to {MAX_SERVER_KEY_BITS} bits are accepted"
            )));
        }
        Ok(ServerKey { key })
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        self.key.size() * 8
    }

    /// The longest plaintext one encryption takes: PKCS#1 v1.5 needs 11 bytes.
    pub fn max_plaintext(&self) -> usize {
        self.key.size() - 11
    }

    /// Base64(RSA-PKCS#1-v1.5(spk, UTF-8 bytes of `plaintext`)), with fresh
    /// random padding each time. `what` names the value in the message.
    pub fn encrypt_base64(&self, plaintext: &str, what: &str) -> Result<String> {
        if plaintext.len() > self.max_plaintext() {
            return Err(Error::invalid(format!(
                "{what} is {} bytes; a {}-bit server key encrypts at most {} bytes in one block",
                plaintext.len(),
                self.bits(),
                self.max_plaintext()
            )));
        }
        let ciphertext = self
            .key
            .encrypt(
                &mut rsa::rand_core::OsRng,
                Pkcs1v15Encrypt,
                plaintext.as_bytes(),
            )
            .map_err(|e| {
                Error::new(
                    ErrorKind::Internal,
                    format!("RSA encryption of {what} failed: {e}"),
                )
            })?;
        Ok(STANDARD.encode(ciphertext))
    }
}

/// The client's own RSA key pair: its public half is the `cpk` of regist.
pub struct ClientKeyPair {
    key: RsaPrivateKey,
}

impl std::fmt::Debug for ClientKeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientKeyPair(***)")
    }
}

impl ClientKeyPair {
    /// A new 2048-bit pair from the operating system's RNG.
    pub fn generate() -> Result<Self> {
        RsaPrivateKey::new(&mut rsa::rand_core::OsRng, CLIENT_KEY_BITS)
            .map(|key| ClientKeyPair { key })
            .map_err(|e| {
                Error::new(
                    ErrorKind::Internal,
                    format!("generating the RSA key pair failed: {e}"),
                )
            })
    }

    /// A pair stored as Base64 of its PKCS#8 DER.
    pub fn from_pkcs8_base64(text: &str, what: &str) -> Result<Self> {
        let der = Zeroizing::new(
            STANDARD
                .decode(base64_body(text))
                .map_err(|_| Error::invalid(format!("{what} is not Base64")))?,
        );
        RsaPrivateKey::from_pkcs8_der(&der)
            .map(|key| ClientKeyPair { key })
            .map_err(|_| Error::invalid(format!("{what} is not an RSA private key (PKCS#8 DER)")))
    }

    /// Base64 of the private key's PKCS#8 DER, for the state file.
    pub fn pkcs8_base64(&self) -> Result<Zeroizing<String>> {
        let der = self.key.to_pkcs8_der().map_err(|e| {
            Error::new(
                ErrorKind::Internal,
                format!("encoding the RSA key failed: {e}"),
            )
        })?;
        Ok(Zeroizing::new(STANDARD.encode(der.as_bytes())))
    }

    /// `cpk`: Base64 of the public key's X.509 SubjectPublicKeyInfo DER.
    pub fn cpk(&self) -> Result<String> {
        self.key
            .to_public_key()
            .to_public_key_der()
            .map(|der| STANDARD.encode(der.as_bytes()))
            .map_err(|e| {
                Error::new(
                    ErrorKind::Internal,
                    format!("encoding the RSA public key failed: {e}"),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::RsaPrivateKey;

    #[test]
    fn encrypts_what_the_private_key_decrypts() {
        let private = RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 1024).unwrap();
        let spk = STANDARD.encode(private.to_public_key().to_public_key_der().unwrap());
        let key = ServerKey::from_base64(&spk, "spk").unwrap();
        assert_eq!(key.bits(), 1024);
        let a = key.encrypt_base64("用户 1", "userid").unwrap();
        let b = key.encrypt_base64("用户 1", "userid").unwrap();
        assert_ne!(a, b, "PKCS#1 v1.5 padding is random");
        for ct in [a, b] {
            let plain = private
                .decrypt(Pkcs1v15Encrypt, &STANDARD.decode(ct).unwrap())
                .unwrap();
            assert_eq!(plain, "用户 1".as_bytes());
        }
        assert!(key.encrypt_base64(&"x".repeat(117), "u").is_ok());
        let err = key.encrypt_base64(&"x".repeat(118), "userid").unwrap_err();
        assert!(err.message().contains("at most 117 bytes"), "{err}");

        // Wrapped at 64 columns with PEM armor, and as PKCS#1.
        let pem: String = format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            spk.as_bytes()
                .chunks(64)
                .map(|c| std::str::from_utf8(c).unwrap())
                .collect::<Vec<_>>()
                .join("\n")
        );
        assert_eq!(ServerKey::from_base64(&pem, "spk").unwrap().bits(), 1024);
        use rsa::pkcs1::EncodeRsaPublicKey;
        let pkcs1 = STANDARD.encode(private.to_public_key().to_pkcs1_der().unwrap());
        assert_eq!(ServerKey::from_base64(&pkcs1, "spk").unwrap().bits(), 1024);
    }

    #[test]
    fn bad_server_keys_are_refused() {
        for (spk, words) in [
            ("not base64!", "not Base64"),
            ("AAAA", "not an RSA public key"),
            ("", "not an RSA public key"),
        ] {
            let err = ServerKey::from_base64(spk, "spk").unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidArgument);
            assert!(err.message().contains(words), "{err}");
        }
        let small = RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 512).unwrap();
        let spk = STANDARD.encode(small.to_public_key().to_public_key_der().unwrap());
        let err = ServerKey::from_base64(&spk, "spk").unwrap_err();
        assert!(err.message().contains("512-bit"), "{err}");
    }

    #[test]
    fn client_pair_round_trips_through_pkcs8() {
        let pair = ClientKeyPair::generate().unwrap();
        let stored = pair.pkcs8_base64().unwrap();
        let again = ClientKeyPair::from_pkcs8_base64(&stored, "key").unwrap();
        assert_eq!(pair.cpk().unwrap(), again.cpk().unwrap());
        let cpk = ServerKey::from_base64(&pair.cpk().unwrap(), "cpk").unwrap();
        assert_eq!(cpk.bits(), CLIENT_KEY_BITS);
        assert_eq!(format!("{pair:?}"), "ClientKeyPair(***)");
        assert!(ClientKeyPair::from_pkcs8_base64("AAAA", "key").is_err());
    }
}
