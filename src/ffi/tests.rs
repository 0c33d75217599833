//! Unit tests of the C ABI layer, written to run under Miri
//! (`cargo +nightly miri test --lib ffi::tests`, see docs/RELIABILITY.md):
//! every export called as C would call it, with exact-size buffers, size
//! queries, NULLs, non-UTF-8 bytes, handles created and freed, the panic
//! boundary and per-thread last errors. Miri checks each raw-pointer access
//! of the layer for undefined behaviour (out-of-bounds or unaligned access,
//! use after free, aliasing violations, leaks at exit). No test here does
//! I/O: Miri cannot open sockets, and a client call that would go to the
//! network is only made with arguments that fail before any request.

use super::support::call_with_output;
use super::*;
use std::ffi::{c_char, CStr};
use std::ptr;

const OK: erpauth_status = erpauth_status::ERPAUTH_OK;
const TOO_SMALL: erpauth_status = erpauth_status::ERPAUTH_BUFFER_TOO_SMALL;
const INVALID: erpauth_status = erpauth_status::ERPAUTH_INVALID_ARGUMENT;
const INTERNAL: erpauth_status = erpauth_status::ERPAUTH_INTERNAL;

/// Filler for output buffers, to see which bytes a call wrote.
const SENTINEL: u8 = 0xA5;

// The public vectors (tests/vectors), inlined: Miri runs isolated from the
// file system.
const APP_KEY: &CStr = c"abc";
const APP_SECRET: &CStr = c"abc123";
const APP_SIGNATURE: &str =
    "ZDljMTI3NGIyNTE1MTRkYzlkNjc1MDNhYjUzMzgzNWMyY2M4YTdjMzdmNmM3YTVlNDkxMTkzNjdiOTFjNzUyZQ==";
const CLIENT_SECRET: &CStr = c"f2adcfef73369bfc4e1384677d38a0ff";
const TARGET: &CStr = c"/jdyconnector/app_management/kingdee_auth_token?app_key=bVZgAZOv1&app_signature=MzZlYTk0ODk4MWZlNjdiODNmNWU4YzViNzYxNGM5MTFlOGJkN2NjMzk0MTJkZGNhZGM0NzZhN2YxZDJmOTlkZA%3D%3D";
const NONCE: &CStr = c"4427456950";
const TIMESTAMP: &CStr = c"1670305063559";
const STRING_TO_SIGN: &str = "GET\n%2Fjdyconnector%2Fapp_management%2Fkingdee_auth_token\napp_key=bVZgAZOv1&app_signature=MzZlYTk0ODk4MWZlNjdiODNmNWU4YzViNzYxNGM5MTFlOGJkN2NjMzk0MTJkZGNhZGM0NzZhN2YxZDJmOTlkZA%253D%253D\nx-api-nonce:4427456950\nx-api-timestamp:1670305063559\n";
const SIGNATURE: &str =
    "OTFiZTliNDFiMjNkYTI3YzVhNzg4MDI4ZGU3MWY1ZTA5ZTk1NjVlNGM1YTI1ZjIxY2Y5YTA3ZGY2OGI1MGQ1MQ==";
const WEAVER_APPID: &CStr = c"weaverappid";
const WEAVER_SECRET: &CStr = c"weaversecret";
const WEAVER_AES_KEY: &CStr = c"8fy6K39X6PIEEeOq";
const WEAVER_TIMESTAMP: i64 = 1_700_000_000_000;
const WEAVER_SIGN: &str = "2da1e861f36ba4aa1babbadbdc1e275a9efc8b34155b2bd4e147370de8d80954b04dbe29a019802759029ab51c8bc6a1";

/// What one call did to its output buffer.
#[derive(Debug)]
struct Output {
    status: erpauth_status,
    len: usize,
    /// The whole buffer after the call (exactly `out_cap` bytes).
    buf: Vec<u8>,
}

impl Output {
    fn text(&self) -> &str {
        assert_eq!(self.status, OK, "{self:?}");
        assert_eq!(self.buf[self.len], 0, "no NUL after the result");
        std::str::from_utf8(&self.buf[..self.len]).unwrap()
    }

    fn untouched_from(&self, from: usize) -> bool {
        self.buf.iter().skip(from).all(|&b| b == SENTINEL)
    }

    /// The failure contract: `*out_len = 0`, `out[0] = 0`, nothing else written.
    fn assert_cleared_failure(&self, status: erpauth_status) {
        assert_eq!(self.status, status, "{self:?}");
        assert_eq!(self.len, 0);
        if let Some(&first) = self.buf.first() {
            assert_eq!(first, 0, "out[0] not cleared");
        }
        assert!(self.untouched_from(1), "written past out[0] on failure");
    }
}

/// Calls `f` with a heap buffer of exactly `cap` bytes, so that Miri flags
/// any write past it.
fn with_buffer(
    cap: usize,
    f: impl FnOnce(*mut c_char, usize, *mut usize) -> erpauth_status,
) -> Output {
    let mut buf = vec![SENTINEL; cap];
    let mut len = usize::MAX;
    let status = f(buf.as_mut_ptr().cast(), cap, &mut len);
    Output { status, len, buf }
}

/// The full contract of one deterministic output: a size query with a NULL
/// buffer, a buffer one byte short, then one of exactly the right size.
fn exact(f: impl Fn(*mut c_char, usize, *mut usize) -> erpauth_status) -> String {
    let mut needed = usize::MAX;
    assert_eq!(f(ptr::null_mut(), 0, &mut needed), TOO_SMALL);
    let short = with_buffer(needed, &f);
    assert_eq!((short.status, short.len), (TOO_SMALL, needed));
    assert!(short.untouched_from(0), "a too-small buffer was written");
    assert!(last_error().contains("too small"), "{}", last_error());
    let fits = with_buffer(needed + 1, &f);
    assert_eq!(fits.len, needed);
    fits.text().to_owned()
}

fn last_error() -> String {
    let mut needed = 0usize;
    // SAFETY: a size query (NULL buffer, capacity 0) with a valid out_len.
    let status = unsafe { erpauth_last_error(ptr::null_mut(), 0, &mut needed) };
    assert!(status == TOO_SMALL || status == OK);
    let out = with_buffer(needed + 1, |o, n, l| unsafe { erpauth_last_error(o, n, l) });
    out.text().to_owned()
}

#[test]
fn version_is_a_static_c_string() {
    // SAFETY: erpauth_version returns a static NUL-terminated string.
    let v = unsafe { CStr::from_ptr(erpauth_version()) };
    assert_eq!(v.to_str().unwrap(), crate::VERSION);
    assert_eq!(erpauth_version(), erpauth_version());
}

#[test]
fn app_signature_vector_and_buffer_contract() {
    let text = exact(|o, n, l| unsafe {
        erpauth_kingdee_app_signature(APP_KEY.as_ptr(), APP_SECRET.as_ptr(), o, n, l)
    });
    assert_eq!(text, APP_SIGNATURE);
    // A larger buffer: result, NUL, and nothing else written.
    let big = with_buffer(200, |o, n, l| unsafe {
        erpauth_kingdee_app_signature(APP_KEY.as_ptr(), APP_SECRET.as_ptr(), o, n, l)
    });
    assert_eq!(big.text(), APP_SIGNATURE);
    assert!(big.untouched_from(89));
    // A non-NULL buffer of capacity 0 is not written either.
    let empty = with_buffer(0, |o, n, l| unsafe {
        erpauth_kingdee_app_signature(APP_KEY.as_ptr(), APP_SECRET.as_ptr(), o, n, l)
    });
    assert_eq!((empty.status, empty.len), (TOO_SMALL, 88));
}

#[test]
fn kingdee_string_to_sign_and_signature_vectors() {
    let sts = exact(|o, n, l| unsafe {
        erpauth_kingdee_string_to_sign(
            c"GET".as_ptr(),
            TARGET.as_ptr(),
            NONCE.as_ptr(),
            TIMESTAMP.as_ptr(),
            o,
            n,
            l,
        )
    });
    assert_eq!(sts, STRING_TO_SIGN);
    let sig = exact(|o, n, l| unsafe {
        erpauth_kingdee_signature(
            CLIENT_SECRET.as_ptr(),
            c"GET".as_ptr(),
            TARGET.as_ptr(),
            NONCE.as_ptr(),
            TIMESTAMP.as_ptr(),
            o,
            n,
            l,
        )
    });
    assert_eq!(sig, SIGNATURE);
}

#[test]
fn weaver_sign_vector() {
    let sign = exact(|o, n, l| unsafe {
        erpauth_weaver_sign(
            WEAVER_APPID.as_ptr(),
            WEAVER_SECRET.as_ptr(),
            WEAVER_AES_KEY.as_ptr(),
            WEAVER_TIMESTAMP,
            o,
            n,
            l,
        )
    });
    assert_eq!(sign, WEAVER_SIGN);
}

/// Reads the clock and the OS random source: under Miri this needs
/// `-Zmiri-disable-isolation`.
#[test]
fn signing_now_reads_clock_and_randomness() {
    let sign = || {
        with_buffer(97, |o, n, l| unsafe {
            erpauth_weaver_sign(
                WEAVER_APPID.as_ptr(),
                WEAVER_SECRET.as_ptr(),
                WEAVER_AES_KEY.as_ptr(),
                0,
                o,
                n,
                l,
            )
        })
        .text()
        .to_owned()
    };
    let (a, b) = (sign(), sign());
    assert_eq!(a.len(), 96);
    assert_ne!(a, b, "two signs of 'now' are equal");

    let headers = with_buffer(512, |o, n, l| unsafe {
        erpauth_kingdee_sign_headers(
            c"client-id".as_ptr(),
            CLIENT_SECRET.as_ptr(),
            c"POST".as_ptr(),
            c"/jdy/v2/bd/customer?page=1".as_ptr(),
            o,
            n,
            l,
        )
    });
    let text = headers.text();
    assert!(text.starts_with("X-Api-ClientID: client-id\r\n"), "{text}");
    assert_eq!(text.matches("\r\n").count(), 6);
    assert!(headers.untouched_from(text.len() + 1));
}

/// Each string argument of each pure export, NULL and then not UTF-8: the
/// status, the cleared output and a message that names the argument.
#[test]
fn null_and_non_utf8_arguments_name_the_argument() {
    // Every export given the same shape (five strings, unused ones ignored).
    type Export = fn([*const c_char; 5], *mut c_char, usize, *mut usize) -> erpauth_status;
    let app_signature: Export =
        |a, o, n, l| unsafe { erpauth_kingdee_app_signature(a[0], a[1], o, n, l) };
    let string_to_sign: Export =
        |a, o, n, l| unsafe { erpauth_kingdee_string_to_sign(a[0], a[1], a[2], a[3], o, n, l) };
    let signature: Export =
        |a, o, n, l| unsafe { erpauth_kingdee_signature(a[0], a[1], a[2], a[3], a[4], o, n, l) };
    let sign_headers: Export =
        |a, o, n, l| unsafe { erpauth_kingdee_sign_headers(a[0], a[1], a[2], a[3], o, n, l) };
    let weaver_sign: Export =
        |a, o, n, l| unsafe { erpauth_weaver_sign(a[0], a[1], a[2], WEAVER_TIMESTAMP, o, n, l) };
    let cases: [(Export, &[(&str, &CStr)]); 5] = [
        (
            app_signature,
            &[("app_key", APP_KEY), ("app_secret", APP_SECRET)],
        ),
        (
            string_to_sign,
            &[
                ("method", c"GET"),
                ("path_and_query", TARGET),
                ("nonce", NONCE),
                ("timestamp", TIMESTAMP),
            ],
        ),
        (
            signature,
            &[
                ("client_secret", CLIENT_SECRET),
                ("method", c"GET"),
                ("path_and_query", TARGET),
                ("nonce", NONCE),
                ("timestamp", TIMESTAMP),
            ],
        ),
        (
            sign_headers,
            &[
                ("client_id", c"cid"),
                ("client_secret", CLIENT_SECRET),
                ("method", c"GET"),
                ("path_and_query", c"/x"),
            ],
        ),
        (
            weaver_sign,
            &[
                ("appid", WEAVER_APPID),
                ("secret", WEAVER_SECRET),
                ("aes_key", WEAVER_AES_KEY),
            ],
        ),
    ];
    let not_utf8: &CStr = c"ab\xff\xfe";
    for (export, args) in cases {
        for (i, (name, _)) in args.iter().enumerate() {
            for bad in [ptr::null(), not_utf8.as_ptr()] {
                let mut ptrs = [ptr::null::<c_char>(); 5];
                for (j, (_, value)) in args.iter().enumerate() {
                    ptrs[j] = if i == j { bad } else { value.as_ptr() };
                }
                let out = with_buffer(256, |o, n, l| export(ptrs, o, n, l));
                out.assert_cleared_failure(INVALID);
                let message = last_error();
                assert!(message.starts_with(name), "{name}: {message}");
                if bad.is_null() {
                    assert!(message.contains("NULL"), "{message}");
                } else {
                    assert!(message.contains("not valid UTF-8"), "{message}");
                    assert!(message.contains("offset 2"), "{message}");
                }
            }
        }
    }
}

#[test]
fn a_null_out_len_is_refused_and_the_buffer_cleared() {
    let out = with_buffer(100, |o, n, _| unsafe {
        erpauth_kingdee_app_signature(APP_KEY.as_ptr(), APP_SECRET.as_ptr(), o, n, ptr::null_mut())
    });
    assert_eq!(out.status, INVALID);
    assert_eq!(out.buf[0], 0);
    assert!(out.untouched_from(1));
    assert!(last_error().contains("out_len is NULL"));
    // NULL buffer and NULL out_len together: nothing to write at all.
    let status = unsafe {
        erpauth_kingdee_app_signature(
            APP_KEY.as_ptr(),
            APP_SECRET.as_ptr(),
            ptr::null_mut(),
            0,
            ptr::null_mut(),
        )
    };
    assert_eq!(status, INVALID);
}

#[test]
fn bad_values_are_invalid_arguments_with_the_output_cleared() {
    let cases: [(&CStr, &CStr, &str); 4] = [
        (c"GET", c"/p?a=%zz", "malformed percent escape"),
        (c"GET", c"/p?a=%FF", "not UTF-8"),
        (c"GET", c"https://host/p", "must start with '/'"),
        (c"G T", c"/p", "method"),
    ];
    for (method, target, words) in cases {
        let out = with_buffer(64, |o, n, l| unsafe {
            erpauth_kingdee_string_to_sign(
                method.as_ptr(),
                target.as_ptr(),
                NONCE.as_ptr(),
                TIMESTAMP.as_ptr(),
                o,
                n,
                l,
            )
        });
        out.assert_cleared_failure(INVALID);
        assert!(last_error().contains(words), "{}", last_error());
    }
    let out = with_buffer(10, |o, n, l| unsafe {
        erpauth_weaver_sign(
            WEAVER_APPID.as_ptr(),
            WEAVER_SECRET.as_ptr(),
            c"fifteen-bytes!!".as_ptr(),
            1,
            o,
            n,
            l,
        )
    });
    out.assert_cleared_failure(INVALID);
    let message = last_error();
    assert!(message.contains("15 bytes"), "{message}");
    assert!(
        !message.contains("fifteen-bytes"),
        "the key is in {message}"
    );
}

#[test]
fn last_error_follows_the_buffer_contract_and_is_never_replaced_by_asking() {
    let status = unsafe {
        erpauth_kingdee_app_signature(ptr::null(), APP_SECRET.as_ptr(), ptr::null_mut(), 0, &mut 0)
    };
    assert_eq!(status, INVALID);
    let mut needed = 0usize;
    assert_eq!(
        unsafe { erpauth_last_error(ptr::null_mut(), 0, &mut needed) },
        TOO_SMALL
    );
    let short = with_buffer(needed, |o, n, l| unsafe { erpauth_last_error(o, n, l) });
    assert_eq!((short.status, short.len), (TOO_SMALL, needed));
    assert!(short.untouched_from(0));
    let fits = with_buffer(needed + 1, |o, n, l| unsafe { erpauth_last_error(o, n, l) });
    let message = fits.text().to_owned();
    assert!(message.starts_with("app_key is NULL"), "{message}");
    // A NULL out_len clears out[0] but keeps the message.
    let out = with_buffer(8, |o, n, _| unsafe {
        erpauth_last_error(o, n, ptr::null_mut())
    });
    assert_eq!((out.status, out.buf[0]), (INVALID, 0));
    assert!(out.untouched_from(1));
    assert_eq!(last_error(), message);
    // A success does not clear it either: it is the last call that failed.
    exact(|o, n, l| unsafe {
        erpauth_kingdee_app_signature(APP_KEY.as_ptr(), APP_SECRET.as_ptr(), o, n, l)
    });
    assert!(last_error().contains("too small"));
}

#[test]
fn last_errors_are_per_thread() {
    let status = unsafe {
        erpauth_weaver_sign(
            ptr::null(),
            WEAVER_SECRET.as_ptr(),
            WEAVER_AES_KEY.as_ptr(),
            1,
            ptr::null_mut(),
            0,
            &mut 0,
        )
    };
    assert_eq!(status, INVALID);
    let here = last_error();
    let there = std::thread::spawn(|| {
        let status = unsafe {
            erpauth_kingdee_app_signature(APP_KEY.as_ptr(), ptr::null(), ptr::null_mut(), 0, &mut 0)
        };
        assert_eq!(status, INVALID);
        last_error()
    })
    .join()
    .unwrap();
    assert!(here.starts_with("appid is NULL"), "{here}");
    assert!(there.starts_with("app_secret is NULL"), "{there}");
    assert_eq!(last_error(), here);
}

#[test]
fn a_panic_is_caught_at_the_boundary() {
    let out = with_buffer(16, |o, n, l| unsafe {
        call_with_output::<String, _>(o, n, l, || panic!("injected panic"))
    });
    out.assert_cleared_failure(INTERNAL);
    let message = last_error();
    assert!(message.contains("internal error") && message.contains("injected panic"));
}

const KINGDEE_CONFIG: &CStr = cr#"{"client_id":"cid","client_secret":"cs","app_key":"ak","app_secret":"as","base_url":"http://127.0.0.1:9","domain":"https://d.example.com"}"#;
const WEAVER_CONFIG: &CStr =
    cr#"{"base_url":"http://127.0.0.1:9","appid":"a","secret":"s","aes_key":"0123456789abcdef"}"#;

#[test]
fn kingdee_client_lifecycle_without_io() {
    let mut client: *mut erpauth_kingdee_client = ptr::NonNull::dangling().as_ptr();
    // SAFETY: a valid config string and a valid out pointer.
    let status = unsafe { erpauth_kingdee_client_new(KINGDEE_CONFIG.as_ptr(), &mut client) };
    assert_eq!(status, OK, "{}", last_error());
    assert!(!client.is_null());
    // Signing fails before the token is asked for: no request is made.
    for (method, target) in [(c"G T", c"/x"), (c"GET", c"no-slash")] {
        let out = with_buffer(32, |o, n, l| unsafe {
            erpauth_kingdee_client_headers(client, method.as_ptr(), target.as_ptr(), o, n, l)
        });
        out.assert_cleared_failure(INVALID);
    }
    let out = with_buffer(32, |o, n, l| unsafe {
        erpauth_kingdee_client_headers(client, ptr::null(), c"/x".as_ptr(), o, n, l)
    });
    out.assert_cleared_failure(INVALID);
    unsafe {
        erpauth_kingdee_client_invalidate(client);
        erpauth_kingdee_client_free(client);
    }
}

#[test]
fn weaver_client_lifecycle_without_io() {
    let mut client: *mut erpauth_weaver_client = ptr::NonNull::dangling().as_ptr();
    let status = unsafe { erpauth_weaver_client_new(WEAVER_CONFIG.as_ptr(), &mut client) };
    assert_eq!(status, OK, "{}", last_error());
    assert!(!client.is_null());
    // Half a user, or a user that is not UTF-8: refused before any request.
    let users: [(*const c_char, *const c_char); 3] = [
        (c"id".as_ptr(), ptr::null()),
        (ptr::null(), c"1".as_ptr()),
        (c"id".as_ptr(), c"\xff".as_ptr()),
    ];
    for (user_type, user_contain) in users {
        let out = with_buffer(64, |o, n, l| unsafe {
            erpauth_weaver_client_token(client, user_type, user_contain, o, n, l)
        });
        out.assert_cleared_failure(INVALID);
        let out = with_buffer(64, |o, n, l| unsafe {
            erpauth_weaver_client_userid(client, user_type, user_contain, o, n, l)
        });
        out.assert_cleared_failure(INVALID);
    }
    // A userid exists only for a user.
    let out = with_buffer(64, |o, n, l| unsafe {
        erpauth_weaver_client_userid(client, ptr::null(), ptr::null(), o, n, l)
    });
    out.assert_cleared_failure(INVALID);
    unsafe {
        erpauth_weaver_client_invalidate(client);
        erpauth_weaver_client_free(client);
    }
}

#[test]
fn client_constructors_refuse_bad_arguments_and_null_the_handle() {
    let configs: [*const c_char; 5] = [
        ptr::null(),
        c"\xff{}".as_ptr(),
        c"{".as_ptr(),
        c"[]".as_ptr(),
        cr#"{"client_id":"c","client_secret":"zzz-secret-value","app_key":"k","app_secret":"a","bogus":1}"#.as_ptr(),
    ];
    for config in configs {
        let mut k: *mut erpauth_kingdee_client = ptr::NonNull::dangling().as_ptr();
        assert_eq!(
            unsafe { erpauth_kingdee_client_new(config, &mut k) },
            INVALID
        );
        assert!(k.is_null());
        assert!(!last_error().contains("zzz-secret-value"));
        let mut w: *mut erpauth_weaver_client = ptr::NonNull::dangling().as_ptr();
        assert_eq!(
            unsafe { erpauth_weaver_client_new(config, &mut w) },
            INVALID
        );
        assert!(w.is_null());
    }
    // Keys are checked in the object's order: "client_id" is the first one
    // Weaver does not know, and too unlike any Weaver key to be quoted.
    assert!(last_error().contains("unknown Weaver config key: key number 1 of the object"));
    // A NULL out_client.
    let status = unsafe { erpauth_kingdee_client_new(KINGDEE_CONFIG.as_ptr(), ptr::null_mut()) };
    assert_eq!(status, INVALID);
    assert!(last_error().contains("out_client is NULL"));
    let status = unsafe { erpauth_weaver_client_new(WEAVER_CONFIG.as_ptr(), ptr::null_mut()) };
    assert_eq!(status, INVALID);
}

#[test]
fn null_clients_are_invalid_arguments_and_free_accepts_null() {
    let k: *mut erpauth_kingdee_client = ptr::null_mut();
    let w: *mut erpauth_weaver_client = ptr::null_mut();
    let outs = [
        with_buffer(16, |o, n, l| unsafe {
            erpauth_kingdee_client_app_token(k, o, n, l)
        }),
        with_buffer(16, |o, n, l| unsafe {
            erpauth_kingdee_client_headers(k, c"GET".as_ptr(), c"/x".as_ptr(), o, n, l)
        }),
        with_buffer(16, |o, n, l| unsafe {
            erpauth_weaver_client_token(w, ptr::null(), ptr::null(), o, n, l)
        }),
        with_buffer(16, |o, n, l| unsafe {
            erpauth_weaver_client_userid(w, c"id".as_ptr(), c"1".as_ptr(), o, n, l)
        }),
    ];
    for out in outs {
        out.assert_cleared_failure(INVALID);
        assert!(last_error().contains("client is NULL"));
    }
    unsafe {
        erpauth_kingdee_client_invalidate(k);
        erpauth_kingdee_client_free(k);
        erpauth_weaver_client_invalidate(w);
        erpauth_weaver_client_free(w);
    }
}

/// Shared handles: several threads use one client at once, then it is
/// freed after they all returned (the documented order).
#[test]
fn one_client_shared_by_threads() {
    let mut client: *mut erpauth_weaver_client = ptr::null_mut();
    assert_eq!(
        unsafe { erpauth_weaver_client_new(WEAVER_CONFIG.as_ptr(), &mut client) },
        OK
    );
    struct Shared(*mut erpauth_weaver_client);
    // SAFETY: the C ABI documents every client function as thread-safe.
    unsafe impl Sync for Shared {}
    let shared = Shared(client);
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| {
                let client = &shared;
                let out = with_buffer(8, |o, n, l| unsafe {
                    erpauth_weaver_client_token(client.0, c"id".as_ptr(), ptr::null(), o, n, l)
                });
                out.assert_cleared_failure(INVALID);
                unsafe { erpauth_weaver_client_invalidate(client.0) };
            });
        }
    });
    unsafe { erpauth_weaver_client_free(client) };
}

#[test]
fn signers_give_the_vectors_and_follow_the_buffer_contract() {
    let mut k: *mut erpauth_kingdee_signer = ptr::null_mut();
    assert_eq!(
        unsafe { erpauth_kingdee_signer_new(CLIENT_SECRET.as_ptr(), &mut k) },
        OK
    );
    assert!(!k.is_null());
    let sig = exact(|o, n, l| unsafe {
        erpauth_kingdee_signer_signature(
            k,
            c"GET".as_ptr(),
            TARGET.as_ptr(),
            NONCE.as_ptr(),
            TIMESTAMP.as_ptr(),
            o,
            n,
            l,
        )
    });
    assert_eq!(sig, SIGNATURE);
    // Request errors are the one-shot function's, the output cleared.
    let bad = with_buffer(128, |o, n, l| unsafe {
        erpauth_kingdee_signer_signature(
            k,
            c"GET".as_ptr(),
            c"/a?b=%zz".as_ptr(),
            NONCE.as_ptr(),
            TIMESTAMP.as_ptr(),
            o,
            n,
            l,
        )
    });
    bad.assert_cleared_failure(INVALID);
    assert!(last_error().contains("query"), "{}", last_error());
    unsafe { erpauth_kingdee_signer_free(k) };

    let mut w: *mut erpauth_weaver_signer = ptr::null_mut();
    let status = unsafe {
        erpauth_weaver_signer_new(
            WEAVER_APPID.as_ptr(),
            WEAVER_SECRET.as_ptr(),
            WEAVER_AES_KEY.as_ptr(),
            &mut w,
        )
    };
    assert_eq!(status, OK);
    let sign = exact(|o, n, l| unsafe { erpauth_weaver_signer_sign(w, WEAVER_TIMESTAMP, o, n, l) });
    assert_eq!(sign, WEAVER_SIGN);
    unsafe { erpauth_weaver_signer_free(w) };
}

#[test]
fn signer_constructors_refuse_bad_arguments_and_null_the_handle() {
    let mut k: *mut erpauth_kingdee_signer = ptr::NonNull::dangling().as_ptr();
    assert_eq!(
        unsafe { erpauth_kingdee_signer_new(ptr::null(), &mut k) },
        INVALID
    );
    assert!(k.is_null());
    assert!(last_error().contains("client_secret is NULL"));
    let mut k: *mut erpauth_kingdee_signer = ptr::NonNull::dangling().as_ptr();
    assert_eq!(
        unsafe { erpauth_kingdee_signer_new(c"\xffzzz-secret".as_ptr(), &mut k) },
        INVALID
    );
    assert!(k.is_null());
    assert!(last_error().contains("client_secret is not valid UTF-8"));
    assert_eq!(
        unsafe { erpauth_kingdee_signer_new(CLIENT_SECRET.as_ptr(), ptr::null_mut()) },
        INVALID
    );
    assert!(last_error().contains("out_signer is NULL"));

    let keys: [*const c_char; 3] = [
        ptr::null(),
        c"zzz-short-key".as_ptr(),
        c"\xff123456789012345".as_ptr(),
    ];
    for key in keys {
        let mut w: *mut erpauth_weaver_signer = ptr::NonNull::dangling().as_ptr();
        let status = unsafe {
            erpauth_weaver_signer_new(WEAVER_APPID.as_ptr(), WEAVER_SECRET.as_ptr(), key, &mut w)
        };
        assert_eq!(status, INVALID);
        assert!(w.is_null());
        assert!(last_error().contains("aes_key"), "{}", last_error());
        assert!(!last_error().contains("zzz-short-key"));
    }
    assert!(last_error().contains("not valid UTF-8"));
    let status = unsafe {
        erpauth_weaver_signer_new(
            WEAVER_APPID.as_ptr(),
            ptr::null(),
            WEAVER_AES_KEY.as_ptr(),
            ptr::null_mut(),
        )
    };
    assert_eq!(status, INVALID);
    assert!(last_error().contains("out_signer is NULL"));
}

#[test]
fn null_signers_are_invalid_arguments_and_free_accepts_null() {
    let k: *const erpauth_kingdee_signer = ptr::null();
    let w: *const erpauth_weaver_signer = ptr::null();
    let outs = [
        with_buffer(16, |o, n, l| unsafe {
            erpauth_kingdee_signer_signature(
                k,
                c"GET".as_ptr(),
                c"/x".as_ptr(),
                NONCE.as_ptr(),
                TIMESTAMP.as_ptr(),
                o,
                n,
                l,
            )
        }),
        with_buffer(16, |o, n, l| unsafe {
            erpauth_weaver_signer_sign(w, 0, o, n, l)
        }),
    ];
    for out in outs {
        out.assert_cleared_failure(INVALID);
        assert!(last_error().contains("signer is NULL"));
    }
    unsafe {
        erpauth_kingdee_signer_free(ptr::null_mut());
        erpauth_weaver_signer_free(ptr::null_mut());
    }
}

/// A signer agrees with the one-shot functions on other secrets, key sizes
/// and requests, and one signer serves several threads at once.
#[test]
fn signers_agree_with_one_shot_functions_across_threads() {
    let secrets = [
        c"",
        c"s",
        c"密钥 with spaces *~+=&%",
        c"0123456789012345678901234567890123456789012345678901234567890123456789",
    ];
    let targets = [c"/", c"/a/b?x=1&x=0&y=%E4%B8%AD+%2A~", c"/p?k=&=v&&z"];
    for secret in secrets {
        let mut k: *mut erpauth_kingdee_signer = ptr::null_mut();
        assert_eq!(
            unsafe { erpauth_kingdee_signer_new(secret.as_ptr(), &mut k) },
            OK
        );
        for target in targets {
            let one_shot = exact(|o, n, l| unsafe {
                erpauth_kingdee_signature(
                    secret.as_ptr(),
                    c"post".as_ptr(),
                    target.as_ptr(),
                    NONCE.as_ptr(),
                    TIMESTAMP.as_ptr(),
                    o,
                    n,
                    l,
                )
            });
            let signed = exact(|o, n, l| unsafe {
                erpauth_kingdee_signer_signature(
                    k,
                    c"post".as_ptr(),
                    target.as_ptr(),
                    NONCE.as_ptr(),
                    TIMESTAMP.as_ptr(),
                    o,
                    n,
                    l,
                )
            });
            assert_eq!(signed, one_shot);
        }
        unsafe { erpauth_kingdee_signer_free(k) };
    }
    for key in [
        c"0123456789abcdef",
        c"0123456789abcdef01234567",
        c"0123456789abcdef0123456789abcdef",
    ] {
        let mut w: *mut erpauth_weaver_signer = ptr::null_mut();
        let status = unsafe {
            erpauth_weaver_signer_new(c"应用 id".as_ptr(), c"s p".as_ptr(), key.as_ptr(), &mut w)
        };
        assert_eq!(status, OK);
        let one_shot = exact(|o, n, l| unsafe {
            erpauth_weaver_sign(
                c"应用 id".as_ptr(),
                c"s p".as_ptr(),
                key.as_ptr(),
                1_234,
                o,
                n,
                l,
            )
        });
        let w_addr = w as usize;
        let signs: Vec<String> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..2)
                .map(|_| {
                    scope.spawn(move || {
                        let w = w_addr as *const erpauth_weaver_signer;
                        exact(|o, n, l| unsafe { erpauth_weaver_signer_sign(w, 1_234, o, n, l) })
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(signs, [one_shot.clone(), one_shot]);
        unsafe { erpauth_weaver_signer_free(w) };
    }
}
