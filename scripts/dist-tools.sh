# Sourced by scripts/dist.sh, scripts/dist-check.sh and tests/c/run-platforms.sh:
# finds the tools the cross builds and cross tests use, and installs what a
# fresh Debian machine lacks (apt-get update once, then install; PyPI tools
# in a venv under target/). On a machine without apt-get it stops with one
# line naming the missing tool.
#
# Pinned here, in one place:
# - Debian's rustc-web / cargo-web / rust-web-src 1.96 (bookworm-security):
#   the rustup toolchain here has only the x86_64 Linux std, and no prebuilt
#   std for aarch64 or the win7 targets can be downloaded, so those targets
#   build std from rust-web-src (-Zbuild-std, with RUSTC_BOOTSTRAP=1).
# - cargo-zigbuild and ziglang from PyPI: zig links against glibc 2.17
#   symbol versions, so the Linux libraries load on CentOS 7 and later.
DIST_RUSTC_WEB_VERSION="1.96"
DIST_PIP_PINS=(cargo-zigbuild==0.24.1 ziglang==0.17.1)

dist_as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

dist_apt_updated=""
# dist_apt_install WHY PACKAGE...: installs the Debian packages not yet
# installed; WHY names the tool in the one-line error where there is no apt.
dist_apt_install() {
    local why=$1
    shift
    local missing=() pkg
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$pkg")
        fi
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "missing tool: $why (Debian packages ${missing[*]}); install it and run again" >&2
        exit 1
    fi
    case " ${missing[*]} " in
        *":i386 "*)
            if ! dpkg --print-foreign-architectures | grep -qx i386; then
                dist_as_root dpkg --add-architecture i386
                dist_apt_updated=""
            fi
            ;;
    esac
    echo "installing ${missing[*]} with apt-get"
    if [ -z "$dist_apt_updated" ]; then
        dist_as_root apt-get update -qq
        dist_apt_updated=1
    fi
    dist_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
}

# The Debian Rust toolchain that builds std from source, on PATH ahead of
# rustup's proxies in $DIST_DEBIAN_RUST_BIN (cargo, rustc, rustdoc).
dist_need_debian_rust() {
    dist_apt_install "rustc-web $DIST_RUSTC_WEB_VERSION" rustc-web cargo-web rust-web-src
    local version
    version="$(/usr/bin/rustc --version 2>/dev/null || true)"
    case "$version" in
        "rustc $DIST_RUSTC_WEB_VERSION."*) ;;
        *)
            echo "missing tool: Debian's rustc-web $DIST_RUSTC_WEB_VERSION at /usr/bin/rustc (found: ${version:-none})" >&2
            exit 1
            ;;
    esac
    if [ ! -d /usr/lib/rustlib/src/rust/library/std ]; then
        echo "missing tool: rust-web-src (the std sources in /usr/lib/rustlib/src/rust/library)" >&2
        exit 1
    fi
    DIST_DEBIAN_RUST_BIN="$repo/target/dist-tools/debian-rust"
    mkdir -p "$DIST_DEBIAN_RUST_BIN"
    local tool
    for tool in cargo rustc rustdoc; do
        ln -sfn "/usr/bin/$tool" "$DIST_DEBIAN_RUST_BIN/$tool"
    done
}

# cargo-zigbuild and zig in target/dist-tools/venv; sets DIST_VENV_BIN.
dist_need_zigbuild() {
    local venv="$repo/target/dist-tools/venv"
    DIST_VENV_BIN="$venv/bin"
    if [ -x "$venv/bin/cargo-zigbuild" ] && [ -x "$venv/bin/python-zig" ]; then
        return 0
    fi
    if ! command -v python3 >/dev/null 2>&1; then
        dist_apt_install "python3" python3 python3-venv
    fi
    if ! python3 -m venv "$venv" >/dev/null 2>&1; then
        dist_apt_install "python3 venv" python3-venv
        rm -rf "$venv"
        python3 -m venv "$venv"
    fi
    echo "installing ${DIST_PIP_PINS[*]} into target/dist-tools/venv"
    "$venv/bin/pip" install -q "${DIST_PIP_PINS[@]}"
}

# The rustup toolchain for the x86_64 Linux build (its std is the one
# prebuilt std this machine has).
dist_need_rustup_cargo() {
    if ! command -v cargo >/dev/null 2>&1; then
        echo "missing tool: cargo (the rustup toolchain that builds the x86-64 Linux library)" >&2
        exit 1
    fi
}

dist_need_windows_tools() {
    dist_apt_install "MinGW-w64 gcc, binutils and llvm-dlltool" \
        gcc-mingw-w64-x86-64 gcc-mingw-w64-i686 binutils-mingw-w64-x86-64 binutils-mingw-w64-i686 llvm
}

dist_need_aarch64_tools() {
    dist_apt_install "aarch64-linux-gnu binutils" binutils-aarch64-linux-gnu
}
