#!/usr/bin/env bash
# The reliability soak: the tests of tests/Cortex.Llmd.Tests/Reliability (namespace
# Cortex.Llmd.Tests.Reliability) run longer than in CI. CORTEX_RELIABILITY_SCALE multiplies every
# count they take from ReliabilityScale.Of: 5 by default, so crash durability does 50 + 20 SIGKILL rounds
# (ledger durability crash + power) instead of CI's 10 + 4. Builds first; ends with a summary and exits non-zero when a test failed.
#   bench/soak.sh                              # scale 5
#   CORTEX_RELIABILITY_SCALE=20 bench/soak.sh  # longer
#   bench/soak.sh --filter-extra "FullyQualifiedName~CrashDurability"  # one check only
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

export CORTEX_RELIABILITY_SCALE="${CORTEX_RELIABILITY_SCALE:-5}"
filter="FullyQualifiedName~Cortex.Llmd.Tests.Reliability."
if [ "${1:-}" = "--filter-extra" ] && [ -n "${2:-}" ]; then
  filter="$filter&$2"
elif [ $# -gt 0 ]; then
  echo "usage: bench/soak.sh [--filter-extra EXPR]" >&2
  exit 64
fi

echo "soak: building (Release)"
dotnet build cortex-llmd.slnx -c Release -v quiet -nologo

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
start=$(date +%s)
echo "soak: reliability tests at scale $CORTEX_RELIABILITY_SCALE"
status=0
dotnet test tests/Cortex.Llmd.Tests -c Release --no-build -nologo --filter "$filter" \
  --logger "console;verbosity=normal" 2>&1 | tee "$log" || status=$?
elapsed=$(( $(date +%s) - start ))

count() { { grep -Eo "^ +$1: +[0-9]+" "$log" || true; } | awk '{s+=$2} END {print s+0}'; }
passed=$(count Passed)
failed=$(count Failed)
echo
echo "soak summary (scale $CORTEX_RELIABILITY_SCALE, ${elapsed}s):"
# What the tests themselves report through TestContext.Progress (rounds, answers, seeds).
{ grep -E "^(crash durability|fault matrix|protocol fuzz|connection flood|access|secrets)[: ]" "$log" || true; } | sed 's/^/  /'
{ grep -E "^ +Failed [A-Za-z_]" "$log" || true; } | sed 's/^ */  FAILED: /'
echo "  $passed passed, $failed failed"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
