#!/usr/bin/env bash
# Samples a running daemon's CPU with perf and splits it by concern (categorize.py).
#   bash bench/profile/profile.sh PID [SECONDS] [OUT.data]
# Start the daemon (JIT build) with DOTNET_PerfMapEnabled=1 and DOTNET_EnableWriteXorExecute=0 so
# perf can name JIT-compiled methods, put it under load, then run this. perf's hardware counters are
# not needed: cpu-clock sampling works on virtual machines without a PMU.
set -euo pipefail
pid="$1"
seconds="${2:-10}"
out="${3:-/tmp/cortex-llmd-profile.data}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
command -v perf >/dev/null || { echo "profile.sh: perf is missing (apt-get install linux-perf)" >&2; exit 2; }
perf record -q -e cpu-clock -F 1999 -g -p "$pid" -o "$out" -- sleep "$seconds" >/dev/null 2>&1
perf script -i "$out" 2>/dev/null | python3 "$here/categorize.py"
