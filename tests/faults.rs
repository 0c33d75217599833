//! Faults (issue 7, item 3), each against the emulator or a small server of
//! this file in front of it: a slow-drip body, a hang, a half-closed
//! connection, resets, HTTP 500/502/519 with and without JSON, a redirect
//! loop, a 100 MiB body, TLS to a plain-HTTP port and plain HTTP to a TLS
//! port, certificate verification, an unresolvable host, and a server clock
//! ten minutes off. For each: the right status and a message that says what
//! happened, within `timeout_ms` + 1 s, on all of eight threads that ask the
//! same client at once (none stays blocked), and the same client works
//! again once the fault is gone.
//!
//! `tests/kingdee_client.rs` and `tests/weaver_client.rs` map each fault
//! kind to an error kind for one caller; this file adds the messages, the
//! concurrent callers, recovery, memory, TLS, DNS and clock cases.

mod common;
use common::rss_kib;
use erpauth::client::{KingdeeClient, WeaverClient, WeaverUser};
use erpauth::ErrorKind;
use erpauth_emulator::{Emulator, EmulatorConfig, Endpoint, Fault, FaultKind};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Barrier, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const TIMEOUT_MS: u64 = 1000;
/// Every failure must be reported within the timeout plus one second.
const DEADLINE: Duration = Duration::from_millis(TIMEOUT_MS + 1000);
const CALLERS: usize = 8;

// A test CA and a server certificate it signed for IP 127.0.0.1 only (EC
// P-256, valid 2000-2125), made with openssl for this file. Test material:
// the key protects nothing.
const CA_PEM: &str = "-----BEGIN CERTIFICATE-----
MIIBaTCCAQ6gAwIBAgICEAAwCgYIKoZIzj0EAwIwGjEYMBYGA1UEAwwPZXJwYXV0
aCB0ZXN0IENBMCAXDTAwMDEwMTAwMDAwMFoYDzIxMjUwMTAxMDAwMDAwWjAaMRgw
FgYDVQQDDA9lcnBhdXRoIHRlc3QgQ0EwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNC
AAQGpT6m9lTjG57GIu3l8X90shDVNNwvnyKw1mjCVhC9ECZtY/bOpOcgsobgcGie
8v3iV119xOvv18J3GD17ALGPo0IwQDAPBgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB
/wQEAwIBBjAdBgNVHQ4EFgQUQb2mZlpU+rqLKSZphDfaSXEHBjUwCgYIKoZIzj0E
AwIDSQAwRgIhANsV4P7SijgjuT56uuV393u0fu7btiBiKVkQWXCPyINAAiEA+IAW
hxm7oe6F4B5/fVJE7Y0XtdAZQ0oN8oZUBBmpHU4=
-----END CERTIFICATE-----
";
const SERVER_CERT_PEM: &str = "-----BEGIN CERTIFICATE-----
MIIBpzCCAU6gAwIBAgICEAEwCgYIKoZIzj0EAwIwGjEYMBYGA1UEAwwPZXJwYXV0
aCB0ZXN0IENBMCAXDTAwMDEwMTAwMDAwMFoYDzIxMjUwMTAxMDAwMDAwWjAUMRIw
EAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAR1o3MQ
9GV0FTgnA1uOgee3WL0Ahetpy61XzsaBvfJwy/U4RWvIx1+SqXX6XouTalnIBs7O
3orU6o0SONkQa2TRo4GHMIGEMAwGA1UdEwEB/wQCMAAwDgYDVR0PAQH/BAQDAgeA
MBMGA1UdJQQMMAoGCCsGAQUFBwMBMA8GA1UdEQQIMAaHBH8AAAEwHwYDVR0jBBgw
FoAUQb2mZlpU+rqLKSZphDfaSXEHBjUwHQYDVR0OBBYEFPPbzvHiVdW2tIh8Bnhk
73tRU9RZMAoGCCqGSM49BAMCA0cAMEQCIGSokFu01UT1TIdDKnT+1FHZeBOmer0I
tMucG/Q9juL+AiAtV3//lD7gzMiHcPU+jxWJ53T4TyCfFTeIarlTC6x3cQ==
-----END CERTIFICATE-----
";
const SERVER_KEY_PEM: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgFdiWKKENaOEZstCI
LYpo8GmHlIFuKju7tqqtAwMcY4ihRANCAAR1o3MQ9GV0FTgnA1uOgee3WL0Ahetp
y61XzsaBvfJwy/U4RWvIx1+SqXX6XouTalnIBs7O3orU6o0SONkQa2TR
-----END PRIVATE KEY-----
";

// ---- clients of either system ----

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum System {
    Kingdee,
    Weaver,
}

const SYSTEMS: [System; 2] = [System::Kingdee, System::Weaver];

impl System {
    fn endpoint(self) -> Endpoint {
        match self {
            System::Kingdee => Endpoint::KingdeeAuthToken,
            System::Weaver => Endpoint::WeaverGetToken,
        }
    }

    /// Token requests the emulator has seen for this system.
    fn requests(self, emu: &Emulator) -> u64 {
        let stats = emu.stats();
        match self {
            System::Kingdee => stats.kingdee_auth_token,
            System::Weaver => stats.weaver_get_token,
        }
    }
}

enum Client {
    Kingdee(Box<KingdeeClient>),
    Weaver(Box<WeaverClient>),
}

impl Client {
    /// A client of `system` with the emulator's default credentials, for
    /// `base_url`, with `extra` config keys.
    fn new(system: System, base_url: &str, extra: serde_json::Value) -> erpauth::Result<Client> {
        let mut config = match system {
            System::Kingdee => serde_json::json!({
                "client_id": "emu-client-id", "client_secret": "emu-client-secret",
                "app_key": "emuAppKey", "app_secret": "emu-app-secret",
                "domain": "https://emu.jdy.com",
            }),
            System::Weaver => serde_json::json!({
                "appid": "emu-appid", "secret": "emu-secret", "aes_key": "emu-aes-key-0016",
            }),
        };
        config["base_url"] = base_url.into();
        config["timeout_ms"] = TIMEOUT_MS.into();
        for (k, v) in extra.as_object().unwrap() {
            config[k] = v.clone();
        }
        let json = config.to_string();
        Ok(match system {
            System::Kingdee => Client::Kingdee(Box::new(KingdeeClient::from_json(&json)?)),
            System::Weaver => Client::Weaver(Box::new(WeaverClient::from_json(&json)?)),
        })
    }

    fn of(system: System, base_url: &str) -> Arc<Client> {
        Arc::new(Client::new(system, base_url, serde_json::json!({})).unwrap())
    }

    fn token(&self) -> erpauth::Result<String> {
        match self {
            Client::Kingdee(c) => c.app_token().map(|t| t.value.token.clone()),
            Client::Weaver(c) => c.token(None).map(|t| t.value.token.clone()),
        }
    }

    /// A Weaver user's token too, so both cache entries go through the fault.
    fn user_token(&self) -> erpauth::Result<String> {
        match self {
            Client::Kingdee(c) => c.app_token().map(|t| t.value.token.clone()),
            Client::Weaver(c) => c
                .token(Some(&WeaverUser {
                    user_type: "id".into(),
                    user_contain: "1".into(),
                }))
                .map(|t| t.value.token.clone()),
        }
    }
}

/// What every caller of one faulted request got.
struct Outcome {
    kind: ErrorKind,
    message: String,
}

/// `CALLERS` threads ask `client` for a token at the same moment. Each must
/// come back within `DEADLINE` with an error of `kind` whose message holds
/// every one of `words` (a word `a|b` is either `a` or `b`); a thread still blocked after the deadline fails
/// the test (it is left behind, the test process ends anyway).
fn every_caller_fails(client: &Arc<Client>, kind: ErrorKind, words: &[&str]) -> Outcome {
    let barrier = Arc::new(Barrier::new(CALLERS));
    let (tx, rx) = mpsc::channel();
    for i in 0..CALLERS {
        let (client, barrier, tx) = (client.clone(), barrier.clone(), tx.clone());
        std::thread::spawn(move || {
            barrier.wait();
            let started = Instant::now();
            let result = if i % 2 == 0 {
                client.token()
            } else {
                client.user_token()
            };
            let _ = tx.send((result, started.elapsed()));
        });
    }
    drop(tx);
    let waited_from = Instant::now();
    let mut outcome = None;
    for _ in 0..CALLERS {
        let left = (DEADLINE + Duration::from_millis(500)).saturating_sub(waited_from.elapsed());
        let (result, elapsed) = rx
            .recv_timeout(left)
            .unwrap_or_else(|_| panic!("a caller is still blocked after {DEADLINE:?}"));
        let err = result.expect_err("the fault let a token through");
        assert!(
            elapsed <= DEADLINE,
            "{:?} after {elapsed:?}: {err}",
            err.kind()
        );
        assert_eq!(err.kind(), kind, "{err}");
        for word in words {
            // "a|b": either wording is right.
            assert!(
                word.split('|').any(|w| err.message().contains(w)),
                "{word:?} not in: {err}"
            );
        }
        assert!(
            !err.message().chars().any(char::is_control),
            "{:?}",
            err.message()
        );
        outcome.get_or_insert(Outcome {
            kind: err.kind(),
            message: err.message().to_owned(),
        });
    }
    outcome.unwrap()
}

/// The same client, asked again once the fault is gone, gets a token.
fn recovers(client: &Client) {
    let started = Instant::now();
    let token = client.token().expect("the client recovers");
    client.user_token().expect("the client recovers");
    assert!(!token.is_empty());
    assert!(started.elapsed() <= DEADLINE);
}

fn host(port: u16) -> String {
    format!("127.0.0.1:{port}")
}

// ---- faults of the emulator ----

/// Runs `fault` against both systems: every caller fails as expected, the
/// emulator saw at least one request, the same client recovers.
fn emulator_fault(fault: impl Fn(Endpoint) -> Fault, kind: ErrorKind, words: &[&str]) {
    for system in SYSTEMS {
        let emu = Emulator::start(EmulatorConfig::default()).unwrap();
        let client = Client::of(system, &emu.base_url());
        emu.set_fault(fault(system.endpoint()));
        let mut expected: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        expected.push(host(emu.port()));
        let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
        let outcome = every_caller_fails(&client, kind, &expected);
        eprintln!(
            "{system:?} {:?}: {:?}: {}",
            fault(system.endpoint()).kind,
            outcome.kind,
            outcome.message
        );
        assert!(system.requests(&emu) >= 1);
        emu.clear_faults();
        recovers(&client);
    }
}

#[test]
fn slow_drip_past_the_timeout() {
    emulator_fault(
        |e| Fault::new(e, FaultKind::SlowDrip).drip_ms(50),
        ErrorKind::Network,
        &["no complete answer within timeout_ms = 1000"],
    );
}

#[test]
fn hang_after_the_request() {
    emulator_fault(
        |e| Fault::new(e, FaultKind::Hang),
        ErrorKind::Network,
        &["no complete answer within timeout_ms = 1000"],
    );
}

/// A hung request is one flight: the eight callers share one request.
#[test]
fn callers_share_one_hung_request() {
    for system in SYSTEMS {
        let emu = Emulator::start(EmulatorConfig::default()).unwrap();
        let client = Client::of(system, &emu.base_url());
        emu.set_fault(Fault::new(system.endpoint(), FaultKind::Hang));
        let barrier = Arc::new(Barrier::new(CALLERS));
        let threads: Vec<JoinHandle<()>> = (0..CALLERS)
            .map(|_| {
                let (client, barrier) = (client.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    client.token().unwrap_err();
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(system.requests(&emu), 1, "{system:?}");
    }
}

#[test]
fn half_closed_connection() {
    emulator_fault(
        |e| Fault::new(e, FaultKind::HalfClose),
        ErrorKind::Network,
        &["closed the connection before the answer was complete"],
    );
}

#[test]
fn reset_before_the_answer() {
    emulator_fault(
        |e| Fault::new(e, FaultKind::Reset),
        ErrorKind::Network,
        &["the server reset the connection|the server closed the connection"],
    );
}

#[test]
fn reset_in_the_middle_of_the_body() {
    emulator_fault(
        |e| Fault::new(e, FaultKind::ResetMidBody),
        ErrorKind::Network,
        // Whether the RST or the short body is noticed first.
        &["the server reset the connection|closed the connection before the answer was complete"],
    );
}

#[test]
fn http_500_with_an_html_body() {
    emulator_fault(
        |e| Fault::new(e, FaultKind::Http500),
        ErrorKind::Http,
        &["answered HTTP 500", "500 Internal Server Error"],
    );
}

#[test]
fn http_502_with_a_json_body() {
    emulator_fault(
        |e| Fault::new(e, FaultKind::Http502Json),
        ErrorKind::Http,
        &["answered HTTP 502", "Bad Gateway"],
    );
}

#[test]
fn http_519_without_a_body() {
    emulator_fault(
        |e| Fault::new(e, FaultKind::Http519NoBody),
        ErrorKind::Http,
        &["answered HTTP 519 with no body"],
    );
}

#[test]
fn redirect_loop_is_not_followed() {
    for system in SYSTEMS {
        let emu = Emulator::start(EmulatorConfig::default()).unwrap();
        let client = Client::of(system, &emu.base_url());
        emu.set_fault(Fault::new(system.endpoint(), FaultKind::RedirectLoop));
        let started = Instant::now();
        let err = client.token().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Http, "{err}");
        assert!(err.message().contains("HTTP 302"), "{err}");
        assert!(err.message().contains("redirect"), "{err}");
        assert!(started.elapsed() <= DEADLINE);
        // Signed headers are never sent to where a redirect points.
        assert_eq!(system.requests(&emu), 1);
        every_caller_fails(&client, ErrorKind::Http, &["HTTP 302"]);
        emu.clear_faults();
        recovers(&client);
    }
}

#[test]
fn a_100_mib_body_is_refused_at_the_cap_and_memory_stays_flat() {
    for system in SYSTEMS {
        let emu = Emulator::start(EmulatorConfig::default()).unwrap();
        let client = Client::of(system, &emu.base_url());
        emu.set_fault(Fault::new(system.endpoint(), FaultKind::HugeBody).huge_body_mib(100));
        // A first refusal sets up the connection pool and buffers.
        client.token().unwrap_err();
        let before = rss_kib();
        for _ in 0..5 {
            let started = Instant::now();
            let err = client.token().unwrap_err();
            assert_eq!(err.kind(), ErrorKind::BadResponse, "{err}");
            assert!(
                err.message()
                    .contains("larger than 1048576 bytes and was refused"),
                "{err}"
            );
            // Refused at the cap: the other 99 MiB are never read.
            assert!(started.elapsed() < DEADLINE, "{:?}", started.elapsed());
        }
        let after = rss_kib();
        eprintln!("{system:?}: RSS {before} KiB before five 100 MiB answers, {after} KiB after");
        // Buffering even one whole body would add 100 MiB.
        assert!(
            after - before < 8 * 1024,
            "RSS grew from {before} to {after} KiB"
        );
        every_caller_fails(
            &client,
            ErrorKind::BadResponse,
            &["larger than 1048576 bytes"],
        );
        emu.clear_faults();
        recovers(&client);
    }
}

// ---- a server in front of the emulator: canned answers, TLS ----

/// What the front server does with each request.
#[derive(Clone)]
enum Behaviour {
    /// Passes the request to the emulator and its answer back.
    Forward,
    /// Answers itself.
    Canned {
        status: u16,
        content_type: &'static str,
        body: &'static str,
    },
}

/// A server on 127.0.0.1 (plain or TLS, switchable) that answers each
/// request on a connection of its own, with `Connection: close`.
struct Front {
    port: u16,
    behaviour: Arc<Mutex<Behaviour>>,
    /// Whether new connections speak TLS.
    tls: Arc<AtomicBool>,
    /// Complete request heads received (after any TLS handshake).
    requests: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl Front {
    fn start(upstream: u16, tls: bool, behaviour: Behaviour) -> Front {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let behaviour = Arc::new(Mutex::new(behaviour));
        let requests = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let tls = Arc::new(AtomicBool::new(tls));
        let config = server_tls_config();
        let accept = {
            let (behaviour, requests, stop, tls) = (
                behaviour.clone(),
                requests.clone(),
                stop.clone(),
                tls.clone(),
            );
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let tls = tls.load(Ordering::SeqCst).then(|| config.clone());
                    let (behaviour, requests) = (behaviour.clone(), requests.clone());
                    std::thread::spawn(move || {
                        serve(stream, tls, upstream, &behaviour, &requests);
                    });
                }
            })
        };
        Front {
            port,
            behaviour,
            tls,
            requests,
            stop,
            accept: Some(accept),
        }
    }

    fn set(&self, behaviour: Behaviour) {
        *self.behaviour.lock().unwrap() = behaviour;
    }

    /// Whether connections from now on speak TLS.
    fn set_tls(&self, on: bool) {
        self.tls.store(on, Ordering::SeqCst);
    }

    fn url(&self, scheme: &str) -> String {
        format!("{scheme}://127.0.0.1:{}", self.port)
    }
}

impl Drop for Front {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

fn server_tls_config() -> Arc<rustls::ServerConfig> {
    common::tls_server_config(&[SERVER_CERT_PEM, CA_PEM], SERVER_KEY_PEM)
}

fn serve(
    stream: TcpStream,
    tls: Option<Arc<rustls::ServerConfig>>,
    upstream: u16,
    behaviour: &Mutex<Behaviour>,
    requests: &AtomicUsize,
) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    match tls {
        None => exchange(stream, upstream, behaviour, requests),
        Some(config) => {
            let conn = rustls::ServerConnection::new(config).unwrap();
            // A client that is not speaking TLS fails the handshake inside
            // the first read; rustls then sends its alert and gives up.
            exchange(
                rustls::StreamOwned::new(conn, stream),
                upstream,
                behaviour,
                requests,
            );
        }
    }
}

fn exchange(
    io: impl Read + Write,
    upstream: u16,
    behaviour: &Mutex<Behaviour>,
    requests: &AtomicUsize,
) {
    let mut reader = BufReader::new(io);
    // Like any HTTP server, refuse at once what cannot be a request line
    // (a TLS ClientHello starts with byte 0x16).
    match reader.fill_buf() {
        Ok(bytes) if bytes.first().is_some_and(u8::is_ascii_uppercase) => {}
        Ok([]) => return,
        Ok(_) => {
            let mut io = reader.into_inner();
            let _ = io.write_all(
                b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
            let _ = io.flush();
            return;
        }
        Err(_) => return,
    }
    let mut head = Vec::new();
    loop {
        let mut line = Vec::new();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let end = line == b"\r\n";
        head.extend_from_slice(&line);
        if end {
            break;
        }
        if head.len() > 64 * 1024 {
            return;
        }
    }
    requests.fetch_add(1, Ordering::SeqCst);
    let answer = match behaviour.lock().unwrap().clone() {
        Behaviour::Canned {
            status,
            content_type,
            body,
        } => format!(
            "HTTP/1.1 {status} Canned\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
        Behaviour::Forward => forward(upstream, &head),
    };
    let mut io = reader.into_inner();
    let _ = io.write_all(&answer);
    let _ = io.flush();
}

/// Sends a bodiless request head to the emulator with `Connection: close`
/// and returns its whole answer.
fn forward(upstream: u16, head: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(head);
    let mut request = String::new();
    for line in text.split("\r\n").filter(|l| !l.is_empty()) {
        if !line.to_ascii_lowercase().starts_with("connection:") {
            request.push_str(line);
            request.push_str("\r\n");
        }
    }
    request.push_str("Connection: close\r\n\r\n");
    let mut emulator = TcpStream::connect(("127.0.0.1", upstream)).unwrap();
    emulator.write_all(request.as_bytes()).unwrap();
    let mut answer = Vec::new();
    let _ = emulator.read_to_end(&mut answer);
    answer
}

/// A canned answer for every system's token request: the statuses and
/// bodies a proxy or a broken server gives.
fn canned_case(
    status: u16,
    content_type: &'static str,
    body: &'static str,
    expected: &[(System, ErrorKind, &[&str])],
) {
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    for &(system, kind, words) in expected {
        let front = Front::start(
            emu.port(),
            false,
            Behaviour::Canned {
                status,
                content_type,
                body,
            },
        );
        let client = Client::of(system, &front.url("http"));
        let outcome = every_caller_fails(&client, kind, words);
        eprintln!(
            "{system:?} canned {status}: {:?}: {}",
            outcome.kind, outcome.message
        );
        front.set(Behaviour::Forward);
        recovers(&client);
    }
}

#[test]
fn http_500_with_a_json_body() {
    canned_case(
        500,
        "application/json",
        r#"{"errcode":500,"description":"Internal Server Error","code":500}"#,
        &[
            (
                System::Kingdee,
                ErrorKind::Http,
                &["answered HTTP 500", "Internal Server Error"],
            ),
            (
                System::Weaver,
                ErrorKind::Http,
                &["answered HTTP 500", "Internal Server Error"],
            ),
        ],
    );
}

#[test]
fn http_502_with_an_html_body() {
    canned_case(
        502,
        "text/html",
        "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>",
        &[
            (System::Kingdee, ErrorKind::Http, &["answered HTTP 502", "502 Bad Gateway"]),
            (System::Weaver, ErrorKind::Http, &["answered HTTP 502", "502 Bad Gateway"]),
        ],
    );
}

/// HTTP 519 with the gateway's JSON is a refusal with the gateway's own
/// code and words; the same body from a non-gateway server (Weaver) is an
/// HTTP error.
#[test]
fn http_519_with_a_json_body() {
    canned_case(
        519,
        "application/json",
        r#"{"code":4010,"msg":"access token invalid","success":false}"#,
        &[
            (
                System::Kingdee,
                ErrorKind::Rejected,
                &["HTTP 519", "code 4010: access token invalid"],
            ),
            (
                System::Weaver,
                ErrorKind::Http,
                &["answered HTTP 519", "access token invalid"],
            ),
        ],
    );
}

/// A 200 that is not the documented JSON: the answer is shown, shortened.
#[test]
fn http_200_with_a_login_page() {
    canned_case(
        200,
        "text/html",
        "<html><body><form action=\"/login\">Session expired, please log in</form></body></html>",
        &[
            (
                System::Kingdee,
                ErrorKind::BadResponse,
                &["is not JSON", "Session expired"],
            ),
            (
                System::Weaver,
                ErrorKind::BadResponse,
                &["is not JSON", "Session expired"],
            ),
        ],
    );
}

/// The test CA in a file of its own for `ca_file`, removed when dropped.
struct CaFile(std::path::PathBuf);

impl CaFile {
    fn new(name: &str) -> CaFile {
        let path =
            std::env::temp_dir().join(format!("erpauth-faults-{name}-{}.pem", std::process::id()));
        std::fs::write(&path, CA_PEM).unwrap();
        CaFile(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for CaFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// `https://` to a server that speaks plain HTTP: the emulator itself, and
/// the front server, which then turns to TLS; the same client (trusting
/// the test CA) works from then on.
#[test]
fn tls_to_a_plain_http_port() {
    let ca = CaFile::new("tls-to-plain");
    for system in SYSTEMS {
        let emu = Emulator::start(EmulatorConfig::default()).unwrap();
        let client = Client::of(system, &format!("https://127.0.0.1:{}", emu.port()));
        let outcome = every_caller_fails(&client, ErrorKind::Network, &["TLS", &host(emu.port())]);
        eprintln!("{system:?} TLS to plain: {}", outcome.message);
        // The ClientHello reached the emulator as garbage; no token request
        // was ever made.
        assert_eq!(system.requests(&emu), 0);

        let front = Front::start(emu.port(), false, Behaviour::Forward);
        let client = Arc::new(
            Client::new(
                system,
                &front.url("https"),
                serde_json::json!({"ca_file": ca.path()}),
            )
            .unwrap(),
        );
        every_caller_fails(&client, ErrorKind::Network, &["TLS", &host(front.port)]);
        assert_eq!(front.requests.load(Ordering::SeqCst), 0);
        front.set_tls(true);
        recovers(&client);
    }
}

/// `http://` to a server that speaks TLS: its alert is no HTTP answer.
/// Once the server speaks plain HTTP, the same client works.
#[test]
fn plain_http_to_a_tls_port() {
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    for system in SYSTEMS {
        let front = Front::start(emu.port(), true, Behaviour::Forward);
        let client = Client::of(system, &front.url("http"));
        let outcome = every_caller_fails(
            &client,
            ErrorKind::Network,
            &[&host(front.port), "https://"],
        );
        eprintln!("{system:?} plain to TLS: {}", outcome.message);
        assert_eq!(front.requests.load(Ordering::SeqCst), 0);
        front.set_tls(false);
        recovers(&client);
    }
}

/// Certificate verification is always on: an unknown CA, a name the
/// certificate does not cover, and the system store without that CA all
/// fail before any request is sent; trusting the CA through `ca_file`
/// works, over real TLS, end to end.
#[test]
fn tls_certificates_are_verified() {
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    let front = Front::start(emu.port(), true, Behaviour::Forward);
    let ca_file = CaFile::new("verified");
    let ca = ca_file.path();
    let https = front.url("https");
    let by_name = format!("https://localhost:{}", front.port);
    let mut sent = 0;
    for system in SYSTEMS {
        for (base_url, extra, why) in [
            (
                &https,
                serde_json::json!({}),
                "unknown issuer (default web roots)",
            ),
            (
                &https,
                serde_json::json!({"tls_roots": "system"}),
                "unknown issuer (system store)",
            ),
            (
                &by_name,
                serde_json::json!({"ca_file": ca}),
                "name not in the certificate",
            ),
        ] {
            let client = Arc::new(Client::new(system, base_url, extra).unwrap());
            let outcome = every_caller_fails(&client, ErrorKind::Network, &["TLS failed"]);
            eprintln!("{system:?} {why}: {}", outcome.message);
        }
        // Nothing was sent to the server that could not prove its name.
        assert_eq!(front.requests.load(Ordering::SeqCst), sent);

        let trusted = Client::new(system, &https, serde_json::json!({"ca_file": ca})).unwrap();
        let token = trusted.token().unwrap();
        assert!(emu.token_info(&token).is_some());
        trusted.user_token().unwrap();
        sent += system.requests(&emu) as usize;
        assert_eq!(front.requests.load(Ordering::SeqCst), sent);
    }
}

/// A name under `.invalid` (RFC 2606) never resolves; whether the resolver
/// says so at once or the lookup runs into the timeout, the caller hears
/// within the deadline.
#[test]
fn unresolvable_host() {
    for system in SYSTEMS {
        for scheme in ["http", "https"] {
            let base_url = format!("{scheme}://erpauth-fault-test.invalid:8080");
            // Plain HTTP to a Kingdee host that is not loopback needs the opt-in.
            let extra = serde_json::json!({"allow_insecure_http": true});
            let extra = if system == System::Kingdee {
                extra
            } else {
                serde_json::json!({})
            };
            let client = Arc::new(Client::new(system, &base_url, extra).unwrap());
            let outcome = every_caller_fails(
                &client,
                ErrorKind::Network,
                &[
                    "erpauth-fault-test.invalid:8080",
                    "did not resolve|no complete answer within timeout_ms = 1000",
                ],
            );
            eprintln!("{system:?} {scheme} unresolvable: {}", outcome.message);
        }
    }
}

/// A server clock ten minutes ahead or behind: the gateway's 4006 and e9's
/// expired-sign message come back as refusals with the server's words, and
/// the same client works once the clocks agree again (errors are not cached,
/// and each retry signs anew).
#[test]
fn server_clock_ten_minutes_off() {
    for offset_ms in [600_000, -600_000] {
        for (system, words) in [
            (
                System::Kingdee,
                &["HTTP 519", "code 4006: timestamp invalid"][..],
            ),
            (
                System::Weaver,
                &["e9 refused getToken: 签名已过期,请确认!!!"][..],
            ),
        ] {
            let emu = Emulator::start(EmulatorConfig::default()).unwrap();
            let client = Client::of(system, &emu.base_url());
            emu.set_clock_offset_ms(offset_ms);
            let outcome = every_caller_fails(&client, ErrorKind::Rejected, words);
            eprintln!("{system:?} clock {offset_ms:+} ms: {}", outcome.message);
            emu.set_clock_offset_ms(0);
            recovers(&client);
        }
    }
}
