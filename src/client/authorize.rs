//! The Kingdee account authorization (`app_key`, `app_secret`, `domain`):
//! from the config, pulled with `push_app_authorize`, or given a new
//! `app_secret` by the host; and the parser of the pull's answer.

use super::config::Secret;
use super::http::http_error;
use super::http::{snippet, Answer};
use super::kingdee::code_and_text;
use crate::error::{Error, ErrorKind, Result};
use crate::headers::check_header_value;
use serde_json::{Map, Value};

/// The authorization pull.
pub const PUSH_APP_AUTHORIZE_PATH: &str = "/jdyconnector/app_management/push_app_authorize";

/// Where the authorization in use came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthorizationSource {
    /// `app_key`/`app_secret` of the client config.
    Config,
    /// Pulled with `push_app_authorize`.
    Pulled,
    /// The host replaced the `app_secret` (`set_app_secret`).
    SetAppSecret,
}

impl AuthorizationSource {
    fn as_str(self) -> &'static str {
        match self {
            AuthorizationSource::Config => "config",
            AuthorizationSource::Pulled => "push_app_authorize",
            AuthorizationSource::SetAppSecret => "set_app_secret",
        }
    }
}

/// One account authorization. `Debug` and [`to_json`](Self::to_json) never
/// show the `app_secret`.
#[derive(Clone, Debug)]
pub struct Authorization {
    /// `app_key`.
    pub app_key: String,
    /// `app_secret`, the key of `app_signature` (rotates every 24 hours).
    pub app_secret: Secret,
    /// `domain`, sent as `X-GW-Router-Addr` on business calls.
    pub domain: Option<String>,
    /// Where it came from.
    pub source: AuthorizationSource,
    /// The other fields of the pulled entry (`accountId`, `accountName`,
    /// `groupName`, `serviceId`, `status`, ...), `appSecret` removed.
    pub details: Map<String, Value>,
}

impl Authorization {
    /// The authorization as one JSON object: `app_key`, `domain` (null when
    /// none), `source`, `outer_instance_id` (null when none) and the pulled
    /// entry's other fields under `details`; never the `app_secret`.
    pub fn to_json(&self, outer_instance_id: Option<&str>) -> String {
        serde_json::json!({
            "app_key": self.app_key,
            "domain": self.domain,
            "source": self.source.as_str(),
            "outer_instance_id": outer_instance_id,
            "details": self.details,
        })
        .to_string()
    }
}

/// Reads the answer of `push_app_authorize`: `{"errcode":0, "data":[{...}]}`
/// (or `code`/`msg`; or `data` one object; or the bare list, as the Swagger
/// SDK models it). Picks the entry whose `appKey` is `prefer_app_key`, else
/// the first active one (`status` 1), else the first.
pub(crate) fn parse_pull_answer(
    answer: &Answer,
    host: &str,
    prefer_app_key: Option<&str>,
) -> Result<Authorization> {
    let bad = |what: &str| {
        Error::new(
            ErrorKind::BadResponse,
            format!("the push_app_authorize answer from {host} {what}"),
        )
    };
    let json: Option<Value> = serde_json::from_slice(&answer.body).ok();
    if answer.status == 519 {
        if let Some(Value::Object(obj)) = &json {
            if let (Some(code), text) = code_and_text(obj) {
                return Err(Error::new(
                    ErrorKind::Rejected,
                    format!(
                        "the Kingdee gateway refused push_app_authorize (HTTP 519): code {code}: {}",
                        text.unwrap_or_default()
                    ),
                ));
            }
        }
    }
    if answer.status != 200 {
        return Err(http_error(answer, host));
    }
    let entries = match json {
        Some(Value::Array(list)) => list,
        Some(Value::Object(mut obj)) => {
            match code_and_text(&obj) {
                (Some(0), _) => {}
                (Some(code), text) => {
                    return Err(Error::new(
                        ErrorKind::Rejected,
                        format!(
                            "Kingdee refused push_app_authorize: errcode {code}: {} (check \
                             outer_instance_id and that the client_id is authorized for it)",
                            text.unwrap_or_default()
                        ),
                    ))
                }
                (None, _) => {
                    return Err(bad(&format!("has no errcode: {}", snippet(&answer.body))))
                }
            }
            // Taken, not cloned: no copy of a secret is left behind.
            match obj.remove("data") {
                Some(Value::Array(list)) => list,
                Some(one @ Value::Object(_)) => vec![one],
                _ => return Err(bad("has errcode 0 but no data list")),
            }
        }
        _ => return Err(bad(&format!("is not JSON: {}", snippet(&answer.body)))),
    };
    let mut entries: Vec<Map<String, Value>> = entries
        .into_iter()
        .filter_map(|e| match e {
            Value::Object(o) => Some(o),
            _ => None,
        })
        .collect();
    // Every appSecret is taken out of the tree now: the chosen one into a
    // zeroizing Secret, the others cleared.
    let mut secrets: Vec<Option<Secret>> = entries
        .iter_mut()
        .map(|e| match e.remove("appSecret") {
            Some(Value::String(s)) if !s.is_empty() => Some(Secret::new(s)),
            _ => None,
        })
        .collect();
    let key_of =
        |e: &Map<String, Value>| e.get("appKey").and_then(Value::as_str).map(str::to_owned);
    let chosen = prefer_app_key
        .and_then(|k| entries.iter().position(|e| key_of(e).as_deref() == Some(k)))
        .or_else(|| {
            entries
                .iter()
                .position(|e| e.get("status").and_then(Value::as_i64) == Some(1))
        })
        .or_else(|| (!entries.is_empty()).then_some(0))
        .ok_or_else(|| bad("lists no authorization for this outerInstanceId"))?;
    let mut details = entries.swap_remove(chosen);
    let app_secret = secrets.swap_remove(chosen);
    let app_key = key_of(&details)
        .filter(|k| !k.is_empty())
        .ok_or_else(|| bad("has an entry without appKey"))?;
    let app_secret = app_secret.ok_or_else(|| bad("has an entry without appSecret"))?;
    let domain = match details.remove("domain") {
        None | Some(Value::Null) => None,
        Some(Value::String(d)) if d.is_empty() => None,
        Some(Value::String(d)) => {
            check_header_value(&d, "domain").map_err(|_| {
                bad("has a domain with control characters (it would be sent as a header)")
            })?;
            Some(d)
        }
        Some(_) => return Err(bad("has a domain that is not a string")),
    };
    details.remove("appKey");
    Ok(Authorization {
        app_key,
        app_secret,
        domain,
        source: AuthorizationSource::Pulled,
        details,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_in_every_shape_seen() {
        let entry = r#"{"appKey":"k1","appSecret":"zzz-s1","domain":"https://tf.jdy.com","accountId":"a","status":1}"#;
        for body in [
            format!(r#"{{"errcode":0,"description":"成功","data":[{entry}]}}"#),
            format!(r#"{{"code":0,"msg":"ok","data":{entry}}}"#),
            format!("[{entry}]"),
        ] {
            let a = parse_pull_answer(&Answer::new(200, &body), "h", None).unwrap();
            assert_eq!(a.app_key, "k1");
            assert_eq!(a.app_secret.expose(), "zzz-s1");
            assert_eq!(a.domain.as_deref(), Some("https://tf.jdy.com"));
            let json = a.to_json(Some("inst"));
            assert!(!json.contains("zzz-s1"), "{json}");
            assert!(json.contains(r#""accountId":"a""#), "{json}");
            assert!(!format!("{a:?}").contains("zzz-s1"));
        }
    }

    #[test]
    fn the_configured_key_then_an_active_entry_is_chosen() {
        let body = r#"{"errcode":0,"data":[
            {"appKey":"old","appSecret":"s0","status":0},
            {"appKey":"k1","appSecret":"s1","status":1},
            {"appKey":"k2","appSecret":"s2","status":1}]}"#;
        let pick = |k| {
            parse_pull_answer(&Answer::new(200, body), "h", k)
                .unwrap()
                .app_key
        };
        assert_eq!(pick(Some("k2")), "k2");
        assert_eq!(pick(Some("unknown")), "k1");
        assert_eq!(pick(None), "k1");
    }

    #[test]
    fn garbage_and_refusals() {
        let kind = |status, body: &str| {
            parse_pull_answer(&Answer::new(status, body), "h", None)
                .unwrap_err()
                .kind()
        };
        assert_eq!(kind(200, "<html>"), ErrorKind::BadResponse);
        assert_eq!(
            kind(200, r#"{"errcode":0,"data":[]}"#),
            ErrorKind::BadResponse
        );
        assert_eq!(kind(200, r#"{"errcode":0}"#), ErrorKind::BadResponse);
        assert_eq!(
            kind(200, r#"{"errcode":0,"data":[{"appKey":"k"}]}"#),
            ErrorKind::BadResponse
        );
        assert_eq!(
            kind(
                200,
                r#"{"errcode":0,"data":[{"appKey":"k","appSecret":"s","domain":"a\r\nb"}]}"#
            ),
            ErrorKind::BadResponse
        );
        assert_eq!(
            kind(200, r#"{"errcode":1030002010,"description":"x"}"#),
            ErrorKind::Rejected
        );
        assert_eq!(
            kind(519, r#"{"code":4008,"msg":"signature invalid"}"#),
            ErrorKind::Rejected
        );
        assert_eq!(kind(502, "bad gateway"), ErrorKind::Http);
    }
}
