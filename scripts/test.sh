#!/usr/bin/env bash
# Runs every test: installs what the interop tests need if it is missing, builds with warnings as
# errors, runs all NUnit suites, and ends with one "N passed, N failed" line.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash scripts/install-test-deps.sh
dotnet build cortex-llmd.slnx -c Release -v quiet -nologo

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
dotnet test cortex-llmd.slnx -c Release --no-build -v quiet -nologo \
  --logger "console;verbosity=normal" 2>&1 | tee "$log" || status=$?

# One plain summary line over every test assembly.
count() { { grep -Eo "^ +$1: +[0-9]+" "$log" || true; } | awk '{s+=$2} END {print s+0}'; }
passed=$(count Passed)
failed=$(count Failed)
skipped=$(count Skipped)
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
