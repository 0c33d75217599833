//! Hex digits, in the two cases the protocols use: lower-case for the
//! Kingdee HMAC text and the Weaver sign, upper-case for percent escapes and
//! the Weaver credential MD5. One alphabet each, shared by every encoder.

/// `0-9a-f`.
pub(crate) const LOWER: &[u8; 16] = b"0123456789abcdef";
/// `0-9A-F`.
pub(crate) const UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// The two digits of `b` in `digits`.
#[inline]
pub(crate) const fn pair(digits: &[u8; 16], b: u8) -> [u8; 2] {
    [digits[(b >> 4) as usize], digits[(b & 15) as usize]]
}

/// The two digits of every byte value: one lookup per byte where whole
/// digests are written out (the Weaver sign and MD5).
const fn pairs(digits: &[u8; 16]) -> [[u8; 2]; 256] {
    let mut table = [[0u8; 2]; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = pair(digits, i as u8);
        i += 1;
    }
    table
}

/// [`pair`] of [`LOWER`] for every byte value.
pub(crate) static LOWER_PAIRS: [[u8; 2]; 256] = pairs(LOWER);
/// [`pair`] of [`UPPER`] for every byte value.
pub(crate) static UPPER_PAIRS: [[u8; 2]; 256] = pairs(UPPER);

#[cfg(test)]
mod tests {
    #[test]
    fn pairs_match_the_hex_crate() {
        for b in 0..=255u8 {
            assert_eq!(
                super::LOWER_PAIRS[usize::from(b)],
                hex::encode([b]).as_bytes()
            );
            assert_eq!(
                super::UPPER_PAIRS[usize::from(b)],
                hex::encode_upper([b]).as_bytes()
            );
        }
    }
}
