#!/usr/bin/env bash
# Builds and runs the C demo: the public vectors through the C ABI, then
# Kingdee and Weaver tokens from a local emulator that this script starts
# (and stops), and one signed Kingdee business call to it.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"

if ! command -v gcc >/dev/null 2>&1; then
    echo "installing gcc with apt-get"
    if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc >/dev/null
fi

cargo build --release -p erpauth -p erpauth-cli --quiet
lib_dir="$repo/target/release"
demo="$repo/target/c-demo/demo"
mkdir -p "$(dirname "$demo")"
gcc -std=c99 -Wall -Wextra -Werror -Iinclude examples/c/demo.c -o "$demo" \
    -L"$lib_dir" -lerpauth -Wl,-rpath,"$lib_dir"

# The emulator exits when its stdin closes: when this script ends, however
# it ends, the coprocess pipe closes and the emulator goes with it.
coproc EMULATOR { exec "$lib_dir/erpauth" emulate --port 0 --exit-on-stdin-eof; }
emulator_pid=$EMULATOR_PID
if ! read -r -t 30 first_line <&"${EMULATOR[0]}"; then
    echo "the emulator did not start" >&2
    exit 1
fi
base_url="${first_line#listening on }"
case "$base_url" in
    http://127.0.0.1:*) ;;
    *) echo "unexpected first line from the emulator: $first_line" >&2; exit 1 ;;
esac

status=0
"$demo" "$base_url" || status=$?

# Close the emulator's stdin: it exits.
eval "exec ${EMULATOR[1]}>&-"
wait "$emulator_pid" || true
exit "$status"
