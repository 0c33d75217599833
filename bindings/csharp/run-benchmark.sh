#!/usr/bin/env bash
# Times the binding against the same computations in managed code (not part of the tests).
# Arguments go to the benchmark: [rounds] [milliseconds per round per side].
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
"$HERE/build.sh"
cd "$HERE/build/bench"
exec mono --optimize=all ErpAuth.Benchmark.exe "$@"
