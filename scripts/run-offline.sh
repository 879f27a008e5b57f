#!/usr/bin/env bash
# Runs cortex-llmd in the foreground with the bundled offline config (mock providers only: no API
# keys, no network) on a user-level socket. Ctrl-C stops it.
#
# A JIT (framework-dependent) build, for quick iteration; what ships is the Native AOT build. Only the
# daemon is built, and only when a source file changed since the last build here: a start with
# nothing changed runs the built dll at once.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/socket-path.sh"

# Keep the demo's ledger with the user, not in /var/lib, whoever runs it.
export CORTEX_LLMD_LEDGER__PATH="${CORTEX_LLMD_LEDGER__PATH:-${XDG_STATE_HOME:-$HOME/.local/state}/cortex-llmd/ledger.db}"

project="$root/src/Daemon/Cortex.Llmd.csproj"
dll="$root/src/Daemon/bin/Release/net10.0/cortex-llmd.dll"
# Written after each successful build: MSBuild leaves the dll alone when nothing it compiles changed.
stamp="$root/src/Daemon/obj/run-offline.stamp"

changed_since_build() {
  [ -f "$dll" ] && [ -f "$stamp" ] || return 0
  local inputs=("$root/src/Daemon" "$root/src/Protos")
  local f
  for f in Directory.Build.props Directory.Packages.props global.json NuGet.config nuget.config; do
    [ -e "$root/$f" ] && inputs+=("$root/$f")
  done
  [ -n "$(find "${inputs[@]}" \( -name bin -o -name obj \) -prune -o -type f -newer "$stamp" -print -quit)" ]
}

if changed_since_build; then
  echo "cortex-llmd: building the daemon (JIT, Release)..." >&2
  dotnet build "$project" -c Release -v quiet -nologo >&2
  touch "$stamp"
fi

# Say "serving" only once the daemon has bound its socket, which it does after opening the ledger:
# a socket file that is new (another inode or change time than before the start). If the daemon
# exits first (exit 73: the socket is already served), say nothing; the daemon said why.
socket="$CORTEX_LLMD_SOCKET"
daemon_pid=$$
before="$(stat -c '%i %z' "$socket" 2>/dev/null || true)"
(
  for _ in $(seq 1 600); do
    kill -0 "$daemon_pid" 2>/dev/null || exit 0
    if [ -S "$socket" ] && [ "$(stat -c '%i %z' "$socket" 2>/dev/null || true)" != "$before" ]; then
      echo "cortex-llmd: serving on $socket; try: scripts/cortex-llm complete \"hello\"" >&2
      exit 0
    fi
    sleep 0.1
  done
) &

# exec keeps the daemon in the foreground under this pid, so Ctrl-C reaches it directly.
exec dotnet "$dll" --config "$root/src/Daemon/config/offline.json" --socket "$socket"
