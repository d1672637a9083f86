#!/usr/bin/env bash
# A/B of `volt service start` between two volt binaries (before/after a change), interleaved in one run: each binary
# has its own root and warm voltd, and every iteration starts (and stops) the service once with each, then times a
# bare `setsid sleep &` as in start.sh. The machine's drift between two separate start.sh runs (the same binary's p50
# moves by 1–2 ms minutes apart on these VMs) is larger than most changes; alternating cancels it.
# Usage: bench/services/start-ab.sh BEFORE_VOLT AFTER_VOLT   (root; N=200)
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 BEFORE_VOLT AFTER_VOLT" >&2; exit 2; }
A=$1; B=$2; N=${N:-200}
W=$(mktemp -d /tmp/volt-svc-ab-XXXX)
export VOLT_COLOR=never
bin() { [ "$1" = a ] && echo "$A" || echo "$B"; }
root() { echo "$W/$1/root"; }
cleanup() {
  local x f p h d
  for x in a b; do
    f=$(root $x)/var/run/volt/volt.pid; [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null || true
    f=$(root $x)/var/lib/volt/services/s/state.json
    if [ -f "$f" ]; then p=$(grep -o '"pid": [0-9]*' "$f" | grep -o '[0-9]*$' || true); [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true; fi
  done
  for p in $(cat "$W"/bare.pids 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
  sleep 0.3
  for x in a b; do
    h=volt-$(printf %s "$(root $x)" | sha256sum | cut -c1-12)
    for d in /sys/fs/cgroup/*/$h /sys/fs/cgroup/$h; do [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null; done
  done
  rm -rf "$W" 2>/dev/null || true
}
trap cleanup EXIT
for x in a b; do
  VOLT_ROOT=$(root $x) "$(bin $x)" service create s -- sleep 1000 >/dev/null
  VOLT_ROOT=$(root $x) "$(bin $x)" service start s >/dev/null && VOLT_ROOT=$(root $x) "$(bin $x)" service stop s >/dev/null
done
sleep 2.2 # the default profile settles (start.sh says why)
until_exec() {
  local pid=$1 a end=$(( ${EPOCHREALTIME//[.,]/} + 10000000 ))
  while :; do
    a=; { read -r -d '' a < /proc/"$pid"/cmdline; } 2>/dev/null || true
    [[ $a == *sleep ]] && return 0
    (( ${EPOCHREALTIME//[.,]/} < end )) || { echo "pid $pid never exec'd sleep" >&2; return 1; }
  done
}
# The service's PID from its state.json with one read builtin (sets $pid): a read per line with a regex match each
# cost ~0.17 ms per start here, inside volt's interval (the bare side gets its PID from $! for free).
pid_of_service() {
  local j=
  IFS= read -r -d '' j < "$VOLT_ROOT/var/lib/volt/services/s/state.json" || true
  if [[ $j =~ \"pid\":\ ([0-9]+) ]]; then pid=${BASH_REMATCH[1]}; fi
}
one() { # a|b: one start until the payload runs, in µs; then its stop
  local v; v=$(bin "$1"); export VOLT_ROOT; VOLT_ROOT=$(root "$1")
  local s=${EPOCHREALTIME//[.,]/} pid= l
  "$v" service start s >/dev/null
  pid_of_service
  until_exec "$pid"; echo $(( ${EPOCHREALTIME//[.,]/} - s ))
  "$v" service stop s >/dev/null
}
ra=(); rb=(); rs=()
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)   ($(nproc) cores), N=$N"
for i in $(seq "$N"); do
  ra+=("$(one a)"); rb+=("$(one b)")
  s=${EPOCHREALTIME//[.,]/}; setsid sleep 1000 </dev/null >/dev/null 2>&1 & p=$!
  until_exec $p; rs+=($(( ${EPOCHREALTIME//[.,]/} - s ))); echo $p >> "$W/bare.pids"; kill -9 $p 2>/dev/null || true; wait $p 2>/dev/null || true
done
q() { sort -n | awk -v q="$1" '{a[NR]=$1} END {i=int(NR*q+0.5); if (i<1) i=1; print a[i]/1e3}'; }
row() { printf '%-8s p25 %7s  p50 %7s  p75 %7s ms\n' "$1" "$(printf '%s\n' "${@:2}" | q 0.25)" "$(printf '%s\n' "${@:2}" | q 0.5)" "$(printf '%s\n' "${@:2}" | q 0.75)"; }
row before "${ra[@]}"; row after "${rb[@]}"; row "bare" "${rs[@]}"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
