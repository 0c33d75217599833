//! HMAC-SHA256 (RFC 2104) over `sha2`'s block function, with the key's inner
//! and outer states computed once.
//!
//! Why not `hmac::Hmac<Sha256>`: not for speed. Measured against a prepared
//! `Hmac<Sha256>` (keyed once, cloned per call) in the same Criterion run
//! (`cargo bench --bench signing -- hmac_sha256_of_240_bytes_prepared`,
//! 2026-12-01, a loaded 2-core machine, four runs), the 240-byte string to
//! sign took 550 / 591 / 956 / 616 ns here and 491 / 591 / 694 / 627 ns with
//! the crate: no difference beyond the noise (the unprepared crate, keyed per
//! call as a one-shot signature would be, took 692 ns). What the crate cannot
//! do is wipe its keyed states: `hmac` 0.12 has no zeroize support, and those
//! two SHA-256 states are as good as the client secret for forging
//! signatures, for as long as a signer lives. Here they are wiped on drop.
//! That, not speed, is why this file exists; with an `hmac` release that
//! zeroizes, it should go. Tests compare it with the `hmac` crate at every
//! padding boundary; the vectors and the Python, Java and C# differential
//! suites check it end to end.

use sha2::compress256;
use sha2::digest::generic_array::GenericArray;
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

const BLOCK: usize = 64;
const IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// An HMAC-SHA256 key: the SHA-256 states after the inner and outer padded
/// key blocks.
#[derive(Clone)]
pub struct HmacKey {
    inner: [u32; 8],
    outer: [u32; 8],
}

impl Drop for HmacKey {
    fn drop(&mut self) {
        self.inner.zeroize();
        self.outer.zeroize();
    }
}

fn compress(state: &mut [u32; 8], block: &[u8; BLOCK]) {
    compress256(state, std::slice::from_ref(GenericArray::from_slice(block)));
}

impl HmacKey {
    /// Prepares `key` (any length): its inner and outer states.
    pub fn new(key: &[u8]) -> Self {
        // Keys longer than a block are hashed first; shorter ones are padded
        // with zeros.
        let mut padded = Zeroizing::new([0u8; BLOCK]);
        if key.len() > BLOCK {
            padded[..32].copy_from_slice(&Sha256::digest(key));
        } else {
            padded[..key.len()].copy_from_slice(key);
        }
        let mut block = Zeroizing::new([0u8; BLOCK]);
        let mut inner = IV;
        for (b, k) in block.iter_mut().zip(padded.iter()) {
            *b = k ^ 0x36;
        }
        compress(&mut inner, &block);
        let mut outer = IV;
        for (b, k) in block.iter_mut().zip(padded.iter()) {
            *b = k ^ 0x5c;
        }
        compress(&mut outer, &block);
        HmacKey { inner, outer }
    }

    /// HMAC-SHA256 of `msg` under this key.
    pub fn mac(&self, msg: &[u8]) -> [u8; 32] {
        let mut state = self.inner;
        let whole = msg.len() / BLOCK * BLOCK;
        let (blocks, tail) = msg.split_at(whole);
        for block in blocks.chunks_exact(BLOCK) {
            compress(
                &mut state,
                block.try_into().expect("chunks_exact gives whole blocks"),
            );
        }
        // The last block(s): the tail, 0x80, zeros, and the bit length of
        // everything hashed, the key block included, big-endian. Neither
        // these blocks nor the inner digest below reveal the key, so unlike
        // the key's own blocks they are not wiped.
        let bits = ((BLOCK + msg.len()) as u64) * 8;
        let mut last = [0u8; 2 * BLOCK];
        last[..tail.len()].copy_from_slice(tail);
        last[tail.len()] = 0x80;
        let end = if tail.len() < BLOCK - 8 {
            BLOCK
        } else {
            2 * BLOCK
        };
        last[end - 8..end].copy_from_slice(&bits.to_be_bytes());
        for block in last[..end].chunks_exact(BLOCK) {
            compress(&mut state, block.try_into().expect("whole blocks"));
        }

        // The outer hash: one block holding the inner digest.
        let mut block = [0u8; BLOCK];
        for (bytes, word) in block.chunks_exact_mut(4).zip(state) {
            bytes.copy_from_slice(&word.to_be_bytes());
        }
        block[32] = 0x80;
        block[BLOCK - 8..].copy_from_slice(&(((BLOCK + 32) as u64) * 8).to_be_bytes());
        let mut outer = self.outer;
        compress(&mut outer, &block);
        let mut digest = [0u8; 32];
        for (bytes, word) in digest.chunks_exact_mut(4).zip(outer) {
            bytes.copy_from_slice(&word.to_be_bytes());
        }
        digest
    }
}

#[cfg(test)]
mod tests {
    use super::HmacKey;
    use hmac::{Hmac, Mac};

    fn reference(key: &[u8], msg: &[u8]) -> [u8; 32] {
        let mut mac = <Hmac<sha2::Sha256>>::new_from_slice(key).unwrap();
        mac.update(msg);
        mac.finalize().into_bytes().into()
    }

    #[test]
    fn matches_the_hmac_crate_at_every_length_boundary() {
        let data: Vec<u8> = (0..320u32).map(|i| (i * 7 + 3) as u8).collect();
        // Keys around the block size (hashed above 64 bytes), messages around
        // the one- and two-block padding boundaries (55/56, 119/120 bytes).
        for key_len in [0, 1, 31, 32, 63, 64, 65, 100, 200] {
            let key = HmacKey::new(&data[..key_len]);
            for msg_len in (0..=200).chain([255, 256, 299]) {
                let msg = &data[key_len % 7..key_len % 7 + msg_len];
                assert_eq!(
                    key.mac(msg),
                    reference(&data[..key_len], msg),
                    "key {key_len}, msg {msg_len}"
                );
            }
        }
    }

    #[test]
    fn rfc4231_test_case_2() {
        let key = HmacKey::new(b"Jefe");
        assert_eq!(
            hex::encode(key.mac(b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
