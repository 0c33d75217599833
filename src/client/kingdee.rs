//! The Kingdee app-token client.

use super::authorize::{
    parse_pull_answer, Authorization, AuthorizationSource, PUSH_APP_AUTHORIZE_PATH,
};
use super::cache::{refresh_at, Cached, Fresh, SingleFlightCache};
use super::call::{self, Request, Response};
use super::config::{base_url, is_loopback, ConfigObject, HttpOptions, Secret};
use super::http::{http_error, server_words, snippet, Answer, Http};
use crate::error::{Error, ErrorKind, Result};
use crate::headers::{check_header_value, is_header_token, push_header_line};
use crate::kingdee::{self, java_encode};
use serde_json::Value;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

/// The app-token endpoint.
pub const AUTH_TOKEN_PATH: &str = "/jdyconnector/app_management/kingdee_auth_token";
/// Default gateway.
pub const DEFAULT_BASE_URL: &str = "https://api.kingdee.com";
/// How long an app-token lives when the answer does not say.
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// Everything a [`KingdeeClient`] needs.
#[derive(Clone, Debug)]
pub struct KingdeeConfig {
    /// `client_id`: the developer app's id (`X-Api-ClientID`).
    pub client_id: String,
    /// `client_secret`: the HMAC key of `X-Api-Signature`.
    pub client_secret: Secret,
    /// `app_key`: the account authorization's key; empty when it is pulled
    /// with `outer_instance_id`.
    pub app_key: String,
    /// `app_secret`: the HMAC key of `app_signature` (rotates every 24 h);
    /// empty when it is pulled with `outer_instance_id`.
    pub app_secret: Secret,
    /// `outer_instance_id`: pull `app_key`, `app_secret` and `domain` with
    /// `push_app_authorize` (at first use when `app_key` is not given, and
    /// again whenever the gateway says the app_secret has rotated).
    pub outer_instance_id: Option<String>,
    /// `base_url`: the gateway (default `https://api.kingdee.com`).
    pub base_url: String,
    /// `uid`: ask for the token of this cloud-account user.
    pub uid: Option<String>,
    /// `domain`: sent as `X-GW-Router-Addr` on business calls.
    pub domain: Option<String>,
    /// `allow_insecure_http`: accept a plain `http://` base URL to a host
    /// that is not this machine (default false). The app-token call carries
    /// `app_signature`, a credential for as long as `app_secret` lives, and
    /// every business call the signed headers and the app-token: over plain
    /// HTTP anyone on the path reads them.
    pub allow_insecure_http: bool,
    /// Transport options.
    pub http: HttpOptions,
}

impl KingdeeConfig {
    /// Parses the JSON config of `erpauth_kingdee_client_new`.
    pub fn from_json(json: &str) -> Result<Self> {
        let mut c = ConfigObject::parse(
            json,
            "Kingdee",
            &[
                "client_id",
                "client_secret",
                "app_key",
                "app_secret",
                "base_url",
                "uid",
                "domain",
                "outer_instance_id",
                "allow_insecure_http",
            ],
        )?;
        let client_id = c.string("client_id")?;
        let client_secret = c.secret("client_secret")?;
        let outer_instance_id = c.opt_string("outer_instance_id")?;
        // With an instance to pull from, the authorization may be left out,
        // but not half given: a key without its secret cannot sign.
        let (app_key, app_secret) =
            match (&outer_instance_id, c.opt_string("app_key")?) {
                (Some(_), None) => {
                    if c.secret("app_secret").is_ok() {
                        return Err(Error::invalid(
                            "Kingdee config has \"app_secret\" without \"app_key\": give both, \
                         or neither to pull them with outer_instance_id",
                        ));
                    }
                    (String::new(), Secret::new(""))
                }
                (_, Some(key)) if !key.is_empty() => (key, c.secret("app_secret")?),
                _ => return Err(Error::invalid(
                    "Kingdee config key \"app_key\" is required and must be a non-empty string \
                     (or give \"outer_instance_id\" to pull it)",
                )),
            };
        if outer_instance_id.as_deref() == Some("") {
            return Err(Error::invalid(
                "Kingdee config key \"outer_instance_id\" must be a non-empty string",
            ));
        }
        Ok(KingdeeConfig {
            client_id,
            client_secret,
            app_key,
            app_secret,
            outer_instance_id,
            base_url: c
                .opt_string("base_url")?
                .unwrap_or_else(|| DEFAULT_BASE_URL.to_owned()),
            uid: c.opt_string_or_integer("uid")?,
            domain: c.opt_string("domain")?,
            allow_insecure_http: c.opt_bool("allow_insecure_http")?.unwrap_or(false),
            http: c.http_options()?,
        })
    }
}

/// A fetched app-token.
#[derive(Clone, PartialEq, Eq)]
pub struct AppToken {
    /// The `app-token` header value.
    pub token: String,
    /// The `uid` the answer named, if any.
    pub uid: Option<String>,
}

impl std::fmt::Debug for AppToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppToken")
            .field("token", &"***")
            .field("uid", &self.uid)
            .finish()
    }
}

/// Fetches, caches and refreshes the app-token of one Kingdee account, and
/// signs business calls. Thread-safe; share it.
pub struct KingdeeClient {
    config: KingdeeConfig,
    /// The client secret's HMAC key, prepared once for every signature.
    signer: kingdee::Signer,
    http: Http,
    token: SingleFlightCache<AppToken>,
    /// The authorization in use: from the config, pulled, or with a secret
    /// the host set. `None` until the first pull when the config has none.
    authorization: RwLock<Option<Arc<Authorization>>>,
    /// Held while pulling, so that one pull serves every thread that found
    /// the same authorization stale.
    pull: Mutex<()>,
}

impl std::fmt::Debug for KingdeeClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KingdeeClient")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl KingdeeClient {
    /// A client for `config`. No request is made yet.
    pub fn new(mut config: KingdeeConfig) -> Result<Self> {
        check_header_value(&config.client_id, "client_id")?;
        if let Some(domain) = &config.domain {
            check_header_value(domain, "domain")?;
        }
        if config.app_key.is_empty() && config.outer_instance_id.is_none() {
            return Err(Error::invalid(
                "Kingdee config needs app_key and app_secret, or outer_instance_id to pull them",
            ));
        }
        if !config.app_key.is_empty() && config.app_secret.expose().is_empty() {
            return Err(Error::invalid(
                "Kingdee config key \"app_secret\" is required and must be a non-empty string",
            ));
        }
        config.base_url = base_url(config.base_url, "Kingdee")?;
        if config.base_url.starts_with("http://")
            && !config.allow_insecure_http
            && !is_loopback(&config.base_url)
        {
            return Err(Error::invalid(
                "Kingdee config key \"base_url\" is plain http:// to another machine: the \
                 app-token call and the signed headers would travel in clear; use https:// \
                 (the gateway is https://api.kingdee.com), or set \"allow_insecure_http\": \
                 true for a test gateway on a trusted network",
            ));
        }
        let http = Http::new(config.base_url.clone(), &config.http, "Kingdee")?;
        let authorization = (!config.app_key.is_empty()).then(|| {
            Arc::new(Authorization {
                app_key: config.app_key.clone(),
                app_secret: config.app_secret.clone(),
                domain: config.domain.clone(),
                source: AuthorizationSource::Config,
                details: serde_json::Map::new(),
            })
        });
        Ok(KingdeeClient {
            signer: kingdee::Signer::new(config.client_secret.expose()),
            config,
            http,
            token: SingleFlightCache::default(),
            authorization: RwLock::new(authorization),
            pull: Mutex::new(()),
        })
    }

    /// The authorization in use, pulled first if the client has none yet.
    pub fn authorization(&self) -> Result<Arc<Authorization>> {
        self.authorization_newer_than(None)
    }

    /// [`authorization`](Self::authorization) as JSON, never with the app_secret.
    pub fn authorization_json(&self) -> Result<String> {
        Ok(self
            .authorization()?
            .to_json(self.config.outer_instance_id.as_deref()))
    }

    /// Replaces the app_secret in use (a host that receives the new one
    /// from Kingdee's authorization push) and drops the cached app-token, so
    /// the next call fetches one with it.
    pub fn set_app_secret(&self, app_secret: Secret) -> Result<()> {
        if app_secret.expose().is_empty() {
            return Err(Error::invalid("app_secret must be a non-empty string"));
        }
        let current = self.authorization()?;
        {
            let _pulling = lock(&self.pull);
            let mut slot = self
                .authorization
                .write()
                .unwrap_or_else(|p| p.into_inner());
            // The app_key and domain stay those of the latest authorization,
            // even if a pull landed since `current` was read.
            let base = slot.clone().unwrap_or(current);
            *slot = Some(Arc::new(Authorization {
                app_secret,
                source: AuthorizationSource::SetAppSecret,
                ..(*base).clone()
            }));
        }
        self.token.invalidate();
        Ok(())
    }

    fn current_authorization(&self) -> Option<Arc<Authorization>> {
        self.authorization
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The authorization in use unless it is `stale`; else one pull, shared
    /// by every thread that asks while it runs (they wait for the lock and
    /// then find the new authorization in place).
    fn authorization_newer_than(
        &self,
        stale: Option<&Arc<Authorization>>,
    ) -> Result<Arc<Authorization>> {
        let usable = |a: &Arc<Authorization>| match stale {
            None => true,
            Some(s) => !Arc::ptr_eq(s, a),
        };
        if let Some(current) = self.current_authorization().filter(usable) {
            return Ok(current);
        }
        let Some(instance) = self.config.outer_instance_id.as_deref() else {
            return Err(Error::invalid(
                "the Kingdee client has no authorization to pull: set outer_instance_id",
            ));
        };
        let _pulling = lock(&self.pull);
        if let Some(current) = self.current_authorization().filter(usable) {
            return Ok(current);
        }
        let prefer = self
            .current_authorization()
            .map(|a| a.app_key.clone())
            .or_else(|| Some(self.config.app_key.clone()).filter(|k| !k.is_empty()));
        let pulled = Arc::new(self.pull_authorization(instance, prefer.as_deref())?);
        *self
            .authorization
            .write()
            .unwrap_or_else(|p| p.into_inner()) = Some(pulled.clone());
        Ok(pulled)
    }

    /// `POST push_app_authorize?outerInstanceId=...`, signed like every
    /// gateway request, body `{}`.
    fn pull_authorization(&self, instance: &str, prefer: Option<&str>) -> Result<Authorization> {
        let target = format!(
            "{PUSH_APP_AUTHORIZE_PATH}?outerInstanceId={}",
            java_encode(instance)
        );
        let signed = self
            .signer
            .sign_headers(&self.config.client_id, "POST", &target)?;
        let mut headers: Vec<(&str, &str)> = signed.pairs().to_vec();
        headers.push(("Content-Type", "application/json"));
        let mut answer = self
            .http
            .exchange(
                "POST",
                &target,
                &headers,
                Some(b"{}"),
                super::MAX_BODY_BYTES,
            )
            .map_err(|failure| failure.error)?;
        let parsed = parse_pull_answer(&answer, self.http.host(), prefer);
        // The answer holds the app_secret: cleared, not just freed.
        zeroize::Zeroize::zeroize(&mut answer.body);
        parsed
    }

    /// A client from the JSON config of `erpauth_kingdee_client_new`.
    pub fn from_json(json: &str) -> Result<Self> {
        Self::new(KingdeeConfig::from_json(json)?)
    }

    /// The app-token: cached, or fetched once however many threads ask.
    pub fn app_token(&self) -> Result<Cached<AppToken>> {
        self.token.get(|| self.fetch_token())
    }

    /// Drops the cached app-token (after a business call answered 4010/4011).
    pub fn invalidate(&self) {
        self.token.invalidate();
    }

    /// Every header of a business call: the six gateway headers for
    /// `method` and `path_and_query`, `app-token`, and `X-GW-Router-Addr`
    /// when a domain is configured.
    pub fn headers(
        &self,
        method: &str,
        path_and_query: &str,
    ) -> Result<Vec<(&'static str, String)>> {
        let signed = self
            .signer
            .sign_headers(&self.config.client_id, method, path_and_query)?;
        let token = self.app_token()?;
        let mut out: Vec<(&'static str, String)> = signed
            .pairs()
            .iter()
            .map(|(k, v)| (*k, v.to_string()))
            .collect();
        out.push(("app-token", token.value.token.clone()));
        if let Some(domain) = self.domain() {
            out.push(("X-GW-Router-Addr", domain));
        }
        Ok(out)
    }

    /// Performs one signed business call: the six gateway headers signed for
    /// this request, `app-token` and `X-GW-Router-Addr`; on a 4010/4011
    /// answer drops the token, fetches a new one and sends once more.
    pub fn call(&self, request: &Request<'_>) -> Result<Response> {
        let method = request.checked_method()?;
        call::with_token_retry(
            &self.token,
            || self.app_token(),
            |token: &AppToken| {
                // Signed anew for every attempt: a retry never repeats a nonce.
                let signed = self.signer.sign_headers(
                    &self.config.client_id,
                    method,
                    request.path_and_query,
                )?;
                let mut headers: Vec<(&str, &str)> = signed.pairs().to_vec();
                headers.push(("app-token", &token.token));
                let domain = self.domain();
                if let Some(domain) = &domain {
                    headers.push(("X-GW-Router-Addr", domain));
                }
                call::send(&self.http, method, request, &headers)
            },
            token_refused,
            |a, b| a.token == b.token,
        )
    }

    /// [`headers`](Self::headers) as `Name: value\r\n` lines.
    pub fn header_lines(&self, method: &str, path_and_query: &str) -> Result<String> {
        let mut out = String::with_capacity(512);
        for (k, v) in self.headers(method, path_and_query)? {
            push_header_line(&mut out, k, &v);
        }
        Ok(out)
    }

    /// `X-GW-Router-Addr`: the domain of the authorization in use (the
    /// configured one, or the pulled one).
    fn domain(&self) -> Option<String> {
        self.current_authorization()
            .and_then(|a| a.domain.clone())
            .or_else(|| self.config.domain.clone())
    }

    /// The request target of the app-token call, parameters in signing order.
    fn token_target(&self, auth: &Authorization) -> String {
        let app_signature = kingdee::app_signature(&auth.app_key, auth.app_secret.expose());
        let mut params = vec![
            ("app_key", auth.app_key.as_str()),
            ("app_signature", app_signature.as_str()),
        ];
        if let Some(uid) = &self.config.uid {
            params.push(("uid", uid));
        }
        // The official client sends the parameters in the order they are signed.
        params.sort_by(|a, b| kingdee::cmp_params(*a, *b));
        let mut target = String::from(AUTH_TOKEN_PATH);
        for (i, (k, v)) in params.iter().enumerate() {
            target.push(if i == 0 { '?' } else { '&' });
            target.push_str(&java_encode(k));
            target.push('=');
            target.push_str(&java_encode(v));
        }
        target
    }

    /// Fetches an app-token; when the gateway says the app_secret has
    /// rotated (errcode 1030002006) and the client can pull, pulls the
    /// authorization again and asks once more.
    fn fetch_token(&self) -> Result<Fresh<AppToken>> {
        let auth = self.authorization()?;
        let answer = self.request_token(&auth)?;
        if self.config.outer_instance_id.is_some()
            && answer_code(&answer) == Some(ERRCODE_APP_SECRET_ROTATED)
        {
            let newer = self.authorization_newer_than(Some(&auth))?;
            let answer = self.request_token(&newer)?;
            return self.token_from(&answer);
        }
        self.token_from(&answer)
    }

    fn request_token(&self, auth: &Authorization) -> Result<Answer> {
        let target = self.token_target(auth);
        let signed = self
            .signer
            .sign_headers(&self.config.client_id, "GET", &target)?;
        let mut headers: Vec<(&str, &str)> = signed.pairs().to_vec();
        headers.push(("Content-Type", "application/json"));
        self.http.send("GET", &target, &headers)
    }

    fn token_from(&self, answer: &Answer) -> Result<Fresh<AppToken>> {
        let (token, expiry) = parse_token_answer(answer, self.http.host())?;
        Ok(Fresh {
            value: token,
            refresh_at: match expiry {
                Expiry::Cache(lifetime) => refresh_at(lifetime, self.config.http.refresh_margin),
                // Served to the callers of this flight, stale for the next one.
                Expiry::AlreadyExpired => std::time::Instant::now(),
            },
        })
    }
}

/// Reads the gateway's answer to the app-token call.
pub(crate) fn parse_token_answer(answer: &Answer, host: &str) -> Result<(AppToken, Expiry)> {
    let json: Option<Value> = serde_json::from_slice(&answer.body).ok();
    if answer.status != 200 {
        return Err(refusal_or_http(answer, json.as_ref(), host));
    }
    let Some(Value::Object(obj)) = json else {
        return Err(Error::new(
            ErrorKind::BadResponse,
            format!(
                "the app-token answer from {host} is not JSON: {}",
                snippet(&answer.body)
            ),
        ));
    };
    let (code, text) = code_and_text(&obj);
    match code {
        Some(0) => {}
        Some(code) => {
            return Err(Error::new(
                ErrorKind::Rejected,
                format!(
                    "Kingdee refused the app-token request: errcode {code}: {}{}",
                    text.unwrap_or_default(),
                    hint(code)
                ),
            ))
        }
        None => {
            return Err(Error::new(
                ErrorKind::BadResponse,
                format!(
                    "the app-token answer from {host} has no errcode: {}",
                    snippet(&answer.body)
                ),
            ))
        }
    }
    let data = obj.get("data").and_then(Value::as_object);
    let token = data
        .and_then(|d| d.get("app-token").or_else(|| d.get("access_token")))
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty());
    let Some(token) = token else {
        return Err(Error::new(
            ErrorKind::BadResponse,
            format!("the app-token answer from {host} has errcode 0 but no data.app-token"),
        ));
    };
    if !is_header_token(token) {
        return Err(Error::new(
            ErrorKind::BadResponse,
            format!(
                "the app-token answer from {host} holds a token with characters an HTTP \
                 header cannot carry (spaces, control or non-ASCII characters) or longer \
                 than 4096 bytes; refused"
            ),
        ));
    }
    let uid = data.and_then(|d| d.get("uid")).and_then(|u| match u {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    });
    let lifetime = data
        .and_then(|d| d.get("expires"))
        .map_or(Expiry::Cache(DEFAULT_TOKEN_LIFETIME), expires_to_lifetime);
    Ok((
        AppToken {
            token: token.to_owned(),
            uid,
        },
        lifetime,
    ))
}

/// The gateway's errcode for an app_signature made with a stale app_secret
/// (授权密钥校验失败): the secret rotated.
pub const ERRCODE_APP_SECRET_ROTATED: i64 = 1030002006;

fn lock(m: &Mutex<()>) -> std::sync::MutexGuard<'_, ()> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The `errcode`/`code` of a small JSON answer.
fn answer_code(answer: &Answer) -> Option<i64> {
    if answer.body.len() > 4096 {
        return None;
    }
    match serde_json::from_slice::<Value>(&answer.body).ok()? {
        Value::Object(obj) => code_and_text(&obj).0,
        _ => None,
    }
}

/// Whether a business answer says the app-token was refused: gateway code
/// 4010 (invalid) or 4011 (expired), as `code` or `errcode`, whatever the
/// HTTP status (the gateway uses 519; some proxies pass it on as 200).
pub(crate) fn token_refused(answer: &Answer) -> bool {
    // Only small answers can be refusals; a large body is never parsed here.
    matches!(answer_code(answer), Some(4010 | 4011))
}

/// The shortest and longest time an app-token is cached, whatever the
/// answer's `expires` says: a server (or a proxy in between) must not make
/// the client refetch in a loop, nor keep a token for ever.
pub(crate) const MIN_TOKEN_LIFETIME: Duration = Duration::from_secs(60);
/// See [`MIN_TOKEN_LIFETIME`]; the gateway documents 24 hours.
pub(crate) const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// What the answer's `expires` means for the cache.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Expiry {
    /// Cache for this long (clamped to [60 s, 24 h]).
    Cache(Duration),
    /// The token had already expired when it arrived: hand it to the caller
    /// once, but do not cache it.
    AlreadyExpired,
}

/// `expires` is not specified; answers seen carry either a lifetime in
/// seconds or an absolute time (epoch seconds or milliseconds). Values that
/// make no sense (negative, not a number) fall back to the documented 24
/// hours; all arithmetic is checked, and the result is clamped.
pub(crate) fn expires_to_lifetime(v: &Value) -> Expiry {
    let n = match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    let Some(n) = n.filter(|n| *n > 0) else {
        return Expiry::Cache(DEFAULT_TOKEN_LIFETIME);
    };
    let now_ms = crate::clock::now_ms();
    let lifetime_ms = if n > 100_000_000_000 {
        n.checked_sub(now_ms) // epoch milliseconds
    } else if n > 1_000_000_000 {
        n.checked_mul(1000).and_then(|ms| ms.checked_sub(now_ms)) // epoch seconds
    } else {
        n.checked_mul(1000) // a lifetime in seconds
    };
    match lifetime_ms {
        Some(ms) if ms <= 0 => Expiry::AlreadyExpired,
        Some(ms) => Expiry::Cache(
            Duration::from_millis(ms as u64).clamp(MIN_TOKEN_LIFETIME, MAX_TOKEN_LIFETIME),
        ),
        None => Expiry::Cache(MAX_TOKEN_LIFETIME),
    }
}

/// What to do about the refusals integrators meet most, after the server's
/// own words.
fn hint(code: i64) -> &'static str {
    match code {
        4003 => " (check client_id: it is the developer app's id)",
        4006 => {
            " (the gateway accepts X-Api-TimeStamp within 5 minutes of its own clock: \
             check this machine's clock and NTP)"
        }
        4008 => {
            " (X-Api-Signature is keyed with client_secret, not app_secret; compare \
             erpauth_kingdee_string_to_sign with what the gateway expects)"
        }
        4010 | 4011 => " (fetch a new app-token: invalidate the client's cache)",
        1030002006 => {
            " (app_secret rotates every 24 hours: with outer_instance_id the client \
             pulls the current one with push_app_authorize; otherwise give it the new \
             one with set_app_secret)"
        }
        _ => "",
    }
}

/// `errcode`/`code` and `description`/`msg`/`message` of a Kingdee answer
/// (answers use either spelling).
pub(crate) fn code_and_text(obj: &serde_json::Map<String, Value>) -> (Option<i64>, Option<String>) {
    let code = ["errcode", "code"].iter().find_map(|k| match obj.get(*k)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    });
    let text = ["description", "msg", "message"]
        .iter()
        .find_map(|k| obj.get(*k)?.as_str().map(server_words));
    (code, text)
}

/// A non-200 answer. The gateway refuses with HTTP 519 and a code; that is
/// a refusal. Any other status (a 500 or 502 from a proxy, even with a JSON
/// body) did not come from Kingdee's checks and is an HTTP error, whose
/// message still shows the body.
fn refusal_or_http(answer: &Answer, json: Option<&Value>, host: &str) -> Error {
    if answer.status == 519 {
        if let Some(Value::Object(obj)) = json {
            if let (Some(code), text) = code_and_text(obj) {
                return Error::new(
                    ErrorKind::Rejected,
                    format!(
                        "the Kingdee gateway refused the request (HTTP 519): code {code}: {}{}",
                        text.unwrap_or_default(),
                        hint(code)
                    ),
                );
            }
        }
    }
    http_error(answer, host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_answers() {
        let ok = Answer::new(
            200,
            r#"{"errcode":0,"description":"成功","data":{"uid":700123,"app-token":"tok"}}"#,
        );
        let (t, life) = parse_token_answer(&ok, "h").unwrap();
        assert_eq!(t.token, "tok");
        assert_eq!(t.uid.as_deref(), Some("700123"));
        assert_eq!(life, Expiry::Cache(DEFAULT_TOKEN_LIFETIME));

        let short = Answer::new(200, r#"{"errcode":0,"data":{"app-token":"t","expires":2}}"#);
        assert_eq!(
            parse_token_answer(&short, "h").unwrap().1,
            Expiry::Cache(MIN_TOKEN_LIFETIME)
        );

        let refused = Answer::new(
            200,
            r#"{"errcode":1030002006,"description":"授权密钥校验失败","data":null}"#,
        );
        let err = parse_token_answer(&refused, "h").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Rejected);
        assert!(
            err.message().contains("1030002006: 授权密钥校验失败"),
            "{err}"
        );

        let gw = Answer::new(519, r#"{"code":4008,"msg":"signature invalid"}"#);
        let err = parse_token_answer(&gw, "h").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Rejected);
        assert!(
            err.message().contains("code 4008: signature invalid"),
            "{err}"
        );

        assert_eq!(
            parse_token_answer(&Answer::new(519, ""), "h")
                .unwrap_err()
                .kind(),
            ErrorKind::Http
        );
        assert_eq!(
            parse_token_answer(&Answer::new(200, "<html>"), "h")
                .unwrap_err()
                .kind(),
            ErrorKind::BadResponse
        );
        assert_eq!(
            parse_token_answer(&Answer::new(200, r#"{"errcode":0,"data":{}}"#), "h")
                .unwrap_err()
                .kind(),
            ErrorKind::BadResponse
        );
    }

    #[test]
    fn server_lifetimes_are_clamped_and_checked() {
        let now_s = crate::clock::now_ms() / 1000;
        let cache = |d: u64| Expiry::Cache(Duration::from_secs(d));
        for (expires, expected) in [
            // i64::MAX once cached a token practically for ever; as seconds
            // it overflowed `n * 1000`.
            (serde_json::json!(i64::MAX), cache(24 * 3600)),
            (serde_json::json!(999_999_999), cache(24 * 3600)),
            (serde_json::json!(u64::MAX), cache(24 * 3600)),
            (serde_json::json!(1), cache(60)),
            (serde_json::json!(7200), cache(7200)),
            (serde_json::json!("7200"), cache(7200)),
            (serde_json::json!(0), cache(24 * 3600)),
            (serde_json::json!(-5), cache(24 * 3600)),
            (serde_json::json!(now_s + 3600), cache(3600)),
            (serde_json::json!(now_s - 10), Expiry::AlreadyExpired),
            (
                serde_json::json!((now_s - 10) * 1000),
                Expiry::AlreadyExpired,
            ),
        ] {
            let got = expires_to_lifetime(&expires);
            match (&got, &expected) {
                // An absolute time is read against the clock: allow a second.
                (Expiry::Cache(g), Expiry::Cache(e)) => {
                    assert!(
                        g.abs_diff(*e) <= Duration::from_secs(1),
                        "{expires}: {got:?}"
                    )
                }
                _ => assert_eq!(got, expected, "{expires}"),
            }
        }
    }

    #[test]
    fn plain_http_is_refused_but_for_loopback_or_when_allowed() {
        let json = |url: &str, extra: &str| {
            format!(
                r#"{{"client_id":"c","client_secret":"s","app_key":"k","app_secret":"a",
                    "base_url":"{url}"{extra}}}"#
            )
        };
        let err = KingdeeClient::from_json(&json("http://gw.example.com", "")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
        assert!(err.message().contains("allow_insecure_http"), "{err}");
        KingdeeClient::from_json(&json(
            "http://gw.example.com",
            r#","allow_insecure_http":true"#,
        ))
        .unwrap();
        for ok in [
            "http://127.0.0.1:8080",
            "http://localhost:1",
            "http://[::1]:2",
            "https://gw",
        ] {
            KingdeeClient::from_json(&json(ok, "")).unwrap();
        }
        let err = KingdeeClient::from_json(&json("http://h", r#","allow_insecure_http":1"#));
        assert!(err.unwrap_err().message().contains("true or false"));
    }

    #[test]
    fn token_target_is_sorted_and_encoded() {
        let c = KingdeeClient::from_json(
            r#"{"client_id":"c","client_secret":"s","app_key":"abc","app_secret":"abc123","uid":12}"#,
        )
        .unwrap();
        assert_eq!(
            c.token_target(&c.authorization().unwrap()),
            "/jdyconnector/app_management/kingdee_auth_token?app_key=abc&app_signature=\
             ZDljMTI3NGIyNTE1MTRkYzlkNjc1MDNhYjUzMzgzNWMyY2M4YTdjMzdmNmM3YTVlNDkxMTkzNjdiOTFjNzUyZQ%3D%3D&uid=12"
        );
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("abc123") && dbg.contains("***"), "{dbg}");
    }
}
