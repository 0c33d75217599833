//! Server certificates as users make them (issue 12, item 12), end to end:
//! certificates made at test time with the `openssl` command line, a TLS
//! server of this file (rustls) in front of the emulator's plain HTTP port,
//! and the Kingdee and Weaver clients (Rust API, and the C ABI for Kingdee)
//! fetching tokens through it.
//!
//! - `openssl req -x509` (CA:TRUE by default) in `ca_file`: refused as a CA
//!   certificate used as the server's own, with what to do instead, and no
//!   "set ca_file" hint (it is set); a self-signed one remade with
//!   `basicConstraints=critical,CA:FALSE`, as the message advises, works.
//! - a CA and a leaf it signed (CA:FALSE, SAN IP:127.0.0.1), the CA in
//!   `ca_file`: tokens are fetched over TLS and the emulator knows them.
//! - an expired leaf: "expired"; a leaf for another name: "another name".
//! - the self-signed server without `ca_file` (web roots and the system
//!   store): the hint to set `ca_file` is given.
//!
//! The `openssl` binary is required: without it the tests fail with a line
//! saying so (scripts/test-all.sh installs it).

mod common;
use common::{kingdee_config, last_error, output, weaver_config};
use erpauth::client::{KingdeeClient, WeaverClient};
use erpauth::ffi::{self, erpauth_status};
use erpauth::ErrorKind;
use erpauth_emulator::{Emulator, EmulatorConfig};
use std::ffi::CString;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The hint that is right only when the config has no `ca_file`.
const SET_CA_FILE: &str = "set \"ca_file\"";

// ---- certificates, made with the openssl command line ----

/// A server certificate (PEM, as the server sends it) and its key.
#[derive(Clone)]
struct Identity {
    cert: String,
    key: String,
}

/// Every certificate the tests use, made once per test process. The PEM
/// texts are kept in memory; the files openssl wrote are removed at once.
struct Pki {
    /// `openssl req -x509 ...` exactly as users make a test certificate:
    /// self-signed, basicConstraints CA:TRUE (openssl's default).
    self_signed: Identity,
    /// The same, with `-addext basicConstraints=critical,CA:FALSE`, as the
    /// refusal of `self_signed` advises.
    self_signed_leaf: Identity,
    /// A CA (`openssl req -x509`) for `ca_file`.
    ca: String,
    /// Signed by `ca`: CA:FALSE, SAN IP:127.0.0.1.
    leaf: Identity,
    /// Signed by `ca`, the same names, valid only in January 2000.
    expired: Identity,
    /// Signed by `ca`, CA:FALSE, SAN DNS:other.example only.
    other_name: Identity,
}

fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(make_pki)
}

/// `openssl ca` settings for the expired leaf: `openssl x509 -req` of
/// OpenSSL 3.0 cannot set a validity in the past, `openssl ca` can
/// (-startdate/-enddate).
const CA_CNF: &str = "[ca]
default_ca = test_ca
[test_ca]
database = index.txt
serial = serial.txt
new_certs_dir = .
default_md = sha256
policy = any
unique_subject = no
[any]
commonName = supplied
[leaf]
basicConstraints = critical,CA:FALSE
subjectAltName = IP:127.0.0.1
";

fn make_pki() -> Pki {
    let dir = TempDir::new("pki");
    let d = dir.path();
    std::fs::write(d.join("ca.cnf"), CA_CNF).unwrap();
    std::fs::write(d.join("index.txt"), "").unwrap();
    std::fs::write(d.join("serial.txt"), "01\n").unwrap();
    std::fs::write(
        d.join("leaf.ext"),
        "basicConstraints=critical,CA:FALSE\nsubjectAltName=IP:127.0.0.1\n",
    )
    .unwrap();
    std::fs::write(
        d.join("other.ext"),
        "basicConstraints=critical,CA:FALSE\nsubjectAltName=DNS:other.example\n",
    )
    .unwrap();
    let self_signed = [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1,DNS:localhost",
        "-days",
        "30",
    ];
    openssl(
        d,
        &[
            &self_signed[..],
            &["-keyout", "self.key", "-out", "self.pem"],
        ]
        .concat(),
    );
    openssl(
        d,
        &[
            &self_signed[..],
            &["-addext", "basicConstraints=critical,CA:FALSE"],
            &["-keyout", "self-leaf.key", "-out", "self-leaf.pem"],
        ]
        .concat(),
    );
    #[rustfmt::skip]
    openssl(d, &[
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=erpauth test CA",
        "-days", "30", "-keyout", "ca.key", "-out", "ca.pem",
    ]);
    #[rustfmt::skip]
    openssl(d, &[
        "req", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
        "-keyout", "leaf.key", "-out", "leaf.csr",
    ]);
    #[rustfmt::skip]
    openssl(d, &[
        "x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-set_serial", "1001", "-days", "30", "-extfile", "leaf.ext", "-out", "leaf.pem",
    ]);
    #[rustfmt::skip]
    openssl(d, &[
        "ca", "-batch", "-config", "ca.cnf", "-cert", "ca.pem", "-keyfile", "ca.key",
        "-in", "leaf.csr", "-startdate", "20000101000000Z", "-enddate", "20000201000000Z",
        "-extensions", "leaf", "-notext", "-out", "expired.pem",
    ]);
    #[rustfmt::skip]
    openssl(d, &[
        "req", "-new", "-key", "leaf.key", "-subj", "/CN=other.example", "-out", "other.csr",
    ]);
    #[rustfmt::skip]
    openssl(d, &[
        "x509", "-req", "-in", "other.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-set_serial", "1002", "-days", "30", "-extfile", "other.ext", "-out", "other.pem",
    ]);
    let read = |name: &str| std::fs::read_to_string(d.join(name)).unwrap();
    let identity = |cert: &str, key: &str| Identity {
        cert: read(cert),
        key: read(key),
    };
    Pki {
        self_signed: identity("self.pem", "self.key"),
        self_signed_leaf: identity("self-leaf.pem", "self-leaf.key"),
        ca: read("ca.pem"),
        leaf: identity("leaf.pem", "leaf.key"),
        expired: identity("expired.pem", "leaf.key"),
        other_name: identity("other.pem", "leaf.key"),
    }
}

/// Runs the openssl command line in `dir`; a missing binary or a failed
/// command fails the test with one clear line.
fn openssl(dir: &Path, args: &[&str]) {
    let out = match Command::new("openssl").args(args).current_dir(dir).output() {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "the `openssl` command is missing: tests/tls_certificates.rs makes its \
             certificates with it, as users do; install it (Debian: apt-get install \
             openssl; scripts/test-all.sh does)"
        ),
        Err(e) => panic!("cannot run openssl: {e}"),
    };
    assert!(
        out.status.success(),
        "openssl {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A directory of its own under the system's temporary directory, removed
/// when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "erpauth-tls-{name}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `pem` in a file of its own for `ca_file`.
struct CaFile {
    dir: TempDir,
}

impl CaFile {
    fn new(pem: &str) -> CaFile {
        let dir = TempDir::new("ca");
        std::fs::write(dir.path().join("ca.pem"), pem).unwrap();
        CaFile { dir }
    }

    fn path(&self) -> String {
        self.dir.path().join("ca.pem").to_str().unwrap().to_owned()
    }
}

// ---- a TLS server in front of the emulator ----

/// A TLS server on 127.0.0.1 that presents `identity` and passes the
/// plaintext of each connection both ways to the emulator's HTTP port, so
/// the emulator answers (and checks signatures) as it does over plain HTTP.
struct TlsFront {
    port: u16,
    /// Plaintext bytes received from clients: none may arrive through a
    /// certificate the client refused.
    plaintext: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl TlsFront {
    fn start(identity: &Identity, upstream: u16) -> TlsFront {
        let config = common::tls_server_config(&[&identity.cert], &identity.key);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let plaintext = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let accept = {
            let (plaintext, stop) = (plaintext.clone(), stop.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let (config, plaintext) = (config.clone(), plaintext.clone());
                    std::thread::spawn(move || pump(stream, config, upstream, &plaintext));
                }
            })
        };
        TlsFront {
            port,
            plaintext,
            stop,
            accept: Some(accept),
        }
    }

    fn url(&self, host: &str) -> String {
        format!("https://{host}:{}", self.port)
    }

    fn plaintext(&self) -> usize {
        self.plaintext.load(Ordering::SeqCst)
    }
}

impl Drop for TlsFront {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

fn would_block(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}

/// One connection: the TLS handshake (a refusal by either side ends it with
/// rustls's alert), then the plaintext both ways, polled in turn with short
/// read timeouts so one thread serves both directions, until either side
/// closes.
fn pump(
    mut tcp: TcpStream,
    config: Arc<rustls::ServerConfig>,
    upstream: u16,
    plaintext: &AtomicUsize,
) {
    const POLL: Duration = Duration::from_millis(5);
    let Ok(mut tls) = rustls::ServerConnection::new(config) else {
        return;
    };
    if tcp.set_read_timeout(Some(POLL)).is_err() {
        return;
    }
    let mut emulator: Option<TcpStream> = None;
    let mut buf = vec![0u8; 16 * 1024];
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        // TLS records from the client.
        match tls.read_tls(&mut tcp) {
            Ok(0) => return,
            Ok(_) => {
                if tls.process_new_packets().is_err() {
                    let _ = tls.write_tls(&mut tcp);
                    return;
                }
            }
            Err(e) if would_block(&e) => {}
            Err(_) => return,
        }
        // Their plaintext, to the emulator.
        loop {
            match tls.reader().read(&mut buf) {
                Ok(0) => return,
                Ok(n) => {
                    plaintext.fetch_add(n, Ordering::SeqCst);
                    if emulator.is_none() {
                        let Ok(up) = TcpStream::connect(("127.0.0.1", upstream)) else {
                            return;
                        };
                        if up.set_read_timeout(Some(POLL)).is_err() {
                            return;
                        }
                        emulator = Some(up);
                    }
                    if emulator.as_mut().unwrap().write_all(&buf[..n]).is_err() {
                        return;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(_) => return,
            }
        }
        // The emulator's answer, to the client.
        if let Some(up) = emulator.as_mut() {
            match up.read(&mut buf) {
                Ok(0) => {
                    tls.send_close_notify();
                    while tls.wants_write() && tls.write_tls(&mut tcp).is_ok() {}
                    return;
                }
                Ok(n) => {
                    if tls.writer().write_all(&buf[..n]).is_err() {
                        return;
                    }
                }
                Err(e) if would_block(&e) => {}
                Err(_) => return,
            }
        }
        while tls.wants_write() {
            if tls.write_tls(&mut tcp).is_err() {
                return;
            }
        }
    }
}

// ---- the clients ----

#[derive(Clone, Copy, Debug)]
enum System {
    Kingdee,
    Weaver,
}

/// A token fetched through `base_url` by a new client of `system` with the
/// emulator's credentials and `extra` config keys.
fn fetch(
    system: System,
    emu: &Emulator,
    base_url: &str,
    extra: serde_json::Value,
) -> erpauth::Result<String> {
    let mut overrides = extra;
    overrides["base_url"] = base_url.into();
    match system {
        System::Kingdee => KingdeeClient::from_json(&kingdee_config(emu, overrides))?
            .app_token()
            .map(|t| t.value.token.clone()),
        System::Weaver => WeaverClient::from_json(&weaver_config(emu, overrides))?
            .token(None)
            .map(|t| t.value.token.clone()),
    }
}

/// The same Kingdee fetch through the C ABI: the status and either the
/// token or `erpauth_last_error`.
fn fetch_through_c(
    emu: &Emulator,
    base_url: &str,
    extra: serde_json::Value,
) -> (erpauth_status, String) {
    let mut overrides = extra;
    overrides["base_url"] = base_url.into();
    let json = CString::new(kingdee_config(emu, overrides)).unwrap();
    let mut client = std::ptr::null_mut();
    // SAFETY: json is NUL-terminated, client a valid out pointer.
    let status = unsafe { ffi::erpauth_kingdee_client_new(json.as_ptr(), &mut client) };
    assert_eq!(status, erpauth_status::ERPAUTH_OK, "{}", last_error());
    // SAFETY: client is live until freed below; the buffer is the helper's.
    let (status, token) = output(|out, cap, len| unsafe {
        ffi::erpauth_kingdee_client_app_token(client, out, cap, len)
    });
    let result = if status == erpauth_status::ERPAUTH_OK {
        (status, token)
    } else {
        (status, last_error())
    };
    // SAFETY: client came from erpauth_kingdee_client_new and is freed once.
    unsafe { ffi::erpauth_kingdee_client_free(client) };
    result
}

/// A refusal's message: one line, within the library's cap, naming the
/// server, holding each of `words` and the "set ca_file" hint exactly when
/// `hint` says so.
fn check_refusal(message: &str, port: u16, words: &[&str], hint: bool) {
    assert!(
        !message.contains('\n') && !message.contains('\r'),
        "{message}"
    );
    assert!(message.len() <= 512, "{} bytes: {message}", message.len());
    assert!(message.contains(&format!("127.0.0.1:{port}")), "{message}");
    assert!(message.contains("TLS failed"), "{message}");
    for word in words {
        assert!(message.contains(word), "{word:?} not in: {message}");
    }
    assert_eq!(
        message.contains(SET_CA_FILE),
        hint,
        "ca_file hint: {message}"
    );
}

/// Every system's token fetch from a server presenting `identity`, with
/// `extra` config keys, is refused as `ErrorKind::Network` with a message
/// as [`check_refusal`] wants it, and no plaintext reaches the server.
fn refused(identity: &Identity, extra: serde_json::Value, words: &[&str], hint: bool) {
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    let front = TlsFront::start(identity, emu.port());
    for system in [System::Kingdee, System::Weaver] {
        let err = fetch(system, &emu, &front.url("127.0.0.1"), extra.clone())
            .expect_err("a certificate the client must refuse");
        eprintln!("{system:?}: {}", err.message());
        assert_eq!(err.kind(), ErrorKind::Network, "{system:?}: {err}");
        check_refusal(err.message(), front.port, words, hint);
    }
    let (status, message) = fetch_through_c(&emu, &front.url("127.0.0.1"), extra);
    assert_eq!(status, erpauth_status::ERPAUTH_NETWORK, "{message}");
    check_refusal(&message, front.port, words, hint);
    assert_eq!(
        front.plaintext(),
        0,
        "a request passed a refused certificate"
    );
}

// ---- the cases ----

/// The certificate users make first, `openssl req -x509`, is CA:TRUE and
/// refused as the server's own even through `ca_file`; the message says so
/// and what to make instead, and does not ask for the ca_file already set.
#[test]
fn a_self_signed_openssl_certificate_in_ca_file_is_named_a_ca_certificate() {
    let pki = pki();
    let ca_file = CaFile::new(&pki.self_signed.cert);
    refused(
        &pki.self_signed,
        serde_json::json!({"ca_file": ca_file.path()}),
        &[
            "is a CA certificate",
            "used as a server certificate",
            "CA:TRUE",
            "CA:FALSE",
            "basicConstraints=critical,CA:FALSE",
        ],
        false,
    );
}

/// The advice of that message works: the self-signed certificate remade
/// with `-addext basicConstraints=critical,CA:FALSE` and given as ca_file.
#[test]
fn a_self_signed_certificate_with_ca_false_in_ca_file_works() {
    let pki = pki();
    let ca_file = CaFile::new(&pki.self_signed_leaf.cert);
    works(&pki.self_signed_leaf, &ca_file);
}

/// A CA and a leaf it signed, the CA in ca_file: both clients fetch tokens
/// over TLS (the emulator behind the TLS server knows them), through the
/// Rust API and the C ABI.
#[test]
fn a_leaf_signed_by_the_ca_in_ca_file_works() {
    let pki = pki();
    let ca_file = CaFile::new(&pki.ca);
    works(&pki.leaf, &ca_file);
}

fn works(identity: &Identity, ca_file: &CaFile) {
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    let front = TlsFront::start(identity, emu.port());
    let extra = serde_json::json!({"ca_file": ca_file.path()});
    for system in [System::Kingdee, System::Weaver] {
        let token = fetch(system, &emu, &front.url("127.0.0.1"), extra.clone())
            .unwrap_or_else(|e| panic!("{system:?} over TLS: {e}"));
        assert!(emu.token_info(&token).is_some(), "{system:?}: {token}");
    }
    let (status, token) = fetch_through_c(&emu, &front.url("127.0.0.1"), extra);
    assert_eq!(status, erpauth_status::ERPAUTH_OK, "{token}");
    assert!(emu.token_info(&token).is_some(), "{token}");
    assert!(front.plaintext() > 0);
}

/// A leaf whose validity ended in 2000.
#[test]
fn an_expired_certificate_is_called_expired() {
    let pki = pki();
    let ca_file = CaFile::new(&pki.ca);
    refused(
        &pki.expired,
        serde_json::json!({"ca_file": ca_file.path()}),
        &["certificate has expired"],
        false,
    );
}

/// A leaf for DNS:other.example only, reached as 127.0.0.1.
#[test]
fn a_certificate_for_another_name_says_so() {
    let pki = pki();
    let ca_file = CaFile::new(&pki.ca);
    refused(
        &pki.other_name,
        serde_json::json!({"ca_file": ca_file.path()}),
        &["is for another name", "other.example"],
        false,
    );
}

/// Without ca_file (the web roots, or the system store) the self-signed
/// server needs both changes, and the message asks for ca_file.
#[test]
fn without_ca_file_the_self_signed_server_gets_the_ca_file_hint() {
    let pki = pki();
    for extra in [
        serde_json::json!({}),
        serde_json::json!({"tls_roots": "system"}),
    ] {
        refused(
            &pki.self_signed,
            extra,
            &["is a CA certificate", "CA:FALSE"],
            true,
        );
    }
}
