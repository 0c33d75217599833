#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target into fuzz/corpus-seeds/.

Seeds come from the public vectors (tests/vectors of the repository, or
the directory given as the first argument) and from the shapes the
emulator documents (docs/EMULATOR.md). The output is committed, so a run
does not need the vectors; rerun this after the vectors change.
scripts/reliability.sh copies the seeds into a scratch corpus under target/.
"""

import hashlib
import json
import os
import struct
import sys
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
VECTORS = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "tests", "vectors")
OUT = os.path.join(HERE, "corpus-seeds")

kingdee = json.load(open(os.path.join(VECTORS, "kingdee.json"), encoding="utf-8"))
weaver = json.load(open(os.path.join(VECTORS, "weaver.json"), encoding="utf-8"))

seeds = {name: [] for name in
         ["kingdee_target", "kingdee_config", "weaver_config", "kingdee_answer", "weaver_answer",
          "weaver_rest_answer", "c_api"]}


def add(target, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    seeds[target].append(data)


def java_encode(s):
    return urllib.parse.quote_plus(s, safe="*-._")


# --- request targets: the vectors' own, plus the decoding rules' corners ---
targets = []
for v in kingdee["api_signature"]:
    query = "&".join(f"{java_encode(k)}={java_encode(val)}" for k, val in v["query"])
    targets.append(v["path"] + ("?" + query if query else ""))
targets += [
    "/a%20b?q=%E4%B8%AD+x&&flag&e=",
    "/jdy/v2/bd/customer?page=1&page2=x&a-b=1",
    "/p?k=2&k=1&k=1",
    "/p+q/%2F?x=%2B%2b+&y=%25",
    "/中文/路径?名=值&emoji=😀",
    "/bad?a=%",
    "/bad?a=%FF",
    "no-slash?x=1",
    # Regression: a message quoting a malformed escape stays one line.
    "/p?a=%\nF",
]
for t in targets:
    add("kingdee_target", t)

# --- configs ---
kingdee_cfg = {"client_id": "emu-client-id", "client_secret": "emu-client-secret",
               "app_key": "emuAppKey", "app_secret": "emu-app-secret",
               "base_url": "http://127.0.0.1:9", "domain": "https://emu.jdy.com"}
for v in kingdee["app_signature"]:
    add("kingdee_config", json.dumps({**kingdee_cfg, "app_key": v["app_key"], "app_secret": v["app_secret"]}))
add("kingdee_config", json.dumps(kingdee_cfg))
add("kingdee_config", json.dumps({**kingdee_cfg, "uid": 700123, "timeout_ms": 1000, "refresh_margin_s": 60,
                                  "tls_roots": "system", "proxy": "http://proxy:3128"}))
add("kingdee_config", json.dumps({**kingdee_cfg, "uid": "12", "tls_roots": "webpki", "base_url": "https://h/api/"}))
add("kingdee_config", json.dumps({**kingdee_cfg, "client_sercet": "typo"}))
add("kingdee_config", '{"client_id":"c\\u0000","client_secret":"\\u00e9"}')

weaver_cfg = {"base_url": "http://127.0.0.1:9", "appid": "emu-appid", "secret": "emu-secret",
              "aes_key": "emu-aes-key-0016"}
for v in weaver["sign"]:
    add("weaver_config", json.dumps({**weaver_cfg, "appid": v["appid"], "secret": v["secret"], "aes_key": v["aes_key"]}))
add("weaver_config", json.dumps(weaver_cfg))
add("weaver_config", json.dumps({**weaver_cfg, "aes_key": "k" * 24, "token_ttl_s": 60, "timeout_ms": 500}))
add("weaver_config", json.dumps({**weaver_cfg, "aes_key": "short", "ca_file": "/nonexistent.pem"}))
add("weaver_config", json.dumps({**weaver_cfg, "aes_key": "密钥密钥密钥密钥密钥密钥密钥密钥"[:8] + "abcdefgh"}))

# --- answers: status (2 bytes, big-endian) + body; Weaver also a user byte ---
def answer(status, body):
    return struct.pack(">H", status) + body.encode("utf-8")

kingdee_answers = [
    (200, '{"errcode":0,"description":"成功","data":{"uid":700123,"app-token":"0123456789abcdef0123456789abcdef","access_token":"0123456789abcdef0123456789abcdef","expires":86400}}'),
    (200, '{"errcode":0,"description":"成功","data":{"uid":"700123","app-token":"t"}}'),
    (200, '{"errcode":0,"data":{"access_token":"t","expires":"1700000000"}}'),
    (200, '{"errcode":0,"data":{"app-token":"t","expires":1700000000000}}'),
    (200, '{"errcode":1030002006,"description":"授权密钥校验失败","data":null}'),
    (200, '{"errcode":"1030002001","description":"app_key不存在或未授权"}'),
    (519, '{"code":4006,"msg":"timestamp invalid","success":false}'),
    (519, '{"code":4008,"msg":"signature invalid","success":false}'),
    (519, ''),
    (502, '{"code":502,"msg":"Bad Gateway","success":false}'),
    (500, '<html><body><h1>500 Internal Server Error</h1></body></html>'),
    (302, ''),
    (200, '<html>not json'),
    (200, '{"errcode":0,"data":{}}'),
    # Regressions: server text with control characters must not reach a
    # message as is (it is one line, safe to log).
    (200, '{"errcode":1,"description":"a\\nb"}'),
    (519, '{"code":4006,"msg":"forged\\r\\nsecond line"}'),
]
for status, body in kingdee_answers:
    add("kingdee_answer", answer(status, body))

weaver_answers = [
    (200, 1, '{"msg":"获取成功!","status":true,"token":"7c0b3e8e-4f7a-4f0e-9d8e-2a1b3c4d5e6f","userid":"q0Qm2Yv3mYb0kV6B0m1dVg=="}'),
    (200, 0, '{"msg":"获取成功!","status":true,"token":"7c0b3e8e-4f7a-4f0e-9d8e-2a1b3c4d5e6f"}'),
    (200, 0, '{"msg":"appid或sign参数值异常!!!","status":false}'),
    (200, 0, '{"msg":"签名已过期,请确认!!!","status":false}'),
    (200, 1, '{"msg":"获取成功!","status":true,"token":"t"}'),
    (502, 0, '{"code":502,"msg":"Bad Gateway","success":false}'),
    (500, 0, '<html><body><h1>500 Internal Server Error</h1></body></html>'),
    (519, 0, ''),
    (200, 0, '<html>not json'),
    (200, 0, '{"status":false,"msg":"x\\u0007y"}'),
]
for status, user, body in weaver_answers:
    add("weaver_answer", struct.pack(">HB", status, user) + body.encode("utf-8"))

# --- e9 REST answers: parser (0 regist, 1 applytoken), status (u16 BE), body ---
rest_spk = json.load(open(os.path.join(VECTORS, "weaver_rest.json"), encoding="utf-8"))["server"]["spk"]
rest_answers = [
    (0, 200, '{"msg":"ok","code":0,"msgShowType":"none","status":true,"secrit":"0f0dc9a0-1c3e-4f4f-9a5e-6f6f0b5c2e11","spk":"%s"}' % rest_spk),
    (0, 200, '{"code":0,"status":true,"secret":"s-2","spk":"%s"}' % rest_spk),
    (0, 200, '{"code":0,"status":true,"spk":"%s"}' % rest_spk),
    (0, 200, '{"msg":"认证信息错误","code":-1,"msgShowType":"none","status":false}'),
    (0, 200, '{"code":-1,"errmsg":"认证信息错误"}'),
    (1, 200, '{"msg":"获取成功!","code":0,"msgShowType":"none","status":true,"token":"e3d7e45b-805c-43c3-9c0c-e452135ae1ea"}'),
    (1, 200, '{"msg":"secret解密失败,请检查加密内容.","code":-1,"msgShowType":"none","status":false}'),
    (1, 200, '{"status":true,"token":"a\r\nX-Injected: 1"}'),
    (1, 200, '{"code":0,"token":"t"}'),
    (1, 502, '<html>bad gateway</html>'),
    (1, 200, '<html>not json'),
]
for which, status, body in rest_answers:
    add("weaver_rest_answer", struct.pack(">BH", which, status) + body.encode("utf-8"))

# --- C entry points: op, cap (u16 LE), NULL flags, timestamp (i64 LE), NUL-separated args ---
def c_case(op, cap, flags, ts, args):
    raw = [a.encode("utf-8") if isinstance(a, str) else a for a in args]
    return struct.pack("<BHBq", op, cap, flags, ts) + b"\0".join(raw)

for v in kingdee["app_signature"]:
    add("c_api", c_case(0, 89, 0, 0, [v["app_key"], v["app_secret"]]))
    add("c_api", c_case(0, 88, 0, 0, [v["app_key"], v["app_secret"]]))
for v, t in zip(kingdee["api_signature"], targets):
    add("c_api", c_case(1, 400, 0, 0, [v["method"], t, v["nonce"], v["timestamp"]]))
    add("c_api", c_case(2, 89, 0, 0, [v["client_secret"], v["method"], t, v["nonce"], v["timestamp"]]))
    add("c_api", c_case(3, 512, 0, 0, ["client-id", v["client_secret"], v["method"], t]))
for v in weaver["sign"]:
    add("c_api", c_case(4, 97, 0, v["timestamp_ms"], [v["appid"], v["secret"], v["aes_key"]]))
    add("c_api", c_case(4, 0, 1, 0, [v["appid"], v["secret"], v["aes_key"]]))
add("c_api", c_case(0, 10, 0, 0, [b"k\xff", "s"]))
add("c_api", c_case(0, 10, 2, 0, ["k", "s"]))
add("c_api", c_case(1, 100, 4 << 1, 0, ["GET", "/x", "1", "2"]))
add("c_api", c_case(5, 16, 0, 0, []))
add("c_api", c_case(6, 0, 0, 0, [json.dumps(kingdee_cfg), "G T", "/x"]))
add("c_api", c_case(6, 0, 0, 0, ['{"client_id":1}', "GET", "nope"]))
add("c_api", c_case(7, 64, 4 << 2, 0, [json.dumps(weaver_cfg), "id", "1"]))
add("c_api", c_case(7, 64, 0, 0, [json.dumps(weaver_cfg), b"id\xc3", "1"]))
add("c_api", c_case(8, 32, 0, 0, ["GET", "/x"]))
add("c_api", c_case(1, 100, 0, 0, ["GET", "/p?a=%\x1b3", "1", "2"]))

for target, items in seeds.items():
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    for old in os.listdir(d):
        os.remove(os.path.join(d, old))
    for data in items:
        name = hashlib.sha1(data).hexdigest()[:16]
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
    print(f"{target}: {len(items)} seeds")
