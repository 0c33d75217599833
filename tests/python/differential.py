#!/usr/bin/env python3
"""Differential test of liberpauth against an independent Python implementation.

The Python side is written from docs/protocol/kingdee.md and docs/protocol/weaver.md only
(hmac, hashlib, base64, AES-ECB + PKCS7 and RSA from `cryptography`); it shares
no code with the library. Thousands of seeded random inputs go through the C
ABI with ctypes and must give byte-identical results, from the one-shot
functions and from the signer handles alike.

The Kingdee request target handed to the library is built the way a client
puts it on the wire (percent-encoded names and values, sometimes `+` and
sometimes `%20` for a space, sometimes lower-case hex escapes, sometimes raw
UTF-8), while the expected string to sign is computed from the *original*
parameters.

Environment:
  ERPAUTH_LIB         path of the library (default target/release/liberpauth.so)
  ERPAUTH_DIFF_SEED   random seed (default: a fresh one, printed)
  ERPAUTH_DIFF_CASES  cases per function (default 6000, at least 5000 in CI)
"""

import base64
import ctypes
import hashlib
import hmac
import json
import os
import random
import sys
import time

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIB_NAMES = {"darwin": "liberpauth.dylib", "win32": "erpauth.dll"}

OK, BUFFER_TOO_SMALL, INVALID_ARGUMENT = 0, 1, 2


# ----------------------------------------------------------------------------
# The reference implementation, from the spec.
# ----------------------------------------------------------------------------

JAVA_KEEP = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-*_")
GW_KEEP = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-_~")


def _encode(text, keep):
    out = []
    for b in text.encode("utf-8"):
        if b in keep:
            out.append(chr(b))
        elif b == 0x20:
            out.append("+")
        else:
            out.append("%%%02X" % b)
    return "".join(out)


def java_encode(text):
    """java.net.URLEncoder: keeps A-Z a-z 0-9 . - * _, space as +."""
    return _encode(text, JAVA_KEEP)


def gw_encode(text):
    """The gateway's encoder: keeps A-Z a-z 0-9 . - _ ~, space as +."""
    return _encode(text, GW_KEEP)


def canonical_query(params):
    pairs = sorted(
        (gw_encode(k) + "=" + java_encode(v) for k, v in params),
        key=lambda s: s.encode("ascii"),
    )
    out = []
    for s in pairs:
        # apigwclient 0.1.5, getQueryEncode: int index = param.indexOf("=");
        # if (index < 1) continue;  -- a parameter with an empty name is not signed.
        if s.index("=") < 1:
            continue
        k, v = s.split("=", 1)
        out.append(gw_encode(k) + "=" + gw_encode(v))
    return "&".join(out)


def hmac_hex_base64(key, msg):
    digest = hmac.new(key.encode("utf-8"), msg.encode("utf-8"), hashlib.sha256).hexdigest()
    return base64.b64encode(digest.encode("ascii")).decode("ascii")


def ref_app_signature(app_key, app_secret):
    return hmac_hex_base64(app_secret, app_key)


def ref_string_to_sign(method, path, params, nonce, timestamp):
    return "%s\n%s\n%s\nx-api-nonce:%s\nx-api-timestamp:%s\n" % (
        method.upper(),
        gw_encode(path),
        canonical_query(params),
        nonce,
        timestamp,
    )


def ref_signature(client_secret, method, path, params, nonce, timestamp):
    return hmac_hex_base64(client_secret, ref_string_to_sign(method, path, params, nonce, timestamp))


def ref_weaver_text(appid, secret, timestamp_ms):
    md5 = hashlib.md5((appid + ":" + secret).encode("utf-8")).hexdigest().upper()
    return "%d_%s" % (timestamp_ms, md5)


def ref_weaver_sign(appid, secret, aes_key, timestamp_ms):
    padder = padding.PKCS7(128).padder()
    data = padder.update(ref_weaver_text(appid, secret, timestamp_ms).encode("utf-8")) + padder.finalize()
    enc = Cipher(algorithms.AES(aes_key.encode("utf-8")), modes.ECB()).encryptor()
    return (enc.update(data) + enc.finalize()).hex()


def ref_weaver_decrypt(aes_key, sign_hex):
    dec = Cipher(algorithms.AES(aes_key.encode("utf-8")), modes.ECB()).decryptor()
    data = dec.update(bytes.fromhex(sign_hex)) + dec.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return (unpadder.update(data) + unpadder.finalize()).decode("utf-8")


# ----------------------------------------------------------------------------
# The library through its C ABI.
# ----------------------------------------------------------------------------


def default_lib_path():
    name = LIB_NAMES.get(sys.platform, "liberpauth.so")
    return os.path.join(REPO, "target", "release", name)


class Library:
    def __init__(self, path):
        self.lib = ctypes.CDLL(path)
        c_str, buf, size, size_p = ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_size_t)
        handle, handle_p = ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p)
        sigs = {
            "erpauth_last_error": [buf, size, size_p],
            "erpauth_kingdee_app_signature": [c_str, c_str, buf, size, size_p],
            "erpauth_kingdee_string_to_sign": [c_str, c_str, c_str, c_str, buf, size, size_p],
            "erpauth_kingdee_signature": [c_str, c_str, c_str, c_str, c_str, buf, size, size_p],
            "erpauth_kingdee_sign_headers": [c_str, c_str, c_str, c_str, buf, size, size_p],
            "erpauth_weaver_sign": [c_str, c_str, c_str, ctypes.c_int64, buf, size, size_p],
            "erpauth_kingdee_signer_new": [c_str, handle_p],
            "erpauth_kingdee_signer_signature": [handle, c_str, c_str, c_str, c_str, buf, size, size_p],
            "erpauth_weaver_signer_new": [c_str, c_str, c_str, handle_p],
            "erpauth_weaver_signer_sign": [handle, ctypes.c_int64, buf, size, size_p],
        }
        for name, argtypes in sigs.items():
            fn = getattr(self.lib, name)
            fn.argtypes = argtypes
            fn.restype = ctypes.c_int32
        for name in ("erpauth_kingdee_signer_free", "erpauth_weaver_signer_free"):
            fn = getattr(self.lib, name)
            fn.argtypes = [handle]
            fn.restype = None
        self.lib.erpauth_version.argtypes = []
        self.lib.erpauth_version.restype = ctypes.c_char_p

    def last_error(self):
        buf = ctypes.create_string_buffer(4096)
        n = ctypes.c_size_t(0)
        self.lib.erpauth_last_error(buf, len(buf), ctypes.byref(n))
        return buf.raw[: n.value].decode("utf-8", "replace")

    def call(self, name, *args, exact=False):
        """Calls `name` with the buffer triple appended; returns (status, text).

        With `exact`, asks for the size first and retries with exactly
        needed + 1 bytes, the way careful C callers do; otherwise one call
        with a generous buffer."""
        fn = getattr(self.lib, name)
        n = ctypes.c_size_t(0)
        if exact:
            status = fn(*args, None, 0, ctypes.byref(n))
            if status != BUFFER_TOO_SMALL:
                return status, self.last_error()
            buf = ctypes.create_string_buffer(n.value + 1)
        else:
            buf = ctypes.create_string_buffer(4096)
        status = fn(*args, buf, len(buf), ctypes.byref(n))
        if status != OK:
            return status, self.last_error()
        raw = buf.raw
        if raw[n.value] != 0 or len(raw[: n.value].split(b"\0")) != 1:
            raise AssertionError("%s: out_len %d does not match the NUL-terminated output" % (name, n.value))
        return status, raw[: n.value].decode("utf-8")

    def new_signer(self, kind, *args):
        """erpauth_<kind>_signer_new(*args); returns (status, signer), the
        signer None unless one was made. Free it with free_signer."""
        signer = ctypes.c_void_p(1)  # not NULL: _new must set it to NULL on failure
        status = getattr(self.lib, "erpauth_%s_signer_new" % kind)(*args, ctypes.byref(signer))
        if status != OK:
            return (status, self.last_error()), None
        return status, signer

    def free_signer(self, kind, signer):
        if signer is not None:
            getattr(self.lib, "erpauth_%s_signer_free" % kind)(signer)


def b(text):
    return text.encode("utf-8")


# ----------------------------------------------------------------------------
# Random inputs.
# ----------------------------------------------------------------------------

ASCII_PLAIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
ASCII_PUNCT = " *~+=&%/.-_!'()#?;:,@$[]{}|\\^`\"<>"
CHINESE = "中文金蝶泛微测试客户订单编号名称数量价格张三李四"
EMOJI = "😀🚀🎉👍🏽🇨🇳"
OTHER = "éüßñøΩЖжאבعربي\u00a0\u200b\u2028\t\n\x7f\x01"


def random_text(rng, max_len, allow_empty=True, pools=None):
    if allow_empty and rng.random() < 0.08:
        return ""
    pools = pools or [(ASCII_PLAIN, 6), (ASCII_PUNCT, 3), (CHINESE, 2), (EMOJI, 1), (OTHER, 1)]
    alphabets = [p for p, _ in pools]
    weights = [w for _, w in pools]
    n = rng.randint(1, max_len)
    return "".join(rng.choice(rng.choices(alphabets, weights)[0]) for _ in range(n))


def random_method(rng):
    m = rng.choice(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"])
    return m.lower() if rng.random() < 0.15 else m


def random_digits(rng, lo, hi):
    return "".join(rng.choice("0123456789") for _ in range(rng.randint(lo, hi)))


def random_path(rng):
    segments = []
    for _ in range(rng.randint(0, 5)):
        r = rng.random()
        if r < 0.1:
            segments.append("")  # an empty segment: "//"
        elif r < 0.6:
            segments.append(random_text(rng, 12, allow_empty=False, pools=[(ASCII_PLAIN + "_-.", 1)]))
        else:
            segments.append(random_text(rng, 10, allow_empty=False))
    return "/" + "/".join(segments)


def random_params(rng):
    params = []
    for _ in range(rng.choice([0, 0, 1, 2, 3, 4, 6, 9])):
        if rng.random() < 0.05:
            name = ""  # "=v": left out of the string to sign, as the official client does
        elif params and rng.random() < 0.15:
            name = rng.choice(params)[0]  # a repeated key
        elif rng.random() < 0.6:
            name = random_text(rng, 10, allow_empty=False, pools=[(ASCII_PLAIN + "_-.", 1)])
        else:
            name = random_text(rng, 8, allow_empty=False)
        value = random_text(rng, 24)
        params.append((name, value))
    return params


UNRESERVED = frozenset((ASCII_PLAIN + "-._~").encode("ascii"))


def wire_encode(rng, text, must_escape, style, space):
    """Percent-encodes `text` as some client would.

    style "full": every byte but the unreserved ASCII ones escaped; "raw":
    only the bytes of `must_escape`, spaces and controls escaped, UTF-8 left
    raw. `space` is "+" or "%20" (in a path always "%20": a '+' there is a
    plus). Hex digits are sometimes lower case."""
    hex_format = "%%%02x" if rng.random() < 0.3 else "%%%02X"
    escape = frozenset(must_escape.encode("ascii"))
    out = bytearray()
    for byte in text.encode("utf-8"):
        if byte == 0x20 and space == "+":
            out += b"+"
            continue
        if style == "full":
            keep = byte in UNRESERVED
        else:
            keep = byte >= 0x80 or (0x20 < byte < 0x7F and byte not in escape)
        out += bytes([byte]) if keep else (hex_format % byte).encode("ascii")
    return out.decode("utf-8")


def wire_path(rng, path):
    # '%', '?' and '#' (a fragment) must be escaped in a path; a '+' may stay.
    style = rng.choice(["full", "raw"])
    must_escape = "%?#+" if rng.random() < 0.5 else "%?#"
    separator = "%2F" if style == "full" and rng.random() < 0.1 else "/"
    segments = [wire_encode(rng, s, must_escape, style, "%20") for s in path.split("/")]
    return "/" + separator.join(segments[1:])


def wire_target(rng, path, params):
    target = wire_path(rng, path)
    if not params:
        return target
    pieces = []
    for name, value in params:
        style = rng.choice(["full", "full", "raw"])
        space = rng.choice(["+", "%20"])
        k = wire_encode(rng, name, "%&+=#", style, space)
        v = wire_encode(rng, value, "%&+#", style, space)
        if value == "" and rng.random() < 0.3:
            pieces.append(k)  # "flag" without "=" is a parameter with an empty value
        else:
            pieces.append(k + "=" + v)
    return target + "?" + "&".join(pieces)


def random_aes_key(rng):
    """A key of 16, 24 or 32 UTF-8 bytes, sometimes with multi-byte characters."""
    size = rng.choice([16, 24, 32])
    chars = []
    used = 0
    while used < size:
        room = size - used
        ch = rng.choice(ASCII_PLAIN + ASCII_PUNCT) if room < 3 or rng.random() < 0.8 else rng.choice(CHINESE)
        chars.append(ch)
        used += len(ch.encode("utf-8"))
    return "".join(chars)


# ----------------------------------------------------------------------------
# The comparisons.
# ----------------------------------------------------------------------------


class Tally:
    """Counts cases (one random input each) per function; a case passes when
    every check made on its output passes."""

    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.per_function = {}

    def case(self, function, inputs, checks):
        """checks: (what, got, expected) triples."""
        self.per_function[function] = self.per_function.get(function, 0) + 1
        bad = [(what, got, expected) for what, got, expected in checks if got != expected]
        if not bad:
            self.passed += 1
            return
        self.failed += 1
        if self.failed <= 20:
            print("MISMATCH in %s" % function)
            print("  input: %r" % (inputs,))
            for what, got, expected in bad:
                print("  %s: library %r, expected %r" % (what, got, expected))


class Coverage:
    """Proves the generator produced the inputs the suite claims to test."""

    FEATURES = [
        "Chinese", "emoji", "space", "*", "~", "+", "=", "&", "%", "/", "empty value", "repeated key",
        "non-ASCII path", "'+' for a space", "'%20' for a space", "lower-case hex escape", "raw UTF-8 on the wire",
        "flag without '='", "no query", "empty name",
    ]

    def __init__(self):
        self.seen = dict.fromkeys(self.FEATURES, 0)

    def note(self, path, params, target):
        texts = [path] + [k for k, _ in params] + [v for _, v in params]
        joined = "".join(texts)
        marks = {
            "Chinese": any("\u4e00" <= c <= "\u9fff" for c in joined),
            "emoji": any(ord(c) >= 0x1F000 for c in joined),
            "space": " " in joined,
            "empty value": any(v == "" for _, v in params),
            "repeated key": len({k for k, _ in params}) < len(params),
            "non-ASCII path": any(ord(c) > 0x7F for c in path),
            "'+' for a space": "+" in target.split("?", 1)[-1] and any(" " in t for t in texts[1:]),
            "'%20' for a space": "%20" in target,
            "lower-case hex escape": any(
                target[i] == "%" and any(c in "abcdef" for c in target[i + 1:i + 3]) for i in range(len(target))),
            "raw UTF-8 on the wire": any(ord(c) > 0x7F for c in target),
            "flag without '='": "?" in target and any(
                "=" not in piece for piece in target.split("?", 1)[1].split("&")),
            "no query": not params,
            "empty name": any(k == "" for k, _ in params),
        }
        for ch in "*~+=&%/":
            marks[ch] = ch in "".join(texts[1:]) or (ch != "/" and ch in path)
        for feature, present in marks.items():
            self.seen[feature] += bool(present)

    def missing(self):
        return [f for f, n in self.seen.items() if n == 0]


def compare_app_signature(lib, rng, tally, cases):
    for i in range(cases):
        app_key = random_text(rng, 40)
        app_secret = random_text(rng, 40)
        got = lib.call("erpauth_kingdee_app_signature", b(app_key), b(app_secret), exact=i % 2 == 0)
        tally.case(
            "erpauth_kingdee_app_signature",
            {"app_key": app_key, "app_secret": app_secret},
            [("(status, app_signature)", got, (OK, ref_app_signature(app_key, app_secret)))],
        )


def random_request(rng, coverage):
    method, path, params = random_method(rng), random_path(rng), random_params(rng)
    target = wire_target(rng, path, params)
    coverage.note(path, params, target)
    return method, path, params, target


def compare_string_to_sign(lib, rng, tally, coverage, cases):
    for i in range(cases):
        method, path, params, target = random_request(rng, coverage)
        nonce, ts = random_digits(rng, 1, 12), random_digits(rng, 1, 13)
        got = lib.call("erpauth_kingdee_string_to_sign", b(method), b(target), b(nonce), b(ts), exact=i % 2 == 0)
        tally.case(
            "erpauth_kingdee_string_to_sign",
            {"method": method, "path": path, "params": params, "target": target, "nonce": nonce, "timestamp": ts},
            [("(status, string to sign)", got, (OK, ref_string_to_sign(method, path, params, nonce, ts)))],
        )


# A signer kept this many cases signs each of their requests (or times) too.
SIGNER_KEPT_FOR = 16


def compare_signature(lib, rng, tally, coverage, cases):
    """The one-shot function, a signer made for each case's secret, and a
    signer kept from an earlier case: all against the reference."""
    kept, kept_secret = None, None
    for i in range(cases):
        secret = random_text(rng, 40)
        method, path, params, target = random_request(rng, coverage)
        nonce, ts = random_digits(rng, 1, 12), random_digits(rng, 1, 13)
        inputs = {"client_secret": secret, "method": method, "path": path, "params": params, "target": target,
                  "nonce": nonce, "timestamp": ts}
        string_to_sign = ref_string_to_sign(method, path, params, nonce, ts)
        expected = (OK, hmac_hex_base64(secret, string_to_sign))
        got = lib.call(
            "erpauth_kingdee_signature", b(secret), b(method), b(target), b(nonce), b(ts), exact=i % 2 == 0
        )
        tally.case("erpauth_kingdee_signature", inputs, [("(status, signature)", got, expected)])

        if i % SIGNER_KEPT_FOR == 0:
            lib.free_signer("kingdee", kept)
            kept_status, kept = lib.new_signer("kingdee", b(secret))
            kept_secret = secret
        status, signer = lib.new_signer("kingdee", b(secret))
        request = (b(method), b(target), b(nonce), b(ts))
        got_new = lib.call("erpauth_kingdee_signer_signature", signer, *request, exact=i % 2 == 1)
        got_kept = lib.call("erpauth_kingdee_signer_signature", kept, *request)
        lib.free_signer("kingdee", signer)
        tally.case(
            "erpauth_kingdee_signer_signature",
            dict(inputs, kept_signer_secret=kept_secret),
            [
                ("erpauth_kingdee_signer_new", status, OK),
                ("(status, signature) from a new signer", got_new, expected),
                ("erpauth_kingdee_signer_new of the kept signer", kept_status, OK),
                ("(status, signature) from the kept signer", got_kept,
                 (OK, hmac_hex_base64(kept_secret, string_to_sign))),
            ],
        )
    lib.free_signer("kingdee", kept)


def compare_weaver_sign(lib, rng, tally, cases):
    """As compare_signature: the one-shot function, a new signer, a kept one."""
    key_sizes = {16: 0, 24: 0, 32: 0}
    kept, kept_credentials = None, None
    for i in range(cases):
        appid = random_text(rng, 30)
        secret = random_text(rng, 30)
        aes_key = random_aes_key(rng)
        key_sizes[len(b(aes_key))] += 1
        # Mostly 13-digit times, sometimes anything from 1 to the i64 maximum.
        if rng.random() < 0.7:
            ts = rng.randint(10**12, 10**13 - 1)
        else:
            ts = max(1, rng.randint(1, 2**63 - 1) >> rng.randint(0, 62))
        inputs = {"appid": appid, "secret": secret, "aes_key": aes_key, "timestamp_ms": ts}
        expected = (OK, ref_weaver_sign(appid, secret, aes_key, ts))
        got = lib.call("erpauth_weaver_sign", b(appid), b(secret), b(aes_key), ts, exact=i % 2 == 0)
        tally.case("erpauth_weaver_sign", inputs, [("(status, sign)", got, expected)])

        credentials = (appid, secret, aes_key)
        if i % SIGNER_KEPT_FOR == 0:
            lib.free_signer("weaver", kept)
            kept_status, kept = lib.new_signer("weaver", *map(b, credentials))
            kept_credentials = credentials
        status, signer = lib.new_signer("weaver", *map(b, credentials))
        got_new = lib.call("erpauth_weaver_signer_sign", signer, ts, exact=i % 2 == 1)
        got_kept = lib.call("erpauth_weaver_signer_sign", kept, ts)
        lib.free_signer("weaver", signer)
        tally.case(
            "erpauth_weaver_signer_sign",
            dict(inputs, kept_signer_credentials=kept_credentials),
            [
                ("erpauth_weaver_signer_new", status, OK),
                ("(status, sign) from a new signer", got_new, expected),
                ("erpauth_weaver_signer_new of the kept signer", kept_status, OK),
                ("(status, sign) from the kept signer", got_kept, (OK, ref_weaver_sign(*kept_credentials, ts))),
            ],
        )
    lib.free_signer("weaver", kept)
    return key_sizes


def compare_weaver_sign_now(lib, rng, tally, cases):
    """timestamp_ms <= 0 signs "now": the sign decrypts to the reference text
    of a current time, strictly increasing from call to call, the calls of
    the one-shot function and of a signer (made for each case) in turn."""
    previous = 0
    for _ in range(cases):
        appid, secret, aes_key = random_text(rng, 20), random_text(rng, 20), random_aes_key(rng)
        requested = rng.choice([0, -1, -(2**63)])
        inputs = {"appid": appid, "secret": secret, "aes_key": aes_key, "timestamp_ms": requested}
        # A signer that was not made is NULL: its calls fail and are counted.
        _, signer = lib.new_signer("weaver", b(appid), b(secret), b(aes_key))
        for function, args in (("erpauth_weaver_sign", (b(appid), b(secret), b(aes_key))),
                               ("erpauth_weaver_signer_sign", (signer,))):
            before = int(time.time() * 1000)
            status, sign = lib.call(function, *args, requested)
            after = int(time.time() * 1000)
            if status != OK:
                tally.case(function + " (now)", inputs, [("status", (status, sign), OK)])
                continue
            text = ref_weaver_decrypt(aes_key, sign)
            ts = int(text.split("_", 1)[0])
            # The library's clock may run ahead of the real one by 1 ms per
            # sign, two signs a case.
            in_window = before - 1000 <= ts <= after + 2 * cases
            tally.case(
                function + " (now)",
                dict(inputs, decrypted=text, previous=previous),
                [
                    ("decrypted text", text, ref_weaver_text(appid, secret, ts)),
                    ("strictly increasing", ts > previous, True),
                    ("current time", in_window, True),
                ],
            )
            previous = ts
        lib.free_signer("weaver", signer)


HEADER_NAMES = [
    "X-Api-ClientID",
    "X-Api-Auth-Version",
    "X-Api-TimeStamp",
    "X-Api-Nonce",
    "X-Api-SignHeaders",
    "X-Api-Signature",
]


def compare_sign_headers(lib, rng, tally, coverage, cases):
    # A header value: printable, no control characters.
    printable = [(ASCII_PLAIN, 6), (" *~+=&%/.-_!'()#?;:,@$", 2), (CHINESE, 1), (EMOJI, 1)]
    for i in range(cases):
        client_id = random_text(rng, 32, allow_empty=False, pools=printable)
        secret = random_text(rng, 40)
        method, path, params, target = random_request(rng, coverage)
        inputs = {"client_id": client_id, "client_secret": secret, "method": method, "path": path,
                  "params": params, "target": target}
        before = int(time.time() * 1000)
        status, text = lib.call(
            "erpauth_kingdee_sign_headers", b(client_id), b(secret), b(method), b(target), exact=i % 2 == 0
        )
        after = int(time.time() * 1000)
        lines = text.split("\r\n") if status == OK else []
        pairs = [line.split(": ", 1) for line in lines[:-1]]
        values = dict(p for p in pairs if len(p) == 2)
        nonce = values.get("X-Api-Nonce", "")
        ts = values.get("X-Api-TimeStamp", "")
        fresh_nonce = len(nonce) == 10 and nonce.isdigit() and nonce[0] != "0"
        fresh_time = ts.isdigit() and before <= int(ts) <= after
        tally.case(
            "erpauth_kingdee_sign_headers",
            dict(inputs, output=text),
            [
                ("status", status, OK),
                ("six CRLF-terminated lines", (len(lines), lines[-1:]), (7, [""])),
                ("header names in order", [p[0] for p in pairs], HEADER_NAMES),
                ("X-Api-ClientID", values.get("X-Api-ClientID"), client_id),
                ("X-Api-Auth-Version", values.get("X-Api-Auth-Version"), "2.0"),
                ("X-Api-SignHeaders", values.get("X-Api-SignHeaders"), "X-Api-TimeStamp,X-Api-Nonce"),
                ("ten-digit positive nonce", fresh_nonce, True),
                ("timestamp is now", fresh_time, True),
                ("X-Api-Signature", values.get("X-Api-Signature"),
                 ref_signature(secret, method, path, params, nonce, ts)),
            ],
        )


def self_check_reference():
    """The reference must reproduce the public vectors before it judges anything."""
    vectors = os.path.join(REPO, "tests", "vectors")
    with open(os.path.join(vectors, "kingdee.json"), encoding="utf-8") as f:
        kingdee = json.load(f)
    with open(os.path.join(vectors, "weaver.json"), encoding="utf-8") as f:
        weaver = json.load(f)
    checked = 0
    for v in kingdee["app_signature"]:
        assert ref_app_signature(v["app_key"], v["app_secret"]) == v["app_signature"], v
        checked += 1
    for v in kingdee["api_signature"]:
        params = [tuple(pair) for pair in v["query"]]
        assert ref_string_to_sign(v["method"], v["path"], params, v["nonce"],
                                  v["timestamp"]) == v["string_to_sign"], v
        assert ref_signature(v["client_secret"], v["method"], v["path"], params, v["nonce"],
                             v["timestamp"]) == v["signature"], v
        checked += 1
    for v in weaver["sign"]:
        assert ref_weaver_text(v["appid"], v["secret"], v["timestamp_ms"]) == v["plaintext"], v
        assert ref_weaver_sign(v["appid"], v["secret"], v["aes_key"], v["timestamp_ms"]) == v["sign"], v
        checked += 1
    assert checked >= 3, "only %d public vectors in %s" % (checked, vectors)
    # The examples of docs/protocol/kingdee.md for the double encoding and the sort.
    assert canonical_query([("k", "中 =*~")]) == "k=%25E4%25B8%25AD%2B%253D%2A%257E"
    assert canonical_query([("a", "2"), ("a-b", "1")]) == "a-b=1&a=2"
    assert canonical_query([("page", "1"), ("page2", "x")]) == "page2=x&page=1"
    assert canonical_query([("", "v"), ("a", "1")]) == "a=1"
    assert canonical_query([("", ""), ("", "x")]) == ""


def compare_weaver_rest_userid(lib, rng, tally, cases):
    """The e9 REST client's RSA-PKCS#1-v1.5 encryption, decrypted by
    OpenSSL (through `cryptography`): the library encrypts with the rsa crate,
    so this is the independent side of the decrypt-and-compare vectors. The
    2048-bit key of tests/vectors/weaver_rest.json and a 1024-bit key made
    here (older servers); user ids of every kind up to one full block."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import padding as rsa_padding, rsa

    with open(os.path.join(REPO, "tests", "vectors", "weaver_rest.json"), encoding="utf-8") as f:
        vector = json.load(f)["server"]
    keys = [serialization.load_der_private_key(base64.b64decode(vector["private_pkcs8"]), None)]
    keys.append(rsa.generate_private_key(public_exponent=65537, key_size=1024))
    fn = lib.lib.erpauth_weaver_rest_client_new
    fn.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
    fn.restype = ctypes.c_int32
    userid_fn = lib.lib.erpauth_weaver_rest_client_userid
    userid_fn.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t,
                          ctypes.POINTER(ctypes.c_size_t)]
    userid_fn.restype = ctypes.c_int32
    free = lib.lib.erpauth_weaver_rest_client_free
    free.argtypes = [ctypes.c_void_p]
    free.restype = None
    pools = [ASCII_PLAIN, CHINESE + ASCII_PLAIN, EMOJI + CHINESE, "0123456789"]
    for key in keys:
        spk = base64.b64encode(key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)).decode()
        block = key.key_size // 8 - 11
        config = json.dumps({"base_url": "http://127.0.0.1:9", "appid": "diff-appid",
                             "spk": spk, "secrit": "diff-secrit"})
        clients = []
        for _ in range(2):
            client = ctypes.c_void_p(0)
            status = fn(b(config), ctypes.byref(client))
            if status != OK:
                raise AssertionError("erpauth_weaver_rest_client_new: %s" % lib.last_error())
            clients.append(client)
        for i in range(cases):
            userid = random_text(rng, 40, allow_empty=False, pools=[(rng.choice(pools), 1)])
            if i == 0:
                userid = "u" * block  # the longest one block holds
            userid = userid.encode("utf-8")[:block].decode("utf-8", "ignore") or "1"
            got = []
            for client in clients:
                status, text = lib.call("erpauth_weaver_rest_client_userid", client, b(userid), exact=i % 2 == 0)
                got.append(text if status == OK else "status %d: %s" % (status, text))
            checks = []
            for n, text in enumerate(got):
                try:
                    ct = base64.b64decode(text, validate=True)
                    plain = key.decrypt(ct, rsa_padding.PKCS1v15()).decode("utf-8")
                    size = len(ct)
                except Exception as e:  # a broken ciphertext is a mismatch, not a crash
                    plain, size = "undecryptable: %r" % (e,), -1
                checks.append(("client %d decrypts to" % n, plain, userid))
                checks.append(("client %d ciphertext bytes" % n, size, key.key_size // 8))
            # Random padding: two clients encrypt the same id differently.
            checks.append(("two encryptions differ", got[0] != got[1], True))
            tally.case("erpauth_weaver_rest_client_userid", (key.key_size, userid), checks)
        for client in clients:
            free(client)


def main():
    lib_path = os.environ.get("ERPAUTH_LIB") or default_lib_path()
    if not os.path.exists(lib_path):
        sys.exit("library %s not found: run `cargo build --release -p erpauth` or set ERPAUTH_LIB" % lib_path)
    seed = int(os.environ.get("ERPAUTH_DIFF_SEED") or random.SystemRandom().randrange(2**32))
    cases = int(os.environ.get("ERPAUTH_DIFF_CASES") or 6000)
    print("library: %s" % lib_path)
    print("seed: %d (rerun with ERPAUTH_DIFF_SEED=%d)" % (seed, seed))
    self_check_reference()

    lib = Library(lib_path)
    print("erpauth_version: %s" % lib.lib.erpauth_version().decode())
    rng = random.Random(seed)
    tally = Tally()
    coverage = Coverage()
    started = time.time()
    compare_app_signature(lib, rng, tally, cases)
    compare_string_to_sign(lib, rng, tally, coverage, cases)
    compare_signature(lib, rng, tally, coverage, cases)
    key_sizes = compare_weaver_sign(lib, rng, tally, cases)
    compare_weaver_sign_now(lib, rng, tally, max(cases // 10, 100))
    compare_sign_headers(lib, rng, tally, coverage, max(cases // 3, 1000))
    compare_weaver_rest_userid(lib, rng, tally, max(cases // 20, 200))

    for function, n in sorted(tally.per_function.items()):
        print("  %-32s %6d cases" % (function, n))
    print("  AES key sizes (bytes: cases): %s" % key_sizes)
    print("  Kingdee inputs with: %s" % ", ".join("%s %d" % kv for kv in coverage.seen.items()))
    missing = coverage.missing() + ["AES-%d" % (8 * k) for k, n in key_sizes.items() if n == 0]
    if missing:
        print("generator never produced: %s (raise ERPAUTH_DIFF_CASES)" % ", ".join(missing))
        tally.failed += 1
    print("%d cases compared in %.1f s (seed %d)" % (tally.passed + tally.failed, time.time() - started, seed))
    print("%d passed, %d failed" % (tally.passed, tally.failed))
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
