#!/usr/bin/env bash
# The demo: builds the library and the emulator, then runs the C example
# against the local emulator of both vendors' servers.
set -euo pipefail
cd "$(dirname "$0")/.."
exec examples/c/run-demo.sh
