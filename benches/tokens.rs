//! Cached token reads through the C ABI, on one thread and on two threads
//! reading the same client (to show the read path does not convoy).
//!
//! The token is fetched once from the in-process emulator; every measured
//! call is served from the cache. `cargo bench --bench tokens`.

use criterion::{criterion_group, criterion_main, Criterion};
use erpauth::ffi::*;
use erpauth_emulator::{Emulator, EmulatorConfig};
use std::ffi::{c_char, CString};
use std::hint::black_box;
use std::time::{Duration, Instant};

struct Client(*mut erpauth_kingdee_client);
// SAFETY: the C ABI allows calls on one client from any thread at once.
unsafe impl Send for Client {}
unsafe impl Sync for Client {}

fn read_token(client: &Client, out: &mut [c_char; 256]) {
    let mut len = 0usize;
    let st = unsafe {
        erpauth_kingdee_client_app_token(client.0, out.as_mut_ptr(), out.len(), &mut len)
    };
    assert_eq!(st, erpauth_status::ERPAUTH_OK);
    black_box(len);
}

fn cached_tokens(c: &mut Criterion) {
    let emulator = Emulator::start(EmulatorConfig::default()).expect("emulator starts");
    let config = CString::new(format!(
        r#"{{"base_url":"{}","client_id":"emu-client-id","client_secret":"emu-client-secret",
            "app_key":"emuAppKey","app_secret":"emu-app-secret","domain":"https://emu.jdy.com"}}"#,
        emulator.base_url()
    ))
    .unwrap();
    let mut raw = std::ptr::null_mut();
    assert_eq!(
        unsafe { erpauth_kingdee_client_new(config.as_ptr(), &mut raw) },
        erpauth_status::ERPAUTH_OK
    );
    let client = Client(raw);
    let mut out = [0 as c_char; 256];
    read_token(&client, &mut out); // the one fetch

    let mut g = c.benchmark_group("cached_token");
    g.bench_function("kingdee_app_token_c_abi_1_thread", |b| {
        b.iter(|| read_token(&client, &mut out))
    });
    // Two threads each make `iters` calls; the time reported is the wall
    // time per call of one thread, so perfect scaling equals the one-thread
    // figure, and the throughput ratio is 2 x t(1 thread) / t(2 threads).
    g.bench_function("kingdee_app_token_c_abi_2_threads", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            std::thread::scope(|s| {
                for _ in 0..2 {
                    s.spawn(|| {
                        let mut out = [0 as c_char; 256];
                        for _ in 0..iters {
                            read_token(&client, &mut out);
                        }
                    });
                }
            });
            start.elapsed()
        })
    });
    g.finish();
    unsafe { erpauth_kingdee_client_free(client.0) };
    drop(emulator);
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(3));
    targets = cached_tokens
}
criterion_main!(benches);
