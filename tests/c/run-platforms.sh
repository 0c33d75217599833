#!/usr/bin/env bash
# The C tests (tests/c: test_pure.c, test_client.c, test_header.cpp) against
# each of the four libraries that scripts/dist.sh put in target/dist/native
# (or NATIVE_DIR), each on its own platform:
#
#   linux-x86-64   gcc/g++, run natively
#   linux-aarch64  aarch64-linux-gnu-gcc/g++, run under qemu-aarch64-static
#   win32-x86-64   x86_64-w64-mingw32-gcc/g++, run under Wine (64-bit; Debian's `wine` runs both)
#   win32-x86      i686-w64-mingw32-gcc/g++, run under Wine (32-bit, WoW64)
#
# Each program is linked against the shared library (the Windows ones once
# through the MinGW import library erpauth.dll.a and once through the MSVC
# one, erpauth.lib), and the Linux ones also against liberpauth.a. The
# emulator the client tests talk to is the linux-x86-64 CLI of the same
# tree, run natively on 127.0.0.1 (a fresh one for each program); the programs find it through
# $ERPAUTH_EMULATOR_URL (a program under Wine or qemu cannot start it).
# Each platform's CLI also signs one request there, checked against the
# native CLI's answer.
#
# Installs what a fresh Debian machine lacks. Exits non-zero on any failure;
# a platform that cannot run is a failure, never a skip.
# Usage: tests/c/run-platforms.sh [NATIVE_DIR]
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
# shellcheck source=scripts/dist-tools.sh
. scripts/dist-tools.sh
native="$(cd "${1:-$repo/target/dist/native}" && pwd)"

dist_apt_install "gcc and g++" gcc g++
dist_apt_install "aarch64 cross compilers and qemu-user" \
    gcc-aarch64-linux-gnu g++-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static
dist_apt_install "MinGW-w64 gcc and g++ (POSIX threads)" \
    gcc-mingw-w64-x86-64-posix g++-mingw-w64-x86-64-posix \
    gcc-mingw-w64-i686-posix g++-mingw-w64-i686-posix
dist_apt_install "Wine (64- and 32-bit)" wine wine64 wine32:i386

for platform in linux-x86-64 linux-aarch64 win32-x86-64 win32-x86; do
    case "$platform" in
        linux-*) files=(liberpauth.so liberpauth.a erpauth) ;;
        *) files=(erpauth.dll erpauth.dll.a erpauth.lib erpauth.exe) ;;
    esac
    for file in "${files[@]}"; do
        if [ ! -s "$native/$platform/$file" ]; then
            echo "missing $native/$platform/$file: run scripts/dist.sh first" >&2
            exit 1
        fi
    done
done

version="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)"
out="$repo/target/c-platforms"
rm -rf "$out"
mkdir -p "$out"

export WINEDEBUG=-all
export WINEPREFIX="$repo/target/wine-prefix"
export WINEDLLOVERRIDES="mscoree,mshtml="   # no Mono/Gecko install dialogs
export QEMU_LD_PREFIX=/usr/aarch64-linux-gnu
if [ ! -f "$WINEPREFIX/system.reg" ]; then
    echo "==== creating the Wine prefix (once): target/wine-prefix"
    mkdir -p "$WINEPREFIX"
    DISPLAY="" timeout 600 wineboot -i >"$out/wineboot.log" 2>&1 || {
        cat "$out/wineboot.log"
        echo "wineboot -i failed" >&2
        exit 1
    }
    wineserver -w
fi

cflags=(-std=c99 -Wall -Wextra -Werror -Wpedantic -O1 -Iinclude -Itests/c
        "-DEXPECTED_VERSION=\"$version\"")
cxxflags=(-std=c++11 -Wall -Wextra -Werror -Wpedantic -O1 -Iinclude -Itests/c)
linux_static_libs=(-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc)

# The tests that need POSIX (fork, file modes) print why and are not built
# for Windows; every other test runs on all four platforms.
posix_only() {
    case "$1" in
        test_weaver_rest) echo "forks processes sharing one state file, checks file modes" ;;
        *) return 1 ;;
    esac
}

# build PLATFORM CC CXX: compiles every test program for PLATFORM into
# $out/PLATFORM/, in each of the platform's link variants.
build() {
    local platform=$1 cc=$2 cxx=$3 lib="$native/$1"
    local dir="$out/$platform"
    mkdir -p "$dir"
    local src name compile
    for src in tests/c/test_*.c tests/c/test_*.cpp; do
        name="$(basename "${src%.*}")"
        if [[ "$platform" == win32-* ]] && posix_only "$name"; then
            echo "  $platform: $name not built: POSIX only ($(posix_only "$name")); it runs on linux-x86-64 and linux-aarch64"
            continue
        fi
        case "$src" in
            *.cpp) compile=("$cxx" "${cxxflags[@]}") ;;
            *) compile=("$cc" "${cflags[@]}") ;;
        esac
        case "$platform" in
            linux-*)
                "${compile[@]}" "$src" -o "$dir/$name-shared" -L"$lib" -lerpauth \
                    -Wl,-rpath,"$lib" -lpthread
                "${compile[@]}" "$src" -o "$dir/$name-static" "$lib/liberpauth.a" \
                    "${linux_static_libs[@]}"
                ;;
            win32-*)
                # -static: the MinGW runtime (libgcc, winpthreads, libstdc++)
                # goes into the program, so only erpauth.dll is beside it.
                "${compile[@]}" -static "$src" -o "$dir/$name-mingw-implib.exe" "$lib/erpauth.dll.a" -lws2_32
                "${compile[@]}" -static "$src" -o "$dir/$name-msvc-implib.exe" "$lib/erpauth.lib" -lws2_32
                ;;
        esac
    done
    case "$platform" in
        win32-*) cp "$lib/erpauth.dll" "$dir/" ;;
    esac
}

echo "==== building the test programs"
build linux-x86-64 gcc g++
build linux-aarch64 aarch64-linux-gnu-gcc aarch64-linux-gnu-g++
build win32-x86-64 x86_64-w64-mingw32-gcc-posix x86_64-w64-mingw32-g++-posix
build win32-x86 i686-w64-mingw32-gcc-posix i686-w64-mingw32-g++-posix

# The emulator: the native CLI of this tree, on a free port of 127.0.0.1,
# stopped by closing its stdin (a stop that fails fails the run).
emulator_cli="$native/linux-x86-64/erpauth"
emulator_in=""
emulator_pid=""
start_emulator() {
    local fifo="$out/emulator.in"
    rm -f "$fifo"
    mkfifo "$fifo"
    "$emulator_cli" emulate --port 0 --exit-on-stdin-eof <"$fifo" >"$out/emulator.out" 2>&1 &
    emulator_pid=$!
    exec {emulator_in}>"$fifo"
    local waited=0
    until grep -q '^listening on http://127.0.0.1:' "$out/emulator.out" 2>/dev/null; do
        sleep 0.1
        waited=$((waited + 1))
        if [ "$waited" -gt 300 ] || ! kill -0 "$emulator_pid" 2>/dev/null; then
            cat "$out/emulator.out" >&2
            echo "the emulator did not start" >&2
            exit 1
        fi
    done
    ERPAUTH_EMULATOR_URL="$(sed -n 's/^listening on \(http:\/\/127\.0\.0\.1:[0-9]*\).*/\1/p' "$out/emulator.out" | head -n 1)"
    export ERPAUTH_EMULATOR_URL
}
stop_emulator() {
    if [ -n "$emulator_pid" ]; then
        exec {emulator_in}>&-
        if ! wait "$emulator_pid"; then
            echo "  the emulator did not exit cleanly" >&2
            failed+=("emulator")
        fi
        emulator_pid=""
    fi
}
trap stop_emulator EXIT
echo "==== emulator: the native linux-x86-64 CLI, a fresh one on 127.0.0.1 for each program"

runner_of() {
    case "$1" in
        linux-x86-64) echo "" ;;
        linux-aarch64) echo "qemu-aarch64-static" ;;
        win32-x86-64) echo "wine" ;;
        win32-x86) echo "wine" ;;
    esac
}

failed=()
total_passed=0
total_failed=0
for platform in linux-x86-64 linux-aarch64 win32-x86-64 win32-x86; do
    runner="$(runner_of "$platform")"
    echo "==== $platform: ${runner:-native}, library from target/dist/native/$platform"
    for bin in "$out/$platform"/test_*; do
        case "$bin" in *.log | *.raw) continue ;; esac
        name="$(basename "$bin")"
        log="$out/$platform/$name.log"
        # A fresh emulator per program: the tests change its config (faults,
        # rotated secrets) and count its requests.
        start_emulator
        # shellcheck disable=SC2086
        if ! (cd "$out/$platform" && timeout 900 $runner "$bin") >"$log.raw" 2>&1; then
            failed+=("$platform/$name")
        fi
        stop_emulator
        # Windows programs end their lines with \r\n.
        tr -d '\r' <"$log.raw" >"$log"
        rm -f "$log.raw"
        awk '/^FAIL/ { shown = 1; print; next } shown && /^    / { print; next } { shown = 0 }' \
            "$log" | head -n 40
        tally="$(grep -E '^test_[a-z_]+: [0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1 || true)"
        printf '  %-34s %s\n' "$name" "${tally:-no tally (did not finish; see target/c-platforms/$platform/$name.log)}"
        if [ -n "$tally" ]; then
            total_passed=$((total_passed + $(echo "$tally" | sed -E 's/.*: ([0-9]+) passed.*/\1/')))
            total_failed=$((total_failed + $(echo "$tally" | sed -E 's/.* ([0-9]+) failed$/\1/')))
        else
            tail -n 5 "$log" | sed 's/^/    /'
        fi
    done
done

# Each platform's CLI on its platform: the same Kingdee signature as the
# native CLI gives for the same input.
echo "==== the erpauth CLI of each platform"
cli_args=(kingdee sign --client-secret emu-client-secret --method GET
          --target '/jdy/v2/bd/customer?k=%E5%AE%A2%E6%88%B7&a=1' --timestamp 1700000000000 --nonce 4242424242)
expected_cli="$("$emulator_cli" "${cli_args[@]}" 2>&1 || true)"
for platform in linux-x86-64 linux-aarch64 win32-x86-64 win32-x86; do
    runner="$(runner_of "$platform")"
    case "$platform" in
        win32-*) cli="$native/$platform/erpauth.exe" ;;
        *) cli="$native/$platform/erpauth" ;;
    esac
    # shellcheck disable=SC2086
    got="$(timeout 300 $runner "$cli" "${cli_args[@]}" 2>&1 | tr -d '\r' || true)"
    if [ -n "$expected_cli" ] && [ "$got" = "$expected_cli" ]; then
        echo "  $platform: erpauth kingdee sign: same output as native ($(echo "$got" | wc -l) lines)"
    else
        echo "  FAIL $platform: erpauth kingdee sign differs from native:"
        diff <(echo "$expected_cli") <(echo "$got") | head -n 10 | sed 's/^/    /' || true
        failed+=("$platform/erpauth")
    fi
done

stop_emulator
echo "C on every platform: $total_passed checks passed, $total_failed failed (logs in target/c-platforms/)"
if [ "${#failed[@]}" -gt 0 ]; then
    echo "FAILED: ${failed[*]}"
    exit 1
fi
