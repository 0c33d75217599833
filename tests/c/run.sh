#!/usr/bin/env bash
# The C tests of erpauth: every tests/c/test_*.c built with
# `gcc -std=c99 -Wall -Wextra -Werror -Wpedantic` and tests/c/test_header.cpp
# with `g++ -Wall -Wextra -Werror -Wpedantic`, each linked once against
# target/release/liberpauth.so and once against target/release/liberpauth.a,
# run natively and then under valgrind (zero errors, zero definite or
# indirect leaks). Installs gcc, g++ and valgrind from apt if missing, builds
# the release library and the emulator binary. Exits non-zero on any failure.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
missing=()
command -v gcc >/dev/null 2>&1 || missing+=(gcc)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v valgrind >/dev/null 2>&1 || missing+=(valgrind)
if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing ${missing[*]} with apt-get"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The library the tests link, and the emulator the client tests talk to.
cargo build --release -p erpauth -p erpauth-cli --quiet
lib_dir="$repo/target/release"
export ERPAUTH_EMULATOR="$lib_dir/erpauth"

# The message log is a test aid compiled in only when the build itself has
# ERPAUTH_TEST_MESSAGE_LOG set (as scripts/test-all.sh builds): a library
# built without it must not carry the name, so no environment of a host
# process can make it write anywhere.
if [ -z "${ERPAUTH_TEST_MESSAGE_LOG:-}" ] && grep -aq ERPAUTH_TEST_MESSAGE_LOG "$lib_dir/liberpauth.so"; then
    echo "FAIL: liberpauth.so built without ERPAUTH_TEST_MESSAGE_LOG still reads it"
    exit 1
fi

version="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)"
out="$repo/target/c-tests"
rm -rf "$out"
mkdir -p "$out"

# What the Rust staticlib needs from the system on Linux, as printed by
# `cargo rustc --release -p erpauth --crate-type staticlib -- --print native-static-libs`.
static_libs=(-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc)
shared_link=(-L"$lib_dir" -lerpauth -Wl,-rpath,"$lib_dir" -lpthread)
static_link=("$lib_dir/liberpauth.a" "${static_libs[@]}")
cflags=(-std=c99 -Wall -Wextra -Werror -Wpedantic -g -Iinclude -Itests/c
        "-DEXPECTED_VERSION=\"$version\"")
cxxflags=(-std=c++11 -Wall -Wextra -Werror -Wpedantic -g -Iinclude -Itests/c)

binaries=()
for src in tests/c/test_*.c tests/c/test_*.cpp; do
    [ -e "$src" ] || continue
    name="$(basename "${src%.*}")"
    case "$src" in
        *.cpp) compile=(g++ "${cxxflags[@]}") ;;
        *) compile=(gcc "${cflags[@]}") ;;
    esac
    "${compile[@]}" "$src" -o "$out/$name-shared" "${shared_link[@]}"
    "${compile[@]}" "$src" -o "$out/$name-static" "${static_link[@]}"
    binaries+=("$out/$name-shared" "$out/$name-static")
done
echo "built ${#binaries[@]} test binaries in target/c-tests"

failed=()
for bin in "${binaries[@]}"; do
    name="$(basename "$bin")"
    echo "==== $name"
    if ! "$bin" > "$out/$name.log" 2>&1; then
        failed+=("$name")
    fi
    # Failures and their indented details, then the tally line.
    awk '/^FAIL/ { shown = 1; print; next } shown && /^    / { print; next } { shown = 0 }' \
        "$out/$name.log" | head -n 60
    tail -n 1 "$out/$name.log"
done

echo "==== valgrind"
for bin in "${binaries[@]}"; do
    name="$(basename "$bin")"
    if ! valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect \
            --log-file="$out/$name.valgrind.log" "$bin" > "$out/$name.valgrind.out" 2>&1; then
        failed+=("valgrind $name")
    fi
    summary="$(grep -h 'ERROR SUMMARY' "$out/$name.valgrind.log" | tail -n 1 | sed 's/^==[0-9]*== //')"
    tally="$(tail -n 1 "$out/$name.valgrind.out")"
    printf '%-28s %s (%s)\n' "$name:" "${summary:-no ERROR SUMMARY (valgrind did not finish)}" "$tally"
done

if [ "${#failed[@]}" -gt 0 ]; then
    echo "FAILED: ${failed[*]} (logs in target/c-tests/)"
    exit 1
fi
echo "C tests: ${#binaries[@]} binaries passed natively and under valgrind"
