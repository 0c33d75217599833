#!/usr/bin/env bash
# The C# binding's test suite against the NuGet package, on Mono with Debian's NUnit 2.6, from a
# fresh clone. build.sh installs what is missing (Mono, NUnit, xbuild, reference assemblies from
# Debian), builds the emulator and compiles; pack.sh packs target/dist/ErpAuth.<version>.nupkg
# from the current sources and the native libraries in target/dist/native (scripts/dist.sh builds
# that tree first when it is missing). The tests then run with the package's
# lib/net462/ErpAuth.dll and runtimes/linux-x64/native/liberpauth.so, the client tests against a
# local emulator, the loading tests and the .targets tests (xbuild) against the extracted package.
# Exits non-zero on any failure; the last line is "N passed, N failed".
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD="$HERE/build"
NATIVE_DIR=${ERPAUTH_NATIVE_DIR:-$ROOT/target/dist/native}
DIST=$ROOT/target/dist

# shellcheck source=../../scripts/native-libraries.sh
. "$ROOT/scripts/native-libraries.sh"
if ! ensure_native_libraries bindings/csharp/run-tests.sh "$NATIVE_DIR"; then
  echo "0 passed, 1 failed"
  exit 1
fi

VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$ROOT/Cargo.toml" | head -1)
PACKAGE_DIR="$BUILD/package-under-test"
if ! "$HERE/build.sh" || ! "$HERE/pack.sh" "$NATIVE_DIR" "$DIST"; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi
rm -rf "$PACKAGE_DIR"
mkdir -p "$PACKAGE_DIR"
(cd "$PACKAGE_DIR" && unzip -q "$DIST/ErpAuth.$VERSION.nupkg")
# The tests load what the package carries: its assembly (pack.sh's build, with its debug symbols)
# and its linux-x64 library, beside the test assembly.
cp "$PACKAGE_DIR/lib/net462/ErpAuth.dll" "$BUILD/lib/ErpAuth.dll.mdb" \
  "$PACKAGE_DIR/runtimes/linux-x64/native/liberpauth.so" "$BUILD/tests/"
export ERPAUTH_PACKAGE_DIR="$PACKAGE_DIR"

export ERPAUTH_REPO_ROOT="$ROOT"
export ERPAUTH_EMULATOR="$ROOT/target/release/erpauth"
. "$HERE/nunit-run.sh"
run_nunit "$BUILD/tests" ErpAuth.Tests.dll "$BUILD/TestResult.xml"
