#!/usr/bin/env bash
# Task start latency under voltd: a task due every 2 s (`*:*:0/2`) against its due times, N runs (default 30).
#   recorded: the run's recorded start minus its due time (history, `volt task history -o json` delay_ms): the bar,
#             p99 <= 50 ms (issue 11)
#   command:  when the command itself ran (`date +%s%N` inside it) minus the due time: what a user's command sees,
#             ServiceLauncher's bash wrapper, cgroup join and exec included
#   anchor:   a bash loop that sleeps to the same due times and forks the same `date` command: the floor any
#             scheduler on this machine has (timer wake-up + fork/exec)
# Usage: bench/services/task-latency.sh [VOLT_BINARY]   (root: task runs get cgroups)
set -euo pipefail
VOLT=${1:-$(cd "$(dirname "$0")/../.." && pwd)/out/volt}
N=${N:-30}
W=$(mktemp -d /tmp/volt-bench-task-XXXX)
export VOLT_ROOT=$W/root VOLT_COLOR=never
cleanup() {
  "$VOLT" task delete lat >/dev/null 2>&1 || true
  [ -f "$VOLT_ROOT/var/run/volt/volt.pid" ] && kill "$(cat "$VOLT_ROOT/var/run/volt/volt.pid")" 2>/dev/null || true
  sleep 0.5
  local h; h=volt-$(printf %s "$VOLT_ROOT" | sha256sum | cut -c1-12)
  for d in /sys/fs/cgroup/*/$h /sys/fs/cgroup/$h; do [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null; done
  rm -rf "$W" 2>/dev/null || true
}
trap cleanup EXIT
stats() { sort -n | awk '{a[NR]=$1} END { if (NR == 0) { print "n=0"; exit }
  i99 = int(NR*0.99 + 0.999); if (i99 > NR) i99 = NR
  printf "n=%d  p50 %.2f ms  p99 %.2f ms  max %.2f ms\n", NR, a[int((NR+1)/2)], a[i99], a[NR] }'; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)   ($(nproc) cores)"
"$VOLT" task create lat --schedule '*:*:0/2' -- /bin/sh -c "date +%s%N >> $W/ran" >/dev/null
# The first run may be a partial interval after voltd's start: take N runs after it.
want=$((N + 1))
until [ "$("$VOLT" task history lat -o json | grep -c '"result": "success"')" -ge $want ]; do sleep 1; done
"$VOLT" task disable lat >/dev/null
json=$("$VOLT" task history lat -o json)

echo "recorded start - due (voltd's scheduler), $N runs:"
printf '%s\n' "$json" | grep '"delay_ms"' | tail -n $N | sed 's/[^0-9.]//g' | stats
echo "command's own start - due, $N runs:"
# due times of the same runs, in ns: each run's due second (even) from the history; the command stamped itself.
dues=$(printf '%s\n' "$json" | grep '"due"' | tail -n $N | sed 's/.*"due": "\(.*\)".*/\1/')
paste <(printf '%s\n' "$dues" | while read -r d; do date -d "$d" +%s%N; done) <(tail -n $N $W/ran) \
  | awk '{ printf "%.3f\n", ($2 - $1) / 1e6 }' | stats

echo "anchor: bash sleep-to-due + fork of the same date command, $N runs:"
for _ in $(seq 1 $N); do
  now=$(date +%s%N); due=$(( (now / 2000000000 + 1) * 2000000000 ))
  sleep "$(awk -v d=$((due - now)) 'BEGIN { printf "%.9f", d / 1e9 }')"
  ran=$(/bin/sh -c 'date +%s%N')
  awk -v r=$ran -v d=$due 'BEGIN { printf "%.3f\n", (r - d) / 1e6 }'
done | stats
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
