#!/usr/bin/env bash
# The release jars of the Java binding, packed from a tree of prebuilt native libraries:
#
#   bindings/java/dist.sh NATIVE_DIR OUT_DIR
#
# NATIVE_DIR is the tree scripts/dist.sh builds, named after JNA's resource prefixes:
#   linux-x86-64/liberpauth.so  linux-aarch64/liberpauth.so
#   win32-x86-64/erpauth.dll    win32-x86/erpauth.dll
# OUT_DIR receives erpauth-<version>.jar (the classes and those four libraries, nothing else),
# erpauth-<version>-sources.jar, erpauth-<version>-javadoc.jar and erpauth-<version>.pom, where
# <version> is the one in the repository's Cargo.toml. Nothing is built by cargo here.
# A missing library stops it with one line naming the file: never a jar with a hole.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

if [ $# -ne 2 ]; then
  echo "usage: bindings/java/dist.sh NATIVE_DIR OUT_DIR" >&2
  exit 2
fi
NATIVE_DIR=$1
OUT_DIR=$2
# shellcheck source=tools.sh
. "$HERE/tools.sh"
if missing=$(first_missing_native_library "$NATIVE_DIR"); then
  echo "bindings/java/dist.sh: missing native library $NATIVE_DIR/$missing" >&2
  exit 1
fi
NATIVE_DIR=$(cd "$NATIVE_DIR" && pwd)
mkdir -p "$OUT_DIR"
OUT_DIR=$(cd "$OUT_DIR" && pwd)

ensure_java_tools unzip

VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$ROOT/Cargo.toml" | head -1)
if [ -z "$VERSION" ]; then
  echo "bindings/java/dist.sh: no version in $ROOT/Cargo.toml" >&2
  exit 1
fi

cd "$HERE"
# The dist profile builds in target/dist-jar; clean: the jar must hold exactly what this run
# copied, nothing left there by an earlier run.
mvn -B -q -ntp -Dstyle.color=never -DskipTests -Drevision="$VERSION" \
  -Derpauth.dist.native="$NATIVE_DIR" clean package

BUILT=target/dist-jar
JAR=$BUILT/erpauth-$VERSION.jar
for f in "$JAR" "$BUILT/erpauth-$VERSION-sources.jar" "$BUILT/erpauth-$VERSION-javadoc.jar" "$BUILT/.flattened-pom.xml"; do
  if [ ! -f "$f" ]; then
    echo "bindings/java/dist.sh: Maven did not produce $HERE/$f" >&2
    exit 1
  fi
done

# The jar's libraries must be the very files of NATIVE_DIR (a stale or partial copy is a bug).
for lib in "${NATIVE_LIBRARIES[@]}"; do
  if ! unzip -p "$JAR" "$lib" | cmp -s - "$NATIVE_DIR/$lib"; then
    echo "bindings/java/dist.sh: $lib in $JAR differs from $NATIVE_DIR/$lib" >&2
    exit 1
  fi
done
# Nothing else native: each platform's directory holds its one library.
extra=$(unzip -Z1 "$JAR" | grep -E '^(linux|win32|darwin)[^/]*/.' | grep -vxF -f <(printf '%s\n' "${NATIVE_LIBRARIES[@]}") || true)
if [ -n "$extra" ]; then
  echo "bindings/java/dist.sh: unexpected files in $JAR: $(echo "$extra" | tr '\n' ' ')" >&2
  exit 1
fi

cp "$JAR" "$BUILT/erpauth-$VERSION-sources.jar" "$BUILT/erpauth-$VERSION-javadoc.jar" "$OUT_DIR/"
cp "$BUILT/.flattened-pom.xml" "$OUT_DIR/erpauth-$VERSION.pom"
ls -l "$OUT_DIR/erpauth-$VERSION.jar" "$OUT_DIR/erpauth-$VERSION-sources.jar" \
  "$OUT_DIR/erpauth-$VERSION-javadoc.jar" "$OUT_DIR/erpauth-$VERSION.pom"
