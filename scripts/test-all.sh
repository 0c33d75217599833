#!/usr/bin/env bash
# Runs every test suite of erpauth, from a fresh clone on a fresh machine.
# Installs what the machine lacks (Debian packages, PyPI and Maven
# dependencies) through each suite's own script. Exits non-zero if any
# suite fails; the last line is the suite tally.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

# The build must not rewrite the committed header: tests/header.rs then
# catches a stale one.
export ERPAUTH_HEADER_CHECK=1
export CARGO_TERM_COLOR=never
# Every process that loads erpauth appends each error message it makes to
# this file; the last suite checks that no test secret is in any of them.
mkdir -p "$ROOT/target"
export ERPAUTH_TEST_MESSAGE_LOG="$ROOT/target/test-messages.log"
: > "$ERPAUTH_TEST_MESSAGE_LOG"

passed=0
failed=0
failed_names=()

run_suite() {
  local name=$1
  shift
  echo
  echo "==================== $name ===================="
  local start=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    echo "---- $name: ok ($((SECONDS - start)) s)"
  else
    failed=$((failed + 1))
    failed_names+=("$name")
    echo "---- $name: FAILED ($((SECONDS - start)) s)"
  fi
}

header_is_committed() {
  # Belt and braces beside tests/header.rs: the header in the work tree must
  # be the committed one.
  if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
    git -C "$ROOT" diff --exit-code -- include/erpauth.h
  fi
}

run_suite "rustfmt" cargo fmt --all --check
run_suite "clippy" cargo clippy --workspace --all-targets -- -D warnings
run_suite "release build" cargo build --release -p erpauth -p erpauth-cli
run_suite "cargo test" cargo test --workspace
run_suite "header committed" header_is_committed
run_suite "python differential" tests/python/run.sh
run_suite "C tests + valgrind" tests/c/run.sh
run_suite "Java (JNA)" bindings/java/run-tests.sh
run_suite "Java HTTP integrations (OkHttp, Apache)" bindings/java/integrations/run-tests.sh
run_suite "C# (Mono)" bindings/csharp/run-tests.sh
run_suite "C# HttpClient handlers (Mono)" bindings/csharp/http/run-tests.sh
run_suite "demo" examples/c/run-demo.sh
run_suite "reliability: faults, secrets, load, Miri, ASan+UBSan, fuzz smoke" scripts/reliability.sh
run_suite "no secret in any error message" scripts/check-secret-leaks.sh "$ERPAUTH_TEST_MESSAGE_LOG"

echo
if [ "$failed" -ne 0 ]; then
  echo "failed suites: ${failed_names[*]}"
fi
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
