//! Token clients: fetch, cache and refresh Kingdee app-tokens and Weaver e9
//! tokens over HTTP, with single flight (however many threads ask a cold
//! client, one request goes out).

mod authorize;
mod cache;
mod call;
mod config;
mod http;
mod kingdee;
mod state_file;
mod weaver;
mod weaver_rest;

pub use authorize::{Authorization, AuthorizationSource, PUSH_APP_AUTHORIZE_PATH};
pub use cache::{Cached, Fresh};
pub use call::{Request, Response, DEFAULT_CONTENT_TYPE};
pub use config::{HttpOptions, Secret, TlsRoots};
pub use http::MAX_BODY_BYTES;
pub use kingdee::{
    AppToken, KingdeeClient, KingdeeConfig, AUTH_TOKEN_PATH, DEFAULT_BASE_URL,
    DEFAULT_TOKEN_LIFETIME, ERRCODE_APP_SECRET_ROTATED,
};
pub use weaver::{
    WeaverClient, WeaverConfig, WeaverToken, WeaverUser, DEFAULT_MAX_USERS, GET_TOKEN_PATH,
};
pub use weaver_rest::{
    is_token_refusal as weaver_rest_is_token_refusal, RestCredentials, WeaverRestClient,
    WeaverRestConfig, APPLY_TOKEN_PATH, REGIST_PATH, STATE_FORMAT,
};

/// The response parsers, for the fuzz targets in `fuzz/`. Not a stable API.
#[doc(hidden)]
pub mod fuzzing {
    use super::http::Answer;
    use crate::error::Result;

    /// Parses a Kingdee app-token answer; returns the token.
    pub fn kingdee_token_answer(status: u16, body: &[u8]) -> Result<String> {
        let answer = Answer::new(status, body);
        super::kingdee::parse_token_answer(&answer, "fuzz").map(|(t, _)| t.token)
    }

    /// Parses a `push_app_authorize` answer; returns (app_key, app_secret, domain).
    pub fn kingdee_authorization_answer(
        status: u16,
        body: &[u8],
    ) -> Result<(String, String, Option<String>)> {
        let answer = Answer::new(status, body);
        super::authorize::parse_pull_answer(&answer, "fuzz", None)
            .map(|a| (a.app_key, a.app_secret.expose().to_owned(), a.domain))
    }

    /// Whether a Kingdee business answer says the app-token was refused.
    pub fn kingdee_token_refused(status: u16, body: &[u8]) -> bool {
        super::kingdee::token_refused(&Answer::new(status, body))
    }

    /// Whether an e9 business answer says the token was refused.
    pub fn weaver_token_refused(status: u16, body: &[u8]) -> bool {
        super::weaver::token_refused(&Answer::new(status, body))
    }

    /// Parses an e9 REST regist answer; returns (spk, secrit) as sent.
    pub fn weaver_rest_regist_answer(status: u16, body: &[u8]) -> Result<(String, String)> {
        let answer = Answer::new(status, body);
        super::weaver_rest::parse_regist_answer(&answer, "fuzz")
            .map(|(spk, secrit)| (spk, secrit.expose().to_owned()))
    }

    /// Parses an e9 REST applytoken answer; returns the token.
    pub fn weaver_rest_apply_token_answer(status: u16, body: &[u8]) -> Result<String> {
        let answer = Answer::new(status, body);
        super::weaver_rest::parse_apply_token_answer(&answer, "fuzz")
    }

    /// Parses a Weaver getToken answer; returns the token and the userid.
    pub fn weaver_token_answer(
        status: u16,
        body: &[u8],
        user_requested: bool,
    ) -> Result<(String, Option<String>)> {
        let answer = Answer::new(status, body);
        super::weaver::parse_get_token_answer(&answer, "fuzz", user_requested)
            .map(|t| (t.token, t.userid))
    }

    /// Whether a value from a server may go into a header or back to the
    /// caller: 1 to 4096 bytes of visible ASCII (0x21-0x7E).
    pub fn is_header_token(value: &str) -> bool {
        crate::headers::is_header_token(value)
    }
}
