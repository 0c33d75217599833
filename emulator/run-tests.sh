#!/usr/bin/env bash
# Suite of the emulator crate, the `erpauth` CLI and the Rust client
# integration tests (tests/kingdee_client.rs, tests/weaver_client.rs,
# tests/weaver_rest_client.rs).
# Runs from a fresh clone: needs only a Rust toolchain (>= 1.80, with rustfmt
# and clippy); crates come from crates.io through cargo. Exits non-zero on
# any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TERM_COLOR=never

step() { echo; echo "---- $*"; }

if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo is not installed: install Rust >= 1.80 (https://rustup.rs), then rerun" >&2
  exit 1
fi
for component in rustfmt clippy; do
  if ! cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1; then
    if command -v rustup >/dev/null 2>&1; then
      rustup component add "$component"
    else
      echo "cargo $component is missing and rustup is not available to add it" >&2
      exit 1
    fi
  fi
done

step "rustfmt"
cargo fmt -p erpauth-emulator -p erpauth-cli -- --check
rustfmt --edition 2021 --check tests/kingdee_client.rs tests/weaver_client.rs

step "clippy"
cargo clippy -p erpauth-emulator -p erpauth-cli --all-targets -- -D warnings
cargo clippy -p erpauth --test kingdee_client --test weaver_client -- -D warnings

step "emulator and CLI tests"
cargo test -p erpauth-emulator -p erpauth-cli

step "Rust client integration tests"
cargo test -p erpauth --test kingdee_client --test weaver_client --test weaver_rest_client

step "release binary smoke test (what the C, Java and C# suites run)"
cargo build --release -p erpauth-cli
fifo_dir=$(mktemp -d)
trap 'exec 3>&- 2>/dev/null || true; rm -rf "$fifo_dir"' EXIT
mkfifo "$fifo_dir/stdin"
target/release/erpauth emulate --exit-on-stdin-eof <"$fifo_dir/stdin" >"$fifo_dir/stdout" &
emulator_pid=$!
exec 3>"$fifo_dir/stdin"
for _ in $(seq 100); do
  [ -s "$fifo_dir/stdout" ] && break
  sleep 0.05
done
line=$(head -n 1 "$fifo_dir/stdout")
case "$line" in
  "listening on http://127.0.0.1:"*) echo "$line" ;;
  *) echo "unexpected first line: '$line'" >&2; exit 1 ;;
esac
port=${line##*:}
exec 4<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /__emulator/stats HTTP/1.1\r\nConnection: close\r\n\r\n' >&4
stats=$(cat <&4 | tail -n 1)
exec 4<&-
expected='{"kingdee_auth_token":0,"kingdee_business":0,"weaver_get_token":0,"kingdee_push_app_authorize":0,"weaver_business":0,"weaver_regist":0,"weaver_apply_token":0,"weaver_rest_business":0,"connections":1,"cookies_received":0}'
if [ "$stats" != "$expected" ]; then
  echo "unexpected stats: $stats" >&2
  exit 1
fi
echo "stats: $stats"
# Closing its stdin must stop the emulator.
exec 3>&-
for _ in $(seq 100); do
  kill -0 "$emulator_pid" 2>/dev/null || break
  sleep 0.05
done
if kill -0 "$emulator_pid" 2>/dev/null; then
  echo "the emulator did not exit after stdin EOF" >&2
  kill "$emulator_pid"
  exit 1
fi
wait "$emulator_pid"

echo
echo "emulator suite: ok"
