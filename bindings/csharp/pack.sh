#!/usr/bin/env bash
# The NuGet package, packed from a tree of prebuilt native libraries:
#
#   bindings/csharp/pack.sh NATIVE_DIR OUT_DIR
#
# NATIVE_DIR is the tree scripts/dist.sh builds (linux-x86-64/liberpauth.so,
# linux-aarch64/liberpauth.so, win32-x86-64/erpauth.dll, win32-x86/erpauth.dll). OUT_DIR receives
# ErpAuth.<version>.nupkg (<version> from the repository's Cargo.toml) holding ErpAuth.dll and
# ErpAuth.Http.dll (the HttpClient handlers) with their XML docs in lib/net462 and lib/netstandard2.0, the four libraries in
# runtimes/{linux-x64,linux-arm64,win-x64,win-x86}/native/, and build/net462/ErpAuth.targets
# (+ buildTransitive/net462/) that copies the Windows DLLs into x64\ and x86\ of a .NET Framework
# output; nothing else. Packed with Debian's nuget (NuGet 2.8, installed if missing) from
# ErpAuth.nuspec; nothing is built by cargo. A missing library stops it with one line naming the
# file: never a package with a hole.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

if [ $# -ne 2 ]; then
  echo "usage: bindings/csharp/pack.sh NATIVE_DIR OUT_DIR" >&2
  exit 2
fi
NATIVE_DIR=$1
OUT_DIR=$2
# shellcheck source=../../scripts/native-libraries.sh
. "$ROOT/scripts/native-libraries.sh"
if missing=$(first_missing_native_library "$NATIVE_DIR"); then
  echo "bindings/csharp/pack.sh: missing native library $NATIVE_DIR/$missing" >&2
  exit 1
fi
NATIVE_DIR=$(cd "$NATIVE_DIR" && pwd)
mkdir -p "$OUT_DIR"
OUT_DIR=$(cd "$OUT_DIR" && pwd)

VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$ROOT/Cargo.toml" | head -1)
if [ -z "$VERSION" ]; then
  echo "bindings/csharp/pack.sh: no version in $ROOT/Cargo.toml" >&2
  exit 1
fi

"$HERE/build.sh" lib
need_apt=()
command -v nuget >/dev/null || need_apt+=(nuget)
command -v python3 >/dev/null || need_apt+=(python3)
if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=()
  if [ "$(id -u)" -ne 0 ]; then SUDO=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update -q
  "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${need_apt[@]}"
fi

STAGE="$HERE/build/package"
rm -rf "$STAGE" "$HERE/build/native"
mkdir -p "$STAGE"
# nuget takes file sources relative to the nuspec only: a copy of the four libraries, nothing else.
for lib in "${NATIVE_LIBRARIES[@]}"; do
  mkdir -p "$HERE/build/native/$(dirname "$lib")"
  cp "$NATIVE_DIR/$lib" "$HERE/build/native/$lib"
done
cd "$HERE"
# NuGet 2.8 predates netstandard and warns that lib/netstandard2.0 is not a framework name it
# knows; current NuGet clients resolve that folder as intended.
nuget pack ErpAuth.nuspec -OutputDirectory "$STAGE" -NoDefaultExcludes -NonInteractive \
  -Version "$VERSION" -Properties "version=$VERSION" >"$STAGE/nuget.log" 2>&1 \
  || { cat "$STAGE/nuget.log" >&2; echo "bindings/csharp/pack.sh: nuget pack failed" >&2; exit 1; }
PACKAGE="$STAGE/ErpAuth.$VERSION.nupkg"

# NuGet 2.8 knows neither <license> nor <repository>: add them to the packed nuspec, and check
# that the package holds exactly the files it should, the libraries byte for byte.
python3 - "$PACKAGE" "$NATIVE_DIR" "$ROOT" <<'PY'
import re, subprocess, sys, zipfile

package, native, root = sys.argv[1:]
def fail(message):
    sys.exit("bindings/csharp/pack.sh: " + message)

with zipfile.ZipFile(package) as z:
    entries = {i.filename: z.read(i.filename) for i in z.infolist()}
    infos = z.infolist()

nuspec_name = "ErpAuth.nuspec"
nuspec = entries[nuspec_name].decode("utf-8")
remote = "https://github.com/erpauth/erpauth"
try:
    commit = subprocess.run(["git", "-C", root, "rev-parse", "HEAD"], capture_output=True, text=True,
                            check=True).stdout.strip()
except (OSError, subprocess.CalledProcessError):
    commit = ""
extra = '<license type="expression">MIT OR Apache-2.0</license>'
extra += '<repository type="git" url="%s.git"%s />' % (remote, ' commit="%s"' % commit if commit else "")
nuspec, n = re.subn(r"(<licenseUrl>)", extra + r"\1", nuspec, count=1)
if n != 1:
    fail("no <licenseUrl> in the packed nuspec to put <license> beside")
entries[nuspec_name] = nuspec.encode("utf-8")

expected = {
    "lib/net462/ErpAuth.dll", "lib/net462/ErpAuth.xml",
    "lib/netstandard2.0/ErpAuth.dll", "lib/netstandard2.0/ErpAuth.xml",
    "lib/net462/ErpAuth.Http.dll", "lib/net462/ErpAuth.Http.xml",
    "lib/netstandard2.0/ErpAuth.Http.dll", "lib/netstandard2.0/ErpAuth.Http.xml",
    "runtimes/linux-x64/native/liberpauth.so", "runtimes/linux-arm64/native/liberpauth.so",
    "runtimes/win-x64/native/erpauth.dll", "runtimes/win-x86/native/erpauth.dll",
    "build/net462/ErpAuth.targets", "buildTransitive/net462/ErpAuth.targets",
}
# The OPC parts every nupkg has.
plumbing = re.compile(r"^(ErpAuth\.nuspec|\[Content_Types\]\.xml|_rels/\.rels|package/services/metadata/core-properties/[0-9a-f]+\.psmdcp)$")
content = {name for name in entries if not plumbing.match(name)}
if content != expected:
    fail("package content differs: extra %s, missing %s" % (sorted(content - expected), sorted(expected - content)))
for inside, source in [("runtimes/linux-x64/native/liberpauth.so", "linux-x86-64/liberpauth.so"),
                       ("runtimes/linux-arm64/native/liberpauth.so", "linux-aarch64/liberpauth.so"),
                       ("runtimes/win-x64/native/erpauth.dll", "win32-x86-64/erpauth.dll"),
                       ("runtimes/win-x86/native/erpauth.dll", "win32-x86/erpauth.dll")]:
    with open(native + "/" + source, "rb") as f:
        if f.read() != entries[inside]:
            fail("%s differs from %s/%s" % (inside, native, source))

with zipfile.ZipFile(package + ".tmp", "w", zipfile.ZIP_DEFLATED) as out:
    for info in infos:
        out.writestr(info, entries[info.filename], compress_type=zipfile.ZIP_DEFLATED)
PY
mv "$PACKAGE.tmp" "$PACKAGE"
cp "$PACKAGE" "$OUT_DIR/"
ls -l "$OUT_DIR/ErpAuth.$VERSION.nupkg"
