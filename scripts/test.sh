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
passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -Eo 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
