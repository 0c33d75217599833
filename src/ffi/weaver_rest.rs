//! The Weaver e9 REST authentication exports: an opaque handle around
//! [`WeaverRestClient`].

use super::erpauth_status;
use super::handle::{free_handle, handle_output, new_client, with_opt_handle};
use super::response::{client_call, erpauth_response};
use super::support::{opt_str_arg, str_arg};
use crate::client::WeaverRestClient;
use std::ffi::c_char;

/// A Weaver e9 standard REST authentication client (opaque): regist /
/// applytoken with RSA. Create with `erpauth_weaver_rest_client_new`, free
/// with `erpauth_weaver_rest_client_free`.
pub struct erpauth_weaver_rest_client {
    pub(super) inner: WeaverRestClient,
}

/// Creates a Weaver e9 REST client from a JSON config object:
/// `{"base_url","appid"}` required; then either `"spk"` + `"secrit"` (the
/// result of an earlier registration) or `"state_file"` (a path where the
/// client keeps its RSA key pair, spk and secrit: registered once on first
/// use, written atomically with owner-only permissions, shared safely by
/// several processes); optional `"token_ttl_s"` (sent as applytoken's `time`,
/// default 1800), `"timeout_ms"`, `"tls_roots"`, `"ca_file"`, `"proxy"`,
/// `"refresh_margin_s"`. No request is made and no file is read yet.
///
/// On success `*out_client` holds a new client to be freed with
/// `erpauth_weaver_rest_client_free`; on failure it is set to NULL.
#[no_mangle]
pub unsafe extern "C" fn erpauth_weaver_rest_client_new(
    config_json: *const c_char,
    out_client: *mut *mut erpauth_weaver_rest_client,
) -> erpauth_status {
    unsafe {
        new_client(config_json, out_client, |json| {
            WeaverRestClient::from_json(json).map(|inner| erpauth_weaver_rest_client { inner })
        })
    }
}

/// Registers now (`POST /api/ec/dev/auth/regist`) unless a registration
/// exists (in the config or the state file), and returns it as one JSON
/// object: `{"appid","spk","secrit","cpk","registered_at_ms","state_file"}`
/// (null where unknown; never the client's private key). The answer holds
/// `secrit`: treat it as a secret.
///
/// Output through the caller-owned buffer; a retry after
/// `ERPAUTH_BUFFER_TOO_SMALL` does not register again. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn erpauth_weaver_rest_client_register(
    client: *mut erpauth_weaver_rest_client,
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
) -> erpauth_status {
    unsafe {
        handle_output(client, out, out_cap, out_len, |client| {
            client.inner.register()
        })
    }
}

/// The token from applytoken: from the client's cache, or fetched once
/// however many threads ask (registering first if the state file does not
/// exist yet), refreshed before `token_ttl_s` runs out.
///
/// Output through the caller-owned buffer; the token stays cached, so a
/// retry after `ERPAUTH_BUFFER_TOO_SMALL` makes no second request.
/// Refusals give `ERPAUTH_REJECTED` with e9's words. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn erpauth_weaver_rest_client_token(
    client: *mut erpauth_weaver_rest_client,
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
) -> erpauth_status {
    unsafe {
        handle_output(client, out, out_cap, out_len, |client| {
            Ok(client.inner.token()?.value.clone())
        })
    }
}

/// Base64(RSA-PKCS#1-v1.5(spk, userid)) for the `userid` header of a
/// business call; `userid` is the OA user id. Cached per userid (bounded),
/// since the server accepts any encryption of it. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn erpauth_weaver_rest_client_userid(
    client: *mut erpauth_weaver_rest_client,
    userid: *const c_char,
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
) -> erpauth_status {
    unsafe {
        handle_output(client, out, out_cap, out_len, |client| {
            client.inner.userid(str_arg(userid, "userid")?)
        })
    }
}

/// Every header a business call needs, as "Name: value\r\n" lines:
/// `appid`, `token` and, when `userid` is not NULL, the encrypted `userid`.
///
/// Output through the caller-owned buffer (start with 1024 bytes: a 2048-bit
/// server key makes a 344-byte userid). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn erpauth_weaver_rest_client_headers(
    client: *mut erpauth_weaver_rest_client,
    userid: *const c_char,
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
) -> erpauth_status {
    unsafe {
        handle_output(client, out, out_cap, out_len, |client| {
            client.inner.header_lines(opt_str_arg(userid, "userid")?)
        })
    }
}

/// Performs one e9 business call and returns the answer in `*out_response`
/// (free it with `erpauth_response_free`).
///
/// `method` is GET, POST, PUT, DELETE or PATCH; `path_and_query` the request
/// target as sent (`/api/workflow/paService/getToDoWorkflowRequestList`);
/// `body` (NULL for none) is sent byte for byte with `content_type` (NULL:
/// application/json). The request carries `appid`, `token` and, when
/// `userid` (the OA user id) is not NULL, its encrypted `userid`. When the
/// server says the token is unknown or timed out (`token不存在或者超时`,
/// `登录信息超时`), the client drops that token, fetches a new one once and
/// sends once more; nothing else is retried: a failure after the request may
/// have reached the server gives `ERPAUTH_NETWORK` and says so. `ERPAUTH_OK`
/// means an HTTP answer arrived, whatever its status. On failure
/// `*out_response` is NULL. Thread-safe, on the same client too.
#[no_mangle]
pub unsafe extern "C" fn erpauth_weaver_rest_client_call(
    client: *mut erpauth_weaver_rest_client,
    method: *const c_char,
    path_and_query: *const c_char,
    body: *const c_char,
    content_type: *const c_char,
    userid: *const c_char,
    out_response: *mut *mut erpauth_response,
) -> erpauth_status {
    unsafe {
        client_call(
            client,
            method,
            path_and_query,
            body,
            content_type,
            out_response,
            |client, request| client.inner.call(request, opt_str_arg(userid, "userid")?),
        )
    }
}

/// Drops the cached token, so the next call fetches a new one (for when a
/// business call answers `token不存在或者超时` or `登录信息超时`). The
/// registration stays. Accepts NULL. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn erpauth_weaver_rest_client_invalidate(
    client: *mut erpauth_weaver_rest_client,
) {
    unsafe { with_opt_handle(client, |client| client.inner.invalidate()) }
}

/// Frees a client from `erpauth_weaver_rest_client_new`. Accepts NULL. Call
/// it only after every other call on this client has returned.
#[no_mangle]
pub unsafe extern "C" fn erpauth_weaver_rest_client_free(client: *mut erpauth_weaver_rest_client) {
    unsafe { free_handle(client) }
}
