#!/usr/bin/env bash
# Builds artifacts/cortex-llmd_<version>_amd64.deb and checks it with lintian.
#   1. restores the daemon and the CLI for linux-x64 Native AOT (ILCompiler and the runtime packs
#      come with it) into artifacts/nuget (the only network step: the NuGet registry);
#   2. assembles a build tree in a temporary directory (the sources, packaging/debian as debian/,
#      the top-level units, a debian/changelog generated from Directory.Build.props' VersionPrefix,
#      the one place the version lives);
#   3. runs dpkg-buildpackage -us -uc -b there; debian/rules publishes both as Native AOT offline
#      (--no-restore), linked by gcc;
#   4. runs lintian: any error or unexplained warning fails the build.
# Usage: packaging/build-deb.sh [--no-lintian]. Installs debhelper, lintian and the AOT link's
# toolchain (Build-Depends: gcc, libc6-dev, zlib1g-dev) with apt when missing (as root).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
run_lintian=1
[ "${1:-}" = "--no-lintian" ] && run_lintian=0

need=()
command -v dpkg-buildpackage >/dev/null || need+=(dpkg-dev)
command -v dh >/dev/null || need+=(debhelper)
[ -e /usr/share/perl5/Debian/Debhelper/Sequence/installsysusers.pm ] || need+=(debhelper)
[ "$run_lintian" = 1 ] && { command -v lintian >/dev/null || need+=(lintian); }
# The AOT link: gcc drives it (clang is looked for first; only clang-14 exists here), objcopy
# strips, libc6-dev brings crt*.o and libc/libm/librt/libdl to link against, zlib1g-dev the libz.
command -v gcc >/dev/null || need+=(gcc)
command -v objcopy >/dev/null || need+=(binutils)
for dev in libc6-dev zlib1g-dev; do
  dpkg-query -W -f='${db:Status-Status}' "$dev" 2>/dev/null | grep -qx installed || need+=("$dev")
done
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "build-deb: missing ${need[*]}; install them (apt-get install ${need[*]})" >&2
    exit 1
  fi
  echo "build-deb: installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

version="$(sed -n 's:.*<VersionPrefix>\([^<]*\)</VersionPrefix>.*:\1:p' Directory.Build.props)"
if [ -z "$version" ]; then
  echo "build-deb: no <VersionPrefix> in Directory.Build.props" >&2
  exit 1
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
nuget="$root/artifacts/nuget"
mkdir -p "$nuget"

tmp="$(mktemp -d /tmp/cortex-llmd-deb.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT
tree="$tmp/cortex-llmd-$version"
mkdir -p "$tree"
# Only what the build needs, and never a bin/ or obj/ from a development build.
tar -C "$root" --exclude=bin --exclude=obj -cf - \
  .editorconfig Directory.Build.props Directory.Packages.props global.json LICENSE README.md \
  cortex-llmd.service cortex-llmd.socket cortex-llmd-openai.socket docs examples src packaging/debian \
  | tar -C "$tree" -xf -
mv "$tree/packaging/debian" "$tree/debian"
rmdir "$tree/packaging"
cp cortex-llmd.service cortex-llmd.socket "$tree/debian/"
# dh_installsystemd --name=cortex-llmd-openai looks for debian/<package>.<name>.socket.
cp cortex-llmd-openai.socket "$tree/debian/cortex-llmd.cortex-llmd-openai.socket"

# The changelog's top entry, from the one version in the repository. Its date is the last
# commit's, so that two builds of one commit are identical.
when="$(git log -1 --format=%ct 2>/dev/null || date +%s)"
cat > "$tree/debian/changelog" <<CHANGELOG
cortex-llmd ($version) unstable; urgency=medium

  * Release $version, built from commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown).
    See the repository history for the changes.

 -- cortex-llmd developers <cortex-llmd@example.org>  $(LC_ALL=C date -R -u -d "@$when")
CHANGELOG

start=$(date +%s)
echo "build-deb: restoring linux-x64 Native AOT packages into artifacts/nuget"
for project in src/Daemon/Cortex.Llmd.csproj src/Client/cortex-llm/cortex-llm.csproj; do
  dotnet restore "$tree/$project" -r linux-x64 --packages "$nuget" -p:PublishAot=true -v quiet -nologo
done

echo "build-deb: dpkg-buildpackage (offline Native AOT publish)"
(cd "$tree" && dpkg-buildpackage -us -uc -b) > "$tmp/build.log" 2>&1 || {
  tail -n 60 "$tmp/build.log" >&2
  echo "build-deb: dpkg-buildpackage failed" >&2
  exit 1
}
deb="cortex-llmd_${version}_amd64.deb"
mkdir -p artifacts
mv "$tmp/$deb" "artifacts/$deb"
echo "build-deb: artifacts/$deb ($(du -h "artifacts/$deb" | cut -f1)) in $(( $(date +%s) - start )) s"

if [ "$run_lintian" = 1 ]; then
  echo "build-deb: lintian"
  lintian --fail-on error,warning --display-info "artifacts/$deb"
  echo "build-deb: lintian: no errors, no unexplained warnings"
fi
