//! The token-client exports: opaque handles around [`KingdeeClient`] and
//! [`WeaverClient`].

use super::erpauth_status;
use super::handle::{free_handle, handle, handle_output, new_client, with_opt_handle};
use super::response::{client_call, erpauth_response};
use super::support::{call_status, opt_str_arg, str_arg};
use crate::client::{AppToken, KingdeeClient, WeaverClient, WeaverToken, WeaverUser};
use crate::error::{Error, Result};
use std::ffi::c_char;

/// A Kingdee app-token client (opaque). Create with
/// `erpauth_kingdee_client_new`, free with `erpauth_kingdee_client_free`.
pub struct erpauth_kingdee_client {
    inner: KingdeeClient,
}

/// A Weaver e9 token client (opaque). Create with
/// `erpauth_weaver_client_new`, free with `erpauth_weaver_client_free`.
pub struct erpauth_weaver_client {
    inner: WeaverClient,
}

/// Reads an optional (userType, userContain) pair: both NULL or both set.
///
/// # Safety
/// Each pointer is NULL or a NUL-terminated string.
unsafe fn weaver_user(
    user_type: *const c_char,
    user_contain: *const c_char,
) -> Result<Option<WeaverUser>> {
    let (t, c) = unsafe {
        (
            opt_str_arg(user_type, "user_type")?,
            opt_str_arg(user_contain, "user_contain")?,
        )
    };
    match (t, c) {
        (None, None) => Ok(None),
        (Some(t), Some(c)) => Ok(Some(WeaverUser {
            user_type: t.to_owned(),
            user_contain: c.to_owned(),
        })),
        _ => Err(Error::invalid(
            "user_type and user_contain go together: pass both, or both NULL for the plain token",
        )),
    }
}

/// Creates a Kingdee client from a JSON config object:
/// `{"client_id","client_secret","app_key","app_secret"}` required, except
/// that with `"outer_instance_id"` app_key, app_secret and domain may be left
/// out: they are pulled with push_app_authorize at first use, and pulled
/// again whenever the gateway says the app_secret rotated (errcode
/// 1030002006), after which the app-token request is retried once;
/// optional `"base_url"` (default "https://api.kingdee.com"), `"uid"`,
/// `"domain"` (sent as X-GW-Router-Addr), `"allow_insecure_http"` (default
/// false: a plain `http://` base_url is refused unless its host is loopback),
/// `"timeout_ms"` (default 10000), `"tls_roots"` ("webpki" or "system"),
/// `"ca_file"`, `"proxy"` (`http://` or `https://`, or "env"),
/// `"refresh_margin_s"`, `"max_body_bytes"` (largest business answer,
/// default 10485760). Unknown keys, keys given twice, wrong types and a
/// base_url that does not parse (or holds `user:password@`) give
/// `ERPAUTH_INVALID_ARGUMENT` naming the key. No request is made yet.
///
/// On success `*out_client` holds a new client to be freed with
/// `erpauth_kingdee_client_free`; on failure it is set to NULL. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn erpauth_kingdee_client_new(
    config_json: *const c_char,
    out_client: *mut *mut erpauth_kingdee_client,
) -> erpauth_status {
    unsafe {
        new_client(config_json, out_client, |json| {
            KingdeeClient::from_json(json).map(|inner| erpauth_kingdee_client { inner })
        })
    }
}

/// Performs one Weaver e9 business call and returns the answer in
/// `*out_response` (free it with `erpauth_response_free`).
///
/// Arguments as for `erpauth_kingdee_client_call`, plus `user_type` and
/// `user_contain` (both NULL for the plain app token, or both set): the
/// request carries `appid`, `token` and, for a user, the encrypted `userid`
/// getToken returned for that user. When the server says the token is
/// unknown or timed out (`token不存在或者超时`, `登录信息超时`), the client
/// drops that token, fetches a new one once and sends once more; nothing
/// else is retried. `ERPAUTH_OK` means an HTTP answer arrived, whatever its
/// status. On failure `*out_response` is NULL. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn erpauth_weaver_client_call(
    client: *mut erpauth_weaver_client,
    method: *const c_char,
    path_and_query: *const c_char,
    body: *const c_char,
    content_type: *const c_char,
    user_type: *const c_char,
    user_contain: *const c_char,
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
            |client, request| {
                let user = weaver_user(user_type, user_contain)?;
                client.inner.call(request, user.as_ref())
            },
        )
    }
}

/// Performs one signed Kingdee business call and returns the answer in
/// `*out_response` (free it with `erpauth_response_free`).
///
/// `method` is GET, POST, PUT, DELETE or PATCH; `path_and_query` the request
/// target as sent (`/jdy/v2/bd/customer?page=1`); `body` (NULL for none) is
/// sent byte for byte with `content_type` (NULL: application/json). The
/// request carries the six gateway headers signed for it, `app-token` and
/// `X-GW-Router-Addr` when a domain is known. When the gateway answers that
/// the token is invalid or expired (code 4010/4011), the client drops that
/// token, fetches a new one once and sends the request once more, newly
/// signed; nothing else is retried: a failure after the request may have
/// reached the server (a timeout waiting for the answer) gives
/// `ERPAUTH_NETWORK` and says so. `ERPAUTH_OK` means an HTTP answer arrived,
/// whatever its status; an answer over `max_body_bytes` (default 10 MiB)
/// gives `ERPAUTH_BAD_RESPONSE`. On failure `*out_response` is NULL.
/// Thread-safe, on the same client too.
#[no_mangle]
pub unsafe extern "C" fn erpauth_kingdee_client_call(
    client: *mut erpauth_kingdee_client,
    method: *const c_char,
    path_and_query: *const c_char,
    body: *const c_char,
    content_type: *const c_char,
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
            |client, request| client.inner.call(request),
        )
    }
}

/// Replaces the app_secret of a live client (a host that receives the new
/// one from Kingdee's authorization push) and drops the cached app-token, so
/// the next call fetches one signed with it. The app_key and domain stay
/// those in use (pulled first when the client was configured with
/// outer_instance_id and has none yet). An empty `app_secret` gives
/// `ERPAUTH_INVALID_ARGUMENT`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn erpauth_kingdee_client_set_app_secret(
    client: *mut erpauth_kingdee_client,
    app_secret: *const c_char,
) -> erpauth_status {
    call_status(|| {
        let client = unsafe { handle(client)? };
        let app_secret = unsafe { str_arg(app_secret, "app_secret")? };
        client
            .inner
            .set_app_secret(crate::client::Secret::new(app_secret))
    })
}

/// The authorization in use, as one JSON object:
/// `{"app_key":..,"domain":..|null,"source":"config"|"push_app_authorize"|"set_app_secret",
/// "outer_instance_id":..|null,"details":{..}}` (`details`: the other fields
/// of the pulled entry, such as accountId, accountName, groupName, serviceId,
/// status). Never the app_secret. Pulls it with push_app_authorize if the
/// client was configured with outer_instance_id and has none yet.
///
/// Output through the caller-owned buffer (`out`, `out_cap`, `out_len`) as for
/// `erpauth_kingdee_client_app_token`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn erpauth_kingdee_client_authorization(
    client: *mut erpauth_kingdee_client,
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
) -> erpauth_status {
    unsafe {
        handle_output(client, out, out_cap, out_len, |client| {
            client.inner.authorization_json()
        })
    }
}

/// The Kingdee app-token: from the client's cache, or fetched from the
/// gateway once however many threads ask at the same time. Cached for its
/// lifetime (24 h, or the answer's `expires`) less a refresh margin.
///
/// Output through the caller-owned buffer (`out`, `out_cap`, `out_len`):
/// with `out_cap < needed + 1` nothing is written, `*out_len = needed` and
/// `ERPAUTH_BUFFER_TOO_SMALL` is returned; the token stays cached, so the
/// retry makes no second request. Network failures give `ERPAUTH_NETWORK`,
/// refusals `ERPAUTH_REJECTED` with the server's code and text in
/// `erpauth_last_error`. Thread-safe, on the same client too.
#[no_mangle]
pub unsafe extern "C" fn erpauth_kingdee_client_app_token(
    client: *mut erpauth_kingdee_client,
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
) -> erpauth_status {
    unsafe {
        handle_output(client, out, out_cap, out_len, |client| {
            let token = client.inner.app_token()?;
            Ok(CachedField(token, |t: &AppToken| &t.token))
        })
    }
}

/// Every header a Kingdee business call needs, as "Name: value\r\n" lines:
/// the six gateway headers signed for `method` and `path_and_query` (fresh
/// nonce and time), `app-token` (fetched or cached as in
/// `erpauth_kingdee_client_app_token`), and `X-GW-Router-Addr` when the
/// config has a `domain`.
///
/// Output through the caller-owned buffer (`out`, `out_cap`, `out_len`); a
/// retry after `ERPAUTH_BUFFER_TOO_SMALL` signs anew (about the same
/// length), so start with 1024 bytes. Thread-safe, on the same client too.
#[no_mangle]
pub unsafe extern "C" fn erpauth_kingdee_client_headers(
    client: *mut erpauth_kingdee_client,
    method: *const c_char,
    path_and_query: *const c_char,
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
) -> erpauth_status {
    unsafe {
        handle_output(client, out, out_cap, out_len, |client| {
            client.inner.header_lines(
                str_arg(method, "method")?,
                str_arg(path_and_query, "path_and_query")?,
            )
        })
    }
}

/// Drops the cached app-token, so the next call fetches a new one (for when
/// a business call answers 4010/4011). Accepts NULL. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn erpauth_kingdee_client_invalidate(client: *mut erpauth_kingdee_client) {
    unsafe { with_opt_handle(client, |client| client.inner.invalidate()) }
}

/// Frees a Kingdee client and wipes its secrets from memory. Accepts NULL.
/// Must come after every other call on that client has returned.
#[no_mangle]
pub unsafe extern "C" fn erpauth_kingdee_client_free(client: *mut erpauth_kingdee_client) {
    // SAFETY: a handle from erpauth_kingdee_client_new or NULL, freed once.
    unsafe { free_handle(client) }
}

/// Creates a Weaver e9 client from a JSON config object:
/// `{"base_url","appid","secret","aes_key"}` required (aes_key of 16, 24 or
/// 32 bytes); optional `"timeout_ms"` (default 10000), `"token_ttl_s"`
/// (default 1800), `"max_users"` (how many users' tokens are cached, least
/// recently used out; default 10000), `"tls_roots"`, `"ca_file"`,
/// `"proxy"`, `"refresh_margin_s"`. Unknown keys, keys given twice, wrong
/// types and a base_url that does not parse give `ERPAUTH_INVALID_ARGUMENT`
/// naming the key. Plain `http://` is accepted (e9 runs on intranets). No
/// request is made yet.
///
/// On success `*out_client` holds a new client to be freed with
/// `erpauth_weaver_client_free`; on failure it is set to NULL. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn erpauth_weaver_client_new(
    config_json: *const c_char,
    out_client: *mut *mut erpauth_weaver_client,
) -> erpauth_status {
    unsafe {
        new_client(config_json, out_client, |json| {
            WeaverClient::from_json(json).map(|inner| erpauth_weaver_client { inner })
        })
    }
}

/// The e9 token for (`user_type`, `user_contain`), or the plain app token
/// when both are NULL (one without the other is `ERPAUTH_INVALID_ARGUMENT`).
/// Cached per pair for `token_ttl_s` less a margin; fetched once however
/// many threads ask, each fetch with a never-repeated sign.
///
/// Output through the caller-owned buffer (`out`, `out_cap`, `out_len`);
/// the retry after `ERPAUTH_BUFFER_TOO_SMALL` is served from the cache.
/// Refusals give `ERPAUTH_REJECTED` with the server's `msg` in
/// `erpauth_last_error`. Thread-safe, on the same client too.
#[no_mangle]
pub unsafe extern "C" fn erpauth_weaver_client_token(
    client: *mut erpauth_weaver_client,
    user_type: *const c_char,
    user_contain: *const c_char,
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
) -> erpauth_status {
    unsafe {
        handle_output(client, out, out_cap, out_len, |client| {
            let user = weaver_user(user_type, user_contain)?;
            let token = client.inner.token(user.as_ref())?;
            Ok(CachedField(token, |t: &WeaverToken| &t.token))
        })
    }
}

/// The encrypted userid the e9 server returned with the token for
/// (`user_type`, `user_contain`), from the same cache entry as
/// `erpauth_weaver_client_token` (fetched if needed). Both must be given.
///
/// Output through the caller-owned buffer (`out`, `out_cap`, `out_len`).
/// Thread-safe, on the same client too.
#[no_mangle]
pub unsafe extern "C" fn erpauth_weaver_client_userid(
    client: *mut erpauth_weaver_client,
    user_type: *const c_char,
    user_contain: *const c_char,
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
) -> erpauth_status {
    unsafe {
        handle_output(client, out, out_cap, out_len, |client| {
            let Some(user) = weaver_user(user_type, user_contain)? else {
                return Err(Error::invalid(
                    "a userid exists only for a user: pass user_type and user_contain",
                ));
            };
            let token = client.inner.token(Some(&user))?;
            Ok(CachedField(token, |t: &WeaverToken| {
                t.userid.as_deref().unwrap_or_default()
            }))
        })
    }
}

/// Drops every cached e9 token of this client, so the next call fetches
/// anew (for when a business call answers that the token is invalid or
/// timed out). Accepts NULL. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn erpauth_weaver_client_invalidate(client: *mut erpauth_weaver_client) {
    unsafe { with_opt_handle(client, |client| client.inner.invalidate()) }
}

/// Frees a Weaver client and wipes its secrets from memory. Accepts NULL.
/// Must come after every other call on that client has returned.
#[no_mangle]
pub unsafe extern "C" fn erpauth_weaver_client_free(client: *mut erpauth_weaver_client) {
    // SAFETY: a handle from erpauth_weaver_client_new or NULL, freed once.
    unsafe { free_handle(client) }
}

/// A field of a cached token, borrowed without copying it out of the cache.
struct CachedField<T>(crate::client::Cached<T>, fn(&T) -> &str);

impl<T> AsRef<str> for CachedField<T> {
    fn as_ref(&self) -> &str {
        (self.1)(&self.0.value)
    }
}
