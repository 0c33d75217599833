//! The `erpauth` binary, run as other suites run it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_erpauth");

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("run erpauth")
}

/// The command started with `args` and every standard stream piped.
fn spawn_piped(args: &[&str]) -> Child {
    Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn run_with_stdin(args: &[&str], stdin: &str) -> Output {
    let mut child = spawn_piped(args);
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// Asserts that `o` exited with `code` and said `needle` on stderr.
fn assert_failed(o: &Output, code: i32, needle: &str) {
    assert_eq!(o.status.code(), Some(code), "{}", stderr(o));
    assert!(stderr(o).contains(needle), "{}", stderr(o));
}

/// A running `erpauth emulate --exit-on-stdin-eof`; killed on drop.
struct Emulate {
    child: Child,
    base_url: String,
}

impl Emulate {
    fn start(extra: &[&str]) -> Emulate {
        let mut child = spawn_piped(&[&["emulate", "--exit-on-stdin-eof"], extra].concat());
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base_url = line
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("first line was {line:?}"))
            .strip_suffix('\n')
            .unwrap()
            .to_owned();
        assert!(base_url.starts_with("http://127.0.0.1:"), "{base_url}");
        Emulate { child, base_url }
    }

    fn port(&self) -> u16 {
        self.base_url.rsplit(':').next().unwrap().parse().unwrap()
    }

    fn get(&self, path: &str) -> String {
        let mut s = TcpStream::connect(("127.0.0.1", self.port())).unwrap();
        write!(s, "GET {path} HTTP/1.1\r\nConnection: close\r\n\r\n").unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        answer.split_once("\r\n\r\n").unwrap().1.to_owned()
    }

    fn kingdee_config(&self, app_secret: &str) -> String {
        format!(
            r#"{{"client_id":"emu-client-id","client_secret":"emu-client-secret","app_key":"emuAppKey",
               "app_secret":"{app_secret}","base_url":"{}","domain":"https://emu.jdy.com","timeout_ms":3000}}"#,
            self.base_url
        )
    }

    fn weaver_config(&self) -> String {
        format!(
            r#"{{"base_url":"{}","appid":"emu-appid","secret":"emu-secret","aes_key":"emu-aes-key-0016","timeout_ms":3000}}"#,
            self.base_url
        )
    }
}

impl Drop for Emulate {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn kingdee_sign_reproduces_the_public_vector() {
    let target = "/jdyconnector/app_management/kingdee_auth_token?app_key=bVZgAZOv1&app_signature=\
                  MzZlYTk0ODk4MWZlNjdiODNmNWU4YzViNzYxNGM5MTFlOGJkN2NjMzk0MTJkZGNhZGM0NzZhN2YxZDJmOTlkZA%3D%3D";
    let args = [
        "kingdee",
        "sign",
        "--method",
        "GET",
        "--target",
        target,
        "--nonce",
        "4427456950",
        "--timestamp",
        "1670305063559",
    ];
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env("ERPAUTH_CLIENT_SECRET", "f2adcfef73369bfc4e1384677d38a0ff");
    let o = cmd.output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "string_to_sign: \"GET\\n%2Fjdyconnector%2Fapp_management%2Fkingdee_auth_token\\napp_key=bVZgAZOv1&app_signature=\
         MzZlYTk0ODk4MWZlNjdiODNmNWU4YzViNzYxNGM5MTFlOGJkN2NjMzk0MTJkZGNhZGM0NzZhN2YxZDJmOTlkZA%253D%253D\\n\
         x-api-nonce:4427456950\\nx-api-timestamp:1670305063559\\n\"\n\
         hmac_sha256_hex: 91be9b41b23da27c5a788028de71f5e09e9565e4c5a25f21cf9a07df68b50d51\n\
         X-Api-Nonce: 4427456950\nX-Api-TimeStamp: 1670305063559\n\
         X-Api-Signature: OTFiZTliNDFiMjNkYTI3YzVhNzg4MDI4ZGU3MWY1ZTA5ZTk1NjVlNGM1YTI1ZjIxY2Y5YTA3ZGY2OGI1MGQ1MQ==\n"
    );

    let o = run(&[
        "kingdee",
        "string-to-sign",
        "--method",
        "get",
        "--target",
        "/a%20b?q=%E4%B8%AD+x",
        "--nonce",
        "1",
        "--timestamp",
        "2",
    ]);
    assert_eq!(
        stdout(&o),
        "GET\n%2Fa+b\nq=%25E4%25B8%25AD%2Bx\nx-api-nonce:1\nx-api-timestamp:2\n"
    );

    // Without --nonce/--timestamp a fresh pair is made and shown.
    let o = run(&[
        "kingdee",
        "sign",
        "--client-secret",
        "s",
        "--method",
        "GET",
        "--target",
        "/x",
    ]);
    let text = stdout(&o);
    assert!(
        text.contains("\nX-Api-Nonce: ") && text.contains("\nX-Api-TimeStamp: "),
        "{text}"
    );
}

#[test]
fn app_signature_and_weaver_sign_vectors() {
    let o = run(&[
        "kingdee",
        "app-signature",
        "--app-key",
        "abc",
        "--app-secret",
        "abc123",
    ]);
    assert_eq!(stdout(&o), "ZDljMTI3NGIyNTE1MTRkYzlkNjc1MDNhYjUzMzgzNWMyY2M4YTdjMzdmNmM3YTVlNDkxMTkzNjdiOTFjNzUyZQ==\n");

    let o = run(&[
        "weaver",
        "sign",
        "--appid",
        "weaverappid",
        "--secret",
        "weaversecret",
        "--aes-key",
        "8fy6K39X6PIEEeOq",
        "--timestamp",
        "1700000000000",
    ]);
    assert_eq!(
        stdout(&o),
        "plaintext: 1700000000000_9A4F96168413AFA4C5BE4E60A859DEA0\n\
         sign: 2da1e861f36ba4aa1babbadbdc1e275a9efc8b34155b2bd4e147370de8d80954b04dbe29a019802759029ab51c8bc6a1\n"
    );
}

#[test]
fn errors_have_exit_codes_and_no_secrets() {
    let o = run(&[
        "weaver",
        "sign",
        "--appid",
        "a",
        "--secret",
        "s",
        "--aes-key",
        "zzz-secret-key",
    ]);
    assert_failed(&o, 2, "14 bytes");
    assert!(!stderr(&o).contains("zzz-secret-key"));

    let o = run(&[
        "kingdee",
        "string-to-sign",
        "--method",
        "GET",
        "--target",
        "/p?a=%zz",
        "--nonce",
        "1",
        "--timestamp",
        "2",
    ]);
    assert_failed(&o, 2, "malformed percent escape");

    let o = run(&["kingdee", "token", "--config", "/nonexistent/erpauth.json"]);
    assert_failed(&o, 2, "/nonexistent/erpauth.json");

    let o = run_with_stdin(
        &["kingdee", "token", "--config", "-"],
        r#"{"client_id":"c","client_secret":"zzz-secret"}"#,
    );
    assert_failed(&o, 2, "app_key");
    assert!(!stderr(&o).contains("zzz-secret"));

    // Clap's own usage errors also exit 2.
    assert_eq!(run(&["kingdee", "sign"]).status.code(), Some(2));
}

#[test]
fn token_commands_against_the_emulator() {
    let emu = Emulate::start(&[]);
    let o = run_with_stdin(
        &["kingdee", "token", "--config", "-"],
        &emu.kingdee_config("emu-app-secret"),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("app-token: "), "{text}");
    assert_eq!(lines[1], "uid: 700123");
    assert_eq!(lines[2], "# headers for GET /jdy/v2/bd/customer");
    let names: Vec<&str> = lines[3..]
        .iter()
        .map(|l| l.split(':').next().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "X-Api-ClientID",
            "X-Api-Auth-Version",
            "X-Api-TimeStamp",
            "X-Api-Nonce",
            "X-Api-SignHeaders",
            "X-Api-Signature",
            "app-token",
            "X-GW-Router-Addr"
        ]
    );
    assert_eq!(
        lines[9], lines[0],
        "the business headers carry the same app-token"
    );

    let o = run_with_stdin(
        &["kingdee", "token", "--config", "-"],
        &emu.kingdee_config("zzz-rotated-secret"),
    );
    assert_failed(&o, 5, "errcode 1030002006: 授权密钥校验失败");
    assert!(!stderr(&o).contains("zzz-rotated-secret"));

    let dir = std::env::temp_dir().join(format!("erpauth-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("weaver.json");
    std::fs::write(&path, emu.weaver_config()).unwrap();
    let path = path.to_str().unwrap();
    let o = run(&[
        "weaver",
        "token",
        "--config",
        path,
        "--user-type",
        "loginid",
        "--user-contain",
        "zhangs",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.starts_with("token: ") && text.contains("\nuserid: "),
        "{text}"
    );
    let o = run(&["weaver", "token", "--config", path]);
    assert!(stdout(&o).starts_with("token: ") && !stdout(&o).contains("userid"));
    let o = run(&[
        "weaver",
        "token",
        "--config",
        path,
        "--user-type",
        "id123",
        "--user-contain",
        "9",
    ]);
    assert_failed(&o, 5, "userType:id123 无效,请确认!!!");
    std::fs::remove_dir_all(&dir).unwrap();

    // Five client connections plus the one asking for the stats.
    assert_eq!(
        emu.get("/__emulator/stats"),
        r#"{"kingdee_auth_token":2,"kingdee_business":0,"weaver_get_token":3,"kingdee_push_app_authorize":0,"weaver_business":0,"weaver_regist":0,"weaver_apply_token":0,"weaver_rest_business":0,"connections":6,"cookies_received":0}"#
    );
}

#[test]
fn network_and_http_failures_have_their_exit_codes() {
    // Nothing listens on a port we bound and released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = format!(
        r#"{{"base_url":"http://127.0.0.1:{port}","appid":"emu-appid","secret":"s","aes_key":"emu-aes-key-0016","timeout_ms":2000}}"#
    );
    let o = run_with_stdin(&["weaver", "token", "--config", "-"], &config);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));

    let dir = std::env::temp_dir().join(format!("erpauth-cli-fault-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let emu_config = dir.join("emu.json");
    std::fs::write(&emu_config, r#"{"fault":[{"endpoint":"weaver_get_token","kind":"http_500"},{"endpoint":"kingdee_auth_token","kind":"garbage"}]}"#).unwrap();
    let emu = Emulate::start(&["--config", emu_config.to_str().unwrap()]);
    let o = run_with_stdin(&["weaver", "token", "--config", "-"], &emu.weaver_config());
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let o = run_with_stdin(
        &["kingdee", "token", "--config", "-"],
        &emu.kingdee_config("emu-app-secret"),
    );
    assert_eq!(o.status.code(), Some(6), "{}", stderr(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn emulate_exits_on_stdin_eof_and_reports_bad_configs() {
    let mut emu = Emulate::start(&[]);
    let port = emu.port();
    drop(emu.child.stdin.take());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = emu.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "still running after stdin EOF"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success());
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err());

    let o = run_with_stdin(
        &["emulate", "--config", "-"],
        r#"{"kingdee":{"client_sercet":"x"}}"#,
    );
    assert_failed(&o, 2, "client_sercet");
    assert!(stdout(&o).is_empty());

    let taken = Emulate::start(&[]);
    let o = run(&["emulate", "--port", &taken.port().to_string()]);
    assert_failed(&o, 1, "cannot listen");

    // A fixed port works too.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let fixed = Emulate::start(&["--port", &port.to_string()]);
    assert_eq!(fixed.port(), port);
}

#[test]
fn authorization_command_pulls_and_prints_without_the_secret() {
    let emu = Emulate::start(&[]);
    let config = format!(
        r#"{{"client_id":"emu-client-id","client_secret":"emu-client-secret",
           "outer_instance_id":"emu-instance-1","base_url":"{}","timeout_ms":3000}}"#,
        emu.base_url
    );
    let o = run_with_stdin(&["kingdee", "authorization", "--config", "-"], &config);
    assert!(o.status.success(), "{}", stderr(&o));
    let auth: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(auth["app_key"], "emuAppKey");
    assert_eq!(auth["domain"], "https://emu.jdy.com");
    assert_eq!(auth["source"], "push_app_authorize");
    assert!(!stdout(&o).contains("emu-app-secret"), "{}", stdout(&o));
    let stats = emu.get("/__emulator/stats");
    assert!(
        stats.contains(r#""kingdee_push_app_authorize":1"#),
        "{stats}"
    );

    // An unknown instance: the gateway's refusal, exit code 5.
    let o = run_with_stdin(
        &["kingdee", "authorization", "--config", "-"],
        &config.replace("emu-instance-1", "no-such-instance"),
    );
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(stderr(&o).contains("1030002010"), "{}", stderr(&o));
}

#[test]
fn weaver_rest_commands_register_once_and_print_state_and_headers() {
    let emu = Emulate::start(&[]);
    let dir = std::env::temp_dir().join(format!("erpauth-cli-rest-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let state = dir.join("state.json");
    let _ = std::fs::remove_file(&state);
    let config = format!(
        r#"{{"base_url":"{}","appid":"emu-rest-appid","state_file":"{}","timeout_ms":3000}}"#,
        emu.base_url,
        state.display()
    );
    let o = run_with_stdin(&["weaver", "rest-register", "--config", "-"], &config);
    assert!(o.status.success(), "{}", stderr(&o));
    let reg: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(reg["appid"], "emu-rest-appid");
    assert!(
        reg["spk"].as_str().unwrap().starts_with("MIIBIjAN"),
        "{reg}"
    );
    assert!(!reg["secrit"].as_str().unwrap().is_empty());
    assert!(state.exists());

    // A second process: the same registration, no second regist.
    let o = run_with_stdin(&["weaver", "rest-register", "--config", "-"], &config);
    let again: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(again["secrit"], reg["secrit"]);

    let o = run_with_stdin(
        &["weaver", "rest-token", "--config", "-", "--userid", "1"],
        &config,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let names: Vec<&str> = text
        .lines()
        .map(|l| l.split_once(": ").unwrap().0)
        .collect();
    assert_eq!(names, ["appid", "token", "userid"], "{text}");
    let stats = emu.get("/__emulator/stats");
    assert!(
        stats.contains(r#""weaver_regist":1,"weaver_apply_token":1"#),
        "{stats}"
    );

    // An appid the server does not know: its refusal, exit code 5.
    let other = dir.join("other.json");
    let o = run_with_stdin(
        &["weaver", "rest-register", "--config", "-"],
        &config
            .replace("emu-rest-appid", "nobody")
            .replace(state.to_str().unwrap(), other.to_str().unwrap()),
    );
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(stderr(&o).contains("认证信息错误"), "{}", stderr(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn call_commands_print_status_and_body() {
    let emu = Emulate::start(&[]);
    let o = run_with_stdin(
        &[
            "kingdee",
            "call",
            "--config",
            "-",
            "--method",
            "POST",
            "--target",
            "/jdy/v2/erpauth/echo?a=1",
            "--body",
            r#"{"k":"值"}"#,
        ],
        &emu.kingdee_config("emu-app-secret"),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let (status, body) = text.split_once('\n').unwrap();
    assert_eq!(status, "HTTP 200");
    let echo: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(echo["data"]["body"], r#"{"k":"值"}"#);
    assert_eq!(echo["data"]["method"], "POST");

    // A refusal is an answer: exit 0, status and body printed.
    let o = run_with_stdin(
        &[
            "kingdee",
            "call",
            "--config",
            "-",
            "--target",
            "/jdy/v2/no/such",
        ],
        &emu.kingdee_config("emu-app-secret"),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("HTTP 519\n{\"code\":5001"),
        "{}",
        stdout(&o)
    );

    let o = run_with_stdin(
        &[
            "weaver",
            "call",
            "--config",
            "-",
            "--user-type",
            "loginid",
            "--user-contain",
            "zhangs",
            "--target",
            "/api/workflow/paService/getToDoWorkflowRequestList",
        ],
        &emu.weaver_config(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("HTTP 200\n"), "{}", stdout(&o));
    assert!(stdout(&o).contains(r#""user":"9""#), "{}", stdout(&o));

    // Bad arguments: exit 2, nothing sent.
    let o = run_with_stdin(
        &[
            "kingdee", "call", "--config", "-", "--method", "TRACE", "--target", "/x",
        ],
        &emu.kingdee_config("emu-app-secret"),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}
