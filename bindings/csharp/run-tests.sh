#!/usr/bin/env bash
# The C# binding's test suite, on Mono with Debian's NUnit 2.6, from a fresh clone.
# build.sh installs what is missing (Mono, NUnit, reference assemblies from Debian), builds the
# release library and emulator, and compiles; then nunit-console runs every test, the client
# tests against a local emulator. Exits non-zero on any failure; the last line is
# "N passed, N failed".
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD="$HERE/build"

if ! "$HERE/build.sh"; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

export ERPAUTH_REPO_ROOT="$ROOT"
export ERPAUTH_EMULATOR="$ROOT/target/release/erpauth"
RESULT="$BUILD/TestResult.xml"
rm -f "$RESULT"
set +e
(cd "$BUILD/tests" && nunit-console ErpAuth.Tests.dll -nologo -labels -noshadow -xml="$RESULT")
runner_status=$?
set -e

if [ ! -f "$RESULT" ]; then
  echo "nunit-console exited with $runner_status and wrote no result file"
  echo "0 passed, 1 failed"
  exit 1
fi
attr() { sed -n "s/.*<test-results [^>]* $1=\"\\([0-9]*\\)\".*/\\1/p" "$RESULT" | head -1; }
total=$(attr total)
errors=$(attr errors)
failures=$(attr failures)
not_run=$(attr not-run)
inconclusive=$(attr inconclusive)
# Not-run (ignored, skipped, invalid) and inconclusive tests count as failures: every test
# must run and pass.
failed=$((errors + failures + not_run + inconclusive))
passed=$((total - errors - failures - inconclusive))
if [ "$runner_status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
