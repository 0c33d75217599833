//! The C entry points themselves, called as a C program would: arguments
//! are arbitrary bytes (not UTF-8 included) cut into NUL-terminated strings
//! or NULL, output buffers have random sizes (0 and NULL included) and are
//! exactly that large, so an overrun is caught by AddressSanitizer. Every
//! call must keep the buffer contract of docs/protocol/c-api.md to the byte, agree
//! with the Rust API, and leave a clean message in `erpauth_last_error`.
//!
//! Input layout: byte 0 picks the function, bytes 1-2 the buffer size
//! (little-endian, modulo 1024), byte 3 the NULL flags (bit 0: out is NULL,
//! bit 1: out_len is NULL, bits 2-7: string argument 0-5 is NULL), bytes
//! 4-11 a timestamp (little-endian i64) for `erpauth_weaver_sign`, then the
//! string arguments separated by NUL bytes.

#![no_main]

use erpauth::ffi::{self, erpauth_status};
use erpauth::{kingdee, weaver};
use libfuzzer_sys::fuzz_target;
use std::ffi::{c_char, CStr, CString};
use std::ptr;

const SENTINEL: u8 = 0xA5;
const OK: erpauth_status = erpauth_status::ERPAUTH_OK;
const TOO_SMALL: erpauth_status = erpauth_status::ERPAUTH_BUFFER_TOO_SMALL;
const INVALID: erpauth_status = erpauth_status::ERPAUTH_INVALID_ARGUMENT;

/// One decoded input.
struct Case {
    op: u8,
    cap: usize,
    out_null: bool,
    len_null: bool,
    timestamp_ms: i64,
    /// The string arguments; `None` is a NULL pointer.
    args: Vec<Option<CString>>,
}

impl Case {
    fn parse(data: &[u8]) -> Option<Case> {
        if data.len() < 12 {
            return None;
        }
        let flags = data[3];
        let mut args: Vec<Option<CString>> = data[12..]
            .split(|&b| b == 0)
            .map(|s| Some(CString::new(s).expect("split at NUL")))
            .collect();
        args.resize(6, Some(CString::default()));
        for (i, arg) in args.iter_mut().enumerate().take(6) {
            if flags & (4 << i) != 0 {
                *arg = None;
            }
        }
        Some(Case {
            op: data[0],
            cap: usize::from(u16::from_le_bytes([data[1], data[2]])) % 1024,
            out_null: flags & 1 != 0,
            len_null: flags & 2 != 0,
            timestamp_ms: i64::from_le_bytes(data[4..12].try_into().unwrap()),
            args,
        })
    }

    fn ptr(&self, i: usize) -> *const c_char {
        self.args[i].as_ref().map_or(ptr::null(), |s| s.as_ptr())
    }

    /// Argument `i` as UTF-8, or `None` if it is NULL or not UTF-8.
    fn str(&self, i: usize) -> Option<&str> {
        self.args[i].as_ref().and_then(|s| s.to_str().ok())
    }

    /// All of the first `n` arguments as UTF-8, if they are.
    fn strs(&self, n: usize) -> Option<Vec<&str>> {
        (0..n).map(|i| self.str(i)).collect()
    }
}

fn last_error() -> String {
    let mut len = 0usize;
    // SAFETY: a size query: NULL buffer of capacity 0, valid out_len.
    let status = unsafe { ffi::erpauth_last_error(ptr::null_mut(), 0, &mut len) };
    assert!(status == TOO_SMALL || (status == OK && len == 0));
    let mut buf = vec![SENTINEL; len + 1];
    // SAFETY: buf holds len + 1 bytes.
    let status = unsafe { ffi::erpauth_last_error(buf.as_mut_ptr().cast(), buf.len(), &mut len) };
    assert_eq!(status, OK);
    assert_eq!(buf[len], 0);
    String::from_utf8(buf[..len].to_vec()).expect("last_error is UTF-8")
}

fn check_failure_message() -> String {
    let message = last_error();
    assert!(!message.is_empty(), "a failure left no message");
    assert!(
        !message.chars().any(char::is_control),
        "control character in {message:?}"
    );
    message
}

/// Calls `f` with a buffer of exactly `cap` bytes (or NULL) and checks the
/// buffer contract byte by byte. Returns the status and, on success, the text.
/// `sets_message` is false only for `erpauth_last_error`, which never
/// replaces the stored message.
fn call_out(
    cap: usize,
    out_null: bool,
    len_null: bool,
    sets_message: bool,
    f: &dyn Fn(*mut c_char, usize, *mut usize) -> erpauth_status,
) -> (erpauth_status, Option<String>) {
    // Exactly `cap` bytes, so a write past them is a heap overflow ASan sees;
    // with cap 0 the pointer is dangling and any write faults.
    let mut buf = vec![SENTINEL; cap].into_boxed_slice();
    let out: *mut c_char = if out_null {
        ptr::null_mut()
    } else {
        buf.as_mut_ptr().cast()
    };
    let mut len = usize::MAX;
    let len_ptr: *mut usize = if len_null { ptr::null_mut() } else { &mut len };
    let status = f(out, cap, len_ptr);
    let untouched_from = |i: usize| buf.iter().skip(i).all(|&b| b == SENTINEL);

    if len_null {
        assert_eq!(status, INVALID, "out_len NULL");
        if !out_null && cap > 0 {
            assert_eq!(buf[0], 0, "out[0] not cleared");
            assert!(untouched_from(1));
        }
        if sets_message {
            check_failure_message();
        }
        return (status, None);
    }
    match status {
        s if s == OK => {
            assert!(!out_null && len < cap, "OK with len {len}, cap {cap}");
            assert_eq!(buf[len], 0, "no NUL after the result");
            assert!(untouched_from(len + 1), "bytes written past the NUL");
            let text = std::str::from_utf8(&buf[..len]).expect("output is UTF-8");
            assert!(!text.contains('\0'));
            (status, Some(text.to_owned()))
        }
        s if s == TOO_SMALL => {
            assert!(
                out_null || cap < len + 1,
                "TOO_SMALL with len {len}, cap {cap}"
            );
            assert!(untouched_from(0), "TOO_SMALL wrote to the buffer");
            if sets_message {
                assert!(check_failure_message().contains("too small"));
            }
            (status, None)
        }
        _ => {
            assert_eq!(len, 0, "*out_len not 0 on failure");
            if !out_null && cap > 0 {
                assert_eq!(buf[0], 0, "out[0] not cleared on failure");
                assert!(untouched_from(1));
            }
            if sets_message {
                check_failure_message();
            }
            (status, None)
        }
    }
}

/// `call_out` with the case's buffer, then, if that was too small, again
/// with exactly the size it asked for.
fn call(
    case: &Case,
    f: &dyn Fn(*mut c_char, usize, *mut usize) -> erpauth_status,
) -> (erpauth_status, Option<String>) {
    let first = call_out(case.cap, case.out_null, case.len_null, true, f);
    if first.0 != TOO_SMALL {
        return first;
    }
    let mut needed = 0usize;
    assert_eq!(f(ptr::null_mut(), 0, &mut needed), TOO_SMALL);
    call_out(needed + 1, false, false, true, f)
}

/// A deterministic function: the C result must equal the Rust one.
fn expect_same(
    case: &Case,
    got: (erpauth_status, Option<String>),
    expected: Option<erpauth::Result<String>>,
) {
    if case.len_null {
        return;
    }
    match expected {
        // A NULL or non-UTF-8 argument.
        None => assert_eq!(got.0, INVALID),
        Some(Ok(text)) => assert_eq!(got, (OK, Some(text))),
        Some(Err(err)) => {
            assert_eq!(got.0, INVALID, "{err:?}");
            assert_eq!(last_error(), err.message());
        }
    }
}

/// A `_new`: the C outcome must be the Rust one, a handle exactly on success.
fn expect_same_new<T, V>(
    status: erpauth_status,
    handle: *mut T,
    expected: Option<erpauth::Result<V>>,
) {
    match expected {
        Some(Ok(_)) => assert!(status == OK && !handle.is_null()),
        Some(Err(err)) => {
            assert!(status == INVALID && handle.is_null(), "{err:?}");
            assert_eq!(last_error(), err.message());
        }
        // A NULL or non-UTF-8 argument.
        None => assert!(status == INVALID && handle.is_null()),
    }
}

fn kingdee_signing_fails(method: Option<&str>, target: Option<&str>) -> bool {
    match (method, target) {
        (Some(m), Some(t)) => kingdee::string_to_sign(m, t, "1", "1").is_err(),
        _ => true,
    }
}

fuzz_target!(|data: &[u8]| {
    let Some(case) = Case::parse(data) else {
        return;
    };
    let c = &case;
    match case.op % 9 {
        0 => {
            let got = call(c, &|o, n, l| unsafe {
                ffi::erpauth_kingdee_app_signature(c.ptr(0), c.ptr(1), o, n, l)
            });
            let expected = c.strs(2).map(|a| Ok(kingdee::app_signature(a[0], a[1])));
            expect_same(c, got, expected);
        }
        1 => {
            let got = call(c, &|o, n, l| unsafe {
                ffi::erpauth_kingdee_string_to_sign(c.ptr(0), c.ptr(1), c.ptr(2), c.ptr(3), o, n, l)
            });
            let expected = c
                .strs(4)
                .map(|a| kingdee::string_to_sign(a[0], a[1], a[2], a[3]));
            expect_same(c, got, expected);
        }
        2 => {
            let got = call(c, &|o, n, l| unsafe {
                ffi::erpauth_kingdee_signature(
                    c.ptr(0),
                    c.ptr(1),
                    c.ptr(2),
                    c.ptr(3),
                    c.ptr(4),
                    o,
                    n,
                    l,
                )
            });
            let expected = c
                .strs(5)
                .map(|a| kingdee::signature(a[0], a[1], a[2], a[3], a[4]));
            expect_same(c, got, expected);
        }
        3 => {
            let (status, text) = call(c, &|o, n, l| unsafe {
                ffi::erpauth_kingdee_sign_headers(c.ptr(0), c.ptr(1), c.ptr(2), c.ptr(3), o, n, l)
            });
            if let Some(text) = text {
                // Six lines; the signature verifies for the nonce and time sent.
                let a = c.strs(4).expect("OK only for UTF-8 arguments");
                let lines: Vec<&str> = text.split("\r\n").collect();
                assert_eq!(lines.len(), 7, "{text:?}");
                let value = |name: &str| {
                    lines
                        .iter()
                        .find_map(|l| l.strip_prefix(name)?.strip_prefix(": "))
                        .unwrap_or_else(|| panic!("no {name} in {text:?}"))
                };
                assert_eq!(value("X-Api-ClientID"), a[0]);
                let expected = kingdee::signature(
                    a[1],
                    a[2],
                    a[3],
                    value("X-Api-Nonce"),
                    value("X-Api-TimeStamp"),
                )
                .unwrap();
                assert_eq!(value("X-Api-Signature"), expected);
            } else if !c.len_null && c.strs(4).is_none() {
                assert_eq!(status, INVALID);
            }
        }
        4 => {
            let ts = c.timestamp_ms;
            let got = call(c, &|o, n, l| unsafe {
                ffi::erpauth_weaver_sign(c.ptr(0), c.ptr(1), c.ptr(2), ts, o, n, l)
            });
            if ts > 0 {
                let expected = c.strs(3).map(|a| weaver::sign(a[0], a[1], a[2], ts));
                expect_same(c, got, expected);
            } else if let Some(text) = got.1 {
                assert!(text.len() >= 96 && text.bytes().all(|b| b.is_ascii_hexdigit()));
            }
        }
        5 => {
            let before = last_error();
            let (status, text) =
                call_out(c.cap, c.out_null, c.len_null, false, &|o, n, l| unsafe {
                    ffi::erpauth_last_error(o, n, l)
                });
            if status == OK {
                assert_eq!(text.as_deref(), Some(before.as_str()));
            }
            // Asking never replaces the stored message, whatever the outcome.
            assert_eq!(last_error(), before);
            let version = unsafe { CStr::from_ptr(ffi::erpauth_version()) };
            assert_eq!(version.to_str().unwrap(), erpauth::VERSION);
        }
        6 => {
            let mut client = ptr::dangling_mut();
            let status = unsafe { ffi::erpauth_kingdee_client_new(c.ptr(0), &mut client) };
            expect_same_new(
                status,
                client,
                c.str(0).map(erpauth::client::KingdeeClient::from_json),
            );
            // Argument errors come before any request; only those are made here.
            if !client.is_null() && kingdee_signing_fails(c.str(1), c.str(2)) {
                let (status, _) = call(c, &|o, n, l| unsafe {
                    ffi::erpauth_kingdee_client_headers(client, c.ptr(1), c.ptr(2), o, n, l)
                });
                assert!(c.len_null || status == INVALID);
            }
            unsafe {
                ffi::erpauth_kingdee_client_invalidate(client);
                ffi::erpauth_kingdee_client_free(client);
            }
        }
        7 => {
            let mut client = ptr::dangling_mut();
            let status = unsafe { ffi::erpauth_weaver_client_new(c.ptr(0), &mut client) };
            expect_same_new(
                status,
                client,
                c.str(0).map(erpauth::client::WeaverClient::from_json),
            );
            // Only a user half given (or not UTF-8) fails before any request.
            let user_unusable = c.str(1).is_some() != c.str(2).is_some()
                || (c.args[1].is_some() && c.str(1).is_none())
                || (c.args[2].is_some() && c.str(2).is_none());
            if !client.is_null() && user_unusable {
                for userid in [false, true] {
                    let (status, _) = call(c, &|o, n, l| unsafe {
                        if userid {
                            ffi::erpauth_weaver_client_userid(client, c.ptr(1), c.ptr(2), o, n, l)
                        } else {
                            ffi::erpauth_weaver_client_token(client, c.ptr(1), c.ptr(2), o, n, l)
                        }
                    });
                    assert!(c.len_null || status == INVALID);
                }
            }
            unsafe {
                ffi::erpauth_weaver_client_invalidate(client);
                ffi::erpauth_weaver_client_free(client);
            }
        }
        _ => {
            // Every client function with a NULL client.
            let k = ptr::null_mut();
            let w = ptr::null_mut();
            let calls: [&dyn Fn(*mut c_char, usize, *mut usize) -> erpauth_status; 4] = [
                &|o, n, l| unsafe { ffi::erpauth_kingdee_client_app_token(k, o, n, l) },
                &|o, n, l| unsafe {
                    ffi::erpauth_kingdee_client_headers(k, c.ptr(0), c.ptr(1), o, n, l)
                },
                &|o, n, l| unsafe {
                    ffi::erpauth_weaver_client_token(w, c.ptr(0), c.ptr(1), o, n, l)
                },
                &|o, n, l| unsafe {
                    ffi::erpauth_weaver_client_userid(w, c.ptr(0), c.ptr(1), o, n, l)
                },
            ];
            for f in calls {
                assert_eq!(call(c, f).0, INVALID);
            }
            unsafe {
                ffi::erpauth_kingdee_client_invalidate(k);
                ffi::erpauth_kingdee_client_free(k);
                ffi::erpauth_weaver_client_invalidate(w);
                ffi::erpauth_weaver_client_free(w);
            }
        }
    }
});
