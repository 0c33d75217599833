//! `erpauth`: sign and debug Kingdee and Weaver requests, fetch tokens, and
//! run the local emulator that the test suites of every language use.
//!
//! Exit codes: 0 success; 1 the emulator could not start (e.g. port taken);
//! 2 invalid arguments or config (also clap's usage errors); 3 network;
//! 4 unexpected HTTP status; 5 the server refused (its words on stderr);
//! 6 malformed answer; 7 internal error. 2 to 7 are the `erpauth_status`
//! values of the C ABI.

use base64::Engine as _;
use clap::{Args, Parser, Subcommand};
use erpauth::client::{
    KingdeeClient, Request, Response, WeaverClient, WeaverRestClient, WeaverUser,
};
use erpauth::{kingdee, weaver, ErrorKind};
use erpauth_emulator::{Emulator, EmulatorConfig};
use std::io::{Read, Write};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "erpauth",
    version,
    about = "Sign and debug Kingdee API gateway and Weaver e9 requests, fetch tokens, run the local emulator",
    after_help = "Secrets can come from environment variables instead of arguments, so they stay \
                  out of shell history and process lists: ERPAUTH_CLIENT_SECRET, ERPAUTH_APP_SECRET, \
                  ERPAUTH_WEAVER_SECRET, ERPAUTH_WEAVER_AES_KEY.\n\n\
                  Exit codes: 0 ok, 1 emulator could not start, 2 invalid argument or config, \
                  3 network, 4 unexpected HTTP status, 5 refused by the server, 6 malformed answer, \
                  7 internal error (2-7 are the erpauth_status codes of the C ABI)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the local Kingdee/Weaver emulator on 127.0.0.1 (see docs/EMULATOR.md).
    ///
    /// Prints exactly one line, `listening on http://127.0.0.1:PORT`, then
    /// serves until killed (SIGTERM/SIGINT) or, with --exit-on-stdin-eof,
    /// until its stdin is closed.
    Emulate(EmulateArgs),
    /// Kingdee API gateway: signatures and app-tokens.
    #[command(subcommand)]
    Kingdee(KingdeeCommand),
    /// Weaver e-cology 9: getToken signs and tokens.
    #[command(subcommand)]
    Weaver(WeaverCommand),
}

#[derive(Args)]
struct EmulateArgs {
    /// Port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// JSON config file (credentials, token lifetimes, faults); every key is
    /// optional and defaults to the credentials of docs/EMULATOR.md.
    #[arg(long, value_name = "FILE")]
    config: Option<String>,
    /// Exit when stdin reaches end of file, so the emulator dies with the
    /// test process that started it.
    #[arg(long)]
    exit_on_stdin_eof: bool,
}

#[derive(Subcommand)]
enum KingdeeCommand {
    /// Print the string to sign, its HMAC-SHA256 hex and X-Api-Signature for
    /// one request (to debug a signature mismatch).
    Sign(KingdeeSignArgs),
    /// Print exactly the five-line string X-Api-Signature signs (no other output).
    StringToSign(StringToSignArgs),
    /// Print app_signature = Base64(hex(HMAC-SHA256(app_secret, app_key))).
    AppSignature(AppSignatureArgs),
    /// Fetch the app-token with a client config and print it, with every
    /// header of one business call.
    Token(KingdeeTokenArgs),
    /// Print the account authorization in use as JSON (app_key, domain,
    /// source, account details; never the app_secret), pulling it with
    /// push_app_authorize when the config has outer_instance_id.
    Authorization(KingdeeAuthorizationArgs),
    /// Perform one signed business call (retried once on a refused token)
    /// and print "HTTP <status>" and the body as it came.
    Call(KingdeeCallArgs),
}

/// The request of a `call` command.
#[derive(Args)]
struct CallRequestArgs {
    /// GET, POST, PUT, DELETE or PATCH.
    #[arg(long, default_value = "GET")]
    method: String,
    /// The request target as sent: /path?query, percent-encoded.
    #[arg(long, value_name = "PATH_AND_QUERY")]
    target: String,
    /// The request body (none by default).
    #[arg(long, conflicts_with = "body_file")]
    body: Option<String>,
    /// Read the request body from this file.
    #[arg(long, value_name = "FILE")]
    body_file: Option<String>,
    /// The body's Content-Type (default application/json;charset=UTF-8).
    #[arg(long)]
    content_type: Option<String>,
}

impl CallRequestArgs {
    fn body(&self) -> Result<Option<Vec<u8>>, CliError> {
        match (&self.body, &self.body_file) {
            (Some(text), _) => Ok(Some(text.clone().into_bytes())),
            (None, Some(path)) => std::fs::read(path)
                .map(Some)
                .map_err(|e| invalid(format!("cannot read body file {path}: {e}"))),
            (None, None) => Ok(None),
        }
    }

    fn request<'a>(&'a self, body: Option<&'a [u8]>) -> Request<'a> {
        Request {
            method: &self.method,
            path_and_query: &self.target,
            body,
            content_type: self.content_type.as_deref(),
        }
    }
}

fn write_response(out: &mut impl Write, response: &Response) -> Result<(), CliError> {
    out.write_all(format!("HTTP {}\n", response.status).as_bytes())
        .and_then(|()| out.write_all(&response.body))
        .and_then(|()| out.flush())
        .map_err(|e| CliError {
            message: format!("cannot write to stdout: {e}"),
            code: 1,
        })
}

#[derive(Args)]
struct KingdeeCallArgs {
    /// Client config JSON file, as for erpauth_kingdee_client_new; `-` reads stdin.
    #[arg(long, value_name = "FILE")]
    config: String,
    #[command(flatten)]
    request: CallRequestArgs,
}

#[derive(Args)]
struct KingdeeAuthorizationArgs {
    /// Client config JSON file, as for erpauth_kingdee_client_new
    /// (client_id, client_secret, outer_instance_id or app_key/app_secret,
    /// base_url, ...); `-` reads stdin.
    #[arg(long, value_name = "FILE")]
    config: String,
}

#[derive(Args)]
struct RequestArgs {
    /// HTTP method, e.g. GET.
    #[arg(long)]
    method: String,
    /// The request target as sent: /path?query (escapes are decoded before signing).
    #[arg(long, value_name = "PATH_AND_QUERY")]
    target: String,
    /// X-Api-Nonce (default: a fresh random ten-digit number).
    #[arg(long)]
    nonce: Option<String>,
    /// X-Api-TimeStamp in ms since the epoch (default: now).
    #[arg(long)]
    timestamp: Option<String>,
}

impl RequestArgs {
    fn nonce_and_timestamp(&self) -> Result<(String, String), CliError> {
        let nonce = match &self.nonce {
            Some(n) => n.clone(),
            None => kingdee::random_nonce()?.to_string(),
        };
        let timestamp = self
            .timestamp
            .clone()
            .unwrap_or_else(|| now_ms().to_string());
        Ok((nonce, timestamp))
    }
}

#[derive(Args)]
struct KingdeeSignArgs {
    /// The developer app's client_secret (HMAC key of X-Api-Signature).
    #[arg(long, env = "ERPAUTH_CLIENT_SECRET", hide_env_values = true)]
    client_secret: String,
    #[command(flatten)]
    request: RequestArgs,
}

#[derive(Args)]
struct StringToSignArgs {
    #[command(flatten)]
    request: RequestArgs,
}

#[derive(Args)]
struct AppSignatureArgs {
    /// The account authorization's app_key.
    #[arg(long)]
    app_key: String,
    /// The account authorization's app_secret (rotates every 24 h).
    #[arg(long, env = "ERPAUTH_APP_SECRET", hide_env_values = true)]
    app_secret: String,
}

#[derive(Args)]
struct KingdeeTokenArgs {
    /// Client config JSON file, as for erpauth_kingdee_client_new
    /// (client_id, client_secret, app_key, app_secret, base_url, domain, ...); `-` reads stdin.
    #[arg(long, value_name = "FILE")]
    config: String,
    /// Method of the business call to print headers for.
    #[arg(long, default_value = "GET")]
    method: String,
    /// Target of the business call to print headers for.
    #[arg(
        long,
        value_name = "PATH_AND_QUERY",
        default_value = "/jdy/v2/bd/customer"
    )]
    target: String,
}

#[derive(Subcommand)]
enum WeaverCommand {
    /// Print the plaintext and the getToken sign.
    Sign(WeaverSignArgs),
    /// Fetch a token with a client config and print it (and the encrypted
    /// userid when a user is given).
    Token(WeaverTokenArgs),
    /// Standard REST authentication: register once (POST
    /// /api/ec/dev/auth/regist, unless the state file or config already
    /// holds a registration) and print the state as JSON: appid, spk,
    /// secrit, cpk, registered_at_ms, state_file. It holds secrit: keep the
    /// output private.
    RestRegister(WeaverRestArgs),
    /// Standard REST authentication: fetch a token with applytoken (after
    /// registering if needed) and print it with the headers of one business
    /// call (appid, token, and userid when --userid is given).
    RestToken(WeaverRestTokenArgs),
    /// Perform one business call with a getToken token (retried once on a
    /// refused token) and print "HTTP <status>" and the body as it came.
    Call(WeaverCallArgs),
}

#[derive(Args)]
struct WeaverCallArgs {
    /// Client config JSON file, as for erpauth_weaver_client_new; `-` reads stdin.
    #[arg(long, value_name = "FILE")]
    config: String,
    #[command(flatten)]
    user: WeaverUserArgs,
    #[command(flatten)]
    request: CallRequestArgs,
}

#[derive(Args)]
struct WeaverRestArgs {
    /// Client config JSON file, as for erpauth_weaver_rest_client_new
    /// (base_url, appid, state_file or spk + secrit, ...); `-` reads stdin.
    #[arg(long, value_name = "FILE")]
    config: String,
}

#[derive(Args)]
struct WeaverRestTokenArgs {
    /// Client config JSON file, as for erpauth_weaver_rest_client_new; `-`
    /// reads stdin.
    #[arg(long, value_name = "FILE")]
    config: String,
    /// The OA user id whose encrypted userid header to print.
    #[arg(long)]
    userid: Option<String>,
}

#[derive(Args)]
struct WeaverSignArgs {
    /// The application id.
    #[arg(long)]
    appid: String,
    /// The application secret.
    #[arg(long, env = "ERPAUTH_WEAVER_SECRET", hide_env_values = true)]
    secret: String,
    /// The AES key (16, 24 or 32 bytes).
    #[arg(long, env = "ERPAUTH_WEAVER_AES_KEY", hide_env_values = true)]
    aes_key: String,
    /// Time to sign, ms since the epoch (default: now).
    #[arg(long)]
    timestamp: Option<i64>,
}

/// The e9 user to act as, for the token and call commands: both or neither.
#[derive(Args)]
struct WeaverUserArgs {
    /// userType of the user to act as: id, loginid, workcode, idnum, email or outkey.
    #[arg(long, requires = "user_contain")]
    user_type: Option<String>,
    /// userContain: that user's value.
    #[arg(long, requires = "user_type")]
    user_contain: Option<String>,
}

impl WeaverUserArgs {
    fn into_user(self) -> Option<WeaverUser> {
        match (self.user_type, self.user_contain) {
            (Some(user_type), Some(user_contain)) => Some(WeaverUser {
                user_type,
                user_contain,
            }),
            _ => None,
        }
    }
}

#[derive(Args)]
struct WeaverTokenArgs {
    /// Client config JSON file, as for erpauth_weaver_client_new
    /// (base_url, appid, secret, aes_key, ...); `-` reads stdin.
    #[arg(long, value_name = "FILE")]
    config: String,
    #[command(flatten)]
    user: WeaverUserArgs,
}

/// A failure: a message for stderr (never containing a secret) and an exit code.
struct CliError {
    message: String,
    code: u8,
}

impl From<erpauth::Error> for CliError {
    fn from(e: erpauth::Error) -> Self {
        let code = match e.kind() {
            ErrorKind::InvalidArgument => 2,
            ErrorKind::Network => 3,
            ErrorKind::Http => 4,
            ErrorKind::Rejected => 5,
            ErrorKind::BadResponse => 6,
            ErrorKind::Internal => 7,
        };
        CliError {
            message: e.message().to_owned(),
            code,
        }
    }
}

fn invalid(message: String) -> CliError {
    CliError { message, code: 2 }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Reads a config file, or stdin for `-`. The error names the path only.
fn read_config(path: &str) -> Result<String, CliError> {
    let mut text = String::new();
    let result = if path == "-" {
        std::io::stdin().read_to_string(&mut text).map(drop)
    } else {
        std::fs::read_to_string(path).map(|t| text = t)
    };
    result.map_err(|e| invalid(format!("cannot read config file {path}: {e}")))?;
    Ok(text)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut out = std::io::stdout().lock();
    let result = match cli.command {
        Command::Emulate(args) => emulate(args),
        Command::Kingdee(cmd) => kingdee_command(cmd, &mut out),
        Command::Weaver(cmd) => weaver_command(cmd, &mut out),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("erpauth: {}", e.message);
            ExitCode::from(e.code)
        }
    }
}

fn write_out(out: &mut impl Write, text: &str) -> Result<(), CliError> {
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| CliError {
            message: format!("cannot write to stdout: {e}"),
            code: 1,
        })
}

fn kingdee_command(cmd: KingdeeCommand, out: &mut impl Write) -> Result<(), CliError> {
    match cmd {
        KingdeeCommand::Sign(args) => {
            let r = &args.request;
            let (nonce, timestamp) = r.nonce_and_timestamp()?;
            let sts = kingdee::string_to_sign(&r.method, &r.target, &nonce, &timestamp)?;
            let signature = kingdee::signature(
                &args.client_secret,
                &r.method,
                &r.target,
                &nonce,
                &timestamp,
            )?;
            // The signature is Base64 of the hex digest; show the hex too,
            // since that is what HMAC tools print.
            let hex_digest = base64::engine::general_purpose::STANDARD
                .decode(&signature)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .unwrap_or_default();
            let quoted = serde_json::to_string(&sts).expect("a string serializes");
            write_out(
                out,
                &format!(
                    "string_to_sign: {quoted}\nhmac_sha256_hex: {hex_digest}\n\
                     X-Api-Nonce: {nonce}\nX-Api-TimeStamp: {timestamp}\nX-Api-Signature: {signature}\n"
                ),
            )
        }
        KingdeeCommand::StringToSign(args) => {
            let r = &args.request;
            let (nonce, timestamp) = r.nonce_and_timestamp()?;
            write_out(
                out,
                &kingdee::string_to_sign(&r.method, &r.target, &nonce, &timestamp)?,
            )
        }
        KingdeeCommand::AppSignature(args) => write_out(
            out,
            &format!(
                "{}\n",
                kingdee::app_signature(&args.app_key, &args.app_secret)
            ),
        ),
        KingdeeCommand::Call(args) => {
            let client = KingdeeClient::from_json(&read_config(&args.config)?)?;
            let body = args.request.body()?;
            let response = client.call(&args.request.request(body.as_deref()))?;
            write_response(out, &response)
        }
        KingdeeCommand::Authorization(args) => {
            let client = KingdeeClient::from_json(&read_config(&args.config)?)?;
            write_out(out, &format!("{}\n", client.authorization_json()?))
        }
        KingdeeCommand::Token(args) => {
            let client = KingdeeClient::from_json(&read_config(&args.config)?)?;
            let token = client.app_token()?;
            let mut text = format!("app-token: {}\n", token.value.token);
            if let Some(uid) = &token.value.uid {
                text.push_str(&format!("uid: {uid}\n"));
            }
            text.push_str(&format!("# headers for {} {}\n", args.method, args.target));
            text.push_str(
                &client
                    .header_lines(&args.method, &args.target)?
                    .replace("\r\n", "\n"),
            );
            write_out(out, &text)
        }
    }
}

fn weaver_command(cmd: WeaverCommand, out: &mut impl Write) -> Result<(), CliError> {
    match cmd {
        WeaverCommand::Sign(args) => {
            let timestamp = match args.timestamp {
                Some(t) if t > 0 => t,
                Some(_) => {
                    return Err(invalid(
                        "--timestamp must be a positive number of milliseconds".into(),
                    ))
                }
                None => weaver::unique_timestamp_ms(),
            };
            let sign = weaver::sign(&args.appid, &args.secret, &args.aes_key, timestamp)?;
            let plaintext = weaver::sign_text(&args.appid, &args.secret, timestamp);
            write_out(out, &format!("plaintext: {plaintext}\nsign: {sign}\n"))
        }
        WeaverCommand::Token(args) => {
            let client = WeaverClient::from_json(&read_config(&args.config)?)?;
            let user = args.user.into_user();
            let token = client.token(user.as_ref())?;
            let mut text = format!("token: {}\n", token.value.token);
            if let Some(userid) = &token.value.userid {
                text.push_str(&format!("userid: {userid}\n"));
            }
            write_out(out, &text)
        }
        WeaverCommand::Call(args) => {
            let client = WeaverClient::from_json(&read_config(&args.config)?)?;
            let user = args.user.into_user();
            let body = args.request.body()?;
            let response = client.call(&args.request.request(body.as_deref()), user.as_ref())?;
            write_response(out, &response)
        }
        WeaverCommand::RestRegister(args) => {
            let client = WeaverRestClient::from_json(&read_config(&args.config)?)?;
            write_out(out, &format!("{}\n", client.register()?.as_str()))
        }
        WeaverCommand::RestToken(args) => {
            let client = WeaverRestClient::from_json(&read_config(&args.config)?)?;
            let lines = client.header_lines(args.userid.as_deref())?;
            write_out(out, &lines.replace("\r\n", "\n"))
        }
    }
}

fn emulate(args: EmulateArgs) -> Result<(), CliError> {
    let config = match &args.config {
        None => EmulatorConfig::default(),
        Some(path) => {
            let text = read_config(path)?;
            serde_json::from_str::<EmulatorConfig>(&text)
                .map_err(|e| invalid(format!("emulator config {path}: {e}")))?
        }
    };
    config
        .validate()
        .map_err(|e| invalid(format!("emulator config: {e}")))?;
    let emulator = Emulator::start_on(config, args.port).map_err(|e| CliError {
        message: format!("cannot listen on 127.0.0.1:{}: {e}", args.port),
        code: 1,
    })?;
    {
        let mut out = std::io::stdout().lock();
        write_out(&mut out, &format!("listening on {}\n", emulator.base_url()))?;
    }
    if args.exit_on_stdin_eof {
        let mut sink = [0u8; 1024];
        let mut stdin = std::io::stdin().lock();
        while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
        drop(emulator);
        return Ok(());
    }
    loop {
        std::thread::park();
    }
}
