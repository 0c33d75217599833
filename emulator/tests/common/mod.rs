//! A raw-socket HTTP client for the emulator's own tests: it sends exactly
//! the bytes a test writes and reads answers byte by byte, so faults at the
//! TCP level can be observed.

#![allow(dead_code)]

use erpauth_emulator::reference;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub const CLIENT_ID: &str = "emu-client-id";
pub const CLIENT_SECRET: &str = "emu-client-secret";
pub const APP_KEY: &str = "emuAppKey";
pub const APP_SECRET: &str = "emu-app-secret";
pub const DOMAIN: &str = "https://emu.jdy.com";
pub const TOKEN_PATH: &str = "/jdyconnector/app_management/kingdee_auth_token";
pub const APPID: &str = "emu-appid";
pub const SECRET: &str = "emu-secret";
pub const AES_KEY: &str = "emu-aes-key-0016";

#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("UTF-8 body")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
}

pub struct Conn {
    pub reader: BufReader<TcpStream>,
    pub writer: TcpStream,
}

impl Conn {
    pub fn open(port: u16) -> Conn {
        let writer = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        writer
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        Conn {
            reader: BufReader::new(writer.try_clone().unwrap()),
            writer,
        }
    }

    pub fn send(&mut self, raw: &[u8]) {
        self.writer.write_all(raw).expect("send");
    }

    pub fn read_answer(&mut self) -> io::Result<Answer> {
        let mut line = String::new();
        if self.reader.read_line(&mut line)? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        let status: u16 = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("bad status line {line:?}"));
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            if self.reader.read_line(&mut line)? == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let (n, v) = line.split_once(':').expect("header with ':'");
            headers.push((n.to_owned(), v.trim().to_owned()));
        }
        let mut answer = Answer {
            status,
            headers,
            body: Vec::new(),
        };
        let length: usize = answer
            .header("Content-Length")
            .expect("Content-Length")
            .parse()
            .unwrap();
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body)?;
        answer.body = body;
        Ok(answer)
    }

    /// Reads a status line and headers up to the empty line; returns the
    /// status line (for `100 Continue`).
    pub fn read_answer_head_only(&mut self) -> String {
        let mut status = String::new();
        self.reader.read_line(&mut status).expect("status line");
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).expect("header line");
            if line.trim_end().is_empty() {
                break;
            }
        }
        status.trim_end().to_owned()
    }

    pub fn exchange(&mut self, raw: &[u8]) -> Answer {
        self.send(raw);
        self.read_answer().expect("an answer")
    }
}

/// One request on a fresh connection.
pub fn exchange(port: u16, raw: &[u8]) -> Answer {
    Conn::open(port).exchange(raw)
}

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// A nonce never used before in this process.
pub fn fresh_nonce() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    (1_000_000_000 + NEXT.fetch_add(1, Ordering::Relaxed)).to_string()
}

/// The six gateway headers for a request, signed with the default client.
pub fn gateway_headers(method: &str, target: &str, nonce: &str, timestamp: &str) -> String {
    let signature = reference::kingdee_signature(CLIENT_SECRET, method, target, nonce, timestamp)
        .expect("valid target");
    format!(
        "X-Api-ClientID: {CLIENT_ID}\r\nX-Api-Auth-Version: 2.0\r\nX-Api-TimeStamp: {timestamp}\r\n\
         X-Api-Nonce: {nonce}\r\nX-Api-SignHeaders: X-Api-TimeStamp,X-Api-Nonce\r\nX-Api-Signature: {signature}\r\n"
    )
}

/// The token endpoint's target with the default app credentials.
pub fn token_target() -> String {
    format!(
        "{TOKEN_PATH}?app_key={APP_KEY}&app_signature={}",
        reference::java_encode(&reference::kingdee_app_signature(APP_KEY, APP_SECRET))
    )
}

/// A correctly signed GET.
pub fn signed_get(target: &str, extra_headers: &str) -> Vec<u8> {
    let headers = gateway_headers("GET", target, &fresh_nonce(), &now_ms().to_string());
    format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}{extra_headers}\r\n").into_bytes()
}

/// Fetches an app-token with the default credentials.
pub fn kingdee_token(port: u16) -> String {
    let answer = exchange(port, &signed_get(&token_target(), ""));
    assert_eq!(answer.status, 200, "{}", answer.text());
    answer.json()["data"]["app-token"]
        .as_str()
        .expect("app-token")
        .to_owned()
}

/// A getToken POST with the given header lines.
pub fn weaver_post(header_lines: &str) -> Vec<u8> {
    format!(
        "POST /api/cus/token/auth/getToken HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         {header_lines}Content-Length: 2\r\n\r\n{{}}"
    )
    .into_bytes()
}

/// A fresh valid sign of the default Weaver app.
pub fn weaver_sign_now() -> String {
    static LAST: AtomicU64 = AtomicU64::new(0);
    // Strictly increasing times, so no two signs of this process are equal.
    let now = now_ms() as u64;
    let t = LAST
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |last| {
            Some(now.max(last + 1))
        })
        .map(|last| now.max(last + 1))
        .unwrap();
    reference::weaver_sign(APPID, SECRET, AES_KEY, t as i64).unwrap()
}
