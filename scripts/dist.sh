#!/usr/bin/env bash
# Builds every release artifact of erpauth into target/dist/:
#
#   target/dist/native/linux-x86-64/liberpauth.so, liberpauth.a, erpauth (CLI)
#   target/dist/native/linux-aarch64/liberpauth.so, liberpauth.a, erpauth
#   target/dist/native/win32-x86-64/erpauth.dll, erpauth.dll.a, erpauth.lib, erpauth.def, erpauth.exe
#   target/dist/native/win32-x86/    (the same, 32-bit)
#   target/dist/erpauth-<version>-<platform>.tar.gz (Linux) / .zip (Windows): for C and C++
#   and then, from the packaging scripts, the jar and the nupkg (see below).
#
# The Linux libraries need nothing newer than glibc 2.17 (CentOS 7, Kylin and
# UOS on aarch64), the DLLs nothing that Windows 7 SP1 / Server 2008 R2 lacks:
# scripts/dist-check.sh checks both, and the exports against the header.
#
# Idempotent: each toolchain has its own target dir under target/dist-build/
# (linux-x86-64: rustup + zig; linux-aarch64: Debian rustc + zig; windows:
# Debian rustc + MinGW, both targets), so a second run rebuilds nothing that
# did not change. Installs what a
# fresh Debian machine lacks (scripts/dist-tools.sh). A library that is
# missing makes it fail: never a package with a hole in it.
#
# Contract with the packaging scripts (they pack from target/dist/native,
# never from target/release, and fail if any of the four libraries is
# missing):
#   bindings/java/dist.sh   <repo>/target/dist/native <repo>/target/dist
#       -> target/dist/erpauth-<version>.jar (+ -sources.jar, -javadoc.jar)
#   bindings/csharp/pack.sh <repo>/target/dist/native <repo>/target/dist
#       -> target/dist/ErpAuth.<version>.nupkg
# Each is called here, after the natives and their checks, when it exists
# and is executable.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
# shellcheck source=scripts/dist-tools.sh
. scripts/dist-tools.sh

export CARGO_TERM_COLOR=never
# The release libraries never carry the test-only message log.
unset ERPAUTH_TEST_MESSAGE_LOG

version="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)"
dist="$repo/target/dist"
native="$dist/native"
builds="$repo/target/dist-build"
start=$SECONDS

dist_need_rustup_cargo
dist_need_zigbuild
dist_need_debian_rust
dist_need_windows_tools
dist_need_aarch64_tools

# Everything of the workspace that ships: the library and the CLI.
packages=(-p erpauth -p erpauth-cli)

step() { echo "==== $* ($((SECONDS - start)) s)"; }

# Copies a built file into the dist tree; a missing one stops the build.
ship() {
    local from=$1 to=$2
    if [ ! -s "$from" ]; then
        echo "dist.sh: the build did not make ${from#"$repo"/}" >&2
        exit 1
    fi
    mkdir -p "$(dirname "$to")"
    cp -f "$from" "$to"
}

build_linux_x86_64() {
    step "linux-x86-64: cargo zigbuild, glibc 2.17 (rustup $(rustc --version | cut -d' ' -f2))"
    local dir="$builds/linux-x86-64"
    PATH="$DIST_VENV_BIN:$PATH" cargo zigbuild --release --locked \
        --target x86_64-unknown-linux-gnu.2.17 "${packages[@]}" --target-dir "$dir"
    local out="$dir/x86_64-unknown-linux-gnu/release"
    ship "$out/liberpauth.so" "$native/linux-x86-64/liberpauth.so"
    ship "$out/liberpauth.a" "$native/linux-x86-64/liberpauth.a"
    ship "$out/erpauth" "$native/linux-x86-64/erpauth"
    # The .so and the CLI are stripped by the release profile; the static
    # library keeps its symbols (the linker needs them) but not std's
    # prebuilt debug info (38 MB -> 28 MB).
    strip --strip-debug "$native/linux-x86-64/liberpauth.a"
}

# Debian's cargo and rustc first on PATH; std built from rust-web-src.
build_std() {
    PATH="$DIST_DEBIAN_RUST_BIN:$DIST_VENV_BIN:$PATH" RUSTC_BOOTSTRAP=1 \
        RUSTC="$DIST_DEBIAN_RUST_BIN/rustc" RUSTDOC="$DIST_DEBIAN_RUST_BIN/rustdoc" \
        "$@" -Zbuild-std=std,panic_unwind
}

build_linux_aarch64() {
    step "linux-aarch64: cargo zigbuild, glibc 2.17, -Zbuild-std (Debian rustc $DIST_RUSTC_WEB_VERSION)"
    local dir="$builds/linux-aarch64"
    build_std cargo zigbuild --release --locked --target aarch64-unknown-linux-gnu.2.17 \
        "${packages[@]}" --target-dir "$dir"
    local out="$dir/aarch64-unknown-linux-gnu/release"
    ship "$out/liberpauth.so" "$native/linux-aarch64/liberpauth.so"
    ship "$out/liberpauth.a" "$native/linux-aarch64/liberpauth.a"
    ship "$out/erpauth" "$native/linux-aarch64/erpauth"
    aarch64-linux-gnu-strip --strip-debug "$native/linux-aarch64/liberpauth.a"
}

# build_windows PLATFORM RUST_TARGET MINGW_PREFIX DLLTOOL_MACHINE
build_windows() {
    local platform=$1 target=$2 mingw=$3 machine=$4
    step "$platform: $target, -Zbuild-std (Debian rustc $DIST_RUSTC_WEB_VERSION), linker $mingw-gcc"
    # One target dir for both Windows targets: the host tools (build
    # scripts, proc macros, cbindgen) of the same Debian rustc are built once.
    local dir="$builds/windows"
    local env_target
    env_target="$(echo "$target" | tr 'a-z-' 'A-Z_')"
    env "CARGO_TARGET_${env_target}_LINKER=$mingw-gcc" \
        "CC_${target//-/_}=$mingw-gcc" "AR_${target//-/_}=$mingw-ar" \
        PATH="$DIST_DEBIAN_RUST_BIN:$PATH" RUSTC_BOOTSTRAP=1 \
        RUSTC="$DIST_DEBIAN_RUST_BIN/rustc" RUSTDOC="$DIST_DEBIAN_RUST_BIN/rustdoc" \
        cargo build --release --locked -Zbuild-std=std,panic_unwind --target "$target" \
        "${packages[@]}" --target-dir "$dir"
    local out="$dir/$target/release" to="$native/$platform"
    ship "$out/erpauth.dll" "$to/erpauth.dll"
    ship "$out/erpauth.exe" "$to/erpauth.exe"
    # The profile strips symbols; the MinGW strip also drops what the GNU
    # linker keeps of the COFF symbol table.
    "$mingw-strip" --strip-unneeded "$to/erpauth.dll" "$to/erpauth.exe"
    # The exports are exactly the functions of the header (dist-check.sh
    # checks the DLL against it), so the import libraries come from a .def
    # made from the header: MinGW's (dlltool) and MSVC's (llvm-dlltool,
    # short import format as lib.exe writes it).
    {
        echo "LIBRARY erpauth.dll"
        echo "EXPORTS"
        header_functions | sed 's/^/    /'
    } > "$to/erpauth.def"
    "$mingw-dlltool" --dllname erpauth.dll --input-def "$to/erpauth.def" \
        --output-lib "$to/erpauth.dll.a"
    llvm-dlltool -m "$machine" -D erpauth.dll -d "$to/erpauth.def" -l "$to/erpauth.lib"
}

# The exported functions of include/erpauth.h, one a line, in header order.
header_functions() {
    sed -nE 's/^[A-Za-z_][A-Za-z0-9_ ]*[ *](erpauth_[a-z0-9_]+)\(.*/\1/p' include/erpauth.h
}

rm -rf "$native"
mkdir -p "$native"
build_linux_x86_64
build_windows win32-x86-64 x86_64-win7-windows-gnu x86_64-w64-mingw32 i386:x86-64
build_windows win32-x86 i686-win7-windows-gnu i686-w64-mingw32 i386
build_linux_aarch64

step "checks: glibc 2.17, Windows 7 imports, exports = header"
scripts/dist-check.sh --self-test
scripts/dist-check.sh "$native"

step "C archives"
scripts/dist-archives.sh "$native" "$dist" "$version"

for packer in bindings/java/dist.sh bindings/csharp/pack.sh; do
    if [ -x "$packer" ]; then
        step "$packer"
        "$packer" "$native" "$dist"
    else
        echo "==== $packer: not in this tree yet, not called"
    fi
done

step "done"
( cd "$dist" && find . -type f \( -path './native/*' -o -name '*.tar.gz' -o -name '*.zip' \
    -o -name '*.jar' -o -name '*.nupkg' \) -printf '%10s  %p\n' | sort -k2 )
echo "dist.sh: built in $((SECONDS - start)) s"
