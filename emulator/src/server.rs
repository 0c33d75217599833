//! The listener, one thread per connection, routing, faults and the control
//! endpoints.

use crate::config::{Endpoint, Fault, FaultKind};
use crate::http::{self, ReadError, Request, Response};
use crate::state::{lock, Shared};
use crate::{kingdee, socket, weaver, weaver_rest};
use std::collections::HashMap;
use std::io::{BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// Open connections, so shutdown can wake threads blocked in `read`.
pub(crate) type Connections = Arc<Mutex<HashMap<u64, TcpStream>>>;

/// Accepts until shutdown; returns the handles of connection threads that
/// may still run, for the caller to join.
pub(crate) fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    connections: Connections,
) -> Vec<JoinHandle<()>> {
    let mut handles: Vec<JoinHandle<()>> = Vec::new();
    let mut next_id = 0u64;
    for incoming in listener.incoming() {
        if shared.shutdown.is_set() {
            break;
        }
        let stream = match incoming {
            Ok(stream) => stream,
            Err(_) => {
                // Out of file descriptors or an aborted handshake: back off
                // a little instead of spinning.
                if shared.shutdown.sleep(Duration::from_millis(10)) {
                    break;
                }
                continue;
            }
        };
        shared.count_connection();
        let Ok(registered) = stream.try_clone() else {
            continue;
        };
        let id = next_id;
        next_id += 1;
        lock(&connections).insert(id, registered);
        handles.retain(|h| !h.is_finished());
        let thread_shared = Arc::clone(&shared);
        let thread_connections = Arc::clone(&connections);
        let spawned = thread::Builder::new()
            .name(format!("emulator-conn-{id}"))
            .spawn(move || {
                serve_connection(&thread_shared, stream);
                // The last handle of the socket closes here (after an
                // abortive fault set SO_LINGER 0, this sends the RST).
                lock(&thread_connections).remove(&id);
            });
        match spawned {
            Ok(handle) => handles.push(handle),
            Err(_) => {
                lock(&connections).remove(&id);
            }
        }
    }
    handles
}

/// What to do with the connection after an exchange.
#[derive(PartialEq, Eq)]
enum Next {
    KeepGoing,
    Close,
}

fn serve_connection(shared: &Shared, stream: TcpStream) {
    // Faults like slow_drip write single bytes that must leave at once.
    let _ = stream.set_nodelay(true);
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut writer = stream;
    loop {
        if shared.shutdown.is_set() {
            return;
        }
        let request = match http::read_request(&mut reader, &mut writer) {
            Ok(Some(request)) => request,
            Ok(None) | Err(ReadError::Disconnected) => return,
            Err(ReadError::Malformed(status, message)) => {
                let answer = Response::text(status, "text/plain;charset=UTF-8", &message);
                let _ = writer.write_all(&answer.to_bytes(false, None));
                return;
            }
        };
        if exchange(shared, &request, &mut reader, &mut writer) == Next::Close
            || !request.keep_alive()
        {
            return;
        }
    }
}

/// Which counted endpoint a request is for.
fn route(path: &str) -> Option<Endpoint> {
    if path == kingdee::AUTH_TOKEN_PATH {
        Some(Endpoint::KingdeeAuthToken)
    } else if path == kingdee::PUSH_APP_AUTHORIZE_PATH {
        Some(Endpoint::KingdeePushAppAuthorize)
    } else if path.starts_with(kingdee::BUSINESS_PREFIX) {
        Some(Endpoint::KingdeeBusiness)
    } else if path == weaver::GET_TOKEN_PATH {
        Some(Endpoint::WeaverGetToken)
    } else if path.starts_with(weaver::BUSINESS_PREFIX) {
        Some(Endpoint::WeaverBusiness)
    } else if path == weaver_rest::REGIST_PATH {
        Some(Endpoint::WeaverRegist)
    } else if path == weaver_rest::APPLY_TOKEN_PATH {
        Some(Endpoint::WeaverApplyToken)
    } else if path == weaver_rest::ECHO_PATH {
        Some(Endpoint::WeaverRestBusiness)
    } else {
        None
    }
}

fn exchange(
    shared: &Shared,
    request: &Request,
    reader: &mut BufReader<TcpStream>,
    writer: &mut TcpStream,
) -> Next {
    if request.header("Cookie").is_some() {
        shared.count_cookie();
    }
    let keep_alive = request.keep_alive();
    let cookie = shared.config().set_cookie.then(|| shared.random_hex(16));
    let cookie = cookie.as_deref();
    let path = kingdee::url_decode(request.raw_path(), false)
        .unwrap_or_else(|| request.raw_path().to_owned());
    let endpoint = route(&path);

    if let Some(endpoint) = endpoint {
        shared.count_request(endpoint);
        if let Some(fault) = shared.take_fault(endpoint) {
            return apply_fault(
                shared, fault, endpoint, request, reader, writer, keep_alive, cookie,
            );
        }
    }
    let answer = match endpoint {
        Some(endpoint) => answer(shared, endpoint, request),
        None => control(shared, &path, request),
    };
    send(writer, &answer, keep_alive, cookie)
}

fn answer(shared: &Shared, endpoint: Endpoint, request: &Request) -> Response {
    match endpoint {
        Endpoint::KingdeeAuthToken => kingdee::auth_token(shared, request),
        Endpoint::KingdeeBusiness => kingdee::business(shared, request),
        Endpoint::WeaverGetToken => weaver::get_token(shared, request),
        Endpoint::KingdeePushAppAuthorize => kingdee::push_app_authorize(shared, request),
        Endpoint::WeaverBusiness => weaver::business(shared, request),
        Endpoint::WeaverRegist => weaver_rest::regist(shared, request),
        Endpoint::WeaverApplyToken => weaver_rest::apply_token(shared, request),
        Endpoint::WeaverRestBusiness => weaver_rest::echo(shared, request),
    }
}

fn send(writer: &mut TcpStream, answer: &Response, keep_alive: bool, cookie: Option<&str>) -> Next {
    match writer.write_all(&answer.to_bytes(keep_alive, cookie)) {
        Ok(()) if keep_alive => Next::KeepGoing,
        _ => Next::Close,
    }
}

/// Reads and discards until the peer closes or shutdown closes the socket.
fn drain(reader: &mut BufReader<TcpStream>) {
    let mut sink = [0u8; 4096];
    while matches!(reader.read(&mut sink), Ok(n) if n > 0) {}
}

#[allow(clippy::too_many_arguments)]
fn apply_fault(
    shared: &Shared,
    fault: Fault,
    endpoint: Endpoint,
    request: &Request,
    reader: &mut BufReader<TcpStream>,
    writer: &mut TcpStream,
    keep_alive: bool,
    cookie: Option<&str>,
) -> Next {
    match fault.kind {
        FaultKind::None => send(
            writer,
            &answer(shared, endpoint, request),
            keep_alive,
            cookie,
        ),
        FaultKind::Delay => {
            if shared.shutdown.sleep(Duration::from_millis(fault.delay_ms)) {
                return Next::Close;
            }
            send(
                writer,
                &answer(shared, endpoint, request),
                keep_alive,
                cookie,
            )
        }
        FaultKind::Hang => {
            drain(reader);
            Next::Close
        }
        FaultKind::Http500 => send(
            writer,
            &Response::text(
                500,
                "text/html;charset=UTF-8",
                "<html><body><h1>500 Internal Server Error</h1></body></html>",
            ),
            keep_alive,
            cookie,
        ),
        FaultKind::Http502Json => send(
            writer,
            &Response::json(
                502,
                r#"{"code":502,"msg":"Bad Gateway","success":false}"#.into(),
            ),
            keep_alive,
            cookie,
        ),
        FaultKind::Http519NoBody => send(
            writer,
            &Response {
                status: 519,
                headers: Vec::new(),
                body: Vec::new(),
            },
            keep_alive,
            cookie,
        ),
        FaultKind::HostileToken => send(writer, &hostile(endpoint), keep_alive, cookie),
        FaultKind::Garbage => send(
            writer,
            &Response::text(200, "text/html;charset=UTF-8", "<html>not json"),
            keep_alive,
            cookie,
        ),
        FaultKind::Reset => {
            let _ = socket::set_linger_zero(writer);
            Next::Close
        }
        FaultKind::ResetMidBody => {
            let head = Response::json(200, String::new()).head_bytes(1000, keep_alive, cookie);
            let _ = writer.write_all(&head);
            let _ = writer.write_all(br#"{"errcode""#);
            let _ = writer.flush();
            // Let the client read what was sent before the RST discards it.
            shared.shutdown.sleep(Duration::from_millis(50));
            let _ = socket::set_linger_zero(writer);
            Next::Close
        }
        FaultKind::HalfClose => {
            let _ = writer.shutdown(Shutdown::Write);
            drain(reader);
            Next::Close
        }
        FaultKind::SlowDrip => {
            let bytes = answer(shared, endpoint, request).to_bytes(keep_alive, cookie);
            for byte in bytes {
                if writer.write_all(&[byte]).is_err()
                    || shared.shutdown.sleep(Duration::from_millis(fault.drip_ms))
                {
                    return Next::Close;
                }
            }
            if keep_alive {
                Next::KeepGoing
            } else {
                Next::Close
            }
        }
        FaultKind::RedirectLoop => {
            let mut redirect = Response::text(302, "text/plain;charset=UTF-8", "");
            redirect
                .headers
                .push(("Location".into(), request.target.clone()));
            send(writer, &redirect, keep_alive, cookie)
        }
        FaultKind::HugeBody => {
            let total = fault.huge_body_mib.saturating_mul(1024 * 1024) as usize;
            let head = Response::json(200, String::new()).head_bytes(total, keep_alive, cookie);
            if writer.write_all(&head).is_err() {
                return Next::Close;
            }
            let prefix = br#"{"errcode":0,"description":""#;
            let mut chunk = vec![b'x'; 64 * 1024];
            let mut sent = 0usize;
            while sent < total {
                if shared.shutdown.is_set() {
                    return Next::Close;
                }
                let n = chunk.len().min(total - sent);
                if sent == 0 {
                    let p = prefix.len().min(n);
                    chunk[..p].copy_from_slice(&prefix[..p]);
                }
                let ok = writer.write_all(&chunk[..n]).is_ok();
                if sent == 0 {
                    chunk[..prefix.len()].fill(b'x');
                }
                if !ok {
                    return Next::Close;
                }
                sent += n;
            }
            if keep_alive {
                Next::KeepGoing
            } else {
                Next::Close
            }
        }
    }
}

/// The answer of the `hostile_token` fault: a success whose token or domain
/// would add a header if a client put it on the wire unchecked.
fn hostile(endpoint: Endpoint) -> Response {
    const EVIL: &str = "t0k3n\r\nX-Evil: 1";
    let body = match endpoint {
        Endpoint::KingdeeAuthToken => serde_json::json!({
            "errcode": 0, "description": "成功",
            "data": {"uid": 700123, "app-token": EVIL},
        }),
        Endpoint::WeaverGetToken => serde_json::json!({
            "msg": "获取成功!", "status": true, "token": EVIL, "userid": EVIL,
        }),
        Endpoint::KingdeePushAppAuthorize => serde_json::json!({
            "errcode": 0, "description": "成功",
            "data": [{"appKey": "emuAppKey", "appSecret": "emu-app-secret",
                      "domain": format!("https://emu.jdy.com{EVIL}"), "status": 1}],
        }),
        _ => return Response::text(200, "text/html;charset=UTF-8", "<html>not json"),
    };
    Response::json(200, body.to_string())
}

fn control_json(status: u16, value: &serde_json::Value) -> Response {
    Response::json(status, value.to_string())
}

/// The `/__emulator/...` control endpoints; anything else is 404.
fn control(shared: &Shared, path: &str, request: &Request) -> Response {
    let ok = || control_json(200, &serde_json::json!({"ok": true}));
    let method = request.method.as_str();
    let wrong_method = |allowed: &str| {
        let mut r = Response::text(405, "text/plain;charset=UTF-8", "Method Not Allowed");
        r.headers.push(("Allow".into(), allowed.into()));
        r
    };
    match path {
        "/__emulator/stats" => match method {
            "GET" => Response::json(
                200,
                serde_json::to_string(&shared.stats()).expect("serializable"),
            ),
            _ => wrong_method("GET"),
        },
        "/__emulator/reset_stats" => match method {
            "POST" => {
                shared.reset_stats();
                ok()
            }
            _ => wrong_method("POST"),
        },
        "/__emulator/forget_tokens" => match method {
            "POST" => {
                shared.forget_tokens();
                ok()
            }
            _ => wrong_method("POST"),
        },
        "/__emulator/expire_tokens" => match method {
            "POST" => {
                shared.expire_tokens();
                ok()
            }
            _ => wrong_method("POST"),
        },
        "/__emulator/kingdee/rotate_app_secret" => match method {
            "POST" => {
                let secret = shared.rotate_kingdee_app_secret();
                control_json(200, &serde_json::json!({"ok": true, "app_secret": secret}))
            }
            _ => wrong_method("POST"),
        },
        "/__emulator/config" => match method {
            "GET" => Response::json(
                200,
                serde_json::to_string(&shared.config()).expect("serializable"),
            ),
            "POST" => {
                let result = serde_json::from_slice::<serde_json::Value>(&request.body)
                    .map_err(|e| format!("the body is not JSON: {e}"))
                    .and_then(|patch| shared.apply_patch(&patch));
                match result {
                    Ok(()) => ok(),
                    Err(error) => {
                        control_json(400, &serde_json::json!({"ok": false, "error": error}))
                    }
                }
            }
            _ => wrong_method("GET, POST"),
        },
        "/__emulator/token" => match method {
            "GET" => {
                let query = request
                    .raw_query()
                    .and_then(kingdee::parse_query)
                    .unwrap_or_default();
                let token = query
                    .iter()
                    .find(|(k, _)| k == "token")
                    .map(|(_, v)| v.as_str())
                    .unwrap_or("");
                control_json(200, &token_info_json(shared, token))
            }
            _ => wrong_method("GET"),
        },
        _ => Response::text(404, "text/plain;charset=UTF-8", "Not Found"),
    }
}

/// `{"system":"kingdee"|"weaver"|null,"valid":bool,"user":...}` for a token.
pub(crate) fn token_info_json(shared: &Shared, token: &str) -> serde_json::Value {
    let now = std::time::Instant::now();
    for (system, map) in [
        ("kingdee", shared.kingdee_tokens()),
        ("weaver", shared.weaver_tokens()),
    ] {
        if let Some(state) = map.get(token) {
            return serde_json::json!({
                "system": system,
                "valid": state.expires_at > now,
                "user": state.user,
            });
        }
    }
    serde_json::json!({"system": null, "valid": false, "user": null})
}
