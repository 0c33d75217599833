#!/usr/bin/env bash
# Packs the C/C++ archive of each platform from the native tree that
# scripts/dist.sh made:
#   OUT_DIR/erpauth-VERSION-linux-x86-64.tar.gz, ...-linux-aarch64.tar.gz
#   OUT_DIR/erpauth-VERSION-win32-x86-64.zip,    ...-win32-x86.zip
# each with one top folder erpauth-VERSION-PLATFORM/ holding include/erpauth.h,
# lib/ (the libraries), bin/ (the erpauth CLI), the licence files and a
# short README. A missing file stops it.
# Usage: scripts/dist-archives.sh NATIVE_DIR OUT_DIR VERSION
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
native=$1
out=$2
version=$3
stage="$repo/target/dist-build/archives"
rm -rf "$stage"
mkdir -p "$stage" "$out"

need() {
    if [ ! -s "$1" ]; then
        echo "dist-archives: missing ${1#"$repo"/}" >&2
        exit 1
    fi
}

readme() {
    local platform=$1 min_os=$2 libs=$3 link=$4
    cat <<EOF
erpauth $version for $platform ($min_os)

Byte-exact request signing and token fetching for the Kingdee API gateway
and Weaver e-cology 9 OA, with a C ABI.

  include/erpauth.h   the C header (C99 and C++)
$libs
  bin/                the erpauth command (sign, debug, fetch tokens, run the emulator)

Build and link:
$link

Documentation, the other platforms and the Java and .NET packages:
the project's README. Licence: MIT OR Apache-2.0 (LICENSE-MIT, LICENSE-APACHE).
EOF
}

pack() {
    local platform=$1 min_os=$2 libs=$3 link=$4
    shift 4
    local name="erpauth-$version-$platform"
    local top="$stage/$name"
    mkdir -p "$top/include" "$top/lib" "$top/bin"
    need "$repo/include/erpauth.h"
    cp "$repo/include/erpauth.h" "$top/include/"
    cp "$repo/LICENSE-MIT" "$repo/LICENSE-APACHE" "$top/"
    local file
    for file in "$@"; do
        need "$native/$platform/$file"
        case "$file" in
            erpauth | erpauth.exe) cp "$native/$platform/$file" "$top/bin/" ;;
            *) cp "$native/$platform/$file" "$top/lib/" ;;
        esac
    done
    readme "$platform" "$min_os" "$libs" "$link" > "$top/README.txt"
    # Fixed owners and times: the same input packs to the same archive.
    find "$top" -exec touch -h -d "@0" {} +
    case "$platform" in
        linux-*)
            tar -C "$stage" --owner=0 --group=0 --numeric-owner --sort=name \
                -cf - "$name" | gzip -n -9 > "$out/$name.tar.gz"
            ;;
        win32-*)
            rm -f "$out/$name.zip"
            (cd "$stage" && python3 - "$out/$name.zip" "$name" <<'EOF'
import os, sys, zipfile
dest, top = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    for root, dirs, files in os.walk(top):
        dirs.sort()
        for f in sorted(files):
            path = os.path.join(root, f)
            info = zipfile.ZipInfo(path.replace(os.sep, "/"), (1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (0o755 if f.endswith((".exe", ".dll")) else 0o644) << 16
            with open(path, "rb") as fh:
                z.writestr(info, fh.read())
EOF
            )
            ;;
    esac
    echo "packed $name ($(stat -c %s "$out/$name".*) bytes)"
}

linux_libs='  lib/liberpauth.so    shared library
  lib/liberpauth.a     static library (link also -lpthread -ldl -lm -lrt -lutil)'
linux_link='  cc -std=c99 app.c -Iinclude -Llib -lerpauth -Wl,-rpath,'"'"'$ORIGIN'"'"' -o app
  cc -std=c99 app.c -Iinclude lib/liberpauth.a -lpthread -ldl -lm -lrt -lutil -o app'
win_libs='  lib/erpauth.dll      the DLL (next to your .exe, or on PATH)
  lib/erpauth.dll.a    import library for MinGW (gcc, clang)
  lib/erpauth.lib      import library for MSVC (link.exe, clang-cl)
  lib/erpauth.def      its exports'
win_link='  x86_64-w64-mingw32-gcc app.c -Iinclude lib/erpauth.dll.a -o app.exe    (i686-w64-mingw32-gcc for x86)
  cl /Iinclude app.c lib\erpauth.lib'

pack linux-x86-64 "glibc 2.17 and later: CentOS 7, RHEL 7+, Ubuntu 14.04+, Debian 8+" \
    "$linux_libs" "$linux_link" liberpauth.so liberpauth.a erpauth
pack linux-aarch64 "glibc 2.17 and later: Kylin V10, UOS, CentOS 7 aarch64, Ubuntu 18.04+" \
    "$linux_libs" "$linux_link" liberpauth.so liberpauth.a erpauth
pack win32-x86-64 "Windows 7 SP1 / Server 2008 R2 and later, 64-bit processes" \
    "$win_libs" "$win_link" erpauth.dll erpauth.dll.a erpauth.lib erpauth.def erpauth.exe
pack win32-x86 "Windows 7 SP1 / Server 2008 and later, 32-bit processes" \
    "$win_libs" "$win_link" erpauth.dll erpauth.dll.a erpauth.lib erpauth.def erpauth.exe
