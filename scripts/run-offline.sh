#!/usr/bin/env bash
# Builds cortex-llmd and runs it in the foreground with the bundled offline config (mock providers
# only: no API keys, no network) on a user-level socket. Ctrl-C stops it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/socket-path.sh"

# Keep the demo's ledger with the user, not in /var/lib, whoever runs it.
export CORTEX_LLMD_LEDGER__PATH="${CORTEX_LLMD_LEDGER__PATH:-${XDG_STATE_HOME:-$HOME/.local/state}/cortex-llmd/ledger.db}"

dotnet build "$root/cortex-llmd.slnx" -c Release -v quiet -nologo
echo "cortex-llmd: serving on $CORTEX_LLMD_SOCKET; try: scripts/cortex-llm complete \"hello\"" >&2
exec dotnet "$root/src/Daemon/bin/Release/net10.0/cortex-llmd.dll" \
  --config "$root/src/Daemon/config/offline.json" --socket "$CORTEX_LLMD_SOCKET"
