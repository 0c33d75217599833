# Sourced, not run, by the scripts that pack or test the release artifacts
# (bindings/java/{dist,run-tests}.sh, bindings/csharp/{pack,run-tests}.sh):
# the four libraries scripts/dist.sh builds under target/dist/native, named
# once. The folder names are JNA's resource prefixes; the NuGet package maps
# them to its runtime identifiers.
NATIVE_LIBRARIES=(
  linux-x86-64/liberpauth.so
  linux-aarch64/liberpauth.so
  win32-x86-64/erpauth.dll
  win32-x86/erpauth.dll
)

# first_missing_native_library DIR: prints the first of NATIVE_LIBRARIES that
# DIR lacks and succeeds; fails (prints nothing) when DIR has them all.
first_missing_native_library() {
  local lib
  for lib in "${NATIVE_LIBRARIES[@]}"; do
    if [ ! -f "$1/$lib" ]; then
      echo "$lib"
      return 0
    fi
  done
  return 1
}

# ensure_native_libraries WHO DIR: for the test scripts. When DIR is the
# default tree (ERPAUTH_NATIVE_DIR unset) and lacks a library, builds it with
# scripts/dist.sh; when DIR was given and lacks one, says which and fails.
ensure_native_libraries() {
  local who=$1 dir=$2 missing root
  missing=$(first_missing_native_library "$dir") || return 0
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  if [ -z "${ERPAUTH_NATIVE_DIR:-}" ]; then
    echo "$dir/$missing is missing: running scripts/dist.sh"
    "$root/scripts/dist.sh"
  else
    echo "$who: missing native library $dir/$missing (run scripts/dist.sh)" >&2
    return 1
  fi
}
