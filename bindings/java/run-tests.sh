#!/usr/bin/env bash
# The Java binding's whole suite, from a fresh clone on a fresh machine:
# installs a JDK and Maven if missing, builds the release library and the
# emulator, then `mvn verify` (unit and emulator tests, the packaged jar used
# by a class compiled for Java 8). Maven fetches its own dependencies.
# Exits non-zero on any failure.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

need_apt=()
command -v javac >/dev/null 2>&1 || need_apt+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || need_apt+=(maven)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo is missing: install the Rust toolchain (rustup) first" >&2
  exit 1
fi

# The library the jar bundles and the emulator the client tests talk to. The
# Maven build runs the same cargo commands, so this only makes their output
# visible here; both are no-ops when up to date.
(cd "$ROOT" && cargo build --release --quiet -p erpauth -p erpauth-cli)

cd "$HERE"
# -ntp: no download progress; Surefire's per-class lines and summary stay visible.
mvn -B -ntp -Dstyle.color=never verify
