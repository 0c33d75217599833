//! The Weaver e9 REST authentication client against the in-process
//! emulator: first contact, one registration per state file (across threads
//! and processes), token expiry mid-run, wrong secrit and re-registration
//! elsewhere, hostile answers, userids, the C ABI.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use erpauth::client::{weaver_rest_is_token_refusal, WeaverRestClient, STATE_FORMAT};
use erpauth::ffi::{self, erpauth_status};
use erpauth::ErrorKind;
use erpauth_emulator::{Emulator, EmulatorConfig, Endpoint, Fault, FaultKind};
use rsa::pkcs8::DecodePrivateKey;
use rsa::{Pkcs1v15Encrypt, RsaPrivateKey};
use std::ffi::CString;
use std::path::{Path, PathBuf};
use std::time::Duration;

mod common;
use common::last_error;

const APPID: &str = "emu-rest-appid";

fn vectors() -> serde_json::Value {
    serde_json::from_str(include_str!("vectors/weaver_rest.json")).unwrap()
}

/// The emulator's default server key, from the committed test vectors.
fn server_key() -> RsaPrivateKey {
    let v = vectors();
    let der = STANDARD
        .decode(v["server"]["private_pkcs8"].as_str().unwrap())
        .unwrap();
    RsaPrivateKey::from_pkcs8_der(&der).unwrap()
}

fn decrypt(ciphertext: &str) -> String {
    let ct = STANDARD.decode(ciphertext).unwrap();
    String::from_utf8(server_key().decrypt(Pkcs1v15Encrypt, &ct).unwrap()).unwrap()
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "erpauth-rest-{tag}-{}-{:?}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn config(base_url: &str, state_file: &Path, extra: serde_json::Value) -> String {
    let mut c = serde_json::json!({
        "base_url": base_url,
        "appid": APPID,
        "state_file": state_file.to_str().unwrap(),
        "timeout_ms": 5000,
    });
    for (k, v) in extra.as_object().unwrap() {
        c[k] = v.clone();
    }
    c.to_string()
}

fn client(emu: &Emulator, state_file: &Path) -> WeaverRestClient {
    WeaverRestClient::from_json(&config(&emu.base_url(), state_file, serde_json::json!({})))
        .unwrap()
}

/// A business call to the emulator's echo endpoint with the client's headers.
fn echo(emu: &Emulator, c: &WeaverRestClient, userid: Option<&str>) -> serde_json::Value {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut req = agent.post(format!("{}/api/emulator/rest/echo?x=1", emu.base_url()));
    for (name, value) in c.headers(userid).unwrap() {
        req = req.header(name, value);
    }
    let mut answer = req
        .header("Content-Type", "application/json")
        .send("{\"a\":1}")
        .unwrap();
    serde_json::from_slice(&answer.body_mut().read_to_vec().unwrap()).unwrap()
}

fn state_of(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn first_contact_registers_once_and_calls_with_all_headers() {
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    let dir = temp_dir("first");
    let path = dir.join("e9-state.json");
    let c = client(&emu, &path);
    assert!(!path.exists(), "nothing happens before the first call");

    let token = c.token().unwrap().value.clone();
    let stats = emu.stats();
    assert_eq!((stats.weaver_regist, stats.weaver_apply_token), (1, 1));
    assert_eq!(emu.config().weaver_rest.appids, [APPID]);

    // The state file: owner-only, the documented fields, the cpk the server got.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let state = state_of(&path);
    assert_eq!(state["format"], STATE_FORMAT);
    assert_eq!(state["appid"], APPID);
    assert_eq!(state["spk"], vectors()["server"]["spk"]);
    assert_eq!(
        emu.weaver_rest_registered_cpk(APPID).as_deref(),
        state["cpk"].as_str()
    );
    assert!(state["client_private_key"].as_str().unwrap().len() > 1000);

    // register() returns the same registration without registering again.
    let reg: serde_json::Value = serde_json::from_str(&c.register().unwrap()).unwrap();
    assert_eq!(reg["secrit"], state["secrit"]);
    assert_eq!(reg["spk"], state["spk"]);
    assert_eq!(reg["appid"], APPID);
    assert!(reg.get("client_private_key").is_none());
    assert_eq!(emu.stats().weaver_regist, 1);

    // Cached token; the business call carries appid, token and userid.
    assert_eq!(c.token().unwrap().value, token);
    let echoed = echo(&emu, &c, Some("9"));
    assert_eq!(echoed["status"], true, "{echoed}");
    assert_eq!(echoed["appid"], APPID);
    assert_eq!(echoed["userid"], "9");
    assert_eq!(echoed["target"], "/api/emulator/rest/echo?x=1");
    assert_eq!(echoed["body"], "{\"a\":1}");
    assert_eq!(emu.stats().weaver_apply_token, 1);

    // A second client on the same file (a restarted process) reuses it.
    let again = client(&emu, &path);
    again.token().unwrap();
    assert_eq!(emu.stats().weaver_regist, 1);
    assert_eq!(emu.stats().weaver_apply_token, 2);
    assert_eq!(state_of(&path), state, "the file is never rewritten");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn userids_are_encrypted_under_spk_and_cached() {
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    let dir = temp_dir("userid");
    let c = client(&emu, &dir.join("s.json"));
    let a = c.userid("1").unwrap();
    assert_eq!(decrypt(&a), "1");
    assert_eq!(c.userid("1").unwrap(), a, "cached per user");
    assert_eq!(decrypt(&c.userid("张三").unwrap()), "张三");
    assert_eq!(c.cached_userids(), 2);
    for bad in ["", "a\nb"] {
        assert_eq!(
            c.userid(bad).unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
    }
    // A user the server does not know: its own refusal, errorCode 002.
    let refused = echo(&emu, &c, Some("777"));
    assert_eq!(refused["msg"], "登录信息超时");
    assert!(weaver_rest_is_token_refusal(refused.to_string().as_bytes()));
    let lines = c.header_lines(Some("1")).unwrap();
    let token = c.token().unwrap().value.clone();
    assert_eq!(
        lines,
        format!("appid: {APPID}\r\ntoken: {token}\r\nuserid: {a}\r\n")
    );
    assert_eq!(
        c.header_lines(None).unwrap(),
        format!("appid: {APPID}\r\ntoken: {token}\r\n")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn token_expiry_mid_run_and_refresh_before_time_runs_out() {
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    let dir = temp_dir("expiry");
    let path = dir.join("s.json");
    let c = client(&emu, &path);
    let first = c.token().unwrap().value.clone();
    assert_eq!(echo(&emu, &c, None)["status"], true);

    // The server drops every token: the business call says so, the caller
    // invalidates, and the next call fetches a new token and goes through.
    emu.expire_tokens();
    let refused = echo(&emu, &c, None);
    assert_eq!(refused["msg"], format!("token不存在或者超时：{first}"));
    assert!(weaver_rest_is_token_refusal(refused.to_string().as_bytes()));
    c.invalidate();
    assert_eq!(echo(&emu, &c, None)["status"], true);
    assert_ne!(c.token().unwrap().value, first);
    assert_eq!(emu.stats().weaver_apply_token, 2);
    assert_eq!(
        emu.stats().weaver_regist,
        1,
        "invalidate keeps the registration"
    );

    // A restarted server forgets its tokens altogether: the same refusal,
    // the same recovery.
    let second = c.token().unwrap().value.clone();
    emu.forget_tokens();
    assert_eq!(emu.weaver_rest_token_valid(&second), None);
    let refused = echo(&emu, &c, None);
    assert_eq!(refused["msg"], format!("token不存在或者超时：{second}"));
    c.invalidate();
    assert_eq!(echo(&emu, &c, None)["status"], true);
    assert_eq!(emu.stats().weaver_apply_token, 3);

    // token_ttl_s is sent as `time`; the client refreshes before it ends.
    let short = WeaverRestClient::from_json(&config(
        &emu.base_url(),
        &path,
        serde_json::json!({"token_ttl_s": 1, "refresh_margin_s": 0}),
    ))
    .unwrap();
    let t1 = short.token().unwrap().value.clone();
    assert_eq!(emu.weaver_rest_token_valid(&t1), Some(true));
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(emu.weaver_rest_token_valid(&t1), Some(false), "time = 1 s");
    let t2 = short.token().unwrap().value.clone();
    assert_ne!(t1, t2);
    assert_eq!(emu.stats().weaver_apply_token, 5);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn threads_of_one_client_register_once() {
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    emu.set_fault(Fault::new(Endpoint::WeaverRegist, FaultKind::Delay).delay_ms(200));
    let dir = temp_dir("threads");
    let c = std::sync::Arc::new(client(&emu, &dir.join("s.json")));
    let tokens = common::on_threads(8, || c.token().unwrap().value.clone());
    assert!(tokens.iter().all(|t| *t == tokens[0]));
    assert_eq!(emu.stats().weaver_regist, 1);
    assert_eq!(emu.stats().weaver_apply_token, 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

const CHILD_ENV: &str = "ERPAUTH_TEST_REST_CHILD";

/// Several processes start at once on one state file: exactly one registers,
/// every process ends up with the same registration, and the file is the
/// winner's. This test runs itself as the child processes (with
/// `ERPAUTH_TEST_REST_CHILD` set, it registers and prints the state).
#[test]
fn processes_sharing_a_state_file_register_once() {
    if let Ok(config_json) = std::env::var(CHILD_ENV) {
        let c = WeaverRestClient::from_json(&config_json).unwrap();
        let reg = c.register().unwrap();
        c.token().unwrap();
        println!("STATE {}", reg.as_str());
        return;
    }
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    // A slow registration: every child is started and waiting on the lock
    // (or already reading) while the first one is still registering.
    emu.set_fault(Fault::new(Endpoint::WeaverRegist, FaultKind::Delay).delay_ms(500));
    let dir = temp_dir("procs");
    let path = dir.join("shared-state.json");
    let config_json = config(&emu.base_url(), &path, serde_json::json!({}));
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..4)
        .map(|_| {
            std::process::Command::new(&exe)
                .args([
                    "--exact",
                    "processes_sharing_a_state_file_register_once",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(CHILD_ENV, &config_json)
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut secrits = Vec::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "child failed: {out:?}");
        let text = String::from_utf8(out.stdout).unwrap();
        let line = text
            .lines()
            .find_map(|l| l.split_once("STATE ").map(|(_, state)| state))
            .unwrap_or_else(|| panic!("no state printed: {text}"));
        let reg: serde_json::Value = serde_json::from_str(line).unwrap();
        secrits.push(reg["secrit"].as_str().unwrap().to_owned());
    }
    assert_eq!(
        emu.stats().weaver_regist,
        1,
        "exactly one process registered"
    );
    assert_eq!(emu.stats().weaver_apply_token, 4);
    assert!(secrits.iter().all(|s| *s == secrits[0]));
    assert_eq!(state_of(&path)["secrit"], secrits[0].as_str());
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn wrong_secrit_and_registration_elsewhere_are_refused_in_e9_words() {
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    let dir = temp_dir("wrong");
    let first = client(&emu, &dir.join("a.json"));
    let reg: serde_json::Value = serde_json::from_str(&first.register().unwrap()).unwrap();
    let spk = reg["spk"].as_str().unwrap();

    // spk + a secrit the server never handed out.
    let wrong = WeaverRestClient::from_json(
        &serde_json::json!({"base_url": emu.base_url(), "appid": APPID, "spk": spk,
            "secrit": "zzz-wrong-secrit"})
        .to_string(),
    )
    .unwrap();
    let err = wrong.token().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Rejected);
    assert!(
        err.message()
            .starts_with("e9 refused applytoken: 认证信息错误 (code -1)"),
        "{err}"
    );
    assert!(!err.message().contains("zzz-wrong-secrit"));

    // An spk that is not the server's: secret does not decrypt.
    let other_key = vectors()["client"]["cpk"].as_str().unwrap().to_owned();
    let foreign = WeaverRestClient::from_json(
        &serde_json::json!({"base_url": emu.base_url(), "appid": APPID, "spk": other_key,
            "secrit": reg["secrit"]})
        .to_string(),
    )
    .unwrap();
    let err = foreign.token().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Rejected);
    assert!(
        err.message()
            .starts_with("e9 refused applytoken: secret解密失败,请检查加密内容. (code -1)"),
        "{err}"
    );

    // The right pair from the config works; then another node registers the
    // same appid with its own state file, and the old secrit is refused.
    let given = WeaverRestClient::from_json(
        &serde_json::json!({"base_url": emu.base_url(), "appid": APPID, "spk": spk,
            "secrit": reg["secrit"]})
        .to_string(),
    )
    .unwrap();
    given.token().unwrap();
    let given_reg: serde_json::Value = serde_json::from_str(&given.register().unwrap()).unwrap();
    assert_eq!(given_reg["secrit"], reg["secrit"]);
    assert_eq!(given_reg["state_file"], serde_json::Value::Null);
    client(&emu, &dir.join("b.json")).token().unwrap();
    assert_eq!(emu.stats().weaver_regist, 2);
    first.invalidate();
    let err = first.token().unwrap_err();
    assert!(err.message().contains("认证信息错误"), "{err}");
    assert!(err.message().contains("registered again"), "{err}");

    // An appid the server does not know cannot register.
    let unknown = WeaverRestClient::from_json(
        &serde_json::json!({"base_url": emu.base_url(), "appid": "nobody",
            "state_file": dir.join("c.json").to_str().unwrap()})
        .to_string(),
    )
    .unwrap();
    let err = unknown.register().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Rejected);
    assert!(
        err.message().starts_with("e9 refused regist: 认证信息错误"),
        "{err}"
    );
    assert!(!dir.join("c.json").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn hostile_answers_are_refused_and_nothing_is_stored() {
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    let dir = temp_dir("hostile");
    for (hostile, words) in [("bad_spk", "spk"), ("no_secrit", "\"secrit\"")] {
        emu.update_config(&serde_json::json!({"weaver_rest": {"hostile": hostile}}))
            .unwrap();
        let path = dir.join(format!("{hostile}.json"));
        let err = client(&emu, &path).token().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BadResponse, "{hostile}: {err}");
        assert!(err.message().contains(words), "{err}");
        assert!(
            !path.exists(),
            "{hostile}: no state is kept from a bad answer"
        );
    }
    emu.update_config(&serde_json::json!({"weaver_rest": {"hostile": "token_control_chars"}}))
        .unwrap();
    let c = client(&emu, &dir.join("t.json"));
    let err = c.token().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadResponse);
    assert!(err.message().contains("not a plain header value"), "{err}");
    assert!(!err.message().contains('\n'));

    // Transport-level nonsense: not JSON, HTTP 500.
    emu.update_config(&serde_json::json!({"weaver_rest": {"hostile": "none"}}))
        .unwrap();
    emu.set_fault(Fault::new(Endpoint::WeaverApplyToken, FaultKind::Garbage).count(1));
    assert_eq!(c.token().unwrap_err().kind(), ErrorKind::BadResponse);
    emu.set_fault(Fault::new(Endpoint::WeaverApplyToken, FaultKind::Http500).count(1));
    assert_eq!(c.token().unwrap_err().kind(), ErrorKind::Http);
    c.token().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unusable_state_files_are_reported_and_left_alone() {
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    let dir = temp_dir("badstate");
    let path = dir.join("s.json");
    std::fs::write(&path, "{\"not\":\"a state\"}").unwrap();
    let err = client(&emu, &path).token().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.message().contains("never overwrites"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "{\"not\":\"a state\"}"
    );

    // Another appid's file.
    let other = dir.join("other.json");
    client(&emu, &other).register().unwrap();
    let mut state = state_of(&other);
    state["appid"] = "someone-else".into();
    std::fs::write(&other, state.to_string()).unwrap();
    let err = client(&emu, &other).token().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.message().contains("\"someone-else\""), "{err}");
    assert_eq!(emu.stats().weaver_regist, 1);

    // A directory that does not exist.
    let err = client(&emu, &dir.join("missing/s.json"))
        .register()
        .unwrap_err();
    assert!(err.message().contains("\"state_file\""), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn vectors_decrypt_and_the_client_encrypts_what_the_server_decrypts() {
    let v = vectors();
    let spk = v["server"]["spk"].as_str().unwrap();
    let key = erpauth::weaver_rest::ServerKey::from_base64(spk, "spk").unwrap();
    assert_eq!(key.bits(), 2048);
    for e in v["encrypt"].as_array().unwrap() {
        let plain = e["plaintext"].as_str().unwrap();
        assert_eq!(decrypt(e["ciphertext"].as_str().unwrap()), plain);
        let mine = key.encrypt_base64(plain, "x").unwrap();
        assert_eq!(decrypt(&mine), plain);
        assert_ne!(mine, e["ciphertext"].as_str().unwrap());
    }
    let too_long = v["too_long"]["plaintext"].as_str().unwrap();
    assert_eq!(
        key.encrypt_base64(too_long, "userid").unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    let pair = erpauth::weaver_rest::ClientKeyPair::from_pkcs8_base64(
        v["client"]["private_pkcs8"].as_str().unwrap(),
        "key",
    )
    .unwrap();
    assert_eq!(pair.cpk().unwrap(), v["client"]["cpk"].as_str().unwrap());
}

fn out(
    call: impl FnOnce(*mut std::ffi::c_char, usize, *mut usize) -> erpauth_status,
) -> (erpauth_status, String) {
    let mut buf = vec![0u8; 4096];
    let mut len = 0usize;
    let status = call(buf.as_mut_ptr().cast(), buf.len(), &mut len);
    (status, String::from_utf8(buf[..len].to_vec()).unwrap())
}

#[test]
fn c_abi() {
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    let dir = temp_dir("cabi");
    let path = dir.join("s.json");
    let cfg = CString::new(config(&emu.base_url(), &path, serde_json::json!({}))).unwrap();
    let mut c: *mut ffi::erpauth_weaver_rest_client = std::ptr::null_mut();
    unsafe {
        assert_eq!(
            ffi::erpauth_weaver_rest_client_new(cfg.as_ptr(), &mut c),
            erpauth_status::ERPAUTH_OK
        );
        // Size query first: registers once, and the retry does not again.
        let mut len = 0usize;
        let status = ffi::erpauth_weaver_rest_client_register(c, std::ptr::null_mut(), 0, &mut len);
        assert_eq!(status, erpauth_status::ERPAUTH_BUFFER_TOO_SMALL);
        let (status, reg) = out(|o, cap, l| ffi::erpauth_weaver_rest_client_register(c, o, cap, l));
        assert_eq!(status, erpauth_status::ERPAUTH_OK);
        assert_eq!(reg.len(), len);
        assert_eq!(emu.stats().weaver_regist, 1);
        let (status, token) = out(|o, cap, l| ffi::erpauth_weaver_rest_client_token(c, o, cap, l));
        assert_eq!(status, erpauth_status::ERPAUTH_OK);
        let user = CString::new("1").unwrap();
        let (status, userid) =
            out(|o, cap, l| ffi::erpauth_weaver_rest_client_userid(c, user.as_ptr(), o, cap, l));
        assert_eq!(status, erpauth_status::ERPAUTH_OK);
        assert_eq!(decrypt(&userid), "1");
        let (status, lines) =
            out(|o, cap, l| ffi::erpauth_weaver_rest_client_headers(c, user.as_ptr(), o, cap, l));
        assert_eq!(status, erpauth_status::ERPAUTH_OK);
        assert_eq!(
            lines,
            format!("appid: {APPID}\r\ntoken: {token}\r\nuserid: {userid}\r\n")
        );
        let (status, lines) = out(|o, cap, l| {
            ffi::erpauth_weaver_rest_client_headers(c, std::ptr::null(), o, cap, l)
        });
        assert_eq!(status, erpauth_status::ERPAUTH_OK);
        assert_eq!(lines, format!("appid: {APPID}\r\ntoken: {token}\r\n"));
        ffi::erpauth_weaver_rest_client_invalidate(c);
        let (_, token2) = out(|o, cap, l| ffi::erpauth_weaver_rest_client_token(c, o, cap, l));
        assert_ne!(token, token2);
        // Errors: NULL userid, NULL client, bad config.
        let (status, _) =
            out(|o, cap, l| ffi::erpauth_weaver_rest_client_userid(c, std::ptr::null(), o, cap, l));
        assert_eq!(status, erpauth_status::ERPAUTH_INVALID_ARGUMENT);
        assert!(last_error().contains("userid is NULL"));
        let (status, _) =
            out(|o, cap, l| ffi::erpauth_weaver_rest_client_token(std::ptr::null_mut(), o, cap, l));
        assert_eq!(status, erpauth_status::ERPAUTH_INVALID_ARGUMENT);
        ffi::erpauth_weaver_rest_client_free(c);
        ffi::erpauth_weaver_rest_client_free(std::ptr::null_mut());
        ffi::erpauth_weaver_rest_client_invalidate(std::ptr::null_mut());

        let bad = CString::new("{\"base_url\":\"http://h\",\"appid\":\"a\"}").unwrap();
        let mut c2: *mut ffi::erpauth_weaver_rest_client = 1 as *mut _;
        assert_eq!(
            ffi::erpauth_weaver_rest_client_new(bad.as_ptr(), &mut c2),
            erpauth_status::ERPAUTH_INVALID_ARGUMENT
        );
        assert!(c2.is_null());
        assert!(last_error().contains("state_file"), "{}", last_error());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

fn request<'a>(
    method: &'a str,
    target: &'a str,
    body: Option<&'a [u8]>,
) -> erpauth::client::Request<'a> {
    erpauth::client::Request {
        method,
        path_and_query: target,
        body,
        content_type: None,
    }
}

#[test]
fn business_call_retries_once_on_an_expired_token_and_never_after_a_timeout() {
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    let dir = temp_dir("call");
    let c = client(&emu, &dir.join("s.json"));
    let target = "/api/emulator/rest/echo?page=1";
    let answer = c
        .call(
            &request("post", target, Some("{\"n\":\"中\"}".as_bytes())),
            Some("9"),
        )
        .unwrap();
    assert_eq!(answer.status, 200);
    let echoed: serde_json::Value = serde_json::from_slice(&answer.body).unwrap();
    assert_eq!(echoed["method"], "POST");
    assert_eq!(echoed["target"], target);
    assert_eq!(echoed["userid"], "9");
    assert_eq!(echoed["body"], "{\"n\":\"中\"}");
    assert_eq!(echoed["content_type"], "application/json;charset=UTF-8");

    // Token expiry mid-run: one refused request, one new token, one retry;
    // the caller sees only the good answer.
    emu.expire_tokens();
    emu.reset_stats();
    let answer = c.call(&request("GET", target, None), None).unwrap();
    let echoed: serde_json::Value = serde_json::from_slice(&answer.body).unwrap();
    assert_eq!(echoed["status"], true, "{echoed}");
    assert_eq!(echoed["userid"], serde_json::Value::Null);
    let stats = emu.stats();
    assert_eq!(
        (
            stats.weaver_rest_business,
            stats.weaver_apply_token,
            stats.weaver_regist
        ),
        (2, 1, 0)
    );

    // 登录信息超时 (here for an unknown user) reads as a token refusal: one
    // retry with a new token, then the answer is returned as it is.
    let answer = c.call(&request("GET", target, None), Some("777")).unwrap();
    assert!(String::from_utf8_lossy(&answer.body).contains("登录信息超时"));
    assert_eq!(
        emu.stats().weaver_rest_business,
        4,
        "one retry, then the answer"
    );

    // No answer in time after the request went out: reported, not resent.
    let slow = WeaverRestClient::from_json(&config(
        &emu.base_url(),
        &dir.join("s.json"),
        serde_json::json!({"timeout_ms": 300}),
    ))
    .unwrap();
    slow.token().unwrap();
    emu.reset_stats();
    emu.set_fault(Fault::new(Endpoint::WeaverRestBusiness, FaultKind::Hang));
    let err = slow
        .call(&request("POST", target, Some(b"{}")), Some("1"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network);
    assert!(
        err.message().contains("may have reached the server"),
        "{err}"
    );
    assert_eq!(emu.stats().weaver_rest_business, 1);
    emu.clear_faults();

    let err = c.call(&request("TRACE", target, None), None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn business_call_through_the_c_abi() {
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    let dir = temp_dir("ccall");
    let cfg = CString::new(config(
        &emu.base_url(),
        &dir.join("s.json"),
        serde_json::json!({}),
    ))
    .unwrap();
    let method = CString::new("POST").unwrap();
    let target = CString::new("/api/emulator/rest/echo").unwrap();
    let body = CString::new("a=1").unwrap();
    let ct = CString::new("application/x-www-form-urlencoded; charset=utf-8").unwrap();
    let user = CString::new("1").unwrap();
    unsafe {
        let mut c: *mut ffi::erpauth_weaver_rest_client = std::ptr::null_mut();
        assert_eq!(
            ffi::erpauth_weaver_rest_client_new(cfg.as_ptr(), &mut c),
            erpauth_status::ERPAUTH_OK
        );
        let mut response: *mut ffi::erpauth_response = std::ptr::null_mut();
        let status = ffi::erpauth_weaver_rest_client_call(
            c,
            method.as_ptr(),
            target.as_ptr(),
            body.as_ptr(),
            ct.as_ptr(),
            user.as_ptr(),
            &mut response,
        );
        assert_eq!(status, erpauth_status::ERPAUTH_OK, "{}", last_error());
        assert_eq!(ffi::erpauth_response_status(response), 200);
        let (status, text) = out(|o, cap, l| ffi::erpauth_response_body(response, o, cap, l));
        assert_eq!(status, erpauth_status::ERPAUTH_OK);
        let echoed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(echoed["userid"], "1");
        assert_eq!(echoed["body"], "a=1");
        assert_eq!(echoed["content_type"], ct.to_str().unwrap());
        ffi::erpauth_response_free(response);

        let mut response: *mut ffi::erpauth_response = 1 as *mut _;
        let status = ffi::erpauth_weaver_rest_client_call(
            c,
            std::ptr::null(),
            target.as_ptr(),
            std::ptr::null(),
            std::ptr::null(),
            std::ptr::null(),
            &mut response,
        );
        assert_eq!(status, erpauth_status::ERPAUTH_INVALID_ARGUMENT);
        assert!(response.is_null());
        ffi::erpauth_weaver_rest_client_free(c);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_e9_workflow_endpoints_take_rest_tokens_too() {
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    let dir = temp_dir("paservice");
    let c = client(&emu, &dir.join("s.json"));
    let target = "/api/workflow/paService/getToDoWorkflowRequestList?pageNo=1";
    let answer = c.call(&request("GET", target, None), Some("9")).unwrap();
    assert_eq!(answer.status, 200);
    let data: serde_json::Value = serde_json::from_slice(&answer.body).unwrap();
    assert_eq!(data["code"], "SUCCESS", "{data}");
    assert_eq!(data["data"]["user"], "9");
    assert_eq!(data["data"]["appid"], APPID);
    assert_eq!(emu.stats().weaver_business, 1);

    // Expired mid-run: refused, a new token, the same call again.
    emu.expire_tokens();
    let answer = c
        .call(
            &request(
                "POST",
                "/api/workflow/paService/doCreateRequest",
                Some(b"workflowId=1"),
            ),
            Some("1"),
        )
        .unwrap();
    let data: serde_json::Value = serde_json::from_slice(&answer.body).unwrap();
    assert_eq!(data["data"]["user"], "1", "{data}");
    assert_eq!(emu.stats().weaver_business, 3);
    assert_eq!(emu.stats().weaver_apply_token, 2);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_registration_made_again_through_the_shared_state_file_is_picked_up() {
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    let dir = temp_dir("reload");
    let path = dir.join("s.json");
    let a = client(&emu, &path);
    a.token().unwrap();
    a.userid("1").unwrap();
    // The operator moves the file away and another process registers again:
    // the server now knows only the new secrit, which the file holds.
    std::fs::rename(&path, dir.join("moved-away.json")).unwrap();
    let b = client(&emu, &path);
    b.token().unwrap();
    assert_eq!(emu.stats().weaver_regist, 2);
    a.invalidate();
    let before = emu.stats().weaver_apply_token;
    a.token().unwrap();
    assert_eq!(
        emu.stats().weaver_apply_token,
        before + 2,
        "one refusal, one success"
    );
    assert_eq!(emu.stats().weaver_regist, 2, "no registration of its own");
    assert_eq!(
        a.cached_userids(),
        0,
        "ciphertexts of the old registration dropped"
    );
    let reg: serde_json::Value = serde_json::from_str(&a.register().unwrap()).unwrap();
    assert_eq!(reg["secrit"], state_of(&path)["secrit"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn debug_output_and_messages_never_show_the_secrit() {
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    let secrit = "zq-rest-secrit-never-shown-61";
    let spk = vectors()["server"]["spk"].as_str().unwrap().to_owned();
    let c = WeaverRestClient::from_json(
        &serde_json::json!({"base_url": emu.base_url(), "appid": APPID, "spk": spk,
            "secrit": secrit})
        .to_string(),
    )
    .unwrap();
    assert!(!format!("{c:?}").contains(secrit), "{c:?}");
    let err = c.token().unwrap_err();
    assert!(!err.message().contains(secrit), "{err}");
    assert!(!format!("{err:?}").contains(secrit));
    // A secrit too long for one block is refused without being shown.
    let long = "zq".repeat(200);
    let err = WeaverRestClient::from_json(
        &serde_json::json!({"base_url": emu.base_url(), "appid": APPID, "spk": spk,
            "secrit": long})
        .to_string(),
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(!err.message().contains(&long[..20]), "{err}");
}

#[test]
fn a_regist_without_an_answer_says_it_may_have_registered() {
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    emu.set_fault(Fault::new(Endpoint::WeaverRegist, FaultKind::Hang).count(1));
    let dir = temp_dir("registhang");
    let path = dir.join("s.json");
    let c = WeaverRestClient::from_json(&config(
        &emu.base_url(),
        &path,
        serde_json::json!({"timeout_ms": 300}),
    ))
    .unwrap();
    let err = c.token().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network);
    assert!(
        err.message().contains("may have registered anyway"),
        "{err}"
    );
    assert!(!path.exists());
    // The next call registers (the fault is used up) and goes through.
    c.token().unwrap();
    assert_eq!(emu.stats().weaver_regist, 2);
    std::fs::remove_dir_all(&dir).unwrap();
}
