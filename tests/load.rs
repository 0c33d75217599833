//! Load (issue 7, item 4): 64 threads x 100 000 mixed calls on shared
//! clients (Kingdee through the Rust API and through a C handle, Weaver with
//! three cache entries), with tokens that live one second on the emulator:
//! signatures, cached tokens, invalidations followed by refetches, and
//! refreshes on expiry. Checks that
//!
//! - every token served was issued by the emulator for that system and user
//!   (and a user's encrypted userid decrypts to that user);
//! - no token is served longer than its lifetime;
//! - fetches are single flight: the emulator saw no more requests than
//!   cache entries x expiries plus invalidations (without single flight each
//!   expiry would bring up to 64 requests);
//! - pure signatures stay byte-exact under contention;
//! - memory is flat: RSS after the 6.4 million calls is within a few MiB of
//!   RSS after a warm-up round.
//!
//! Runs only when named, in release: `cargo test --release --test load -- --nocapture`.

mod common;
use common::rss_kib;
use erpauth::client::{KingdeeClient, WeaverClient, WeaverUser};
use erpauth::ffi::{self, erpauth_kingdee_client, erpauth_status};
use erpauth::{kingdee, weaver};
use erpauth_emulator::{reference, Emulator, EmulatorConfig};
use std::collections::HashMap;
use std::ffi::CString;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Barrier, Mutex};
use std::time::{Duration, Instant};

const THREADS: usize = 64;
const CALLS_PER_THREAD: usize = 100_000;
/// Each thread invalidates one client, in turn, every this many calls.
const INVALIDATE_EVERY: usize = 10_000;
/// The token lifetime on the emulator, and the client's refresh point
/// (a tenth of the lifetime before its end).
const LIFETIME: Duration = Duration::from_secs(1);
/// Kingdee tokens are cached for at least a minute whatever the answer's
/// `expires` says (a server must not drive a refetch loop), so they refresh
/// here through invalidations only.
const KINGDEE_LIFETIME: Duration = Duration::from_secs(60);
const REFRESH_AFTER: Duration = Duration::from_millis(900);
/// Allowed RSS growth over the main round. A leak of 2 bytes per call
/// would already exceed it.
const RSS_SLACK_KIB: i64 = 8 * 1024;

const EMU_AES_KEY: &str = "emu-aes-key-0016";

// The public vectors, checked on every pure-signature call.
const VECTOR_SECRET: &str = "f2adcfef73369bfc4e1384677d38a0ff";
const VECTOR_TARGET: &str = "/jdyconnector/app_management/kingdee_auth_token?app_key=bVZgAZOv1&app_signature=MzZlYTk0ODk4MWZlNjdiODNmNWU4YzViNzYxNGM5MTFlOGJkN2NjMzk0MTJkZGNhZGM0NzZhN2YxZDJmOTlkZA%3D%3D";
const VECTOR_SIGNATURE: &str =
    "OTFiZTliNDFiMjNkYTI3YzVhNzg4MDI4ZGU3MWY1ZTA5ZTk1NjVlNGM1YTI1ZjIxY2Y5YTA3ZGY2OGI1MGQ1MQ==";
const VECTOR_SIGN: &str = "2da1e861f36ba4aa1babbadbdc1e275a9efc8b34155b2bd4e147370de8d80954b04dbe29a019802759029ab51c8bc6a1";

/// The token cache entries under test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Entry {
    KingdeeRust,
    KingdeeC,
    WeaverApp,
    WeaverUser1,
    WeaverUser9,
}

const ENTRIES: [Entry; 5] = [
    Entry::KingdeeRust,
    Entry::KingdeeC,
    Entry::WeaverApp,
    Entry::WeaverUser1,
    Entry::WeaverUser9,
];

impl Entry {
    /// What the emulator must say about a token of this entry.
    fn expected(self) -> (&'static str, Option<&'static str>) {
        match self {
            Entry::KingdeeRust | Entry::KingdeeC => ("kingdee", Some("700123")),
            Entry::WeaverApp => ("weaver", None),
            Entry::WeaverUser1 => ("weaver", Some("1")),
            Entry::WeaverUser9 => ("weaver", Some("9")),
        }
    }
}

/// When a token was seen: the earliest return of a call that served it
/// (no earlier than its issue) and the latest start of such a call (no
/// later than its last serving).
#[derive(Clone, Copy)]
struct Seen {
    first_returned: Instant,
    last_asked: Instant,
}

/// A token as a number: both kinds are 32 hex digits (Kingdee's plain,
/// Weaver's as a UUID), so the bookkeeping allocates nothing per call.
fn token_key(token: &str) -> u128 {
    let mut key = 0u128;
    let mut digits = 0;
    for c in token.chars().filter(|&c| c != '-') {
        let d = c
            .to_digit(16)
            .unwrap_or_else(|| panic!("not hex: {token:?}"));
        key = key << 4 | u128::from(d);
        digits += 1;
    }
    assert_eq!(digits, 32, "unexpected token shape {token:?}");
    key
}

/// Per-thread bookkeeping, merged at the end.
#[derive(Default)]
struct Log {
    tokens: HashMap<(Entry, u128), Seen>,
    /// The token text of each key, for the emulator check.
    texts: HashMap<u128, String>,
    calls: usize,
}

impl Log {
    fn saw(&mut self, entry: Entry, token: &str, asked: Instant, returned: Instant) {
        let key = token_key(token);
        match self.tokens.get_mut(&(entry, key)) {
            Some(seen) => {
                seen.first_returned = seen.first_returned.min(returned);
                seen.last_asked = seen.last_asked.max(asked);
            }
            None => {
                self.tokens.insert(
                    (entry, key),
                    Seen {
                        first_returned: returned,
                        last_asked: asked,
                    },
                );
                self.texts.insert(key, token.to_owned());
            }
        }
    }

    fn merge(&mut self, other: Log) {
        self.calls += other.calls;
        self.texts.extend(other.texts);
        for (key, seen) in other.tokens {
            self.tokens
                .entry(key)
                .and_modify(|m| {
                    m.first_returned = m.first_returned.min(seen.first_returned);
                    m.last_asked = m.last_asked.max(seen.last_asked);
                })
                .or_insert(seen);
        }
    }
}

struct SharedHandle(*mut erpauth_kingdee_client);
// SAFETY: the C ABI documents every client function as safe to call from
// any thread at once; the handle is freed only after every thread joined.
unsafe impl Sync for SharedHandle {}

struct Clients {
    kingdee: KingdeeClient,
    kingdee_c: SharedHandle,
    weaver: WeaverClient,
    user1: WeaverUser,
    user9: WeaverUser,
}

#[derive(Default)]
struct Invalidations {
    kingdee_rust: AtomicUsize,
    kingdee_c: AtomicUsize,
    weaver: AtomicUsize,
}

fn c_app_token(handle: &SharedHandle, buf: &mut [u8; 64]) -> String {
    let mut len = 0usize;
    // SAFETY: a live handle, a 64-byte buffer and a valid out_len.
    let status = unsafe {
        ffi::erpauth_kingdee_client_app_token(
            handle.0,
            buf.as_mut_ptr().cast(),
            buf.len(),
            &mut len,
        )
    };
    assert_eq!(status, erpauth_status::ERPAUTH_OK);
    String::from_utf8(buf[..len].to_vec()).unwrap()
}

/// One thread's share of a round.
fn worker(
    clients: &Clients,
    invalidations: &Invalidations,
    thread: usize,
    calls: usize,
    start: &Barrier,
) -> Log {
    let mut log = Log::default();
    let mut buf = [0u8; 64];
    let mut rng =
        0x9E37_79B9_7F4A_7C15u64 ^ (thread as u64 + 1).wrapping_mul(0xA24B_AED4_963E_E407);
    let mut userids_checked: HashMap<String, ()> = HashMap::new();
    start.wait();
    for i in 0..calls {
        log.calls += 1;
        if i % INVALIDATE_EVERY == INVALIDATE_EVERY - 1 {
            match (i / INVALIDATE_EVERY + thread) % 3 {
                0 => {
                    clients.kingdee.invalidate();
                    invalidations.kingdee_rust.fetch_add(1, Ordering::Relaxed);
                }
                1 => {
                    // SAFETY: a live handle.
                    unsafe { ffi::erpauth_kingdee_client_invalidate(clients.kingdee_c.0) };
                    invalidations.kingdee_c.fetch_add(1, Ordering::Relaxed);
                }
                _ => {
                    clients.weaver.invalidate();
                    invalidations.weaver.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let asked = Instant::now();
        match rng % 100 {
            0..=29 => {
                let lines = clients
                    .kingdee
                    .header_lines("GET", &format!("/jdy/v2/bd/customer?page={}", i % 50))
                    .unwrap();
                let token = lines
                    .split("\r\n")
                    .find_map(|l| l.strip_prefix("app-token: "))
                    .expect("an app-token line");
                assert_eq!(lines.matches("\r\n").count(), 8, "{lines}");
                log.saw(Entry::KingdeeRust, token, asked, Instant::now());
            }
            30..=44 => {
                let token = clients.kingdee.app_token().unwrap();
                log.saw(
                    Entry::KingdeeRust,
                    &token.value.token,
                    asked,
                    Instant::now(),
                );
            }
            45..=54 => {
                let token = c_app_token(&clients.kingdee_c, &mut buf);
                log.saw(Entry::KingdeeC, &token, asked, Instant::now());
            }
            55..=69 => {
                let token = clients.weaver.token(None).unwrap();
                assert!(token.value.userid.is_none());
                log.saw(Entry::WeaverApp, &token.value.token, asked, Instant::now());
            }
            70..=84 => {
                let (entry, user, id) = if rng % 2 == 0 {
                    (Entry::WeaverUser1, &clients.user1, "1")
                } else {
                    (Entry::WeaverUser9, &clients.user9, "9")
                };
                let token = clients.weaver.token(Some(user)).unwrap();
                let userid = token.value.userid.as_deref().expect("a userid");
                // Decrypt each userid once: it names the user asked for.
                if !userids_checked.contains_key(userid) {
                    assert_eq!(
                        reference::weaver_decrypt_userid(EMU_AES_KEY, userid).as_deref(),
                        Some(id),
                        "{entry:?} served the userid of another user"
                    );
                    userids_checked.insert(userid.to_owned(), ());
                }
                log.saw(entry, &token.value.token, asked, Instant::now());
            }
            85..=94 => {
                let signature = kingdee::signature(
                    VECTOR_SECRET,
                    "GET",
                    VECTOR_TARGET,
                    "4427456950",
                    "1670305063559",
                )
                .unwrap();
                assert_eq!(signature, VECTOR_SIGNATURE);
                let sign = weaver::sign(
                    "weaverappid",
                    "weaversecret",
                    "8fy6K39X6PIEEeOq",
                    1_700_000_000_000,
                )
                .unwrap();
                assert_eq!(sign, VECTOR_SIGN);
            }
            _ => {
                let headers = kingdee::sign_headers(
                    "emu-client-id",
                    "emu-client-secret",
                    "POST",
                    "/jdy/v2/x",
                )
                .unwrap();
                assert_eq!(headers.nonce.len(), 10);
            }
        }
    }
    log
}

/// Runs `calls` calls on each of `THREADS` threads; returns the merged logs
/// and the wall time.
fn round(clients: &Clients, invalidations: &Invalidations, calls: usize) -> (Log, Duration) {
    let start = Barrier::new(THREADS + 1);
    let merged = Mutex::new(Log::default());
    let started = std::thread::scope(|s| {
        for thread in 0..THREADS {
            let (start, merged) = (&start, &merged);
            s.spawn(move || {
                let log = worker(clients, invalidations, thread, calls, start);
                merged.lock().unwrap().merge(log);
            });
        }
        start.wait();
        Instant::now()
    });
    (merged.into_inner().unwrap(), started.elapsed())
}

#[test]
fn sixty_four_threads_hundred_thousand_calls_each() {
    let mut config = EmulatorConfig::default();
    config.kingdee.token_lifetime_s = KINGDEE_LIFETIME.as_secs();
    config.weaver.token_ttl_s = LIFETIME.as_secs();
    let emu = Emulator::start(config).unwrap();
    let base_url = emu.base_url();
    let kingdee_json = serde_json::json!({
        "client_id": "emu-client-id", "client_secret": "emu-client-secret",
        "app_key": "emuAppKey", "app_secret": "emu-app-secret",
        "base_url": base_url, "domain": "https://emu.jdy.com", "timeout_ms": 10_000,
    })
    .to_string();
    let weaver_json = serde_json::json!({
        "base_url": base_url, "appid": "emu-appid", "secret": "emu-secret",
        "aes_key": EMU_AES_KEY, "token_ttl_s": LIFETIME.as_secs(), "timeout_ms": 10_000,
    })
    .to_string();
    let c_json = CString::new(kingdee_json.clone()).unwrap();
    let mut handle = std::ptr::null_mut();
    // SAFETY: NUL-terminated config, valid out pointer.
    let status = unsafe { ffi::erpauth_kingdee_client_new(c_json.as_ptr(), &mut handle) };
    assert_eq!(status, erpauth_status::ERPAUTH_OK);
    let clients = Clients {
        kingdee: KingdeeClient::from_json(&kingdee_json).unwrap(),
        kingdee_c: SharedHandle(handle),
        weaver: WeaverClient::from_json(&weaver_json).unwrap(),
        user1: WeaverUser {
            user_type: "id".into(),
            user_contain: "1".into(),
        },
        user9: WeaverUser {
            user_type: "loginid".into(),
            user_contain: "zhangs".into(),
        },
    };

    let rss_start = rss_kib();
    // A warm-up round of the same size: the allocator's arenas, the
    // emulator's tables and the bookkeeping reach their working size, so
    // the main round shows growth, if any.
    let warmup = round(&clients, &Invalidations::default(), CALLS_PER_THREAD).0;
    // Tokens still cached from the warm-up may be served early in the main
    // round without a request of the main round.
    let carried_over: Vec<(Entry, u128)> = warmup.tokens.into_keys().collect();
    let rss_warm = rss_kib();

    emu.reset_stats();
    let invalidations = Invalidations::default();
    let (log, elapsed) = round(&clients, &invalidations, CALLS_PER_THREAD);
    let stats = emu.stats();

    let kingdee_rust = invalidations.kingdee_rust.load(Ordering::Relaxed);
    let kingdee_c = invalidations.kingdee_c.load(Ordering::Relaxed);
    let weaver_inv = invalidations.weaver.load(Ordering::Relaxed);
    // Fetches each entry may make: one per refresh period (plus one for
    // the period in progress and one for the start), one per invalidation
    // that hit it.
    let periods = (elapsed.as_secs_f64() / REFRESH_AFTER.as_secs_f64()).floor() as usize + 2;
    let kingdee_bound = 2 * periods + kingdee_rust + kingdee_c;
    let weaver_bound = 3 * periods + 3 * weaver_inv;
    let is_kingdee = |e: &Entry| matches!(e, Entry::KingdeeRust | Entry::KingdeeC);
    let fetched_in_main = |kingdee: bool| {
        log.tokens
            .keys()
            .filter(|key| is_kingdee(&key.0) == kingdee && !carried_over.contains(key))
            .count()
    };
    let (kingdee_tokens, weaver_tokens) = (fetched_in_main(true), fetched_in_main(false));

    assert_eq!(log.calls, THREADS * CALLS_PER_THREAD);
    println!(
        "calls: {} on {THREADS} threads in {elapsed:.2?} ({:.0} calls/s)",
        log.calls,
        log.calls as f64 / elapsed.as_secs_f64()
    );
    println!(
        "invalidations: Kingdee Rust {kingdee_rust}, Kingdee C {kingdee_c}, Weaver {weaver_inv}"
    );
    println!(
        "token requests: Kingdee {} (at most {kingdee_bound} allowed; {kingdee_tokens} new tokens served), \
         Weaver {} (at most {weaver_bound}; {weaver_tokens} new tokens served)",
        stats.kingdee_auth_token, stats.weaver_get_token
    );

    // Single flight: no more requests than events that call for one, and
    // one per new token served.
    assert!(
        stats.kingdee_auth_token <= kingdee_bound as u64,
        "Kingdee: {} requests for at most {kingdee_bound} fetch events",
        stats.kingdee_auth_token
    );
    assert!(
        stats.weaver_get_token <= weaver_bound as u64,
        "Weaver: {} requests for at most {weaver_bound} fetch events",
        stats.weaver_get_token
    );
    assert!(stats.kingdee_auth_token >= kingdee_tokens as u64);
    assert!(stats.weaver_get_token >= weaver_tokens as u64);
    // Expiry really drove refetches: at least one per entry per lifetime
    // (Kingdee: invalidations did).
    let lifetimes = (elapsed.as_secs_f64() / LIFETIME.as_secs_f64()).floor() as usize;
    assert!(
        kingdee_tokens > 0,
        "{kingdee_tokens} Kingdee tokens in {elapsed:?}"
    );
    assert!(
        weaver_tokens >= 3 * lifetimes,
        "{weaver_tokens} Weaver tokens in {elapsed:?}"
    );
    for entry in ENTRIES {
        assert!(
            log.tokens.keys().any(|(e, _)| *e == entry),
            "{entry:?} never served"
        );
    }

    // No wrong token: each one issued by the emulator, for that system and user.
    for (entry, key) in log.tokens.keys() {
        let token = &log.texts[key];
        let info = emu.token_info(token).unwrap_or_else(|| {
            panic!("{entry:?} served a token the emulator never issued: {token}")
        });
        let (system, user) = entry.expected();
        assert_eq!(info.system, system, "{entry:?} {token}");
        assert_eq!(info.user.as_deref(), user, "{entry:?} {token}");
    }
    // No token served past its lifetime.
    for ((entry, key), seen) in &log.tokens {
        let span = seen
            .last_asked
            .saturating_duration_since(seen.first_returned);
        let lifetime = if is_kingdee(entry) {
            KINGDEE_LIFETIME
        } else {
            LIFETIME
        };
        assert!(
            span < lifetime,
            "{entry:?} served {} {span:?} after it was first returned",
            log.texts[key]
        );
    }

    // Memory: the test's own bookkeeping is dropped before measuring.
    drop(log);
    let rss_end = rss_kib();
    println!(
        "RSS: {rss_start} KiB at start, {rss_warm} KiB after the warm-up, {rss_end} KiB after \
         the main round ({:+} KiB)",
        rss_end - rss_warm
    );
    assert!(
        rss_end - rss_warm < RSS_SLACK_KIB,
        "RSS grew by {} KiB over {} calls",
        rss_end - rss_warm,
        THREADS * CALLS_PER_THREAD
    );
    assert!(
        elapsed < Duration::from_secs(90),
        "the main round took {elapsed:?}"
    );

    // SAFETY: every thread has joined; freed once.
    unsafe { ffi::erpauth_kingdee_client_free(clients.kingdee_c.0) };
}
