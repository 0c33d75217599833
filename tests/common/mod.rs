//! Helpers shared by the integration tests: the C ABI called from Rust, the
//! transport-fault table, a refused port, resident memory.

#![allow(dead_code)] // each test binary uses its own subset

use erpauth::ffi::{self, erpauth_status};
use std::ffi::c_char;

/// An in-process emulator with the default credentials.
pub fn start() -> erpauth_emulator::Emulator {
    erpauth_emulator::Emulator::start(erpauth_emulator::EmulatorConfig::default()).unwrap()
}

/// A GET business request without a body.
pub fn get(target: &str) -> erpauth::client::Request<'_> {
    erpauth::client::Request {
        method: "GET",
        path_and_query: target,
        body: None,
        content_type: None,
    }
}

/// A POST business request with `body` and the default content type.
pub fn post<'a>(target: &'a str, body: &'a [u8]) -> erpauth::client::Request<'a> {
    erpauth::client::Request {
        method: "POST",
        path_and_query: target,
        body: Some(body),
        content_type: None,
    }
}

/// A body that must be JSON, parsed.
pub fn json(body: &[u8]) -> serde_json::Value {
    serde_json::from_slice(body).unwrap()
}

/// This thread's `erpauth_last_error`.
pub fn last_error() -> String {
    let mut buf = vec![0u8; 1024];
    let mut len = 0usize;
    // SAFETY: buf is 1024 writable bytes and len a valid usize.
    let status = unsafe { ffi::erpauth_last_error(buf.as_mut_ptr().cast(), buf.len(), &mut len) };
    assert_eq!(status, erpauth_status::ERPAUTH_OK);
    String::from_utf8(buf[..len].to_vec()).unwrap()
}

/// A handle from a `_new` export that takes a config JSON, such as
/// `erpauth_kingdee_client_new`; asserts `ERPAUTH_OK`.
pub fn c_new<T>(
    json: &str,
    new: unsafe extern "C" fn(*const c_char, *mut *mut T) -> erpauth_status,
) -> *mut T {
    let json = std::ffi::CString::new(json).unwrap();
    let mut handle = std::ptr::null_mut();
    // SAFETY: json is NUL-terminated; handle is a valid out pointer.
    let status = unsafe { new(json.as_ptr(), &mut handle) };
    assert_eq!(status, erpauth_status::ERPAUTH_OK, "{}", last_error());
    handle
}

/// Calls an output function with a 512-byte buffer.
pub fn output(
    call: impl FnOnce(*mut c_char, usize, *mut usize) -> erpauth_status,
) -> (erpauth_status, String) {
    let mut buf = vec![0u8; 512];
    let mut len = 0usize;
    let status = call(buf.as_mut_ptr().cast(), buf.len(), &mut len);
    (status, String::from_utf8(buf[..len].to_vec()).unwrap())
}

/// The transport faults a token fetch can meet, and the error kind each must
/// give. One table drives both clients (tests/kingdee_client.rs and
/// tests/weaver_client.rs), so their fault tests cannot drift apart.
pub fn transport_faults(
    endpoint: erpauth_emulator::Endpoint,
) -> Vec<(erpauth_emulator::Fault, erpauth::ErrorKind)> {
    use erpauth::ErrorKind;
    use erpauth_emulator::{Fault, FaultKind};
    let f = |kind| Fault::new(endpoint, kind);
    vec![
        (f(FaultKind::Http500), ErrorKind::Http),
        (f(FaultKind::Http519NoBody), ErrorKind::Http),
        (f(FaultKind::RedirectLoop), ErrorKind::Http),
        (f(FaultKind::Garbage), ErrorKind::BadResponse),
        (f(FaultKind::HugeBody), ErrorKind::BadResponse),
        (f(FaultKind::Reset), ErrorKind::Network),
        (f(FaultKind::ResetMidBody), ErrorKind::Network),
        (f(FaultKind::HalfClose), ErrorKind::Network),
        (f(FaultKind::Hang), ErrorKind::Network),
        (f(FaultKind::SlowDrip).drip_ms(20), ErrorKind::Network),
        // An answer that starts only after the client's timeout.
        (f(FaultKind::Delay).delay_ms(3000), ErrorKind::Network),
    ]
}

/// Installs each fault of [`transport_faults`] in turn and runs `fetch` (a
/// token fetch by a fresh client with `timeout_ms` 1000): it must fail with
/// the table's kind, and no fetch may take longer than the timeout plus
/// 1 s. Returns how many requests the endpoint should have counted.
pub fn check_transport_faults(
    emu: &erpauth_emulator::Emulator,
    endpoint: erpauth_emulator::Endpoint,
    fetch: impl Fn() -> erpauth::Result<()>,
) -> u64 {
    let faults = transport_faults(endpoint);
    for (fault, kind) in &faults {
        emu.set_fault(*fault);
        let started = std::time::Instant::now();
        let err = fetch().expect_err("a fetch under a transport fault fails");
        let elapsed = started.elapsed();
        assert_eq!(err.kind(), *kind, "{:?}: {}", fault.kind, err.message());
        assert!(
            elapsed < std::time::Duration::from_secs(2),
            "{:?} took {elapsed:?}",
            fault.kind
        );
    }
    faults.len() as u64
}

/// Runs `f` on `n` threads at once and returns what each returned.
pub fn on_threads<T: Send>(n: usize, f: impl Fn() -> T + Sync) -> Vec<T> {
    std::thread::scope(|s| {
        let threads: Vec<_> = (0..n).map(|_| s.spawn(&f)).collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    })
}

/// `fetch` (a token fetch by a client with `timeout_ms` 1000 whose base_url
/// it is given) against a port with nothing listening: a network error,
/// within the timeout plus 1 s.
pub fn check_nothing_listening(fetch: impl FnOnce(String) -> erpauth::Result<()>) {
    let base_url = format!("http://127.0.0.1:{}", refused_port());
    let started = std::time::Instant::now();
    let err = fetch(base_url).expect_err("nothing listens there");
    assert_eq!(err.kind(), erpauth::ErrorKind::Network, "{}", err.message());
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
}

/// A port with nothing listening on it (bound, then closed again).
pub fn refused_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Resident memory in KiB, after handing the allocator's free pages back to
/// the system so that the figure is live memory, not glibc's arena caches.
pub fn rss_kib() -> i64 {
    // SAFETY: malloc_trim has no preconditions.
    unsafe { libc::malloc_trim(0) };
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/self/status")
}

/// The emulator's default Kingdee credentials as a client config for `emu`,
/// with `overrides` (a JSON object) merged over them.
pub fn kingdee_config(emu: &erpauth_emulator::Emulator, overrides: serde_json::Value) -> String {
    merge(
        serde_json::json!({
            "client_id": "emu-client-id",
            "client_secret": "emu-client-secret",
            "app_key": "emuAppKey",
            "app_secret": "emu-app-secret",
            "base_url": emu.base_url(),
            "domain": "https://emu.jdy.com",
            "timeout_ms": 1000,
        }),
        &overrides,
    )
    .to_string()
}

/// The emulator's default Weaver credentials as a client config for `emu`,
/// with `overrides` (a JSON object) merged over them.
pub fn weaver_config(emu: &erpauth_emulator::Emulator, overrides: serde_json::Value) -> String {
    merge(
        serde_json::json!({
            "base_url": emu.base_url(),
            "appid": "emu-appid",
            "secret": "emu-secret",
            "aes_key": "emu-aes-key-0016",
            "timeout_ms": 1000,
        }),
        &overrides,
    )
    .to_string()
}

/// `base` with the keys of `overrides` (a JSON object) set over it.
pub fn merge(mut base: serde_json::Value, overrides: &serde_json::Value) -> serde_json::Value {
    for (k, v) in overrides.as_object().expect("overrides are a JSON object") {
        base[k] = v.clone();
    }
    base
}

/// A server that gives every connection the same answer: `body` as JSON
/// with HTTP 200.
pub struct Canned {
    pub port: u16,
}

impl Canned {
    pub fn start(body: &'static str) -> Canned {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                    head.push(byte[0]);
                }
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        Canned { port }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// A TLS server configuration for the local test servers: the certificate
/// chain (leaf first) and key as PEM, with the crypto provider ureq's rustls
/// is built with here (ring, see Cargo.toml).
pub fn tls_server_config(
    chain_pem: &[&str],
    key_pem: &str,
) -> std::sync::Arc<rustls::ServerConfig> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let chain = chain_pem
        .iter()
        .map(|pem| CertificateDer::from_pem_slice(pem.as_bytes()).unwrap())
        .collect();
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .unwrap();
    std::sync::Arc::new(config)
}
