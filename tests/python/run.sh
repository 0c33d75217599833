#!/usr/bin/env bash
# Differential test of liberpauth against an independent Python implementation.
# Installs what is missing (python3, pip, `cryptography` from PyPI), builds the
# release library if needed, runs tests/python/differential.py.
#
#   tests/python/run.sh                      # fresh random seed, printed
#   ERPAUTH_DIFF_SEED=42 tests/python/run.sh # reproduce a run
#   ERPAUTH_LIB=/path/liberpauth.so tests/python/run.sh
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "missing $*; install it with your package manager" >&2
        exit 1
    fi
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

command -v python3 >/dev/null 2>&1 || apt_install python3

python=python3
venv="$repo/target/python-venv"
if ! "$python" -c 'import cryptography' 2>/dev/null && [ -x "$venv/bin/python" ]; then
    python="$venv/bin/python"
fi
if ! "$python" -c 'import cryptography' 2>/dev/null; then
    echo "installing cryptography from PyPI"
    "$python" -m pip --version >/dev/null 2>&1 || apt_install python3-pip
    if ! "$python" -m pip install --quiet cryptography 2>/dev/null; then
        # A Debian system Python refuses pip installs (PEP 668): use a venv
        # inside target/, which git ignores and `cargo clean` removes.
        "$python" -m venv --help >/dev/null 2>&1 || apt_install python3-venv
        [ -x "$venv/bin/python" ] || "$python" -m venv "$venv" || {
            apt_install python3-venv
            "$python" -m venv "$venv"
        }
        "$venv/bin/python" -m pip install --quiet cryptography
        python="$venv/bin/python"
    fi
fi

if [ -z "${ERPAUTH_LIB:-}" ]; then
    cargo build --release -p erpauth --quiet
fi

exec "$python" tests/python/differential.py
