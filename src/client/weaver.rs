//! The Weaver e9 getToken client.

use super::cache::{refresh_at, Cached, Fresh, SingleFlightCache};
use super::call::{self, Request, Response};
use super::config::{base_url, ConfigObject, HttpOptions, Secret};
use super::http::{http_error, outcome, server_words, snippet, Answer, Http};
use crate::error::{Error, ErrorKind, Result};
use crate::headers::{check_header_value, is_header_token};
use crate::weaver::Signer;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// The getToken endpoint.
pub const GET_TOKEN_PATH: &str = "/api/cus/token/auth/getToken";

/// Everything a [`WeaverClient`] needs.
#[derive(Clone, Debug)]
pub struct WeaverConfig {
    /// `base_url`: the e9 server, e.g. `http://oa.example.com:8080`.
    pub base_url: String,
    /// `appid`: the application id issued by the OA administrator.
    pub appid: String,
    /// `secret`: the application secret.
    pub secret: Secret,
    /// `aes_key`: the AES key (16, 24 or 32 bytes).
    pub aes_key: Secret,
    /// `token_ttl_s`: how long the server keeps a token (default 1800).
    pub token_ttl: Duration,
    /// `max_users`: how many users' tokens are cached at most (default
    /// 10 000); beyond that the least recently used are dropped.
    pub max_users: usize,
    /// Transport options.
    pub http: HttpOptions,
}

impl WeaverConfig {
    /// Parses the JSON config of `erpauth_weaver_client_new`.
    pub fn from_json(json: &str) -> Result<Self> {
        let mut c = ConfigObject::parse(
            json,
            "Weaver",
            &[
                "base_url",
                "appid",
                "secret",
                "aes_key",
                "token_ttl_s",
                "max_users",
            ],
        )?;
        Ok(WeaverConfig {
            base_url: c.string("base_url")?,
            appid: c.string("appid")?,
            secret: c.secret("secret")?,
            aes_key: c.secret("aes_key")?,
            token_ttl: Duration::from_secs(
                c.opt_u64("token_ttl_s", 1, 30 * 86_400)?.unwrap_or(1800),
            ),
            max_users: c
                .opt_u64("max_users", 1, 10_000_000)?
                .map_or(DEFAULT_MAX_USERS, |n| n as usize),
            http: c.http_options()?,
        })
    }
}

/// How many users' tokens a client caches when `max_users` is not given.
pub const DEFAULT_MAX_USERS: usize = 10_000;

/// One user's cache entry, with the tick of its last use (for LRU).
struct UserEntry {
    cache: Arc<TokenCache>,
    last_used: AtomicU64,
}

/// A token from getToken, with the encrypted userid when a user was named.
#[derive(Clone, PartialEq, Eq)]
pub struct WeaverToken {
    /// The `token` header value of later calls.
    pub token: String,
    /// The encrypted `userid` the server returned for (userType, userContain).
    pub userid: Option<String>,
}

impl std::fmt::Debug for WeaverToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WeaverToken")
            .field("token", &"***")
            .field("userid", &self.userid.as_ref().map(|_| "***"))
            .finish()
    }
}

/// A user to ask a token for: `userType` (`id`, `loginid`, `workcode`,
/// `idnum`, `email`, `outkey`) and `userContain`, that user's value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct WeaverUser {
    /// `userType`.
    pub user_type: String,
    /// `userContain`.
    pub user_contain: String,
}

type TokenCache = SingleFlightCache<WeaverToken>;

/// Fetches, caches and refreshes e9 tokens, one cache entry per user.
/// Thread-safe; share it.
pub struct WeaverClient {
    config: WeaverConfig,
    signer: Signer,
    http: Http,
    app_token: TokenCache,
    /// Bounded by `max_users`; failed fetches leave no entry.
    user_tokens: RwLock<HashMap<WeaverUser, UserEntry>>,
    /// The clock of `UserEntry::last_used`.
    ticks: AtomicU64,
}

impl std::fmt::Debug for WeaverClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WeaverClient")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl WeaverClient {
    /// A client for `config`. No request is made yet.
    pub fn new(mut config: WeaverConfig) -> Result<Self> {
        check_header_value(&config.appid, "appid")?;
        let signer = Signer::new(
            &config.appid,
            config.secret.expose(),
            config.aes_key.expose(),
        )?;
        config.base_url = base_url(config.base_url, "Weaver")?;
        let http = Http::new(config.base_url.clone(), &config.http, "Weaver")?;
        Ok(WeaverClient {
            config,
            signer,
            http,
            app_token: TokenCache::default(),
            user_tokens: RwLock::new(HashMap::new()),
            ticks: AtomicU64::new(0),
        })
    }

    /// A client from the JSON config of `erpauth_weaver_client_new`.
    pub fn from_json(json: &str) -> Result<Self> {
        Self::new(WeaverConfig::from_json(json)?)
    }

    /// The token for `user` (or the plain app token for `None`): cached per
    /// user, fetched once however many threads ask.
    ///
    /// `userType` and `userContain` are checked first: both non-empty and
    /// without control characters (they are sent as headers), else
    /// `InvalidArgument`.
    pub fn token(&self, user: Option<&WeaverUser>) -> Result<Cached<WeaverToken>> {
        let Some(user) = user else {
            return self.app_token.get(|| self.fetch(None));
        };
        check_user(user)?;
        let cache = self.user_cache(user);
        let result = cache.get(|| self.fetch(Some(user)));
        if result.is_err() {
            // Errors are not cached, and neither is the entry of a user
            // whose fetch failed: a host asking for many users that do not
            // exist (or a server that is down) must not grow the map.
            self.forget_if_unused(user, &cache);
        }
        result
    }

    /// How many users have an entry in the token cache (at most `max_users`).
    pub fn cached_users(&self) -> usize {
        self.user_tokens
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }

    fn user_cache(&self, user: &WeaverUser) -> Arc<TokenCache> {
        let tick = self.ticks.fetch_add(1, Ordering::Relaxed);
        if let Some(entry) = self
            .user_tokens
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(user)
        {
            entry.last_used.store(tick, Ordering::Relaxed);
            return entry.cache.clone();
        }
        let mut map = self.user_tokens.write().unwrap_or_else(|p| p.into_inner());
        if !map.contains_key(user) && map.len() >= self.config.max_users {
            evict(&mut map, self.config.max_users);
        }
        let entry = map.entry(user.clone()).or_insert_with(|| UserEntry {
            cache: Arc::default(),
            last_used: AtomicU64::new(tick),
        });
        entry.last_used.store(tick, Ordering::Relaxed);
        entry.cache.clone()
    }

    /// Removes `user`'s entry if it is still `cache` and holds no token.
    fn forget_if_unused(&self, user: &WeaverUser, cache: &Arc<TokenCache>) {
        let mut map = self.user_tokens.write().unwrap_or_else(|p| p.into_inner());
        if let Some(entry) = map.get(user) {
            if Arc::ptr_eq(&entry.cache, cache) && !cache.holds_fresh() && !cache.in_flight() {
                map.remove(user);
            }
        }
    }

    /// Drops every cached token (after a business call said the token is
    /// invalid or timed out), and every user's entry with it.
    pub fn invalidate(&self) {
        self.app_token.invalidate();
        let mut map = self.user_tokens.write().unwrap_or_else(|p| p.into_inner());
        for entry in map.values() {
            // A caller holding the entry (a fetch in flight) must not keep
            // serving what it had.
            entry.cache.invalidate();
        }
        map.clear();
        map.shrink_to_fit();
    }

    /// Performs one business call with `appid`, `token` and, for `user`,
    /// the encrypted `userid` getToken returned. When the server says the
    /// token is unknown or timed out (`token不存在或者超时`, `登录信息超时`),
    /// drops that token, fetches a new one and sends once more.
    pub fn call(&self, request: &Request<'_>, user: Option<&WeaverUser>) -> Result<Response> {
        let method = request.checked_method()?;
        if let Some(u) = user {
            check_user(u)?;
        }
        let user_cache = user.map(|u| self.user_cache(u));
        let cache: &TokenCache = user_cache.as_deref().unwrap_or(&self.app_token);
        let result = call::with_token_retry(
            cache,
            || cache.get(|| self.fetch(user)),
            |token: &WeaverToken| {
                let mut headers: Vec<(&str, &str)> =
                    vec![("appid", &self.config.appid), ("token", &token.token)];
                if let Some(userid) = &token.userid {
                    headers.push(("userid", userid));
                }
                call::send(&self.http, method, request, &headers)
            },
            token_refused,
            |a, b| a.token == b.token,
        );
        if let (Some(u), Some(c), Err(_)) = (user, &user_cache, &result) {
            self.forget_if_unused(u, c);
        }
        result
    }

    fn fetch(&self, user: Option<&WeaverUser>) -> Result<Fresh<WeaverToken>> {
        // Every fetch signs a new, process-wide unique timestamp: the server
        // refuses a sign it has seen, and a retry must not repeat one.
        let sign = self.signer.sign_inline(0);
        let mut headers: Vec<(&str, &str)> = vec![
            ("appid", &self.config.appid),
            ("sign", sign.as_str()),
            ("Content-Type", "application/json"),
        ];
        if let Some(user) = user {
            headers.push(("userType", &user.user_type));
            headers.push(("userContain", &user.user_contain));
        }
        let answer = self.http.send("POST", GET_TOKEN_PATH, &headers)?;
        let token = parse_get_token_answer(&answer, self.http.host(), user.is_some())?;
        Ok(Fresh {
            value: token,
            refresh_at: refresh_at(self.config.token_ttl, self.config.http.refresh_margin),
        })
    }
}

/// The words with which e9 servers refuse a business call's token: unknown
/// or timed out (the filter of the token REST API), or a session that ended.
pub(crate) const TOKEN_REFUSALS: [&str; 2] = ["token不存在或者超时", "登录信息超时"];

/// Whether a business answer says the token was refused: a small JSON
/// object whose message (`msg`, `message`, `errMsg`, `errorMsg`) holds one
/// of [`TOKEN_REFUSALS`], or `errorCode` "002" (登录信息超时), and whose
/// `status` is not true. Shared with the REST client.
pub(crate) fn token_refused(answer: &Answer) -> bool {
    if answer.body.len() > 4096 {
        return false;
    }
    let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(&answer.body) else {
        return false;
    };
    if obj.get("status") == Some(&Value::Bool(true)) {
        return false;
    }
    let said = ["msg", "message", "errMsg", "errorMsg", "errmsg"]
        .iter()
        .filter_map(|k| obj.get(*k).and_then(Value::as_str))
        .any(|text| TOKEN_REFUSALS.iter().any(|r| text.contains(r)));
    let code = match obj.get("errorCode") {
        Some(Value::String(c)) => c == "002",
        Some(Value::Number(n)) => n.as_i64() == Some(2),
        _ => false,
    };
    said || code
}

/// `userType` and `userContain` go out as headers: both must be non-empty
/// and free of control characters, checked before any request.
fn check_user(user: &WeaverUser) -> Result<()> {
    check_header_value(&user.user_type, "user_type (userType)")?;
    check_header_value(&user.user_contain, "user_contain (userContain)")
}

/// Makes room in a full map: entries that hold no servable token and have
/// no fetch running go first, then the least recently used, down to 90 % of
/// `max_users`, so that eviction (a sort) runs once per tenth of the cap of
/// new users, not on every one.
fn evict(map: &mut HashMap<WeaverUser, UserEntry>, max_users: usize) {
    map.retain(|_, e| e.cache.holds_fresh() || e.cache.in_flight());
    let keep = max_users - max_users.div_ceil(10);
    if map.len() <= keep {
        return;
    }
    if keep == 0 {
        map.clear();
        return;
    }
    let mut ages: Vec<u64> = map
        .values()
        .map(|e| e.last_used.load(Ordering::Relaxed))
        .collect();
    let cut = map.len() - keep;
    let (_, oldest_kept, _) = ages.select_nth_unstable(cut);
    let oldest_kept = *oldest_kept;
    map.retain(|_, e| e.last_used.load(Ordering::Relaxed) >= oldest_kept);
}

/// What to do about the refusals integrators meet most, after the server's
/// own words.
fn hint(msg: &str) -> &'static str {
    if msg.contains("签名已过期") {
        " (the server accepts a sign within 5 minutes of its own clock: check this \
         machine's clock and NTP)"
    } else if msg.contains("签名解密异常") {
        " (the sign does not decrypt with the server's key: check aes_key)"
    } else if msg.contains("禁用重复签名") {
        " (this sign was used before: another process may be signing for the same \
         appid in the same millisecond)"
    } else {
        ""
    }
}

/// Refuses a `field` of the getToken answer that later calls could not send
/// as a header (a hostile or broken server must not inject headers).
fn header_value(value: &str, field: &str, host: &str) -> Result<()> {
    if is_header_token(value) {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::BadResponse,
        format!(
            "the getToken answer from {host} holds a {field} with characters an HTTP \
             header cannot carry (spaces, control or non-ASCII characters) or longer \
             than 4096 bytes; refused"
        ),
    ))
}

/// Reads the e9 server's answer to getToken.
pub(crate) fn parse_get_token_answer(
    answer: &Answer,
    host: &str,
    user_requested: bool,
) -> Result<WeaverToken> {
    let json: Option<Value> = serde_json::from_slice(&answer.body).ok();
    let obj = match json {
        Some(Value::Object(obj)) => obj,
        _ if answer.status != 200 => return Err(http_error(answer, host)),
        _ => {
            return Err(Error::new(
                ErrorKind::BadResponse,
                format!(
                    "the getToken answer from {host} is not JSON: {}",
                    snippet(&answer.body)
                ),
            ))
        }
    };
    let msg = server_words(obj.get("msg").and_then(Value::as_str).unwrap_or_default());
    let said = obj.get("status").and_then(Value::as_bool);
    outcome(
        answer,
        host,
        "getToken",
        said,
        "no boolean \"status\"",
        || {
            Error::new(
                ErrorKind::Rejected,
                format!("e9 refused getToken: {msg}{}", hint(&msg)),
            )
        },
    )?;
    let token = obj
        .get("token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            Error::new(
                ErrorKind::BadResponse,
                format!("the getToken answer from {host} has status true but no token"),
            )
        })?;
    header_value(token, "token", host)?;
    let userid = obj.get("userid").and_then(Value::as_str).map(str::to_owned);
    if let Some(userid) = &userid {
        header_value(userid, "userid", host)?;
    }
    if user_requested && userid.is_none() {
        return Err(Error::new(
            ErrorKind::BadResponse,
            format!("the getToken answer from {host} has no userid although userType and userContain were sent"),
        ));
    }
    Ok(WeaverToken {
        token: token.to_owned(),
        userid,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(body: &str) -> bool {
        token_refused(&Answer::new(200, body.as_bytes()))
    }

    #[test]
    fn token_refusals_as_servers_word_them() {
        assert!(refused(
            r#"{"code":-1,"msg":"token不存在或者超时：abc","status":false}"#
        ));
        assert!(refused(
            r#"{"errorCode":"002","errorMsg":"登录信息超时","status":false}"#
        ));
        assert!(refused(r#"{"errorCode":"002","status":false}"#));
        assert!(refused(r#"{"code":-1,"message":"登录信息超时"}"#));
        assert!(!refused(
            r#"{"code":-1,"msg":"认证信息错误","status":false}"#
        ));
        assert!(!refused(
            r#"{"status":true,"msg":"登录信息超时 is a field value"}"#
        ));
        assert!(!refused("token不存在或者超时"));
        assert!(!refused(&format!(
            r#"{{"msg":"登录信息超时","pad":"{}"}}"#,
            "x".repeat(5000)
        )));
    }
}
