#!/usr/bin/env bash
# Checks that no test secret appears in any error message the library made
# during the test suites.
#
#   scripts/check-secret-leaks.sh [MESSAGE_LOG]
#
# MESSAGE_LOG defaults to $ERPAUTH_TEST_MESSAGE_LOG: the file every process
# linking erpauth appends each error message to (one per line, "Kind<TAB>text")
# when that variable is set; scripts/test-all.sh sets it for every suite.
#
# The secrets looked for:
#   1. the emulator's default credentials (docs/EMULATOR.md);
#   2. the secrets of the public vectors (tests/vectors);
#   3. every string literal in the test sources (tests/, fuzz/, emulator/tests,
#      cli/tests, bindings/*/src/test, bindings/csharp/tests, tests/python) that
#      names itself a secret or a key (contains "secret" or "key" in any case),
#      besides the config key names and command-line flags themselves.
# Literals that are plain identifiers (letters and underscores only, such
# as the unknown config key "noSuchKey" or the app key "emuAppKey") or hold
# spaces, slashes or non-ASCII text (request targets, server words) are not
# taken. CHECK_SECRET_LEAKS_LIST=1 prints the list checked.
# A candidate shorter than 8 characters is only checked if it holds a digit
# (so "abc123" is checked): short words such as "s", "cs", "wrong", "short" or
# "rotated", used as throwaway secrets in some tests, also occur in ordinary
# text and would make the check fail for nothing. They are listed as skipped.
#
# Exits 1 if a secret is found (printing the lines), 2 if the log is missing
# or empty (nothing was checked), 0 otherwise, with the counts.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
log="${1:-${ERPAUTH_TEST_MESSAGE_LOG:-}}"
if [ -z "$log" ]; then
    echo "check-secret-leaks: no message log given (argument or ERPAUTH_TEST_MESSAGE_LOG)" >&2
    exit 2
fi
if [ ! -s "$log" ]; then
    echo "check-secret-leaks: $log is missing or empty: no message was collected" \
         "(was ERPAUTH_TEST_MESSAGE_LOG set for the test suites?)" >&2
    exit 2
fi

exec python3 - "$repo" "$log" <<'PY'
import json
import os
import re
import sys

repo, log = sys.argv[1], sys.argv[2]

secrets = {
    # docs/EMULATOR.md, default credentials
    "emu-client-secret": "emulator default",
    "emu-app-secret": "emulator default",
    "emu-secret": "emulator default",
    "emu-aes-key-0016": "emulator default",
}

vectors = os.path.join(repo, "tests", "vectors")
with open(os.path.join(vectors, "kingdee.json"), encoding="utf-8") as f:
    k = json.load(f)
for v in k.get("app_signature", []):
    secrets.setdefault(v["app_secret"], "kingdee vector")
for v in k.get("api_signature", []):
    secrets.setdefault(v["client_secret"], "kingdee vector")
with open(os.path.join(vectors, "weaver.json"), encoding="utf-8") as f:
    w = json.load(f)
for v in w.get("sign", []):
    secrets.setdefault(v["secret"], "weaver vector")
    secrets.setdefault(v["aes_key"], "weaver vector")

# Names that are not secrets: config keys, parameter names, CLI flags.
not_secrets = {
    "secret", "client_secret", "app_secret", "aes_key", "app_key", "clientSecret",
    "appSecret", "aesKey", "appKey", "ClientSecret", "AppSecret", "AesKey", "AppKey",
    "Secret", "SecretKey", "secretKey", "ERPAUTH_CLIENT_SECRET", "ERPAUTH_APP_SECRET",
    "ERPAUTH_WEAVER_SECRET", "ERPAUTH_WEAVER_AES_KEY", "client_id", "key",
}
source_dirs = ["tests", "fuzz/fuzz_targets", "fuzz/make_seeds.py", "emulator/tests", "cli/tests",
               "bindings/java/src/test", "bindings/csharp/tests"]
literal = re.compile(r'"((?:[^"\\\n]|\\.){1,80})"')
named = re.compile(r"secret|key", re.IGNORECASE)
for d in source_dirs:
    path = os.path.join(repo, d)
    files = [path] if os.path.isfile(path) else [
        os.path.join(root, name)
        for root, _, names in os.walk(path)
        for name in names
        if name.endswith((".rs", ".c", ".h", ".cpp", ".py", ".java", ".cs", ".sh"))
    ]
    for file in files:
        with open(file, encoding="utf-8", errors="replace") as f:
            for text in literal.findall(f.read()):
                if not named.search(text) or text in not_secrets:
                    continue
                if not text.isascii() or re.search(r"[\s{}\\/?&]", text) or text.startswith("-"):
                    continue  # server words, sentences, format strings, targets, flags
                if re.fullmatch(r"[A-Za-z_]+", text):
                    continue  # identifiers: "user_key", unknown config keys such as "noSuchKey", app keys
                secrets.setdefault(text, os.path.relpath(file, repo))

checked = {s: origin for s, origin in secrets.items()
           if len(s) >= 8 or (len(s) >= 6 and any(c.isdigit() for c in s))}
skipped = sorted(set(secrets) - set(checked))

messages = 0
hits = []
with open(log, encoding="utf-8", errors="replace") as f:
    for number, line in enumerate(f, 1):
        messages += 1
        for s in checked:
            if s in line:
                hits.append((number, s, checked[s], line.rstrip("\n")))

print(f"check-secret-leaks: {messages} messages in {log} checked against "
      f"{len(checked)} test secrets")
if os.environ.get("CHECK_SECRET_LEAKS_LIST"):
    for s in sorted(checked):
        print(f"  {s}  ({checked[s]})")
if skipped:
    print(f"  skipped as too short or too common to check: {', '.join(skipped)}")
if hits:
    print(f"check-secret-leaks: {len(hits)} message(s) contain a test secret:")
    for number, s, origin, line in hits[:50]:
        print(f"  line {number}: secret {s!r} ({origin}): {line}")
    sys.exit(1)
print("check-secret-leaks: no test secret in any message")
PY
