#!/usr/bin/env bash
# Soak: 10 identical rounds of mixed malformed traffic (the fuzz generator of tests/Volt.Registry.Tests, same seed
# every round) against `out/volt registry serve` on 127.0.0.1; prints VmRSS and Threads (/proc/PID/status) after
# each round. The test behind it (SoakTests) fails unless round 10 is within 10 % (at least 8 MiB) of the largest of rounds 4-6.
# Usage: bench/registry/soak.sh          (needs out/volt: dotnet publish src/Volt -c Release -o out)
# Env:   REQUESTS=300 (per round)
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
VOLT="${VOLT:-$REPO_ROOT/out/volt}"
[ -x "$VOLT" ] || { echo "missing $VOLT: run 'dotnet publish src/Volt -c Release -o out' first" >&2; exit 10; }
REPORT="$(mktemp /tmp/volt-registry-soak.XXXXXX)"
trap 'rm -f "$REPORT"' EXIT
cd "$REPO_ROOT"
dotnet build tests/Volt.Registry.Tests -c Release >/dev/null
VOLT_TEST_BINARY="$VOLT" VOLT_SOAK_REQUESTS="${REQUESTS:-300}" VOLT_SOAK_REPORT="$REPORT" \
  dotnet test --project tests/Volt.Registry.Tests -c Release --no-build -- --filter-class "*SoakTests" >/dev/null || status=$?
cat "$REPORT"
exit "${status:-0}"
