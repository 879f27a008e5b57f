#!/usr/bin/env bash
# Checks the shipped units: `systemd-analyze verify` must print nothing on stderr, and the service's
# `systemd-analyze security --offline=true` exposure must be <= 2.0. The daemon binary is not
# installed where CI runs, so verify runs on temp copies whose ExecStart= points at /bin/true (every
# other line is checked as shipped). Exit 0 only when both checks pass; prints the score.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
max_score="${MAX_EXPOSURE:-2.0}"

if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "verify-units: systemd-analyze is missing (apt-get install systemd)" >&2
  exit 2
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp "$root/cortex-llmd.service" "$root/cortex-llmd.socket" "$root/cortex-llmd-openai.socket" "$tmp/"
sed -i 's|^ExecStart=[^ ]*|ExecStart=/bin/true|' "$tmp/cortex-llmd.service"

status=0
if ! systemd-analyze verify "$tmp/cortex-llmd.service" "$tmp/cortex-llmd.socket" "$tmp/cortex-llmd-openai.socket" >"$tmp/verify.out" 2>"$tmp/verify.err"; then
  echo "verify-units: systemd-analyze verify failed" >&2
  status=1
fi
if [ -s "$tmp/verify.err" ]; then
  echo "verify-units: systemd-analyze verify printed on stderr:" >&2
  cat "$tmp/verify.err" >&2
  status=1
fi

security="$(systemd-analyze security --offline=true --no-pager "$root/cortex-llmd.service" 2>&1 || true)"
score="$(printf '%s\n' "$security" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' | tail -n1)"
if [ -z "$score" ]; then
  echo "verify-units: no exposure score in systemd-analyze security output:" >&2
  printf '%s\n' "$security" >&2
  exit 1
fi
echo "exposure score: $score (max $max_score)"
if ! awk -v s="$score" -v m="$max_score" 'BEGIN { exit !(s <= m) }'; then
  echo "verify-units: exposure $score is above $max_score" >&2
  printf '%s\n' "$security" | grep '✗' >&2 || true
  status=1
fi

[ "$status" -eq 0 ] && echo "verify-units: ok"
exit "$status"
