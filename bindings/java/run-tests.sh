#!/usr/bin/env bash
# The Java binding's whole suite against the release jar, from a fresh clone on a fresh machine:
# installs a JDK and Maven if missing, builds the emulator, packs target/dist/erpauth-<version>.jar
# from the current sources and the native libraries in target/dist/native (bindings/java/dist.sh;
# scripts/dist.sh builds that tree first when it is missing), then `mvn verify` with that jar, not
# target/classes, on the JUnit class path: unit and emulator tests, library loading from the
# jar (the bundled linux-x86-64 library extracted by the loader) and the other platforms' libraries
# reported as wrong architectures, and the jar used by a class compiled for Java 8.
# Maven fetches its own dependencies. Exits non-zero on any failure.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
NATIVE_DIR=${ERPAUTH_NATIVE_DIR:-$ROOT/target/dist/native}
DIST=$ROOT/target/dist

# shellcheck source=tools.sh
. "$HERE/tools.sh"
ensure_java_tools unzip
require_cargo

ensure_native_libraries bindings/java/run-tests.sh "$NATIVE_DIR"

# The emulator the client tests talk to (a no-op when up to date).
(cd "$ROOT" && cargo build --release --quiet -p erpauth-cli)

VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$ROOT/Cargo.toml" | head -1)
"$HERE/dist.sh" "$NATIVE_DIR" "$DIST"

cd "$HERE"
# -ntp: no download progress; Surefire's per-class lines and summary stay visible.
mvn -B -ntp -Dstyle.color=never -Derpauth.test.jar="$DIST/erpauth-$VERSION.jar" verify
