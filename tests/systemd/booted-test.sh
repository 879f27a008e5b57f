#!/usr/bin/env bash
# Installs the .deb into a Debian bookworm tree booted with systemd-nspawn and checks the units under a
# real systemd: socket activation starts the service on the first CLI call (so the notify protocol
# worked), reload works, stop is clean, a direct start binds the socket itself, the unit's
# MemoryDenyWriteExecute= and SystemCallFilter= hold for the Native AOT daemon, and the journal carries
# our priorities. Run as root.
# PID 1 here need not be systemd: --register=no --keep-unit keep nspawn off the host bus.
# The debootstrap tree is cached in /var/cache/cortex-llmd-nspawn between runs; each run boots a copy.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache=/var/cache/cortex-llmd-nspawn
tree="$cache/bookworm"
mirror="${CORTEX_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

fail() { echo "booted-test: FAIL: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "needs root (debootstrap and systemd-nspawn)"

need() {
  command -v "$1" >/dev/null 2>&1 && return
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null \
    || fail "cannot install $2"
}
need debootstrap debootstrap
need systemd-nspawn systemd-container
need nsenter util-linux

if [ ! -f "$tree/.complete" ]; then
  echo "== debootstrap bookworm into $tree (cached for later runs)"
  rm -rf "$tree"
  mkdir -p "$cache"
  debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,libssl3,ca-certificates \
    bookworm "$tree" "$mirror" >"$cache/debootstrap.log" 2>&1 || fail "debootstrap failed (see $cache/debootstrap.log)"
  touch "$tree/.complete"
fi

deb="$(ls "$repo"/artifacts/cortex-llmd_*_amd64.deb 2>/dev/null | head -n 1 || true)"
if [ -z "$deb" ]; then
  echo "== building the package"
  bash "$repo/packaging/build-deb.sh" >/dev/null || fail "packaging/build-deb.sh failed"
  deb="$(ls "$repo"/artifacts/cortex-llmd_*_amd64.deb | head -n 1)"
fi

work="$(mktemp -d /var/tmp/cortex-nspawn.XXXXXX)"
nspawn_pid=""
cleanup() {
  if [ -n "$nspawn_pid" ] && kill -0 "$nspawn_pid" 2>/dev/null; then
    kill -TERM "$nspawn_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$nspawn_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== booting a copy of the tree"
cp -a "$tree" "$work/root"
cp "$deb" "$work/root/root/cortex-llmd.deb"
machine="cortex-llmd-test-$$"
systemd-nspawn -q --register=no --keep-unit -D "$work/root" --machine="$machine" -b --console=pipe >"$work/boot.log" 2>&1 &
nspawn_pid=$!

# The container's init is the descendant of systemd-nspawn that is PID 1 in its own PID namespace
# (NSpid "N 1"). nspawn's first child is an intermediate process that may still be there for a
# moment, so "the first child" can be the wrong one; look the init up until it exists.
container_init() {
  local pid
  for pid in $(pgrep -P "$nspawn_pid"; for c in $(pgrep -P "$nspawn_pid"); do pgrep -P "$c"; done); do
    if awk '/^NSpid:/ { exit !(NF == 3 && $3 == 1) }' "/proc/$pid/status" 2>/dev/null; then
      echo "$pid"
      return 0
    fi
  done
  return 1
}

leader=""
for _ in $(seq 1 100); do
  leader="$(container_init || true)"
  [ -n "$leader" ] && break
  kill -0 "$nspawn_pid" 2>/dev/null || { cat "$work/boot.log" >&2; fail "systemd-nspawn exited: this machine cannot boot a container"; }
  sleep 0.2
done
[ -n "$leader" ] || { cat "$work/boot.log" >&2; fail "no container init process appeared"; }
inside() { nsenter -t "$leader" -m -u -i -n -p -- "$@"; }

state=""
for _ in $(seq 1 150); do
  state="$(inside systemctl is-system-running 2>/dev/null || true)"
  case "$state" in running|degraded) break ;; esac
  sleep 0.2
done
case "$state" in running|degraded) echo "  systemd is $state" ;; *) tail -n 30 "$work/boot.log" >&2; fail "systemd did not finish booting (state '$state')" ;; esac

failures=0
check() {
  local what="$1"; shift
  if "$@" >/dev/null 2>&1; then echo "  ok: $what"; else echo "  FAILED: $what"; failures=$((failures + 1)); fi
}

echo "== installing the package inside"
inside env DEBIAN_FRONTEND=noninteractive dpkg -i /root/cortex-llmd.deb >"$work/dpkg.log" 2>&1 \
  || { cat "$work/dpkg.log" >&2; fail "dpkg -i failed inside the container"; }
check "the socket unit is enabled by the package" inside systemctl is-enabled cortex-llmd.socket

echo "== socket activation"
inside systemctl stop cortex-llmd.service cortex-llmd.socket >/dev/null 2>&1 || true
inside systemctl start cortex-llmd.socket
check "the socket is listening" inside systemctl is-active cortex-llmd.socket
check "the service is not running before the first call" bash -c "! nsenter -t $leader -m -u -i -n -p -- systemctl is-active --quiet cortex-llmd.service"
health="$(inside timeout 60 cortex-llm --socket /run/cortex/llmd.sock --timeout 30s health 2>&1 || true)"
echo "  first call: $health"
check "the first CLI call is answered SERVING" test "$health" = SERVING
check "systemd reports the service active (READY=1 arrived)" inside systemctl is-active cortex-llmd.service
check "the service is Type=notify" bash -c "nsenter -t $leader -m -u -i -n -p -- systemctl show -p Type --value cortex-llmd.service | grep -qx notify"

echo "== reload"
check "systemctl reload succeeds" inside systemctl reload cortex-llmd.service
check "still active after the reload" inside systemctl is-active cortex-llmd.service
check "still answering after the reload" bash -c "[ \"\$(nsenter -t $leader -m -u -i -n -p -- cortex-llm --socket /run/cortex/llmd.sock health)\" = SERVING ]"

echo "== stop"
check "systemctl stop succeeds" inside systemctl stop cortex-llmd.service
check "the service ended with result success" bash -c "nsenter -t $leader -m -u -i -n -p -- systemctl show -p Result --value cortex-llmd.service | grep -qx success"

echo "== direct start (no socket unit): the daemon binds and chowns the socket itself"
inside systemctl stop cortex-llmd.socket >/dev/null 2>&1 || true
check "systemctl start of the service alone succeeds" inside systemctl start cortex-llmd.service
check "it answers on the socket it bound" bash -c "[ \"\$(nsenter -t $leader -m -u -i -n -p -- cortex-llm --socket /run/cortex/llmd.sock health)\" = SERVING ]"
check "the socket it bound is in group cortex" bash -c "[ \"\$(nsenter -t $leader -m -u -i -n -p -- stat -c %G /run/cortex/llmd.sock)\" = cortex ]"
check "systemctl stop succeeds again" inside systemctl stop cortex-llmd.service

echo "== hardening a Native AOT daemon can take"
check "MemoryDenyWriteExecute=yes is in force" bash -c "nsenter -t $leader -m -u -i -n -p -- systemctl show -p MemoryDenyWriteExecute --value cortex-llmd.service | grep -qx yes"
check "a system call filter is in force" bash -c "[ -n \"\$(nsenter -t $leader -m -u -i -n -p -- systemctl show -p SystemCallFilter --value cortex-llmd.service)\" ]"

echo "== journal"
inside journalctl -u cortex-llmd.service -o verbose --no-pager >"$work/journal.txt" 2>&1 || true
check "the journal has the daemon's information lines at priority 6" grep -q 'PRIORITY=6' "$work/journal.txt"
check "the '<6>' prefix was parsed, not printed" bash -c "! grep -q 'MESSAGE=<6>' '$work/journal.txt'"
check "the journal shows where it served" grep -q 'serving on' "$work/journal.txt"
check "no system call was refused (socket group applied, no EPERM)" bash -c "! grep -qE 'was not applied|Operation not permitted|SIGSYS' '$work/journal.txt'"
check "the service never crashed (no core dump, no signal exit)" bash -c "! grep -qE 'dumped core|status=(11|31)/|code=killed' '$work/journal.txt'"
if [ "$failures" -gt 0 ]; then
  sed 's/^/  journal: /' "$work/journal.txt" | tail -n 40
fi

inside systemctl poweroff >/dev/null 2>&1 || true
for _ in $(seq 1 100); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.1; done

if [ "$failures" -gt 0 ]; then
  fail "$failures check(s) failed"
fi
echo "booted-test: all checks passed"
