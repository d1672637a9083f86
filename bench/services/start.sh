#!/usr/bin/env bash
# `volt service start NAME` until the service's process runs, against a bare `setsid CMD &` from this shell, side by
# side in one run (alternating, N rounds each). voltd is warm (the CLI would start it on demand the first time).
# Usage: bench/services/start.sh   (root; VOLT=path/to/volt, N=20)
. "$(dirname "$0")/common.sh"
N=${N:-20}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)   ($(nproc) cores)"
"$VOLT" service create s -- sleep 1000 >/dev/null
"$VOLT" service start s >/dev/null && "$VOLT" service stop s >/dev/null   # voltd up, caches warm
runs_volt=(); runs_bare=()
for i in $(seq 1 "$N"); do
  s=$(now); "$VOLT" service start s >/dev/null
  pid=$(grep -o '"pid": [0-9]*' "$VOLT_ROOT/var/lib/volt/services/s/state.json" | grep -o '[0-9]*$')
  until grep -q 'sleep' /proc/"$pid"/cmdline 2>/dev/null; do :; done   # the payload has exec'd
  runs_volt+=($(( $(now) - s )))
  "$VOLT" service stop s >/dev/null
  s=$(now); setsid sleep 1000 </dev/null >/dev/null 2>&1 & p=$!; echo $p >> "$W/bare.pids"
  until grep -q 'sleep' /proc/"$p"/cmdline 2>/dev/null; do :; done
  runs_bare+=($(( $(now) - s ))); kill -9 $p 2>/dev/null || true
done
v=$(printf '%s\n' "${runs_volt[@]}" | p50); b=$(printf '%s\n' "${runs_bare[@]}" | p50)
echo "service start until running, p50 of $N: volt ${v} ms   bare setsid ${b} ms   ratio $(ratio "$v" "$b")x (goal <= 2x)"
