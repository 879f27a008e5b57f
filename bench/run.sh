#!/usr/bin/env bash
# The side-by-side benchmark (bench/README.md): builds the daemon and the bench (Release), installs
# Portkey's gateway from bench/portkey's lockfile when missing, runs every phase and writes
# bench/results/latest.md (also printed to stdout; progress goes to stderr).
#   bash bench/run.sh            # full mode: 20,000 calls per level, 1,000,000-call RSS run (~15-25 min)
#   bash bench/run.sh --quick    # development: 2,000 calls per level, 20,000-call RSS run (~3 min)
#   bash bench/run.sh --durability power   # writes ledger.durability into the daemon's config
# Every other option is passed on to the bench; `--help` lists them. A Native AOT daemon is used when
# one is found (CORTEX_AOT_BINARY, or `dotnet publish src/Daemon -c Release -r linux-x64`'s output).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

echo "bench: building the daemon and the bench (Release)" >&2
dotnet build src/Daemon/Cortex.Llmd.csproj -c Release -v quiet -nologo >&2
dotnet build bench/Cortex.Llmd.Bench/Cortex.Llmd.Bench.csproj -c Release -v quiet -nologo >&2

if [ ! -f bench/portkey/node_modules/@portkey-ai/gateway/build/start-server.js ]; then
  if command -v npm >/dev/null; then
    echo "bench: installing Portkey's gateway (npm ci in bench/portkey)" >&2
    (cd bench/portkey && npm ci --no-audit --no-fund >&2) || echo "bench: npm ci failed; Portkey's rows will be n/a" >&2
  else
    echo "bench: npm not found; Portkey's rows will be n/a" >&2
  fi
fi

start=$(date +%s)
status=0
dotnet bench/Cortex.Llmd.Bench/bin/Release/net10.0/Cortex.Llmd.Bench.dll "$@" || status=$?
echo "bench: finished in $(( $(date +%s) - start )) s (exit $status)" >&2
exit "$status"
