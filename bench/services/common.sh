# Shared by bench/services/*.sh: a private root, cleanup of voltd, services and their cgroups.
set -euo pipefail
VOLT=${VOLT:-$(cd "$(dirname "$0")/../.." && pwd)/out/volt}
W=$(mktemp -d /tmp/volt-svc-bench-XXXX)
export VOLT_ROOT=$W/root VOLT_COLOR=never
cleanup() {
  [ -f "$VOLT_ROOT/var/run/volt/volt.pid" ] && kill -9 "$(cat "$VOLT_ROOT/var/run/volt/volt.pid")" 2>/dev/null || true
  for f in "$VOLT_ROOT"/var/lib/volt/services/*/state.json; do
    [ -f "$f" ] || continue; p=$(grep -o '"pid": [0-9]*' "$f" | grep -o '[0-9]*$' || true); [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true
  done
  for p in $(cat "$W"/bare.pids 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
  sleep 0.3
  local h; h=volt-$(printf %s "$VOLT_ROOT" | sha256sum | cut -c1-12)
  for d in /sys/fs/cgroup/*/$h /sys/fs/cgroup/$h; do [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null; done
  rm -rf "$W" 2>/dev/null || true
}
trap cleanup EXIT
now() { date +%s%N; }
# Intervals are taken with bash's $EPOCHREALTIME (microseconds, no process): `$(now)` forked a subshell and exec'd
# date(1) inside every measured interval (~1 ms each, on both sides of a comparison).
p50() { sort -n | awk '{a[NR]=$1} END {if (NR == 0) print "NaN"; else print a[int((NR+1)/2)]/1e6}'; }
p50us() { sort -n | awk '{a[NR]=$1} END {if (NR == 0) print "NaN"; else print a[int((NR+1)/2)]/1e3}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "NaN" || b == "NaN" || b == 0) print "NaN"; else printf "%.2f", a/b }'; }
# Wait until /proc/PID/cmdline's argv[0] ends in NAME (the payload has exec'd), with builtins only: a grep per poll
# was a fork and an exec inside the measured interval (and matched "sleep" among the wrapper's own arguments).
# Fails after 10 s (a payload that never runs).
until_exec() {
  local pid=$1 name=$2 a end=$(( ${EPOCHREALTIME//[.,]/} + 10000000 ))
  while :; do
    a=; { read -r -d '' a < /proc/"$pid"/cmdline; } 2>/dev/null || true
    [[ $a == *"$name" ]] && return 0
    (( ${EPOCHREALTIME//[.,]/} < end )) || { echo "pid $pid never exec'd $name" >&2; return 1; }
  done
}
# The service's PID from its state.json with one read builtin (sets $pid): a read per line with a regex match each
# cost ~0.17 ms per start here, inside volt's interval (the bare side gets its PID from $! for free).
pid_of_service() {
  local j=
  IFS= read -r -d '' j < "$VOLT_ROOT/var/lib/volt/services/s/state.json" || true
  if [[ $j =~ \"pid\":\ ([0-9]+) ]]; then pid=${BASH_REMATCH[1]}; fi
}
