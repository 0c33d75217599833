//! The Weaver e9 standard REST authentication client: regist once, applytoken
//! with the encrypted `secrit`, encrypted `userid`s (docs/protocol/weaver.md,
//! "The standard REST authentication").

use super::cache::{refresh_at, Cached, Fresh, SingleFlightCache};
use super::call::{self, Request, Response};
use super::config::{base_url, ConfigObject, HttpOptions, Secret};
use super::http::{http_error, outcome, server_words, snippet, Answer, Http};
use super::state_file::{self, StateLock};
use crate::error::{Error, ErrorKind, Result};
use crate::headers::check_header_value;
use crate::weaver_rest::{ClientKeyPair, ServerKey};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use zeroize::Zeroizing;

/// The registration endpoint.
pub const REGIST_PATH: &str = "/api/ec/dev/auth/regist";
/// The token endpoint.
pub const APPLY_TOKEN_PATH: &str = "/api/ec/dev/auth/applytoken";
/// How many userid ciphertexts a client keeps (least recently used go first).
pub(crate) const USERID_CACHE_CAPACITY: usize = 10_000;
/// The `format` of the state files this version writes and reads.
pub const STATE_FORMAT: &str = "erpauth-weaver-rest-state/1";
/// The longest token accepted from the server (e9 tokens are 36-byte UUIDs).
const MAX_TOKEN_LEN: usize = 512;

/// Where the registration comes from.
#[derive(Clone, Debug)]
pub enum RestCredentials {
    /// `spk` + `secrit` from an earlier registration, given in the config.
    Given {
        /// `spk`: the server's public key, Base64 of its X.509 DER.
        spk: String,
        /// `secrit`: the secret the server handed out with it.
        secrit: Secret,
    },
    /// `state_file`: registered once on first use and kept there.
    StateFile(PathBuf),
}

/// Everything a [`WeaverRestClient`] needs.
#[derive(Clone, Debug)]
pub struct WeaverRestConfig {
    /// `base_url`: the e9 server, e.g. `http://oa.example.com:8080`.
    pub base_url: String,
    /// `appid`: the application id the OA administrator entered in
    /// ECOLOGY_BIZ_EC (the "license" of the integration).
    pub appid: String,
    /// `spk` + `secrit`, or `state_file`.
    pub credentials: RestCredentials,
    /// `token_ttl_s`: sent as applytoken's `time` (default 1800).
    pub token_ttl: Duration,
    /// Transport options.
    pub http: HttpOptions,
}

impl WeaverRestConfig {
    /// Parses the JSON config of `erpauth_weaver_rest_client_new`.
    pub fn from_json(json: &str) -> Result<Self> {
        let mut c = ConfigObject::parse(
            json,
            "Weaver REST",
            &[
                "base_url",
                "appid",
                "spk",
                "secrit",
                "state_file",
                "token_ttl_s",
            ],
        )?;
        let base_url = c.string("base_url")?;
        let appid = c.string("appid")?;
        let spk = c.opt_string("spk")?;
        let state_file = c.opt_string("state_file")?;
        let credentials = match (spk, state_file) {
            (Some(spk), None) => RestCredentials::Given {
                spk,
                secrit: c.secret("secrit")?,
            },
            (None, Some(path)) if !path.is_empty() => {
                if c.opt_string("secrit")?.is_some() {
                    return Err(Error::invalid(
                        "Weaver REST config: \"secrit\" goes with \"spk\"; with \"state_file\" \
                         both come from the file",
                    ));
                }
                RestCredentials::StateFile(PathBuf::from(path))
            }
            _ => {
                return Err(Error::invalid(
                    "Weaver REST config needs either \"spk\" and \"secrit\" (from an earlier \
                     registration) or \"state_file\" (a path where erpauth registers once and \
                     keeps the result), not both",
                ))
            }
        };
        Ok(WeaverRestConfig {
            base_url,
            appid,
            credentials,
            token_ttl: Duration::from_secs(
                c.opt_u64("token_ttl_s", 1, 30 * 86_400)?.unwrap_or(1800),
            ),
            http: c.http_options()?,
        })
    }
}

/// One registration: what applytoken and userids need.
struct Registration {
    spk: String,
    server_key: ServerKey,
    secrit: Secret,
    /// The client's public key, when the registration was made by erpauth.
    cpk: Option<String>,
    registered_at_ms: Option<i64>,
}

/// A bounded map of userid ciphertexts, approximately least recently used:
/// two generations, the older dropped whole when the younger fills up, so
/// every operation is O(1) and at most `capacity` entries are kept.
struct UseridCache {
    young: HashMap<String, String>,
    old: HashMap<String, String>,
    half: usize,
}

impl UseridCache {
    fn new(capacity: usize) -> Self {
        UseridCache {
            young: HashMap::new(),
            old: HashMap::new(),
            half: (capacity / 2).max(1),
        }
    }

    fn get(&mut self, userid: &str) -> Option<String> {
        if let Some(v) = self.young.get(userid) {
            return Some(v.clone());
        }
        let (k, v) = self.old.remove_entry(userid)?;
        self.insert(k, v.clone());
        Some(v)
    }

    fn insert(&mut self, userid: String, ciphertext: String) {
        if self.young.len() >= self.half {
            self.old = std::mem::take(&mut self.young);
        }
        self.young.insert(userid, ciphertext);
    }

    fn len(&self) -> usize {
        self.young.len() + self.old.len()
    }
}

/// Registers (once), fetches and caches e9 REST tokens, and encrypts userids.
/// Thread-safe; share it.
pub struct WeaverRestClient {
    config: WeaverRestConfig,
    http: Http,
    registration: Mutex<Option<Arc<Registration>>>,
    token: SingleFlightCache<String>,
    userids: Mutex<UseridCache>,
}

impl std::fmt::Debug for WeaverRestClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WeaverRestClient")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl WeaverRestClient {
    /// A client for `config`. No request is made and no file is read yet; a
    /// given `spk` is checked now.
    pub fn new(mut config: WeaverRestConfig) -> Result<Self> {
        check_header_value(&config.appid, "appid")?;
        config.base_url = base_url(config.base_url, "Weaver REST")?;
        let http = Http::new(config.base_url.clone(), &config.http, "Weaver REST")?;
        let registration = match &config.credentials {
            RestCredentials::Given { spk, secrit } => Some(Arc::new(registration(
                spk,
                secrit.clone(),
                None,
                None,
                "Weaver REST config key \"spk\"",
            )?)),
            RestCredentials::StateFile(_) => None,
        };
        Ok(WeaverRestClient {
            config,
            http,
            registration: Mutex::new(registration),
            token: SingleFlightCache::default(),
            userids: Mutex::new(UseridCache::new(USERID_CACHE_CAPACITY)),
        })
    }

    /// A client from the JSON config of `erpauth_weaver_rest_client_new`.
    pub fn from_json(json: &str) -> Result<Self> {
        Self::new(WeaverRestConfig::from_json(json)?)
    }

    /// The appid.
    pub fn appid(&self) -> &str {
        &self.config.appid
    }

    /// The registration: from the config, from the state file, or made now
    /// (and written to the state file) when the file does not exist yet.
    /// Threads of one client wait for one another here; processes, on the
    /// state file's lock.
    fn registration(&self) -> Result<Arc<Registration>> {
        let mut slot = lock(&self.registration);
        if let Some(r) = &*slot {
            return Ok(r.clone());
        }
        let RestCredentials::StateFile(path) = &self.config.credentials else {
            unreachable!("a client with spk and secrit is registered from its config")
        };
        let r = match self.load_state(path)? {
            Some(r) => r,
            None => {
                let _lock = StateLock::acquire(path)?;
                // Another process may have registered while this one waited.
                match self.load_state(path)? {
                    Some(r) => r,
                    None => self.register_and_store(path)?,
                }
            }
        };
        let r = Arc::new(r);
        *slot = Some(r.clone());
        Ok(r)
    }

    fn load_state(&self, path: &std::path::Path) -> Result<Option<Registration>> {
        let Some(text) = state_file::read(path)? else {
            return Ok(None);
        };
        let bad = |why: &str| {
            Error::invalid(format!(
                "Weaver REST config key \"state_file\": {} is not a usable erpauth state file \
                 ({why}); erpauth never overwrites it: move it away to register again",
                path.display()
            ))
        };
        // Borrowed from the zeroizing file buffer: no copy of the secrit or
        // of the private key is made (the key is not even read).
        let stored: StoredState<'_> = serde_json::from_str(&text)
            .map_err(|_| bad("not a JSON object of the documented shape"))?;
        if stored.format.as_deref() != Some(STATE_FORMAT) {
            return Err(bad(&format!("its \"format\" is not \"{STATE_FORMAT}\"")));
        }
        let field =
            |v: &Option<Cow<'_, str>>| v.as_deref().filter(|s| !s.is_empty()).map(str::to_owned);
        let appid = field(&stored.appid).ok_or_else(|| bad("no \"appid\""))?;
        if appid != self.config.appid {
            return Err(Error::invalid(format!(
                "Weaver REST config key \"state_file\": {} holds the registration of appid \"{}\", \
                 not of \"{}\"; use one state file per appid",
                path.display(),
                appid.escape_debug(),
                self.config.appid
            )));
        }
        let spk = field(&stored.spk).ok_or_else(|| bad("no \"spk\""))?;
        let secrit = match stored.secrit.as_deref() {
            Some(s) if !s.is_empty() => Secret::new(s),
            _ => return Err(bad("no \"secrit\"")),
        };
        let cpk = field(&stored.cpk);
        let registered_at_ms = stored.registered_at_ms;
        let what = format!("the \"spk\" in state file {}", path.display());
        registration(&spk, secrit, cpk, registered_at_ms, &what).map(Some)
    }

    /// POST regist with a new key pair; writes the state file.
    fn register_and_store(&self, path: &std::path::Path) -> Result<Registration> {
        let pair = ClientKeyPair::generate()?;
        let cpk = pair.cpk()?;
        let answer = self
            .http
            .send(
                "POST",
                REGIST_PATH,
                &[("appid", &self.config.appid), ("cpk", &cpk)],
            )
            .map_err(|e| {
                if e.kind() == ErrorKind::Network {
                    // The server may have registered without our hearing the
                    // answer: then other holders of the appid are refused.
                    Error::new(
                        ErrorKind::Network,
                        format!(
                            "regist: {}; the server may have registered anyway, which \
                             replaces the secrit other clients of this appid hold",
                            e.message()
                        ),
                    )
                } else {
                    e
                }
            })?;
        let (spk, secrit) = parse_regist_answer(&answer, self.http.host())?;
        let what = format!("the \"spk\" in the regist answer from {}", self.http.host());
        let registered_at_ms = crate::clock::now_ms();
        let r = registration(
            &spk,
            secrit,
            Some(cpk.clone()),
            Some(registered_at_ms),
            &what,
        )
        .map_err(|e| Error::new(ErrorKind::BadResponse, e.message()))?;
        let private = pair.pkcs8_base64()?;
        let mut state = JsonObject::new(true);
        state.string("format", STATE_FORMAT);
        state.string("appid", &self.config.appid);
        state.string("base_url", &self.config.base_url);
        state.number("registered_at_ms", Some(registered_at_ms));
        state.string("spk", &spk);
        state.string("secrit", r.secrit.expose());
        state.string("cpk", &cpk);
        state.string("client_private_key", &private);
        let state = state.finish();
        state_file::write_atomic(path, state.as_bytes())?;
        Ok(r)
    }

    /// Registers now unless a registration exists (in the config or the state
    /// file), and returns it as JSON: `{"appid","spk","secrit","cpk",
    /// "registered_at_ms","state_file"}` (`cpk`, `registered_at_ms` and
    /// `state_file` are null when unknown). The client's private key is not
    /// part of it.
    pub fn register(&self) -> Result<Zeroizing<String>> {
        let r = self.registration()?;
        let state_file = match &self.config.credentials {
            RestCredentials::StateFile(p) => Some(p.display().to_string()),
            RestCredentials::Given { .. } => None,
        };
        let mut out = JsonObject::new(false);
        out.string("appid", &self.config.appid);
        out.opt_string("cpk", r.cpk.as_deref());
        out.number("registered_at_ms", r.registered_at_ms);
        out.string("secrit", r.secrit.expose());
        out.string("spk", &r.spk);
        out.opt_string("state_file", state_file.as_deref());
        Ok(out.finish())
    }

    /// The token from applytoken: cached, fetched once however many threads
    /// ask, refreshed before `token_ttl_s` runs out.
    pub fn token(&self) -> Result<Cached<String>> {
        self.token.get(|| self.fetch_token())
    }

    fn fetch_token(&self) -> Result<Fresh<String>> {
        let r = self.registration()?;
        match self.apply_token(&r) {
            // Another process sharing the state file may have registered
            // again (after the file was moved away): the file then holds the
            // registration the server knows. Read it once and try with it.
            Err(e) if e.kind() == ErrorKind::Rejected => match self.reload_state(&r) {
                Some(newer) => self.apply_token(&newer),
                None => Err(e),
            },
            other => other,
        }
    }

    fn apply_token(&self, r: &Registration) -> Result<Fresh<String>> {
        // A fresh encryption each time: the padding is random, and a secret
        // header is never reused from a cache.
        let secret = r.server_key.encrypt_base64(r.secrit.expose(), "secrit")?;
        let time = self.config.token_ttl.as_secs().to_string();
        let answer = self.http.send(
            "POST",
            APPLY_TOKEN_PATH,
            &[
                ("appid", &self.config.appid),
                ("secret", &secret),
                ("time", &time),
            ],
        )?;
        let token = parse_apply_token_answer(&answer, self.http.host())?;
        Ok(Fresh {
            value: token,
            refresh_at: refresh_at(self.config.token_ttl, self.config.http.refresh_margin),
        })
    }

    /// The state file's registration when it differs from `current` (which
    /// it then replaces, and the userid ciphertexts made under the old spk
    /// are dropped); `None` without a state file, or when it is unchanged,
    /// missing or unusable (the refusal at hand is then the better message).
    fn reload_state(&self, current: &Registration) -> Option<Arc<Registration>> {
        let RestCredentials::StateFile(path) = &self.config.credentials else {
            return None;
        };
        let on_disk = self.load_state(path).ok().flatten()?;
        if on_disk.spk == current.spk && on_disk.secrit.expose() == current.secrit.expose() {
            return None;
        }
        let on_disk = Arc::new(on_disk);
        *lock(&self.registration) = Some(on_disk.clone());
        *lock(&self.userids) = UseridCache::new(USERID_CACHE_CAPACITY);
        Some(on_disk)
    }

    /// Base64(RSA-PKCS#1-v1.5(spk, userid)) for the `userid` header: cached
    /// per userid (up to 10 000, least recently used
    /// first out), since the server accepts any encryption of it.
    pub fn userid(&self, userid: &str) -> Result<String> {
        if userid.is_empty() || userid.chars().any(char::is_control) {
            return Err(Error::invalid(
                "userid must be a non-empty OA user id without control characters",
            ));
        }
        if let Some(hit) = lock(&self.userids).get(userid) {
            return Ok(hit);
        }
        let r = self.registration()?;
        let ciphertext = r.server_key.encrypt_base64(userid, "userid")?;
        lock(&self.userids).insert(userid.to_owned(), ciphertext.clone());
        Ok(ciphertext)
    }

    /// How many userid ciphertexts are cached now.
    pub fn cached_userids(&self) -> usize {
        lock(&self.userids).len()
    }

    /// The headers of a business call: `appid`, `token` and, with a user,
    /// `userid`, in that order.
    pub fn headers(&self, userid: Option<&str>) -> Result<Vec<(&'static str, String)>> {
        let userid = userid.map(|u| self.userid(u)).transpose()?;
        let token = self.token()?;
        let mut headers = vec![
            ("appid", self.config.appid.clone()),
            ("token", token.value.clone()),
        ];
        if let Some(u) = userid {
            headers.push(("userid", u));
        }
        Ok(headers)
    }

    /// [`Self::headers`] as "Name: value\r\n" lines.
    pub fn header_lines(&self, userid: Option<&str>) -> Result<String> {
        let mut out = String::new();
        for (name, value) in self.headers(userid)? {
            crate::headers::push_header_line(&mut out, name, &value);
        }
        Ok(out)
    }

    /// Performs one business request with `appid`, `token` and, when
    /// `userid` is given, its encrypted `userid`, and returns the answer
    /// whatever its status. When the server says the token is unknown or
    /// timed out (`token不存在或者超时`, `登录信息超时`), drops that token,
    /// fetches a new one and sends once more; nothing else is retried, and a
    /// failure after the request may have reached the server says so.
    pub fn call(&self, request: &Request<'_>, userid: Option<&str>) -> Result<Response> {
        let method = request.checked_method()?;
        // Encrypted (or taken from the cache) once: the retry reuses it.
        let userid = userid.map(|u| self.userid(u)).transpose()?;
        call::with_token_retry(
            &self.token,
            || self.token(),
            |token: &String| {
                let mut headers: Vec<(&str, &str)> =
                    vec![("appid", &self.config.appid), ("token", token)];
                if let Some(u) = &userid {
                    headers.push(("userid", u));
                }
                call::send(&self.http, method, request, &headers)
            },
            super::weaver::token_refused,
            |a, b| a == b,
        )
    }

    /// Drops the cached token (after a business call answered
    /// `token不存在或者超时` or `登录信息超时`). The registration and the
    /// userid ciphertexts stay: they are valid as long as the server keeps
    /// this registration.
    pub fn invalidate(&self) {
        self.token.invalidate();
    }
}

/// The state file as read: borrowed from the file's zeroizing buffer.
#[derive(serde::Deserialize)]
struct StoredState<'a> {
    #[serde(borrow)]
    format: Option<Cow<'a, str>>,
    #[serde(borrow)]
    appid: Option<Cow<'a, str>>,
    #[serde(borrow)]
    spk: Option<Cow<'a, str>>,
    #[serde(borrow)]
    secrit: Option<Cow<'a, str>>,
    #[serde(borrow)]
    cpk: Option<Cow<'a, str>>,
    registered_at_ms: Option<i64>,
}

/// A flat JSON object written into a zeroizing buffer, for outputs that hold
/// the secrit or the private key: no serde `Value` holds a copy, and the
/// buffer is reserved large enough up front that it never moves.
struct JsonObject {
    out: Zeroizing<String>,
    pretty: bool,
    first: bool,
}

impl JsonObject {
    fn new(pretty: bool) -> Self {
        JsonObject {
            out: Zeroizing::new(String::with_capacity(64 * 1024)),
            pretty,
            first: true,
        }
    }

    fn key(&mut self, key: &str) {
        let out = &mut self.out;
        out.push_str(match (self.first, self.pretty) {
            (true, true) => "{\n  ",
            (true, false) => "{",
            (false, true) => ",\n  ",
            (false, false) => ",",
        });
        self.first = false;
        push_json_string(out, key);
        out.push_str(if self.pretty { ": " } else { ":" });
    }

    fn string(&mut self, key: &str, value: &str) {
        self.key(key);
        push_json_string(&mut self.out, value);
    }

    fn opt_string(&mut self, key: &str, value: Option<&str>) {
        match value {
            Some(v) => self.string(key, v),
            None => {
                self.key(key);
                self.out.push_str("null");
            }
        }
    }

    fn number(&mut self, key: &str, value: Option<i64>) {
        self.key(key);
        match value {
            Some(n) => self.out.push_str(&n.to_string()),
            None => self.out.push_str("null"),
        }
    }

    fn finish(mut self) -> Zeroizing<String> {
        self.out.push_str(if self.pretty { "\n}\n" } else { "}" });
        self.out
    }
}

/// Appends `text` as a JSON string literal.
fn push_json_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn registration(
    spk: &str,
    secrit: Secret,
    cpk: Option<String>,
    registered_at_ms: Option<i64>,
    what: &str,
) -> Result<Registration> {
    let server_key = ServerKey::from_base64(spk, what)?;
    let s = secrit.expose();
    if s.chars().any(char::is_control) || s.len() > server_key.max_plaintext() {
        return Err(Error::invalid(format!(
            "the secrit that goes with {what} is not usable (control characters, or longer \
             than the {} bytes one RSA block of that key holds)",
            server_key.max_plaintext()
        )));
    }
    Ok(Registration {
        spk: spk.to_owned(),
        server_key,
        secrit,
        cpk,
        registered_at_ms,
    })
}

/// The JSON object of a `what` answer that reports success, or the error for
/// one that is no JSON object or does not report success.
fn successful_object(answer: &Answer, host: &str, what: &str) -> Result<Map<String, Value>> {
    let obj = answer_object(answer, host, what)?;
    outcome(answer, host, what, succeeded(&obj), NEITHER, || {
        refusal(&obj, what)
    })?;
    Ok(obj)
}

/// The non-empty text of `key`, if the object has one.
fn text<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    obj.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// The JSON object of an answer, or the error for one that is none.
fn answer_object(answer: &Answer, host: &str, what: &str) -> Result<Map<String, Value>> {
    match serde_json::from_slice::<Value>(&answer.body) {
        Ok(Value::Object(obj)) => Ok(obj),
        _ if answer.status != 200 => Err(http_error(answer, host)),
        _ => Err(Error::new(
            ErrorKind::BadResponse,
            format!(
                "the {what} answer from {host} is not a JSON object: {}",
                snippet(&answer.body)
            ),
        )),
    }
}

/// What an answer that is neither success nor refusal lacks.
const NEITHER: &str = "neither \"status\" nor \"code\"";

/// `Some(true)` for success (`status` true, or no `status` and `code` 0),
/// `Some(false)` for a refusal, `None` when the answer says neither.
fn succeeded(obj: &Map<String, Value>) -> Option<bool> {
    match obj.get("status") {
        Some(Value::Bool(b)) => Some(*b),
        _ => match obj.get("code") {
            Some(code) if code.as_i64() == Some(0) || code.as_str() == Some("0") => Some(true),
            Some(Value::Number(_)) | Some(Value::String(_)) => Some(false),
            _ => None,
        },
    }
}

/// What to do about the refusals integrators meet most, after the server's
/// own words.
fn hint(msg: &str) -> &'static str {
    if msg.contains("secret解密失败") {
        " (the server cannot decrypt secret with its current key: this spk is not the \
         server's any more; was the appid registered again elsewhere? Take spk and secrit \
         from that registration)"
    } else if msg.contains("认证信息错误") {
        " (the server does not accept this appid and secrit: the appid may have been \
         registered again after this state was kept, or is not in ECOLOGY_BIZ_EC)"
    } else if msg.contains("token不存在或者超时") || msg.contains("登录信息超时") {
        " (the token has expired or was dropped: invalidate and fetch a new one)"
    } else {
        ""
    }
}

fn refusal(obj: &Map<String, Value>, what: &str) -> Error {
    let text = obj
        .get("msg")
        .and_then(Value::as_str)
        .filter(|m| !m.is_empty())
        .or_else(|| obj.get("errmsg").and_then(Value::as_str))
        .unwrap_or_default();
    let msg = server_words(text);
    let code = match obj.get("code").or_else(|| obj.get("errorCode")) {
        Some(Value::Number(n)) => format!(" (code {n})"),
        Some(Value::String(s)) => format!(" (code {})", server_words(s)),
        _ => String::new(),
    };
    Error::new(
        ErrorKind::Rejected,
        format!("e9 refused {what}: {msg}{code}{}", hint(&msg)),
    )
}

fn missing(host: &str, what: &str, field: &str) -> Error {
    Error::new(
        ErrorKind::BadResponse,
        format!("the {what} answer from {host} reports success but has no usable \"{field}\""),
    )
}

/// Reads the answer to regist: `spk` and `secrit`.
pub(crate) fn parse_regist_answer(answer: &Answer, host: &str) -> Result<(String, Secret)> {
    let obj = successful_object(answer, host, "regist")?;
    let spk = text(&obj, "spk").ok_or_else(|| missing(host, "regist", "spk"))?;
    // Spelled `secrit` by every e9 version; newer ones send the same value
    // as `secret` too, which is read only when `secrit` is absent.
    let secrit = ["secrit", "secret"]
        .iter()
        .find_map(|k| text(&obj, k))
        .ok_or_else(|| missing(host, "regist", "secrit"))?;
    Ok((spk.to_owned(), Secret::new(secrit)))
}

/// Reads the answer to applytoken: the token, checked to be a plain header
/// value (a hostile or broken server must not inject headers through it).
pub(crate) fn parse_apply_token_answer(answer: &Answer, host: &str) -> Result<String> {
    let obj = successful_object(answer, host, "applytoken")?;
    let token = text(&obj, "token").ok_or_else(|| missing(host, "applytoken", "token"))?;
    if token.len() > MAX_TOKEN_LEN || !crate::headers::is_header_token(token) {
        return Err(Error::new(
            ErrorKind::BadResponse,
            format!(
                "the applytoken answer from {host} has a token that is not a plain header value \
                 (control characters, spaces, non-ASCII, or over {MAX_TOKEN_LEN} bytes)"
            ),
        ));
    }
    Ok(token.to_owned())
}

/// Whether a business answer says the token (or the session behind it) is no
/// longer valid, so that invalidating and fetching a new token may help: the
/// same test [`WeaverRestClient::call`] applies.
pub fn is_token_refusal(body: &[u8]) -> bool {
    super::weaver::token_refused(&Answer::new(200, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apply_token_answers() {
        let ok = Answer::new(
            200,
            r#"{"msg":"获取成功!","code":0,"msgShowType":"none","status":true,"token":"e3d7e45b-805c-43c3-9c0c-e452135ae1ea"}"#,
        );
        assert_eq!(
            parse_apply_token_answer(&ok, "h").unwrap(),
            "e3d7e45b-805c-43c3-9c0c-e452135ae1ea"
        );
        let refused = Answer::new(
            200,
            r#"{"msg":"secret解密失败,请检查加密内容.","code":-1,"msgShowType":"none","status":false}"#,
        );
        let err = parse_apply_token_answer(&refused, "h").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Rejected);
        assert!(err
            .message()
            .starts_with("e9 refused applytoken: secret解密失败,请检查加密内容. (code -1) (the server cannot decrypt"));
        for hostile in [
            r#"{"status":true,"token":"a\r\nX-Injected: 1"}"#,
            r#"{"status":true,"token":"a b"}"#,
            r#"{"status":true,"token":"中"}"#,
            r#"{"status":true,"token":""}"#,
            r#"{"status":true}"#,
            r#"{"status":true,"token":5}"#,
        ] {
            let err = parse_apply_token_answer(&Answer::new(200, hostile), "h").unwrap_err();
            assert_eq!(err.kind(), ErrorKind::BadResponse, "{hostile}");
        }
        let long = format!(r#"{{"status":true,"token":"{}"}}"#, "t".repeat(513));
        assert!(parse_apply_token_answer(&Answer::new(200, &long), "h").is_err());
        assert_eq!(
            parse_apply_token_answer(&Answer::new(502, "<html>bad gateway</html>"), "h")
                .unwrap_err()
                .kind(),
            ErrorKind::Http
        );
        assert_eq!(
            parse_apply_token_answer(&Answer::new(200, "[]"), "h")
                .unwrap_err()
                .kind(),
            ErrorKind::BadResponse
        );
    }

    #[test]
    fn regist_answers() {
        let ok = Answer::new(
            200,
            r#"{"msg":"ok","code":0,"msgShowType":"none","status":true,"secrit":"s-1","spk":"AAAA"}"#,
        );
        let (spk, secrit) = parse_regist_answer(&ok, "h").unwrap();
        assert_eq!((spk.as_str(), secrit.expose()), ("AAAA", "s-1"));
        let spelled_right = Answer::new(
            200,
            r#"{"code":0,"status":true,"spk":"AAAA","secret":"s-2"}"#,
        );
        assert_eq!(
            parse_regist_answer(&spelled_right, "h").unwrap().1.expose(),
            "s-2"
        );
        let no_secrit = Answer::new(200, r#"{"code":0,"status":true,"spk":"AAAA"}"#);
        let err = parse_regist_answer(&no_secrit, "h").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BadResponse);
        assert!(err.message().contains("\"secrit\""), "{err}");
        let refused = Answer::new(200, r#"{"code":-1,"errmsg":"认证信息错误"}"#);
        let err = parse_regist_answer(&refused, "h").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Rejected);
        assert!(err.message().contains("认证信息错误"), "{err}");
    }

    #[test]
    fn token_refusals_are_recognized() {
        assert!(is_token_refusal(
            "{\"msg\":\"token不存在或者超时：4225b79b\",\"code\":-1,\"status\":false}".as_bytes()
        ));
        assert!(is_token_refusal(
            "{\"msg\":\"登录信息超时\",\"errorCode\":\"002\",\"status\":false}".as_bytes()
        ));
        assert!(!is_token_refusal(
            "{\"msg\":\"认证信息错误\",\"code\":-1,\"status\":false}".as_bytes()
        ));
        assert!(!is_token_refusal(b"{\"status\":true}"));
        assert!(!is_token_refusal(b"not json"));
    }

    #[test]
    fn hand_written_json_reads_back() {
        let tricky = "a\"b\\c\u{1}\n中 😀";
        for pretty in [false, true] {
            let mut o = JsonObject::new(pretty);
            o.string("s", tricky);
            o.opt_string("none", None);
            o.number("n", Some(-5));
            o.number("m", None);
            let text = o.finish();
            let v: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(v["s"], tricky);
            assert_eq!(v["none"], Value::Null);
            assert_eq!(v["n"], -5);
            assert_eq!(v["m"], Value::Null);
        }
    }

    #[test]
    fn userid_cache_is_bounded() {
        let mut c = UseridCache::new(4);
        for i in 0..10 {
            c.insert(i.to_string(), format!("c{i}"));
            assert!(c.len() <= 4);
        }
        assert_eq!(c.get("9").as_deref(), Some("c9"));
        assert_eq!(c.get("0"), None);
        // A hit in the older generation moves it to the younger one.
        assert_eq!(c.get("8").as_deref(), Some("c8"));
    }

    #[test]
    fn configs() {
        let ok = WeaverRestConfig::from_json(
            r#"{"base_url":"http://h","appid":"a","state_file":"/tmp/x.json","token_ttl_s":60}"#,
        )
        .unwrap();
        assert!(matches!(ok.credentials, RestCredentials::StateFile(_)));
        assert_eq!(ok.token_ttl, Duration::from_secs(60));
        for bad in [
            r#"{"base_url":"http://h","appid":"a"}"#,
            r#"{"base_url":"http://h","appid":"a","spk":"x"}"#,
            r#"{"base_url":"http://h","appid":"a","spk":"x","secrit":"y","state_file":"f"}"#,
            r#"{"base_url":"http://h","appid":"a","state_file":"f","secrit":"y"}"#,
            r#"{"base_url":"http://h","appid":"a","state_file":"f","token_ttl_s":0}"#,
        ] {
            let err = WeaverRestConfig::from_json(bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{bad}");
        }
        let err = WeaverRestClient::from_json(
            r#"{"base_url":"http://h","appid":"a","spk":"bm90IGEga2V5","secrit":"zzz-secrit"}"#,
        )
        .unwrap_err();
        assert!(err.message().contains("\"spk\""), "{err}");
        assert!(!err.message().contains("zzz-secrit"));
    }
}
