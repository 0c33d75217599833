#!/usr/bin/env bash
# ErpAuth.Http.dll, the HttpClient handlers (KingdeeSigningHandler, WeaverTokenHandler), and its
# tests against the emulator, on Mono with Debian's NUnit 2.6, from a fresh clone. The handlers
# are an assembly of their own so that ErpAuth.dll itself needs no System.Net.Http. ../build.sh
# installs what is missing and builds the native library, the emulator and ErpAuth.dll first.
# Exits non-zero on any failure; the last line is "N passed, N failed".
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
CSHARP=$(cd "$HERE/.." && pwd)
ROOT=$(cd "$CSHARP/../.." && pwd)
BUILD="$CSHARP/build"
NUNIT_DIR=/usr/lib/cli/nunit.framework-2.6.3

if ! "$CSHARP/build.sh"; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

OUT="$BUILD/http"
rm -rf "$OUT"
mkdir -p "$OUT/lib" "$OUT/tests"
MCS=(mcs -langversion:6 -warnaserror+ -warn:4 -nologo -debug+ -optimize+)
"${MCS[@]}" -target:library -sdk:4.6.2-api -keyfile:"$HERE/../ErpAuth.snk" -r:System.Net.Http.dll \
  -r:"$BUILD/lib/ErpAuth.dll" -out:"$OUT/lib/ErpAuth.Http.dll" -doc:"$OUT/lib/ErpAuth.Http.xml" "$HERE"/src/*.cs
# The emulator helpers of the main test suite (the emulator process, the fixture base class that
# shares one, and the JSON reader they use) are compiled in as they are.
helpers=("$CSHARP/tests/Emulator.cs" "$CSHARP/tests/EmulatorFixture.cs" "$CSHARP/tests/Json.cs")
"${MCS[@]}" -target:library -out:"$OUT/tests/ErpAuth.Http.Tests.dll" \
  -r:"$BUILD/lib/ErpAuth.dll" -r:"$OUT/lib/ErpAuth.Http.dll" -r:"$NUNIT_DIR/nunit.framework.dll" \
  -r:System.Core.dll -r:System.Net.Http.dll -r:System.Web.Extensions.dll \
  "$HERE"/tests/*.cs "${helpers[@]}"
cp "$BUILD/lib/ErpAuth.dll" "$OUT/lib/ErpAuth.Http.dll" "$BUILD/tests/"liberpauth.* "$OUT/tests/"

export ERPAUTH_REPO_ROOT="$ROOT"
export ERPAUTH_EMULATOR="$ROOT/target/release/erpauth"
. "$HERE/../nunit-run.sh"
run_nunit "$OUT/tests" ErpAuth.Http.Tests.dll "$OUT/TestResult.xml"
