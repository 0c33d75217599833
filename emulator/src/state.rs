//! State shared by all connection threads: config, faults, counters, issued
//! tokens, used nonces and signs, randomness, the shutdown signal.

use crate::config::{EmulatorConfig, Endpoint, Fault, FaultKind};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::hash_map::{Entry, HashMap, RandomState};
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How long a Kingdee nonce is remembered: a replayed request is refused for
/// as long as its timestamp could still pass the five-minute window check
/// (both directions).
const NONCE_MEMORY: Duration = Duration::from_secs(2 * 5 * 60 + 10);
/// How long a used Weaver sign is remembered: past that its time fails the
/// five-minute window.
const SIGN_MEMORY: Duration = Duration::from_secs(2 * 5 * 60 + 10);

/// Request and connection counters, as `GET /__emulator/stats` returns them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Requests to the Kingdee token endpoint (refused and faulted included).
    pub kingdee_auth_token: u64,
    /// Requests to Kingdee business paths (`/jdy/v2/...`).
    pub kingdee_business: u64,
    /// Requests to the Weaver getToken endpoint.
    pub weaver_get_token: u64,
    /// Requests to the Kingdee authorization pull (`push_app_authorize`).
    pub kingdee_push_app_authorize: u64,
    /// Requests to e9 business paths (`/api/workflow/paService/...`).
    pub weaver_business: u64,
    /// Requests to Weaver REST regist.
    #[serde(default)]
    pub weaver_regist: u64,
    /// Requests to Weaver REST applytoken.
    #[serde(default)]
    pub weaver_apply_token: u64,
    /// Requests to the Weaver REST business endpoint.
    #[serde(default)]
    pub weaver_rest_business: u64,
    /// TCP connections accepted (control requests' connections included).
    pub connections: u64,
    /// Requests of any kind that carried a `Cookie` header.
    pub cookies_received: u64,
}

/// A token the emulator handed out.
#[derive(Clone, Debug)]
pub struct TokenState {
    /// When it stops being accepted.
    pub expires_at: Instant,
    /// Kingdee: the uid; Weaver: the OA user id, if one was asked for.
    pub user: Option<String>,
}

#[derive(Clone, Copy, Debug)]
struct ActiveFault {
    fault: Fault,
    remaining: Option<u64>,
}

impl Default for ActiveFault {
    fn default() -> Self {
        ActiveFault {
            fault: Fault::none(),
            remaining: None,
        }
    }
}

/// A one-way shutdown flag that sleeping threads can wait on.
#[derive(Default)]
pub struct ShutdownSignal {
    down: Mutex<bool>,
    wake: Condvar,
}

impl ShutdownSignal {
    /// Sets the flag and wakes every sleeper.
    pub fn trigger(&self) {
        *lock(&self.down) = true;
        self.wake.notify_all();
    }

    /// Whether shutdown has begun.
    pub fn is_set(&self) -> bool {
        *lock(&self.down)
    }

    /// Sleeps for `duration` or until shutdown; `true` if shutting down.
    pub fn sleep(&self, duration: Duration) -> bool {
        let deadline = Instant::now() + duration;
        let mut down = lock(&self.down);
        loop {
            if *down {
                return true;
            }
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            down = self
                .wake
                .wait_timeout(down, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

/// Locks, ignoring poisoning: a panicking connection thread must not take
/// the whole emulator down with it.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Unpredictable bytes without a random-number crate: SHA-256 over a seed
/// drawn from std's randomly keyed hasher, the time and the process id, plus
/// a counter. Good enough for tokens and cookies of a test server.
struct Random {
    seed: [u8; 32],
    counter: AtomicU64,
}

impl Random {
    fn new() -> Self {
        let mut h = Sha256::new();
        for i in 0..4u64 {
            let mut hasher = RandomState::new().build_hasher();
            hasher.write_u64(i);
            h.update(hasher.finish().to_le_bytes());
        }
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        h.update(nanos.to_le_bytes());
        h.update(std::process::id().to_le_bytes());
        Random {
            seed: h.finalize().into(),
            counter: AtomicU64::new(0),
        }
    }

    fn next(&self) -> [u8; 32] {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let mut h = Sha256::new();
        h.update(self.seed);
        h.update(n.to_le_bytes());
        h.finalize().into()
    }
}

/// Everything the connection threads share.
pub struct Shared {
    config: Mutex<EmulatorConfig>,
    faults: Mutex<[ActiveFault; Endpoint::COUNT]>,
    requests: [AtomicU64; Endpoint::COUNT],
    connections: AtomicU64,
    cookies_received: AtomicU64,
    kingdee_tokens: Mutex<HashMap<String, TokenState>>,
    weaver_tokens: Mutex<HashMap<String, TokenState>>,
    nonces: Mutex<HashMap<String, Instant>>,
    signs: Mutex<HashMap<String, Instant>>,
    random: Random,
    /// Weaver REST registrations and tokens.
    pub weaver_rest: crate::weaver_rest::RestState,
    /// Set when the emulator stops.
    pub shutdown: ShutdownSignal,
}

impl Shared {
    /// State for `config`, with its faults installed.
    pub fn new(mut config: EmulatorConfig) -> Shared {
        let faults = std::mem::take(&mut config.fault);
        let shared = Shared {
            config: Mutex::new(config),
            faults: Mutex::default(),
            requests: Default::default(),
            connections: AtomicU64::new(0),
            cookies_received: AtomicU64::new(0),
            kingdee_tokens: Mutex::default(),
            weaver_tokens: Mutex::default(),
            nonces: Mutex::default(),
            signs: Mutex::default(),
            random: Random::new(),
            weaver_rest: Default::default(),
            shutdown: ShutdownSignal::default(),
        };
        for fault in faults {
            shared.install_fault(fault);
        }
        shared
    }

    /// A copy of the current config (without faults).
    pub fn config(&self) -> EmulatorConfig {
        lock(&self.config).clone()
    }

    /// Changes the config under the lock.
    pub fn update_config(&self, change: impl FnOnce(&mut EmulatorConfig)) {
        change(&mut lock(&self.config));
    }

    /// Applies a partial config (see [`EmulatorConfig::patched`]).
    pub fn apply_patch(&self, patch: &serde_json::Value) -> Result<(), String> {
        let mut config = lock(&self.config);
        let (new_config, faults) = config.patched(patch)?;
        *config = new_config;
        drop(config);
        for fault in faults {
            self.install_fault(fault);
        }
        Ok(())
    }

    /// Replaces the fault of every endpoint `fault` covers.
    pub fn install_fault(&self, fault: Fault) {
        let mut faults = lock(&self.faults);
        for endpoint in Endpoint::ALL {
            if fault.endpoint.covers(endpoint) {
                faults[endpoint.index()] = ActiveFault {
                    fault,
                    remaining: fault.count,
                };
            }
        }
    }

    /// The fault to apply to this request of `endpoint`, using up one of its
    /// `count`.
    pub fn take_fault(&self, endpoint: Endpoint) -> Option<Fault> {
        let mut faults = lock(&self.faults);
        let active = &mut faults[endpoint.index()];
        if active.fault.kind == FaultKind::None {
            return None;
        }
        match &mut active.remaining {
            Some(0) => return None,
            Some(n) => *n -= 1,
            None => {}
        }
        Some(active.fault)
    }

    /// Counts a request of `endpoint`.
    pub fn count_request(&self, endpoint: Endpoint) {
        self.requests[endpoint.index()].fetch_add(1, Ordering::SeqCst);
    }

    /// Counts an accepted connection.
    pub fn count_connection(&self) {
        self.connections.fetch_add(1, Ordering::SeqCst);
    }

    /// Counts a request that carried a `Cookie` header.
    pub fn count_cookie(&self) {
        self.cookies_received.fetch_add(1, Ordering::SeqCst);
    }

    /// The counters.
    pub fn stats(&self) -> Stats {
        let request = |e: Endpoint| self.requests[e.index()].load(Ordering::SeqCst);
        Stats {
            kingdee_auth_token: request(Endpoint::KingdeeAuthToken),
            kingdee_business: request(Endpoint::KingdeeBusiness),
            weaver_get_token: request(Endpoint::WeaverGetToken),
            kingdee_push_app_authorize: request(Endpoint::KingdeePushAppAuthorize),
            weaver_business: request(Endpoint::WeaverBusiness),
            weaver_regist: request(Endpoint::WeaverRegist),
            weaver_apply_token: request(Endpoint::WeaverApplyToken),
            weaver_rest_business: request(Endpoint::WeaverRestBusiness),
            connections: self.connections.load(Ordering::SeqCst),
            cookies_received: self.cookies_received.load(Ordering::SeqCst),
        }
    }

    /// Sets every counter to 0.
    pub fn reset_stats(&self) {
        for counter in self
            .requests
            .iter()
            .chain([&self.connections, &self.cookies_received])
        {
            counter.store(0, Ordering::SeqCst);
        }
    }

    /// Issued Kingdee app-tokens.
    pub fn kingdee_tokens(&self) -> MutexGuard<'_, HashMap<String, TokenState>> {
        lock(&self.kingdee_tokens)
    }

    /// Issued Weaver tokens.
    pub fn weaver_tokens(&self) -> MutexGuard<'_, HashMap<String, TokenState>> {
        lock(&self.weaver_tokens)
    }

    /// Gives the Kingdee authorization a new `app_secret`, as Kingdee does
    /// every 24 hours: token requests signed with the old one get errcode
    /// 1030002006 from now on; issued app-tokens stay valid.
    pub fn rotate_kingdee_app_secret(&self) -> String {
        let secret = format!("emu-app-secret-{}", self.random_hex(8));
        lock(&self.config).kingdee.app_secret = secret.clone();
        secret
    }

    /// Forgets every issued token (both systems), as a server restart does:
    /// Kingdee business calls then get 4010, e9 ones `token不存在或者超时`.
    pub fn forget_tokens(&self) {
        lock(&self.kingdee_tokens).clear();
        lock(&self.weaver_tokens).clear();
        self.weaver_rest.forget_tokens();
    }

    /// Makes every issued token (both systems) expired.
    pub fn expire_tokens(&self) {
        let now = Instant::now();
        for map in [&self.kingdee_tokens, &self.weaver_tokens] {
            for state in lock(map).values_mut() {
                state.expires_at = now;
            }
        }
        self.weaver_rest.expire_tokens();
    }

    /// The server clock in ms since the epoch, with `clock_offset_ms`.
    pub fn server_now_ms(&self) -> i64 {
        let system = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        system + lock(&self.config).clock_offset_ms
    }

    /// Records a Kingdee nonce; `false` if it was seen before.
    pub fn remember_nonce(&self, client_id: &str, nonce: &str) -> bool {
        remember(
            &mut lock(&self.nonces),
            format!("{client_id}\n{nonce}"),
            NONCE_MEMORY,
        )
    }

    /// Records a Weaver sign; `false` if it was seen before.
    pub fn remember_sign(&self, sign: &str) -> bool {
        remember(&mut lock(&self.signs), sign.to_owned(), SIGN_MEMORY)
    }

    /// `bytes` random bytes as lower-case hex.
    pub fn random_hex(&self, bytes: usize) -> String {
        let mut out = String::with_capacity(bytes * 2);
        while out.len() < bytes * 2 {
            let block = self.random.next();
            let take = (bytes - out.len() / 2).min(block.len());
            out.push_str(&hex::encode(&block[..take]));
        }
        out
    }

    /// A random version-4 UUID string, like e9 tokens.
    pub fn random_uuid(&self) -> String {
        let mut b: [u8; 16] = self.random.next()[..16].try_into().expect("16 bytes");
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let h = hex::encode(b);
        format!(
            "{}-{}-{}-{}-{}",
            &h[..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..]
        )
    }
}

/// Inserts `key` unless it was seen within `keep`; forgets old keys now and
/// then so the map stays small.
fn remember(seen: &mut HashMap<String, Instant>, key: String, keep: Duration) -> bool {
    let now = Instant::now();
    if seen.len() >= 4096 {
        seen.retain(|_, at| now.duration_since(*at) < keep);
    }
    match seen.entry(key) {
        Entry::Occupied(e) if now.duration_since(*e.get()) < keep => false,
        Entry::Occupied(mut e) => {
            e.insert(now);
            true
        }
        Entry::Vacant(e) => {
            e.insert(now);
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::FaultEndpoint;

    #[test]
    fn fault_counts_per_endpoint() {
        let s = Shared::new(EmulatorConfig::default());
        s.install_fault(Fault::new(FaultEndpoint::All, FaultKind::Garbage).count(2));
        for _ in 0..2 {
            assert!(s.take_fault(Endpoint::WeaverGetToken).is_some());
        }
        assert!(s.take_fault(Endpoint::WeaverGetToken).is_none());
        assert!(s.take_fault(Endpoint::KingdeeAuthToken).is_some());
        s.install_fault(Fault::none());
        assert!(s.take_fault(Endpoint::KingdeeAuthToken).is_none());
        s.install_fault(Fault::new(Endpoint::KingdeeBusiness, FaultKind::Hang));
        assert!(s.take_fault(Endpoint::KingdeeAuthToken).is_none());
        for _ in 0..100 {
            assert!(s.take_fault(Endpoint::KingdeeBusiness).is_some());
        }
    }

    #[test]
    fn memory_refuses_repeats() {
        let s = Shared::new(EmulatorConfig::default());
        assert!(s.remember_nonce("c", "1"));
        assert!(!s.remember_nonce("c", "1"));
        assert!(s.remember_nonce("d", "1"));
        assert!(s.remember_sign("ab"));
        assert!(!s.remember_sign("ab"));
        let mut map = HashMap::new();
        assert!(remember(&mut map, "k".into(), Duration::ZERO));
        assert!(remember(&mut map, "k".into(), Duration::ZERO));
    }

    #[test]
    fn random_values_differ_and_have_shapes() {
        let s = Shared::new(EmulatorConfig::default());
        let a = s.random_hex(16);
        assert_eq!(a.len(), 32);
        assert_ne!(a, s.random_hex(16));
        assert_eq!(s.random_hex(40).len(), 80);
        let u = s.random_uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
    }

    #[test]
    fn shutdown_wakes_sleepers() {
        let signal = std::sync::Arc::new(ShutdownSignal::default());
        assert!(!signal.sleep(Duration::from_millis(1)));
        let s2 = signal.clone();
        let t = std::thread::spawn(move || s2.sleep(Duration::from_secs(60)));
        std::thread::sleep(Duration::from_millis(20));
        let started = Instant::now();
        signal.trigger();
        assert!(t.join().unwrap());
        assert!(started.elapsed() < Duration::from_secs(5));
        assert!(signal.is_set());
    }
}
