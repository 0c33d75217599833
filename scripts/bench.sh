#!/usr/bin/env bash
# Benchmarks (not part of the tests): Criterion for the Rust crate, the C
# benchmark through include/erpauth.h, the cold start, and the size of the
# stripped release library. Figures go into docs/BENCHMARKS.md by hand.
# Optional: bindings/java (JMH) and bindings/csharp (Stopwatch), see there.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release -p erpauth
echo "== library size"
ls -l target/release/liberpauth.so | awk '{print $5 " bytes  target/release/liberpauth.so"}'

echo "== C benchmark"
gcc -std=c99 -O2 -Wall -Wextra -Werror -Iinclude benches/c/bench.c -o target/release/erpauth-bench-c \
  -Ltarget/release -lerpauth -ldl -Wl,-rpath,"$PWD/target/release"
target/release/erpauth-bench-c
echo "== cold start (5 fresh processes)"
gcc -std=c99 -O2 -Wall -Wextra -Werror -Iinclude benches/c/cold_start.c -o target/release/erpauth-cold-start -ldl
for _ in 1 2 3 4 5; do target/release/erpauth-cold-start "$PWD/target/release/liberpauth.so"; done

echo "== Criterion"
cargo bench -p erpauth --bench signing --bench tokens -- --output-format bencher "$@" | grep '^test'
