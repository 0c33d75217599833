//! `Base64(lower-hex(digest))` for a 32-byte digest in one pass.
//!
//! Both Kingdee signatures Base64-encode the *hex text* of an HMAC-SHA256,
//! so every Base64 group of three input characters is three hex digits,
//! i.e. twelve bits of the digest. A 4096-entry table maps those twelve bits
//! straight to the group's four Base64 characters: 21 lookups and a tail
//! replace writing 64 hex characters and then encoding them (the `hex` and
//! `base64` crates one after the other: `hex_then_base64_of_32_bytes` in
//! benches/signing.rs, 48–67 ns).

use crate::hex_digits::LOWER as HEX;

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// For twelve bits `n`: the Base64 of the three hex digits of `n`.
static GROUP: [[u8; 4]; 4096] = {
    let mut table = [[0u8; 4]; 4096];
    let mut n = 0;
    while n < 4096 {
        let a = HEX[n >> 8] as usize;
        let b = HEX[(n >> 4) & 15] as usize;
        let c = HEX[n & 15] as usize;
        let bits = (a << 16) | (b << 8) | c;
        table[n] = [
            BASE64[bits >> 18],
            BASE64[(bits >> 12) & 63],
            BASE64[(bits >> 6) & 63],
            BASE64[bits & 63],
        ];
        n += 1;
    }
    table
};

/// `Base64(lower-hex(digest))`: always 88 ASCII bytes, ending in `==`.
pub(crate) fn encode(digest: &[u8; 32]) -> [u8; 88] {
    let mut out = [0u8; 88];
    // Three digest bytes are six hex digits: two Base64 groups.
    for (i, bytes) in digest[..30].chunks_exact(3).enumerate() {
        let bits =
            (usize::from(bytes[0]) << 16) | (usize::from(bytes[1]) << 8) | usize::from(bytes[2]);
        out[8 * i..8 * i + 4].copy_from_slice(&GROUP[bits >> 12]);
        out[8 * i + 4..8 * i + 8].copy_from_slice(&GROUP[bits & 0xfff]);
    }
    // Hex digits 60..63: one more group of three, then a single digit, which
    // Base64 pads to two characters and "==".
    let (d30, d31) = (usize::from(digest[30]), usize::from(digest[31]));
    out[80..84].copy_from_slice(&GROUP[(d30 << 4) | (d31 >> 4)]);
    let last = usize::from(HEX[d31 & 15]);
    out[84] = BASE64[last >> 2];
    out[85] = BASE64[(last & 3) << 4];
    out[86] = b'=';
    out[87] = b'=';
    out
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;

    fn reference(digest: &[u8; 32]) -> String {
        base64::engine::general_purpose::STANDARD.encode(hex::encode(digest))
    }

    #[test]
    fn matches_hex_then_base64() {
        let mut digests = vec![[0u8; 32], [0xff; 32]];
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..20_000 {
            let mut d = [0u8; 32];
            for byte in &mut d {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                *byte = state as u8;
            }
            digests.push(d);
        }
        for d in 0..=255u8 {
            digests.push([d; 32]);
        }
        for digest in &digests {
            let fused = super::encode(digest);
            assert_eq!(std::str::from_utf8(&fused).unwrap(), reference(digest));
        }
    }
}
