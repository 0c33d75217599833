#!/usr/bin/env bash
# Builds the C# binding on Debian with Mono, from a fresh clone:
#   1. installs Mono, the .NET Framework reference assemblies and NUnit from Debian if missing;
#   2. builds the release library and the emulator (`cargo build --release`, a no-op when current);
#   3. compiles with mcs, warnings as errors:
#        build/lib/ErpAuth.dll            against the .NET Framework 4.6.2 reference assemblies
#        build/tests/ErpAuth.Tests.dll    NUnit 2.6 tests
#        build/bench/ErpAuth.Benchmark.exe
#      and puts liberpauth.so next to the test and benchmark assemblies.
# Used by run-tests.sh and run-benchmark.sh. `build.sh lib` (used by pack.sh) compiles only
# build/lib/ErpAuth.dll and ErpAuth.Http.dll (+ .xml docs): no cargo, no tests, no NUnit.
set -euo pipefail
MODE=${1:-all}

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD="$HERE/build"
NUNIT_DIR=/usr/lib/cli/nunit.framework-2.6.3
NET462_API=/usr/lib/mono/4.6.2-api

# ---- 1. Toolchain ---------------------------------------------------------------------------
missing=()
command -v mcs >/dev/null || missing+=(mono-mcs)
command -v mono >/dev/null || missing+=(mono-runtime)
if [ "$MODE" != lib ]; then
  command -v nunit-console >/dev/null || missing+=(nunit-console)
  [ -f "$NUNIT_DIR/nunit.framework.dll" ] || missing+=(libnunit-cil-dev)
  # The package's .targets is tested by building .NET Framework projects with xbuild.
  command -v xbuild >/dev/null || missing+=(mono-xbuild)
  command -v unzip >/dev/null || missing+=(unzip)
  # The tests read JSON with the stock JavaScriptSerializer (mono-devel depends on it too).
  [ -f /usr/lib/mono/4.5/System.Web.Extensions.dll ] || missing+=(libmono-system-web-extensions4.0-cil)
fi
# mono-devel carries the reference assemblies of each .NET Framework version, so the library
# is compiled against exactly the 4.6.2 API it promises.
[ -f "$NET462_API/mscorlib.dll" ] || missing+=(mono-devel)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing from Debian: ${missing[*]}"
  SUDO=()
  if [ "$(id -u)" -ne 0 ]; then SUDO=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update -q
  "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

MCS=(mcs -langversion:6 -warnaserror+ -warn:4 -nologo -debug+ -optimize+)
compile_library() {
  rm -rf "$BUILD/lib"
  mkdir -p "$BUILD/lib"
  "${MCS[@]}" -target:library -sdk:4.6.2-api -unsafe+ -keyfile:"$HERE/ErpAuth.snk" \
    -out:"$BUILD/lib/ErpAuth.dll" -doc:"$BUILD/lib/ErpAuth.xml" "$HERE"/src/*.cs
  # The HttpClient handlers, an assembly of their own (see http/): packed beside ErpAuth.dll.
  "${MCS[@]}" -target:library -sdk:4.6.2-api -keyfile:"$HERE/ErpAuth.snk" -r:System.Net.Http.dll \
    -r:"$BUILD/lib/ErpAuth.dll" -out:"$BUILD/lib/ErpAuth.Http.dll" -doc:"$BUILD/lib/ErpAuth.Http.xml" "$HERE"/http/src/*.cs
}
if [ "$MODE" = lib ]; then
  compile_library
  exit 0
fi

# ---- 2. Native library and emulator ----------------------------------------------------------
(cd "$ROOT" && cargo build --release -q -p erpauth -p erpauth-cli)
case "$(uname -s)" in
  Darwin) NATIVE=liberpauth.dylib ;;
  *) NATIVE=liberpauth.so ;;
esac
if [ ! -f "$ROOT/target/release/$NATIVE" ]; then
  echo "cargo did not produce $ROOT/target/release/$NATIVE" >&2
  exit 1
fi

# ---- 3. Compile --------------------------------------------------------------------------------
# C# 6 is what the csproj pins too, so both builds accept the same source.
compile_library
rm -rf "$BUILD/tests" "$BUILD/bench"
mkdir -p "$BUILD/tests" "$BUILD/bench"
"${MCS[@]}" -target:library -keyfile:"$HERE/ErpAuth.snk" -out:"$BUILD/tests/ErpAuth.Tests.dll" \
  -r:"$BUILD/lib/ErpAuth.dll" -r:"$NUNIT_DIR/nunit.framework.dll" -r:System.Core.dll \
  -r:System.Web.Extensions.dll "$HERE"/tests/*.cs
"${MCS[@]}" -target:exe -out:"$BUILD/tests/LoaderProbe.exe" \
  -r:"$BUILD/lib/ErpAuth.dll" "$HERE"/tests/probe/LoaderProbe.cs
"${MCS[@]}" -target:exe -out:"$BUILD/bench/ErpAuth.Benchmark.exe" \
  -r:"$BUILD/lib/ErpAuth.dll" -r:System.Core.dll \
  "$HERE"/bench/*.cs "$HERE"/tests/ManagedReference.cs
# The native library goes next to the assemblies, where Mono and .NET both look first.
for dir in "$BUILD/tests" "$BUILD/bench"; do
  cp "$BUILD/lib/ErpAuth.dll" "$BUILD/lib/ErpAuth.dll.mdb" "$ROOT/target/release/$NATIVE" "$dir/"
done
