#!/usr/bin/env bash
# Packs build/package/ErpAuth.<version>.nupkg from ErpAuth.nuspec with Debian's nuget
# (NuGet 2.8, installed if missing). Not part of the test run.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
"$HERE/build.sh"
if ! command -v nuget >/dev/null; then
  SUDO=()
  if [ "$(id -u)" -ne 0 ]; then SUDO=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update -q
  "${SUDO[@]}" apt-get install -y -q --no-install-recommends nuget
fi
rm -rf "$HERE/build/package"
mkdir -p "$HERE/build/package"
cd "$HERE"
# NuGet 2.8 predates netstandard and warns that lib/netstandard2.0 is not a framework name it
# knows; current NuGet clients resolve that folder as intended.
nuget pack ErpAuth.nuspec -OutputDirectory build/package -NoDefaultExcludes -NonInteractive
ls -l build/package/*.nupkg
