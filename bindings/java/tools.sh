# Sourced, not run, by the Java binding's scripts (run-tests.sh, dist.sh,
# integrations/run-tests.sh): what they all need from the machine, said once.

# The four native libraries a release jar bundles (NATIVE_LIBRARIES) and their checks.
# shellcheck source=../../scripts/native-libraries.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/native-libraries.sh"

# ensure_java_tools [COMMAND...]: installs a JDK, Maven and each named command (a Debian
# package of the same name, e.g. unzip) that a fresh Debian machine lacks.
ensure_java_tools() {
  local need_apt=() tool
  command -v javac >/dev/null 2>&1 || need_apt+=(openjdk-17-jdk-headless)
  command -v mvn >/dev/null 2>&1 || need_apt+=(maven)
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || need_apt+=("$tool")
  done
  if [ ${#need_apt[@]} -gt 0 ]; then
    echo "installing ${need_apt[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  fi
}

# require_cargo: stops with one line when the Rust toolchain is missing (the emulator and the
# library are built from the repository).
require_cargo() {
  if ! command -v cargo >/dev/null 2>&1; then
    echo "cargo is missing: install the Rust toolchain (rustup) first" >&2
    exit 1
  fi
}
