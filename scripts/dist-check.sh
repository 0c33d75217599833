#!/usr/bin/env bash
# Checks the native artifacts in NATIVE_DIR (default target/dist/native),
# as scripts/dist.sh lays them out, for where they must load:
#
# - Linux (.so and the CLI): no symbol version newer than GLIBC_2.17
#   (CentOS 7; Kylin V10 and UOS on aarch64 have 2.28), by `objdump -T`;
#   and only the system libraries glibc 2.17 has.
# - Windows (.dll and .exe): only DLLs that Windows 7 SP1 / Server 2008 R2
#   has, none of the api-ms-win-* sets, no bcryptprimitives.dll (ProcessPrng,
#   Windows 10+), no MinGW runtime DLL; and none of the few kernel32
#   functions newer than Windows 7 that std can call (WaitOnAddress and
#   friends, GetSystemTimePreciseAsFileTime), by `objdump -p`.
# - The exports of every library are exactly the erpauth_* functions of
#   include/erpauth.h, and so is each erpauth.def.
#
# Prints each check and what it found; exits non-zero on any failure.
#
# `dist-check.sh --self-test` first proves the checks can fail: it makes a
# tree of bad artifacts (a Linux library linked here against glibc 2.34+,
# a DLL importing WaitOnAddress from api-ms-win-core-synch-l1-2-0.dll,
# exports that differ from the header) and expects each to be caught.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
# shellcheck source=scripts/dist-tools.sh
. scripts/dist-tools.sh

if [ "${1:-}" = "--self-test" ]; then
    dist_need_windows_tools
    dist_apt_install "gcc" gcc
    bad="$repo/target/dist-check-self-test"
    rm -rf "$bad"
    mkdir -p "$bad/linux-x86-64" "$bad/win32-x86-64"
    printf '#include <pthread.h>\nstatic void *run(void *a) { return a; }\nint erpauth_version(void) { pthread_t t; return pthread_create(&t, 0, run, 0); }\n' >"$bad/new_glibc.c"
    gcc -shared -fPIC "$bad/new_glibc.c" -o "$bad/linux-x86-64/liberpauth.so" -lpthread
    printf '#include <windows.h>\n__declspec(dllexport) int erpauth_version(void) { int x = 0; return WaitOnAddress(&x, &x, sizeof x, 0); }\n' >"$bad/new_windows.c"
    x86_64-w64-mingw32-gcc -shared -D_WIN32_WINNT=0x0602 "$bad/new_windows.c" \
        -o "$bad/win32-x86-64/erpauth.dll" -lsynchronization
    if "$0" "$bad" >"$bad/check.log" 2>&1; then
        cat "$bad/check.log"
        echo "dist-check self-test: the bad artifacts passed" >&2
        exit 1
    fi
    missed=0
    for want in 'linux-x86-64/liberpauth.so: needs GLIBC_2.3' \
        'win32-x86-64/erpauth.dll: imports DLLs Windows 7 SP1 lacks: api-ms-win-core-synch' \
        'win32-x86-64/erpauth.dll: imports functions newer than Windows 7: WaitOnAddress' \
        'linux-x86-64/liberpauth.so: exports differ' 'win32-x86-64/erpauth.dll: exports differ'; do
        if grep -q "^FAIL $want" "$bad/check.log"; then
            echo "ok   self-test caught: $want"
        else
            echo "FAIL self-test did not catch: $want"
            missed=$((missed + 1))
        fi
    done
    [ "$missed" -eq 0 ] || { cat "$bad/check.log"; exit 1; }
    exit 0
fi
native="${1:-$repo/target/dist/native}"

dist_need_windows_tools
dist_need_aarch64_tools
dist_apt_install "binutils (objdump, nm)" binutils

failures=0
fail() {
    echo "FAIL $*"
    failures=$((failures + 1))
}
pass() { echo "ok   $*"; }

expected="$(sed -nE 's/^[A-Za-z_][A-Za-z0-9_ ]*[ *](erpauth_[a-z0-9_]+)\(.*/\1/p' include/erpauth.h | sort)"
expected_count="$(echo "$expected" | wc -l)"

# compare_exports WHAT NAMES: NAMES (one a line) must equal the header's.
compare_exports() {
    local what=$1 names
    names="$(echo "$2" | sed '/^$/d' | sort)"
    if [ "$names" = "$expected" ]; then
        pass "$what: exports the header's $expected_count functions, nothing else"
    else
        fail "$what: exports differ from include/erpauth.h (< header, > library):"
        diff <(echo "$expected") <(echo "$names") | grep '^[<>]' | sed 's/^/    /' || true
    fi
}

# Libraries glibc 2.17 itself provides, and the loader.
linux_system_libs='^(libc\.so\.6|libm\.so\.6|libdl\.so\.2|libpthread\.so\.0|librt\.so\.1|libutil\.so\.1|libgcc_s\.so\.1|ld-linux-x86-64\.so\.2|ld-linux-aarch64\.so\.1)$'

check_linux() {
    local platform=$1 objdump=$2 file
    for file in "$native/$platform/liberpauth.so" "$native/$platform/erpauth"; do
        local what="$platform/$(basename "$file")"
        if [ ! -s "$file" ]; then
            fail "$what: missing"
            continue
        fi
        local newest
        newest="$("$objdump" -T "$file" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -n 1)"
        if [ -z "$newest" ]; then
            fail "$what: no GLIBC symbol versions found (objdump -T)"
        elif [ "$(printf '%s\nGLIBC_2.17\n' "$newest" | sort -V | tail -n 1)" = "GLIBC_2.17" ]; then
            pass "$what: newest glibc symbol $newest"
        else
            fail "$what: needs $newest, newer than GLIBC_2.17:"
            "$objdump" -T "$file" | grep -E 'GLIBC_2\.(1[89]|[2-9][0-9])' | awk '{print "    " $0}' | head -n 20
        fi
        local needed others
        needed="$("$objdump" -p "$file" | awk '/NEEDED/ {print $2}')"
        others="$(echo "$needed" | grep -Ev "$linux_system_libs" || true)"
        if [ -n "$others" ]; then
            fail "$what: needs libraries beyond glibc's: $(echo "$others" | tr '\n' ' ')"
        else
            pass "$what: needs $(echo "$needed" | tr '\n' ' ')"
        fi
    done
    compare_exports "$platform/liberpauth.so" \
        "$("$objdump" -T "$native/$platform/liberpauth.so" 2>/dev/null |
            awk '$2 == "g" && $4 == ".text" {print $NF}' | grep '^erpauth_' || true)"
    local others
    others="$("$objdump" -T "$native/$platform/liberpauth.so" 2>/dev/null |
        awk '$2 == "g" && $4 != "*UND*" {print $NF}' | grep -v '^erpauth_' || true)"
    if [ -n "$others" ]; then
        fail "$platform/liberpauth.so: exports symbols beyond the header's: $(echo "$others" | tr '\n' ' ')"
    fi
    if [ -s "$native/$platform/liberpauth.a" ]; then
        pass "$platform/liberpauth.a: present ($(stat -c %s "$native/$platform/liberpauth.a") bytes)"
    else
        fail "$platform/liberpauth.a: missing"
    fi
}

# What Windows 7 SP1 / Server 2008 R2 has in System32 that a Rust library
# may import. Anything else (api-ms-win-*, bcryptprimitives.dll, the MinGW
# runtime DLLs libgcc_s_*.dll and libwinpthread-1.dll) fails.
win7_dlls='^(kernel32|ntdll|advapi32|ws2_32|userenv|msvcrt|bcrypt|crypt32|secur32|shell32|ole32|oleaut32|user32|ncrypt)\.dll$'
# Functions newer than Windows 7 that std or its dependencies can import.
after_win7_functions='^(WaitOnAddress|WakeByAddressSingle|WakeByAddressAll|GetSystemTimePreciseAsFileTime|ProcessPrng|SetThreadDescription|GetThreadDescription|GetTempPath2W|CreateFile2|GetOverlappedResultEx|PrefetchVirtualMemory)$'

check_windows() {
    local platform=$1 objdump=$2 file
    for file in "$native/$platform/erpauth.dll" "$native/$platform/erpauth.exe"; do
        local what="$platform/$(basename "$file")"
        if [ ! -s "$file" ]; then
            fail "$what: missing"
            continue
        fi
        local dlls bad functions late
        dlls="$("$objdump" -p "$file" | awk '/DLL Name:/ {print tolower($3)}' | sort -u)"
        bad="$(echo "$dlls" | grep -Ev "$win7_dlls" || true)"
        if [ -n "$bad" ]; then
            fail "$what: imports DLLs Windows 7 SP1 lacks: $(echo "$bad" | tr '\n' ' ')"
        else
            pass "$what: imports $(echo "$dlls" | tr '\n' ' ')"
        fi
        # The import table lists "<vma> <hint> <name>" under each DLL.
        functions="$("$objdump" -p "$file" |
            awk '/DLL Name:/ {in_dll = 1; next} in_dll && NF == 3 && $1 ~ /^[0-9a-f]+$/ {print $3} /^$/ {in_dll = 0}' |
            sort -u)"
        late="$(echo "$functions" | grep -E "$after_win7_functions" || true)"
        if [ -n "$late" ]; then
            fail "$what: imports functions newer than Windows 7: $(echo "$late" | tr '\n' ' ')"
        else
            pass "$what: none of the $(echo "$functions" | wc -l) imported functions is newer than Windows 7"
        fi
    done
    compare_exports "$platform/erpauth.dll" \
        "$("$objdump" -p "$native/$platform/erpauth.dll" 2>/dev/null |
            awk '/\[Ordinal\/Name Pointer\] Table/ {on = 1; next} on && /^[ \t]*\[/ {print $NF; next} on {on = 0}')"
    compare_exports "$platform/erpauth.def" \
        "$(sed -n '/^EXPORTS/,$p' "$native/$platform/erpauth.def" 2>/dev/null | sed '1d; s/^[[:space:]]*//')"
    local lib
    for lib in erpauth.dll.a erpauth.lib; do
        if [ ! -s "$native/$platform/$lib" ]; then
            fail "$platform/$lib: missing"
            continue
        fi
        local imports
        imports="$("$objdump" -t "$native/$platform/$lib" 2>/dev/null | grep -c '__imp_' || true)"
        if [ "$imports" -lt "$expected_count" ]; then
            # llvm-dlltool's short import format has no symbol table objdump reads.
            imports="$(nm "$native/$platform/$lib" 2>/dev/null | grep -c '__imp_' || true)"
        fi
        if [ "$imports" -ge "$expected_count" ]; then
            pass "$platform/$lib: $imports __imp_ symbols"
        else
            fail "$platform/$lib: $imports __imp_ symbols, expected $expected_count"
        fi
    done
}

# The message log is a test aid compiled in only when a build has
# ERPAUTH_TEST_MESSAGE_LOG set: no release library may carry it.
check_no_test_log() {
    local file
    for file in "$native"/*/liberpauth.so "$native"/*/erpauth.dll; do
        if grep -aq ERPAUTH_TEST_MESSAGE_LOG "$file"; then
            fail "${file#"$native"/}: carries the test-only ERPAUTH_TEST_MESSAGE_LOG"
        else
            pass "${file#"$native"/}: no test-only message log"
        fi
    done
}

echo "checking $native"
check_linux linux-x86-64 objdump
check_linux linux-aarch64 aarch64-linux-gnu-objdump
check_windows win32-x86-64 x86_64-w64-mingw32-objdump
check_windows win32-x86 i686-w64-mingw32-objdump
check_no_test_log

if [ "$failures" -ne 0 ]; then
    echo "dist-check: $failures failed"
    exit 1
fi
echo "dist-check: every library loads where it must"
