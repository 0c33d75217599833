#!/usr/bin/env bash
# JMH benchmark of the Java binding against hand-written Java (javax.crypto,
# hutool), and of a cached KingdeeClient.appToken(). Not part of the tests.
# Extra arguments go to JMH; the default is a short run for a 2-core machine.
# Results: docs/benchmarks/java.md.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BINDING=$(cd "$HERE/.." && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)

(cd "$ROOT" && cargo build --release --quiet -p erpauth -p erpauth-cli)
# Run Maven from each project's own directory: a -f path with ".." in it makes
# maven-resources-plugin copy relative to the current directory instead.
(cd "$BINDING" && mvn -B -q -ntp install -DskipTests)      # the binding, into ~/.m2
(cd "$HERE" && mvn -B -q -ntp package)                     # target/benchmarks.jar

cd "$ROOT"
if [ $# -eq 0 ]; then
  set -- -f 1 -wi 3 -i 5 -w 2s -r 2s
fi
exec java -Derpauth.emulator="$ROOT/target/release/erpauth" -jar "$HERE/target/benchmarks.jar" "$@"
