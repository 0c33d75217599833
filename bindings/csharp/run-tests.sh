#!/usr/bin/env bash
# The C# binding's test suite, on Mono with Debian's NUnit 2.6, from a fresh clone:
#   1. installs Mono, the .NET 4.6.2 reference assemblies and NUnit from Debian if missing;
#   2. builds the release library and the emulator (`cargo build --release`, a no-op when current);
#   3. compiles ErpAuth.dll against the .NET Framework 4.6.2 API (warnings are errors), the
#      tests and the benchmark with mcs;
#   4. runs the tests with nunit-console next to a copy of liberpauth.so.
# Exits non-zero on any failure; the last line is "N passed, N failed".
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD="$HERE/build"
NUNIT_DIR=/usr/lib/cli/nunit.framework-2.6.3
NET462_API=/usr/lib/mono/4.6.2-api

# ---- 1. Toolchain -----------------------------------------------------------------------
missing=()
command -v mcs >/dev/null || missing+=(mono-mcs)
command -v mono >/dev/null || missing+=(mono-runtime)
command -v nunit-console >/dev/null || missing+=(nunit-console)
[ -f "$NUNIT_DIR/nunit.framework.dll" ] || missing+=(libnunit-cil-dev)
# mono-devel carries the reference assemblies of each .NET Framework version, so the
# library is compiled against exactly the 4.6.2 API it promises.
[ -f "$NET462_API/mscorlib.dll" ] || missing+=(mono-devel)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing from Debian: ${missing[*]}"
  SUDO=()
  if [ "$(id -u)" -ne 0 ]; then SUDO=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update -q
  "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# ---- 2. Native library and emulator ------------------------------------------------------
(cd "$ROOT" && cargo build --release -q -p erpauth -p erpauth-cli)
case "$(uname -s)" in
  Darwin) NATIVE=liberpauth.dylib ;;
  *) NATIVE=liberpauth.so ;;
esac
[ -f "$ROOT/target/release/$NATIVE" ] || { echo "missing $ROOT/target/release/$NATIVE"; exit 1; }

# ---- 3. Compile ----------------------------------------------------------------------------
rm -rf "$BUILD"
mkdir -p "$BUILD/lib" "$BUILD/tests" "$BUILD/bench"
MCS=(mcs -langversion:6 -warnaserror+ -warn:4 -nologo -debug+ -optimize+)
"${MCS[@]}" -target:library -sdk:4.6.2-api \
  -out:"$BUILD/lib/ErpAuth.dll" -doc:"$BUILD/lib/ErpAuth.xml" "$HERE"/src/*.cs
"${MCS[@]}" -target:library -out:"$BUILD/tests/ErpAuth.Tests.dll" \
  -r:"$BUILD/lib/ErpAuth.dll" -r:"$NUNIT_DIR/nunit.framework.dll" -r:System.Core.dll \
  "$HERE"/tests/*.cs
"${MCS[@]}" -target:exe -out:"$BUILD/bench/ErpAuth.Benchmark.exe" \
  -r:"$BUILD/lib/ErpAuth.dll" -r:System.Core.dll \
  "$HERE"/bench/*.cs "$HERE"/tests/ManagedReference.cs
# The native library sits next to the assemblies, where Mono and .NET both look first.
for dir in "$BUILD/tests" "$BUILD/bench"; do
  cp "$BUILD/lib/ErpAuth.dll" "$BUILD/lib/ErpAuth.pdb" "$ROOT/target/release/$NATIVE" "$dir/" 2>/dev/null \
    || cp "$BUILD/lib/ErpAuth.dll" "$ROOT/target/release/$NATIVE" "$dir/"
done

# ---- 4. Test -----------------------------------------------------------------------------
export ERPAUTH_REPO_ROOT="$ROOT"
export ERPAUTH_EMULATOR="$ROOT/target/release/erpauth"
RESULT="$BUILD/TestResult.xml"
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
total=$(attr total); errors=$(attr errors); failures=$(attr failures)
not_run=$(attr not-run); inconclusive=$(attr inconclusive)
# Ignored, skipped or inconclusive tests count as failures: every test must run and pass.
failed=$((errors + failures + not_run + inconclusive))
passed=$((total - errors - failures - inconclusive))
if [ "$runner_status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
