//! The e9 server refuses a getToken sign it has seen before, so signs made
//! "now" (timestamp 0) must never repeat, not even from threads signing in
//! the same millisecond. 8 threads x 100 000 signs through the C ABI: all
//! 800 000 distinct, and each thread's decrypted timestamps strictly
//! increasing.

use aes::cipher::{block_padding::Pkcs7, BlockDecryptMut, KeyInit};
use erpauth::ffi::{erpauth_status, erpauth_weaver_sign};
use std::collections::HashSet;
use std::ffi::CString;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

const THREADS: usize = 8;
const SIGNS_PER_THREAD: usize = 100_000;
const APPID: &str = "emu-appid";
const SECRET: &str = "emu-secret";
const AES_KEY: &str = "emu-aes-key-0016";
/// 96 hex characters for a 13-digit timestamp; the buffer has room for more.
const SIGN_BUF: usize = 128;

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_millis() as i64
}

/// Signs `SIGNS_PER_THREAD` times with timestamp 0; returns the hex signs.
fn sign_many() -> Vec<String> {
    let appid = CString::new(APPID).unwrap();
    let secret = CString::new(SECRET).unwrap();
    let key = CString::new(AES_KEY).unwrap();
    let mut signs = Vec::with_capacity(SIGNS_PER_THREAD);
    let mut buf = [0u8; SIGN_BUF];
    for i in 0..SIGNS_PER_THREAD {
        let mut len = 0usize;
        // SAFETY: NUL-terminated inputs, a buffer of SIGN_BUF bytes, a valid len.
        let status = unsafe {
            erpauth_weaver_sign(
                appid.as_ptr(),
                secret.as_ptr(),
                key.as_ptr(),
                0,
                buf.as_mut_ptr().cast(),
                SIGN_BUF,
                &mut len,
            )
        };
        assert_eq!(status, erpauth_status::ERPAUTH_OK, "sign #{i} failed");
        assert_eq!(len, 96, "sign #{i} has {len} hex characters");
        signs.push(std::str::from_utf8(&buf[..len]).unwrap().to_owned());
    }
    signs
}

/// Decrypts a sign and returns its timestamp, checking the text's other half.
fn decrypt_timestamp(sign: &str, expected_md5: &str) -> i64 {
    let mut ciphertext = hex::decode(sign).expect("sign is hex");
    let plaintext = ecb::Decryptor::<aes::Aes128>::new_from_slice(AES_KEY.as_bytes())
        .unwrap()
        .decrypt_padded_mut::<Pkcs7>(&mut ciphertext)
        .expect("sign decrypts with PKCS#7 padding");
    let text = std::str::from_utf8(plaintext).expect("plaintext is UTF-8");
    let (ts, md5) = text
        .split_once('_')
        .unwrap_or_else(|| panic!("plaintext {text:?} has no '_'"));
    assert_eq!(md5, expected_md5, "plaintext {text:?}");
    ts.parse()
        .unwrap_or_else(|_| panic!("plaintext {text:?} starts with no decimal timestamp"))
}

#[test]
fn concurrent_signs_never_repeat() {
    let started_ms = now_ms();
    let started = Instant::now();
    let per_thread: Vec<Vec<String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..THREADS).map(|_| scope.spawn(sign_many)).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let signing = started.elapsed();

    let mut distinct: HashSet<&str> = HashSet::with_capacity(THREADS * SIGNS_PER_THREAD);
    for signs in &per_thread {
        for sign in signs {
            assert!(distinct.insert(sign), "sign {sign} was handed out twice");
        }
    }
    assert_eq!(distinct.len(), THREADS * SIGNS_PER_THREAD);

    let md5 = String::from_utf8(erpauth::weaver::credential_md5(APPID, SECRET).to_vec()).unwrap();
    // The generator may run ahead of the clock by at most one millisecond per
    // sign handed out; anything beyond that is not "now".
    let latest_allowed = now_ms() + (THREADS * SIGNS_PER_THREAD) as i64;
    // Decrypting is the slow part in debug builds: one checker per thread.
    std::thread::scope(|scope| {
        for (thread, signs) in per_thread.iter().enumerate() {
            let md5 = md5.as_str();
            scope.spawn(move || {
                let mut previous = started_ms - 1;
                for sign in signs {
                    let ts = decrypt_timestamp(sign, md5);
                    assert!(
                        ts > previous,
                        "thread {thread}: timestamp {ts} does not follow {previous}"
                    );
                    assert!(
                        ts <= latest_allowed,
                        "thread {thread}: timestamp {ts} is in the future"
                    );
                    previous = ts;
                }
            });
        }
    });
    println!(
        "{} signs from {THREADS} threads, all distinct and increasing per thread; signing took {:.2?}",
        distinct.len(),
        signing
    );
}
