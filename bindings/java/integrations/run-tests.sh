#!/usr/bin/env bash
# The HTTP integrations' suite, from a fresh clone: installs a JDK and Maven if missing, builds
# the release library and the emulator, installs the core binding into the local Maven
# repository (its own tests run in ../run-tests.sh), then `mvn verify` here: OkHttp and Apache
# HttpClient 4 against the emulator. Exits non-zero on any failure.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)

# shellcheck source=../tools.sh
. "$HERE/../tools.sh"
ensure_java_tools
require_cargo

(cd "$ROOT" && cargo build --release --quiet -p erpauth -p erpauth-cli)
# The core jar (with the native library) into ~/.m2; its tests are the core suite's business.
(cd "$HERE/.." && mvn -B -ntp -q -Dstyle.color=never -DskipTests -Derpauth.cargo.skip=true install)
cd "$HERE"
mvn -B -ntp -Dstyle.color=never verify
