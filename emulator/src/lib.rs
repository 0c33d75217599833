//! # erpauth-emulator
//!
//! A local HTTP/1.1 server on `127.0.0.1` that behaves like the Kingdee API
//! gateway (token endpoint and one business call) and the Weaver e9 getToken
//! endpoint, verifies every signature with its own code (never with the
//! `erpauth` crate, so it checks the library independently), counts requests
//! and can misbehave on demand (faults) down to the TCP level.
//!
//! The contract (paths, answers, faults, control endpoints, default
//! credentials) is `docs/EMULATOR.md`. The same server runs out of process as
//! `erpauth emulate`.
//!
//! ```
//! use erpauth_emulator::{Emulator, EmulatorConfig, Endpoint, Fault, FaultKind};
//!
//! let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
//! assert!(emulator.base_url().starts_with("http://127.0.0.1:"));
//! emulator.set_fault(Fault::new(Endpoint::WeaverGetToken, FaultKind::Http500).count(1));
//! assert_eq!(emulator.stats().weaver_get_token, 0);
//! // Dropping it stops the listener and every connection thread.
//! ```

#![deny(unsafe_op_in_unsafe_fn)]

mod config;
mod http;
mod kingdee;
pub mod reference;
mod server;
mod socket;
mod state;
mod weaver;
pub mod weaver_rest;

pub use config::{
    EmulatorConfig, Endpoint, Fault, FaultEndpoint, FaultKind, KingdeeConfig, WeaverConfig,
    WeaverRestConfig, WeaverUser, USER_TYPES,
};
pub use state::Stats;

use server::Connections;
use state::{lock, Shared};
use std::io;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// What the emulator knows about a token it handed out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenInfo {
    /// `"kingdee"` or `"weaver"`.
    pub system: &'static str,
    /// Not expired yet.
    pub valid: bool,
    /// Kingdee: the uid; Weaver: the OA user id, if the token was for a user.
    pub user: Option<String>,
}

/// A running emulator. Dropping it stops it: the listener is closed, every
/// open connection is shut down and every thread is joined.
pub struct Emulator {
    shared: Arc<Shared>,
    addr: SocketAddr,
    connections: Connections,
    accept_thread: Option<JoinHandle<Vec<JoinHandle<()>>>>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// Starts on a free port of 127.0.0.1.
    pub fn start(config: EmulatorConfig) -> io::Result<Emulator> {
        Emulator::start_on(config, 0)
    }

    /// Starts on `port` of 127.0.0.1 (0 picks a free one). Fails with
    /// `InvalidInput` for an unusable config (empty credentials, a bad AES
    /// key length) and with the OS error if the port is taken.
    pub fn start_on(config: EmulatorConfig, port: u16) -> io::Result<Emulator> {
        config
            .validate()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(config));
        let connections = Connections::default();
        let accept_thread = {
            let shared = Arc::clone(&shared);
            let connections = Arc::clone(&connections);
            std::thread::Builder::new()
                .name("emulator-accept".into())
                .spawn(move || server::accept_loop(listener, shared, connections))?
        };
        Ok(Emulator {
            shared,
            addr,
            connections,
            accept_thread: Some(accept_thread),
        })
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.addr.port())
    }

    /// The request and connection counters.
    pub fn stats(&self) -> Stats {
        self.shared.stats()
    }

    /// Sets every counter to 0.
    pub fn reset_stats(&self) {
        self.shared.reset_stats();
    }

    /// Replaces the fault of the endpoint(s) `fault` names;
    /// `Fault::none()` clears every endpoint.
    pub fn set_fault(&self, fault: Fault) {
        self.shared.install_fault(fault);
    }

    /// Clears the faults of every endpoint.
    pub fn clear_faults(&self) {
        self.shared.install_fault(Fault::none());
    }

    /// Lifetime of Kingdee app-tokens issued from now on.
    pub fn set_kingdee_token_lifetime(&self, seconds: u64) {
        self.shared
            .update_config(|c| c.kingdee.token_lifetime_s = seconds);
    }

    /// Lifetime of Weaver tokens issued from now on.
    pub fn set_weaver_token_ttl(&self, seconds: u64) {
        self.shared
            .update_config(|c| c.weaver.token_ttl_s = seconds);
    }

    /// Offset added to the server clock for timestamp checks.
    pub fn set_clock_offset_ms(&self, offset_ms: i64) {
        self.shared.update_config(|c| c.clock_offset_ms = offset_ms);
    }

    /// Whether every answer carries `Set-Cookie: JSESSIONID=...`.
    pub fn set_cookie(&self, on: bool) {
        self.shared.update_config(|c| c.set_cookie = on);
    }

    /// Applies a partial config, exactly as `POST /__emulator/config` does.
    /// On error nothing changes and the message names the problem.
    pub fn update_config(&self, patch: &serde_json::Value) -> Result<(), String> {
        self.shared.apply_patch(patch)
    }

    /// The current config (faults are not part of it).
    pub fn config(&self) -> EmulatorConfig {
        self.shared.config()
    }

    /// Rotates the Kingdee `app_secret` (see `POST
    /// /__emulator/kingdee/rotate_app_secret`); returns the new one.
    pub fn rotate_kingdee_app_secret(&self) -> String {
        self.shared.rotate_kingdee_app_secret()
    }

    /// Forgets every token handed out so far (see `POST
    /// /__emulator/forget_tokens`).
    pub fn forget_tokens(&self) {
        self.shared.forget_tokens();
    }

    /// Makes every token handed out so far expired (Kingdee business calls
    /// then get gateway code 4011).
    pub fn expire_tokens(&self) {
        self.shared.expire_tokens();
    }

    /// What the emulator knows about `token`; `None` if it never issued it.
    pub fn token_info(&self, token: &str) -> Option<TokenInfo> {
        let info = server::token_info_json(&self.shared, token);
        let system = match info["system"].as_str()? {
            "kingdee" => "kingdee",
            _ => "weaver",
        };
        Some(TokenInfo {
            system,
            valid: info["valid"].as_bool().unwrap_or(false),
            user: info["user"].as_str().map(str::to_owned),
        })
    }

    /// The `cpk` the current Weaver REST registration of `appid` sent.
    pub fn weaver_rest_registered_cpk(&self, appid: &str) -> Option<String> {
        self.shared.weaver_rest.registered_cpk(appid)
    }

    /// Whether a Weaver REST token was issued (`None` if not) and is still valid.
    pub fn weaver_rest_token_valid(&self, token: &str) -> Option<bool> {
        self.shared.weaver_rest.token_valid(token)
    }

    /// Stops now (the same as dropping it).
    pub fn shutdown(self) {}
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.shared.shutdown.trigger();
        // Wake the accept loop, blocked in accept(), with a connection of our own.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(2));
        let Some(accept_thread) = self.accept_thread.take() else {
            return;
        };
        let handles = accept_thread.join().unwrap_or_default();
        // No connection can be added now: wake every thread blocked on its socket.
        for stream in lock(&self.connections).values() {
            let _ = stream.shutdown(Shutdown::Both);
        }
        for handle in handles {
            let _ = handle.join();
        }
    }
}
