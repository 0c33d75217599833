//! The emulator's configuration: one JSON object, every field optional with
//! the default credentials of `docs/EMULATOR.md`. The same shape is read from
//! `erpauth emulate --config FILE` and accepted, partially, by
//! `POST /__emulator/config` at runtime.

use serde::{Deserialize, Deserializer, Serialize};

/// The whole configuration. Unknown keys are refused so that a typo in a
/// test's config fails loudly instead of silently testing the defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmulatorConfig {
    /// The Kingdee gateway and its app.
    pub kingdee: KingdeeConfig,
    /// The Weaver e9 getToken endpoint.
    pub weaver: WeaverConfig,
    /// Weaver e9's standard REST authentication (regist / applytoken).
    pub weaver_rest: WeaverRestConfig,
    /// Added to the system clock wherever a request timestamp is checked
    /// (Kingdee `X-Api-TimeStamp`, Weaver sign time), to emulate a server whose
    /// clock is off. Token lifetimes use a monotonic clock and ignore it.
    pub clock_offset_ms: i64,
    /// Send `Set-Cookie: JSESSIONID=...` with every answer, as e9 servers do,
    /// so a test can prove the client never sends a cookie back
    /// (`cookies_received` in the stats).
    pub set_cookie: bool,
    /// Faults to install: one object or a list. At runtime each one replaces
    /// the fault of the endpoint(s) it names.
    #[serde(
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub fault: Vec<Fault>,
}

/// The Kingdee side: gateway credentials (client), the account authorization
/// (app) and the business domain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KingdeeConfig {
    /// Expected `X-Api-ClientID`.
    pub client_id: String,
    /// HMAC key of `X-Api-Signature`.
    pub client_secret: String,
    /// Expected `app_key` query parameter.
    pub app_key: String,
    /// HMAC key of `app_signature`.
    pub app_secret: String,
    /// Expected `X-GW-Router-Addr` on business calls.
    pub domain: String,
    /// The `outerInstanceId` whose authorization `push_app_authorize` answers.
    pub outer_instance_id: String,
    /// `data.uid` of the token answer when the request has no `uid`.
    pub uid: u64,
    /// Lifetime of each app-token handed out, in seconds.
    pub token_lifetime_s: u64,
    /// Whether the token answer carries `access_token` and `expires` (newer
    /// gateways) or only `uid` and `app-token` (older ones).
    pub include_expires: bool,
}

impl Default for KingdeeConfig {
    fn default() -> Self {
        KingdeeConfig {
            client_id: "emu-client-id".into(),
            client_secret: "emu-client-secret".into(),
            app_key: "emuAppKey".into(),
            app_secret: "emu-app-secret".into(),
            domain: "https://emu.jdy.com".into(),
            outer_instance_id: "emu-instance-1".into(),
            uid: 700123,
            token_lifetime_s: 86400,
            include_expires: true,
        }
    }
}

/// The Weaver side: one enabled app, some disabled appids sharing its
/// secret and key, and the users that `userType`/`userContain` can name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WeaverConfig {
    /// The enabled appid.
    pub appid: String,
    /// Its secret (the MD5 inside the sign).
    pub secret: String,
    /// Its AES key: 16, 24 or 32 bytes of UTF-8.
    pub aes_key: String,
    /// Appids that exist but are disabled; they share `secret` and `aes_key`.
    pub disabled_appids: Vec<String>,
    /// Lifetime of each token handed out, in seconds.
    pub token_ttl_s: u64,
    /// The OA users.
    pub users: Vec<WeaverUser>,
}

impl Default for WeaverConfig {
    fn default() -> Self {
        WeaverConfig {
            appid: "emu-appid".into(),
            secret: "emu-secret".into(),
            aes_key: "emu-aes-key-0016".into(),
            disabled_appids: vec!["disabled-appid".into()],
            token_ttl_s: 1800,
            users: vec![
                WeaverUser {
                    id: "1".into(),
                    loginid: "sysadmin".into(),
                    workcode: "A001".into(),
                    idnum: String::new(),
                    email: "admin@example.com".into(),
                    outkey: String::new(),
                },
                WeaverUser {
                    id: "9".into(),
                    loginid: "zhangs".into(),
                    workcode: "A009".into(),
                    idnum: String::new(),
                    email: "zhangs@example.com".into(),
                    outkey: String::new(),
                },
            ],
        }
    }
}

/// The Weaver e9 REST side: the appids that may register, the server's RSA
/// key, and whether to answer like a hostile server. Its users are those of
/// `weaver.users` (a `userid` header must decrypt to one of their ids).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WeaverRestConfig {
    /// Appids that regist accepts (ECOLOGY_BIZ_EC on a real server).
    pub appids: Vec<String>,
    /// The server key pair, Base64 of its PKCS#8 DER; its public half is the
    /// `spk` of every regist answer.
    pub server_private_key: String,
    /// Broken answers on purpose: `"none"`, `"bad_spk"`, `"no_secrit"`,
    /// `"token_control_chars"`.
    pub hostile: crate::weaver_rest::Hostile,
}

impl Default for WeaverRestConfig {
    fn default() -> Self {
        WeaverRestConfig {
            appids: vec!["emu-rest-appid".into()],
            server_private_key: crate::weaver_rest::DEFAULT_SERVER_KEY.into(),
            hostile: crate::weaver_rest::Hostile::None,
        }
    }
}

/// The `userType` values e9 knows.
pub const USER_TYPES: [&str; 6] = ["id", "loginid", "workcode", "idnum", "email", "outkey"];

/// One OA user. An empty attribute never matches.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WeaverUser {
    /// The OA user id (what `userid` encrypts).
    pub id: String,
    /// Login name.
    pub loginid: String,
    /// Employee number.
    pub workcode: String,
    /// ID card number.
    pub idnum: String,
    /// E-mail address.
    pub email: String,
    /// External key.
    pub outkey: String,
}

impl WeaverUser {
    /// The value of the attribute a `userType` names; `None` for an unknown
    /// `userType` or an empty attribute (which never matches).
    pub fn attribute(&self, user_type: &str) -> Option<&str> {
        let value = match user_type {
            "id" => &self.id,
            "loginid" => &self.loginid,
            "workcode" => &self.workcode,
            "idnum" => &self.idnum,
            "email" => &self.email,
            "outkey" => &self.outkey,
            _ => return None,
        };
        Some(value.as_str()).filter(|v| !v.is_empty())
    }
}

/// The endpoints whose requests are counted and can be given a fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    /// `GET /jdyconnector/app_management/kingdee_auth_token`.
    KingdeeAuthToken,
    /// `/jdy/v2/...` business calls.
    KingdeeBusiness,
    /// `POST /api/cus/token/auth/getToken`.
    WeaverGetToken,
    /// `POST /jdyconnector/app_management/push_app_authorize`.
    KingdeePushAppAuthorize,
    /// e9 business calls under `/api/workflow/paService/`.
    WeaverBusiness,
    /// `POST /api/ec/dev/auth/regist`.
    WeaverRegist,
    /// `POST /api/ec/dev/auth/applytoken`.
    WeaverApplyToken,
    /// The REST business endpoint (`/api/emulator/rest/echo`).
    WeaverRestBusiness,
}

impl Endpoint {
    /// How many endpoints there are.
    pub const COUNT: usize = 8;

    /// All endpoints, in stats order.
    pub const ALL: [Endpoint; Endpoint::COUNT] = [
        Endpoint::KingdeeAuthToken,
        Endpoint::KingdeeBusiness,
        Endpoint::WeaverGetToken,
        Endpoint::KingdeePushAppAuthorize,
        Endpoint::WeaverBusiness,
        Endpoint::WeaverRegist,
        Endpoint::WeaverApplyToken,
        Endpoint::WeaverRestBusiness,
    ];

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// Which endpoint(s) a fault applies to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultEndpoint {
    /// Every endpoint (each with its own `count`).
    #[default]
    All,
    /// Only the Kingdee token endpoint.
    KingdeeAuthToken,
    /// Only Kingdee business calls.
    KingdeeBusiness,
    /// Only the Weaver getToken endpoint.
    WeaverGetToken,
    /// Only the Kingdee authorization pull.
    KingdeePushAppAuthorize,
    /// Only e9 business calls.
    WeaverBusiness,
    /// Only Weaver REST regist.
    WeaverRegist,
    /// Only Weaver REST applytoken.
    WeaverApplyToken,
    /// Only the Weaver REST business endpoint.
    WeaverRestBusiness,
}

impl FaultEndpoint {
    /// Whether this selects `endpoint`.
    pub fn covers(self, endpoint: Endpoint) -> bool {
        match self {
            FaultEndpoint::All => true,
            FaultEndpoint::KingdeeAuthToken => endpoint == Endpoint::KingdeeAuthToken,
            FaultEndpoint::KingdeeBusiness => endpoint == Endpoint::KingdeeBusiness,
            FaultEndpoint::WeaverGetToken => endpoint == Endpoint::WeaverGetToken,
            FaultEndpoint::KingdeePushAppAuthorize => endpoint == Endpoint::KingdeePushAppAuthorize,
            FaultEndpoint::WeaverBusiness => endpoint == Endpoint::WeaverBusiness,
            FaultEndpoint::WeaverRegist => endpoint == Endpoint::WeaverRegist,
            FaultEndpoint::WeaverApplyToken => endpoint == Endpoint::WeaverApplyToken,
            FaultEndpoint::WeaverRestBusiness => endpoint == Endpoint::WeaverRestBusiness,
        }
    }
}

impl From<Endpoint> for FaultEndpoint {
    fn from(endpoint: Endpoint) -> Self {
        match endpoint {
            Endpoint::KingdeeAuthToken => FaultEndpoint::KingdeeAuthToken,
            Endpoint::KingdeeBusiness => FaultEndpoint::KingdeeBusiness,
            Endpoint::WeaverGetToken => FaultEndpoint::WeaverGetToken,
            Endpoint::KingdeePushAppAuthorize => FaultEndpoint::KingdeePushAppAuthorize,
            Endpoint::WeaverBusiness => FaultEndpoint::WeaverBusiness,
            Endpoint::WeaverRegist => FaultEndpoint::WeaverRegist,
            Endpoint::WeaverApplyToken => FaultEndpoint::WeaverApplyToken,
            Endpoint::WeaverRestBusiness => FaultEndpoint::WeaverRestBusiness,
        }
    }
}

/// What a faulty endpoint does instead of (or before) answering.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// Answer normally.
    #[default]
    None,
    /// Wait `delay_ms`, then answer normally.
    Delay,
    /// Read the request and never answer; the socket stays open until the
    /// client closes it or the emulator shuts down.
    Hang,
    /// HTTP 500 with an HTML (non-JSON) body.
    #[serde(rename = "http_500")]
    Http500,
    /// HTTP 502 with a JSON body.
    #[serde(rename = "http_502_json")]
    Http502Json,
    /// HTTP 519 (the gateway's refusal status) with an empty body.
    #[serde(rename = "http_519_no_body")]
    Http519NoBody,
    /// HTTP 200 with the body `<html>not json`.
    Garbage,
    /// Close the socket right after reading the request, with SO_LINGER 0 so
    /// the client gets a TCP RST.
    Reset,
    /// Send headers announcing 1000 bytes, 10 bytes of body, then RST.
    ResetMidBody,
    /// Shut down the write side without answering (the client reads EOF).
    HalfClose,
    /// The normal answer, one byte every `drip_ms`.
    SlowDrip,
    /// HTTP 302 to the same request target.
    RedirectLoop,
    /// HTTP 200 with a JSON-looking body of `huge_body_mib` MiB, streamed.
    HugeBody,
    /// A well-formed success whose token (Kingdee app-token, e9 token or
    /// userid, Kingdee authorization domain) holds `\r\nX-Evil: 1`, as a
    /// hostile or broken server might send; other endpoints answer `garbage`.
    HostileToken,
}

/// One fault rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Fault {
    /// Where it applies (default: every endpoint).
    pub endpoint: FaultEndpoint,
    /// What happens.
    pub kind: FaultKind,
    /// Apply to the next `count` requests of each selected endpoint only,
    /// then answer normally again; `None` (absent) means for ever.
    pub count: Option<u64>,
    /// For `delay`.
    pub delay_ms: u64,
    /// For `slow_drip`.
    pub drip_ms: u64,
    /// For `huge_body`.
    pub huge_body_mib: u64,
}

impl Default for Fault {
    fn default() -> Self {
        Fault {
            endpoint: FaultEndpoint::All,
            kind: FaultKind::None,
            count: None,
            delay_ms: 2000,
            drip_ms: 50,
            huge_body_mib: 100,
        }
    }
}

impl Fault {
    /// A fault of `kind` on `endpoint`, for ever, with default parameters.
    pub fn new(endpoint: impl Into<FaultEndpoint>, kind: FaultKind) -> Self {
        Fault {
            endpoint: endpoint.into(),
            kind,
            ..Fault::default()
        }
    }

    /// Clears the faults of every endpoint.
    pub fn none() -> Self {
        Fault::default()
    }

    /// Only the next `count` requests of each selected endpoint.
    pub fn count(mut self, count: u64) -> Self {
        self.count = Some(count);
        self
    }

    /// Sets `delay_ms`.
    pub fn delay_ms(mut self, ms: u64) -> Self {
        self.delay_ms = ms;
        self
    }

    /// Sets `drip_ms`.
    pub fn drip_ms(mut self, ms: u64) -> Self {
        self.drip_ms = ms;
        self
    }

    /// Sets `huge_body_mib`.
    pub fn huge_body_mib(mut self, mib: u64) -> Self {
        self.huge_body_mib = mib;
        self
    }
}

fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Fault>, D::Error> {
    // Not an untagged enum: that would hide the inner error ("did not match
    // any variant"); looking at the JSON type first reports the real problem.
    let value = serde_json::Value::deserialize(d)?;
    let parsed = match value {
        serde_json::Value::Array(_) => serde_json::from_value::<Vec<Fault>>(value),
        serde_json::Value::Null => Ok(Vec::new()),
        other => serde_json::from_value::<Fault>(other).map(|f| vec![f]),
    };
    parsed.map_err(|e| serde::de::Error::custom(format!("in \"fault\": {e}")))
}

impl EmulatorConfig {
    /// Checks values that would make the emulator unable to work.
    pub fn validate(&self) -> Result<(), String> {
        let k = &self.kingdee;
        for (name, value) in [
            ("kingdee.client_id", &k.client_id),
            ("kingdee.client_secret", &k.client_secret),
            ("kingdee.app_key", &k.app_key),
            ("kingdee.app_secret", &k.app_secret),
            ("weaver.appid", &self.weaver.appid),
            ("weaver.secret", &self.weaver.secret),
        ] {
            if value.is_empty() {
                return Err(format!("{name} must not be empty"));
            }
        }
        let n = self.weaver.aes_key.len();
        if ![16, 24, 32].contains(&n) {
            return Err(format!(
                "weaver.aes_key must be 16, 24 or 32 bytes of UTF-8, not {n}"
            ));
        }
        if !crate::weaver_rest::valid_server_key(&self.weaver_rest.server_private_key) {
            return Err(
                "weaver_rest.server_private_key must be Base64 of an RSA private key's PKCS#8 DER"
                    .into(),
            );
        }
        Ok(())
    }

    /// Applies a partial config (same shape, any subset of keys, nested
    /// objects merged key by key) and returns the new config plus the faults
    /// the patch installs. The `fault` key is not kept in the result: faults
    /// are runtime state.
    pub fn patched(
        &self,
        patch: &serde_json::Value,
    ) -> Result<(EmulatorConfig, Vec<Fault>), String> {
        let serde_json::Value::Object(patch) = patch else {
            return Err("the config must be a JSON object".into());
        };
        let mut patch = patch.clone();
        let faults = match patch.remove("fault") {
            Some(v) => {
                let wrapped = serde_json::json!({ "fault": v });
                serde_json::from_value::<EmulatorConfig>(wrapped)
                    .map_err(|e| e.to_string())?
                    .fault
            }
            None => Vec::new(),
        };
        let mut current = self.clone();
        current.fault.clear();
        let mut merged = serde_json::to_value(&current).map_err(|e| e.to_string())?;
        merge(&mut merged, serde_json::Value::Object(patch));
        let config: EmulatorConfig = serde_json::from_value(merged).map_err(|e| e.to_string())?;
        config.validate()?;
        Ok((config, faults))
    }
}

fn merge(base: &mut serde_json::Value, patch: serde_json::Value) {
    match (base, patch) {
        (serde_json::Value::Object(base), serde_json::Value::Object(patch)) => {
            for (key, value) in patch {
                match base.get_mut(&key) {
                    Some(slot) if slot.is_object() && value.is_object() => merge(slot, value),
                    _ => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, patch) => *base = patch,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_documented_credentials() {
        let c: EmulatorConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(c, EmulatorConfig::default());
        assert_eq!(c.kingdee.client_id, "emu-client-id");
        assert_eq!(c.weaver.aes_key.len(), 16);
        c.validate().unwrap();
    }

    #[test]
    fn fault_is_one_or_many() {
        let c: EmulatorConfig =
            serde_json::from_str(r#"{"fault":{"endpoint":"weaver_get_token","kind":"hang"}}"#)
                .unwrap();
        assert_eq!(
            c.fault,
            vec![Fault::new(Endpoint::WeaverGetToken, FaultKind::Hang)]
        );
        let c: EmulatorConfig =
            serde_json::from_str(r#"{"fault":[{"kind":"http_500","count":2},{"kind":"none"}]}"#)
                .unwrap();
        assert_eq!(c.fault.len(), 2);
        assert_eq!(c.fault[0].count, Some(2));
        let err =
            serde_json::from_str::<EmulatorConfig>(r#"{"fault":{"kind":"explode"}}"#).unwrap_err();
        assert!(err.to_string().contains("explode"), "{err}");
    }

    #[test]
    fn unknown_keys_are_refused() {
        let err = serde_json::from_str::<EmulatorConfig>(r#"{"kingdee":{"client_sercet":"x"}}"#)
            .unwrap_err();
        assert!(err.to_string().contains("client_sercet"), "{err}");
    }

    #[test]
    fn patch_merges_nested_keys_and_extracts_faults() {
        let base = EmulatorConfig::default();
        let patch = serde_json::json!({
            "kingdee": {"token_lifetime_s": 2},
            "fault": {"kind": "garbage", "count": 1}
        });
        let (c, faults) = base.patched(&patch).unwrap();
        assert_eq!(c.kingdee.token_lifetime_s, 2);
        assert_eq!(c.kingdee.client_id, "emu-client-id");
        assert!(c.fault.is_empty());
        assert_eq!(
            faults,
            vec![Fault::new(FaultEndpoint::All, FaultKind::Garbage).count(1)]
        );
        assert!(base.patched(&serde_json::json!({"nope": 1})).is_err());
        assert!(base
            .patched(&serde_json::json!({"weaver": {"aes_key": "short"}}))
            .is_err());
        assert!(base.patched(&serde_json::json!([1])).is_err());
    }
}
