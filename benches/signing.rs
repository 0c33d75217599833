//! Signature benchmarks: every pure function through the Rust API and the C
//! ABI, one-shot and through a signer made once outside the timed loop,
//! canonicalization alone, and the floors they are compared with (the bare
//! SHA-256, MD5 and AES block work each signature needs).
//!
//! `cargo bench --bench signing` (or `scripts/bench.sh`).

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};
use erpauth::ffi::*;
use std::ffi::{c_char, CString};
use std::hint::black_box;

const CLIENT_SECRET: &str = "f2adcfef73369bfc4e1384677d38a0ff";
/// The documentation example. Its string to sign is 240 bytes (the issue
/// says 224; either way HMAC-SHA256 over it is 7 compression blocks: the
/// ipad block, 4 message blocks, the opad block and the outer block).
const TARGET: &str = "/jdyconnector/app_management/kingdee_auth_token?app_key=bVZgAZOv1\
&app_signature=MzZlYTk0ODk4MWZlNjdiODNmNWU4YzViNzYxNGM5MTFlOGJkN2NjMzk0MTJkZGNhZGM0NzZhN2YxZDJmOTlkZA%3D%3D";
const NONCE: &str = "4427456950";
const TIMESTAMP: &str = "1670305063559";

fn cstr(s: &str) -> CString {
    CString::new(s).unwrap()
}

/// Benchmarks a C export that writes into a caller-owned buffer (512 bytes,
/// the same for every iteration).
fn bench_c_output(
    g: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    export: impl Fn(*mut c_char, usize, *mut usize) -> erpauth_status,
) {
    let mut out = [0 as c_char; 512];
    let mut len = 0usize;
    g.bench_function(name, |b| {
        b.iter(|| export(out.as_mut_ptr(), out.len(), &mut len))
    });
}

fn floors(c: &mut Criterion) {
    use aes::cipher::{BlockEncrypt, KeyInit};
    use md5::digest::core_api::UpdateCore;

    let mut g = c.benchmark_group("floor");
    let blocks = vec![sha2::digest::generic_array::GenericArray::from([7u8; 64]); 1024];
    g.throughput(Throughput::Elements(1024));
    g.bench_function("sha256_block_bulk_x1024", |b| {
        let mut state = [0u32; 8];
        b.iter(|| sha2::compress256(&mut state, black_box(&blocks)))
    });
    g.throughput(Throughput::Elements(7));
    g.bench_function("sha256_7_blocks", |b| {
        let mut state = [0u32; 8];
        b.iter(|| sha2::compress256(&mut state, black_box(&blocks[..7])))
    });
    // The same 7 blocks in the 5 calls an HMAC makes (ipad, 3 message
    // blocks, last inner block, opad, outer block): the per-call cost.
    g.bench_function("sha256_7_blocks_in_5_calls", |b| {
        let mut state = [0u32; 8];
        b.iter(|| {
            for range in [0..1, 1..4, 4..5, 5..6, 6..7] {
                sha2::compress256(&mut state, black_box(&blocks[range]));
            }
        })
    });
    g.throughput(Throughput::Elements(1));
    g.bench_function("md5_1_block_plus_aes128_3_blocks", |b| {
        let mut md5 = md5::Md5Core::default();
        let block = md5::digest::core_api::Block::<md5::Md5Core>::default();
        let aes = aes::Aes128::new_from_slice(b"8fy6K39X6PIEEeOq").unwrap();
        let mut aes_blocks = [aes::Block::default(); 3];
        b.iter(|| {
            md5.update_blocks(black_box(std::slice::from_ref(&block)));
            aes.encrypt_blocks(black_box(&mut aes_blocks));
        })
    });
    g.finish();
}

fn kingdee(c: &mut Criterion) {
    let mut g = c.benchmark_group("kingdee");
    let target = erpauth::kingdee::reference::Target::parse(TARGET).unwrap();
    let sts = erpauth::kingdee::string_to_sign("GET", TARGET, NONCE, TIMESTAMP).unwrap();
    assert_eq!(sts.len(), 240);

    // Where the signature's time goes: the HMAC alone, then hex + Base64.
    g.bench_function("hmac_sha256_of_240_bytes", |b| {
        use hmac::{Hmac, Mac};
        b.iter(|| {
            let mut mac = <Hmac<sha2::Sha256>>::new_from_slice(CLIENT_SECRET.as_bytes()).unwrap();
            mac.update(black_box(sts.as_bytes()));
            mac.finalize().into_bytes()
        })
    });
    // Both HMACs with the key prepared once, as a signer holds it: the
    // `hmac` crate's keyed state cloned per call against src/hmac_sha256.rs.
    g.bench_function("hmac_sha256_of_240_bytes_prepared_hmac_crate", |b| {
        use hmac::{Hmac, Mac};
        let prepared = <Hmac<sha2::Sha256>>::new_from_slice(CLIENT_SECRET.as_bytes()).unwrap();
        b.iter(|| {
            let mut mac = prepared.clone();
            mac.update(black_box(sts.as_bytes()));
            mac.finalize().into_bytes()
        })
    });
    g.bench_function("hmac_sha256_of_240_bytes_prepared_hand_written", |b| {
        let prepared = erpauth::hmac_sha256::HmacKey::new(CLIENT_SECRET.as_bytes());
        b.iter(|| prepared.mac(black_box(sts.as_bytes())))
    });
    g.bench_function("hex_then_base64_of_32_bytes", |b| {
        use base64::Engine as _;
        let digest = [0xA5u8; 32];
        b.iter(|| {
            let mut hex = [0u8; 64];
            hex::encode_to_slice(black_box(digest), &mut hex).unwrap();
            let mut out = [0u8; 88];
            base64::engine::general_purpose::STANDARD
                .encode_slice(hex, &mut out)
                .unwrap();
            out
        })
    });
    g.bench_function("canonical_query", |b| {
        b.iter(|| erpauth::kingdee::reference::canonical_query(black_box(&target.query)))
    });
    g.bench_function("target_parse", |b| {
        b.iter(|| erpauth::kingdee::reference::Target::parse(black_box(TARGET)))
    });
    g.bench_function("string_to_sign_rust", |b| {
        b.iter(|| erpauth::kingdee::string_to_sign("GET", black_box(TARGET), NONCE, TIMESTAMP))
    });
    g.bench_function("signature_rust", |b| {
        b.iter(|| {
            erpauth::kingdee::signature(CLIENT_SECRET, "GET", black_box(TARGET), NONCE, TIMESTAMP)
        })
    });
    let signer = erpauth::kingdee::Signer::new(CLIENT_SECRET);
    g.bench_function("signature_text_rust_cached_signer", |b| {
        b.iter(|| signer.signature_inline("GET", black_box(TARGET), NONCE, TIMESTAMP))
    });
    g.bench_function("app_signature_rust", |b| {
        b.iter(|| erpauth::kingdee::app_signature(black_box("bVZgAZOv1"), black_box(CLIENT_SECRET)))
    });

    let (secret, method, target, nonce, ts) = (
        cstr(CLIENT_SECRET),
        cstr("GET"),
        cstr(TARGET),
        cstr(NONCE),
        cstr(TIMESTAMP),
    );
    bench_c_output(&mut g, "signature_c_abi", |o, n, l| unsafe {
        erpauth_kingdee_signature(
            secret.as_ptr(),
            method.as_ptr(),
            black_box(target.as_ptr()),
            nonce.as_ptr(),
            ts.as_ptr(),
            o,
            n,
            l,
        )
    });
    let mut c_signer = std::ptr::null_mut();
    let status = unsafe { erpauth_kingdee_signer_new(secret.as_ptr(), &mut c_signer) };
    assert_eq!(status, erpauth_status::ERPAUTH_OK);
    bench_c_output(&mut g, "signature_c_abi_cached_signer", |o, n, l| unsafe {
        erpauth_kingdee_signer_signature(
            c_signer,
            method.as_ptr(),
            black_box(target.as_ptr()),
            nonce.as_ptr(),
            ts.as_ptr(),
            o,
            n,
            l,
        )
    });
    unsafe { erpauth_kingdee_signer_free(c_signer) };
    bench_c_output(&mut g, "string_to_sign_c_abi", |o, n, l| unsafe {
        erpauth_kingdee_string_to_sign(
            method.as_ptr(),
            black_box(target.as_ptr()),
            nonce.as_ptr(),
            ts.as_ptr(),
            o,
            n,
            l,
        )
    });
    let (app_key, app_secret) = (cstr("bVZgAZOv1"), cstr(CLIENT_SECRET));
    bench_c_output(&mut g, "app_signature_c_abi", |o, n, l| unsafe {
        erpauth_kingdee_app_signature(black_box(app_key.as_ptr()), app_secret.as_ptr(), o, n, l)
    });
    let client_id = cstr("205022");
    bench_c_output(&mut g, "sign_headers_c_abi", |o, n, l| unsafe {
        erpauth_kingdee_sign_headers(
            client_id.as_ptr(),
            secret.as_ptr(),
            method.as_ptr(),
            black_box(target.as_ptr()),
            o,
            n,
            l,
        )
    });
    g.finish();
}

fn weaver(c: &mut Criterion) {
    let mut g = c.benchmark_group("weaver");
    g.bench_function("sign_rust", |b| {
        b.iter(|| {
            erpauth::weaver::sign(
                black_box("weaverappid"),
                "weaversecret",
                "8fy6K39X6PIEEeOq",
                1_700_000_000_000,
            )
        })
    });
    let signer =
        erpauth::weaver::Signer::new("weaverappid", "weaversecret", "8fy6K39X6PIEEeOq").unwrap();
    g.bench_function("sign_rust_cached_signer", |b| {
        b.iter(|| signer.sign(black_box(1_700_000_000_000)))
    });
    let (appid, secret, key) = (
        cstr("weaverappid"),
        cstr("weaversecret"),
        cstr("8fy6K39X6PIEEeOq"),
    );
    bench_c_output(&mut g, "sign_c_abi", |o, n, l| unsafe {
        erpauth_weaver_sign(
            black_box(appid.as_ptr()),
            secret.as_ptr(),
            key.as_ptr(),
            1_700_000_000_000,
            o,
            n,
            l,
        )
    });
    let mut c_signer = std::ptr::null_mut();
    let status = unsafe {
        erpauth_weaver_signer_new(appid.as_ptr(), secret.as_ptr(), key.as_ptr(), &mut c_signer)
    };
    assert_eq!(status, erpauth_status::ERPAUTH_OK);
    bench_c_output(&mut g, "sign_c_abi_cached_signer", |o, n, l| unsafe {
        erpauth_weaver_signer_sign(black_box(c_signer), 1_700_000_000_000, o, n, l)
    });
    unsafe { erpauth_weaver_signer_free(c_signer) };
    bench_c_output(&mut g, "sign_c_abi_unique_timestamp", |o, n, l| unsafe {
        erpauth_weaver_sign(
            black_box(appid.as_ptr()),
            secret.as_ptr(),
            key.as_ptr(),
            0,
            o,
            n,
            l,
        )
    });
    g.finish();
}

criterion_group!(benches, floors, kingdee, weaver);
criterion_main!(benches);
