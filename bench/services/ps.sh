#!/usr/bin/env bash
# `volt ps` with 50 workloads of mixed kinds: 20 containers created from a busybox rootfs, 20 services of which 8 run,
# 10 tasks with RUNS runs of history each (`volt task run`); p50 of N runs (goal <= 20 ms). ps reads state files only:
# no voltd, no systemctl. Beside it, in the same run: `volt --version` (the process start-up floor) and CPU time
# (user+sys, from bash's `times` around the loop), which the load changes far less than wall time.
# Usage: bench/services/ps.sh   (root; VOLT=path/to/volt, N=30, RUNS=20)
. "$(dirname "$0")/common.sh"
N=${N:-30}; RUNS=${RUNS:-20}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)   ($(nproc) cores)"
R=$W/rootfs; mkdir -p $R/{bin,etc,tmp,proc,sys,dev}; cp /bin/busybox $R/bin/ 2>/dev/null || cp "$(command -v busybox)" $R/bin/
for a in sh sleep true; do ln -s busybox $R/bin/$a; done
for i in $(seq 1 20); do "$VOLT" container create "$R" --name c$i --network none -- /bin/sleep 1000 >/dev/null; done
for i in $(seq 1 20); do "$VOLT" service create s$i -- sleep 1000 >/dev/null; done
for i in $(seq 1 8); do "$VOLT" service start s$i >/dev/null; done
for i in $(seq 1 10); do "$VOLT" task create t$i --schedule daily -- true >/dev/null; done
for r in $(seq 1 "$RUNS"); do for i in $(seq 1 10); do "$VOLT" task run t$i >/dev/null; done; done
[ "$("$VOLT" ps | tail -n +2 | wc -l)" = 50 ] || { echo "expected 50 rows"; "$VOLT" ps; exit 1; }
"$VOLT" ps >/dev/null
cpu() { # user+sys of this shell's waited-for children so far, in ms (cutime + cstime of /proc/$$/stat: `times` in
  # the $(...) subshell this runs in counted the subshell's own children, none, and printed 0.0 always)
  local st; read -ra st < /proc/$$/stat
  awk -v t=$(( st[15] + st[16] )) -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t * 1000 / hz }'; }
runs=(); vers=(); c0=$(cpu)
for i in $(seq 1 "$N"); do s=${EPOCHREALTIME//[.,]/}; "$VOLT" ps >/dev/null; runs+=($(( ${EPOCHREALTIME//[.,]/} - s ))); done
c1=$(cpu)
for i in $(seq 1 "$N"); do s=${EPOCHREALTIME//[.,]/}; "$VOLT" --version >/dev/null; vers+=($(( ${EPOCHREALTIME//[.,]/} - s ))); done
c2=$(cpu)
ps50=$(printf '%s\n' "${runs[@]}" | p50us); v50=$(printf '%s\n' "${vers[@]}" | p50us)
echo "volt ps, 50 workloads (20 containers, 20 services (8 running), 10 tasks x $RUNS runs), p50 of $N: ${ps50} ms (goal <= 20 ms)"
echo "volt --version (start-up floor), p50 of $N: ${v50} ms"
echo "CPU (user+sys) per run: ps $(awk -v a="$c0" -v b="$c1" -v n="$N" 'BEGIN { printf "%.1f", (b - a) / n }') ms, --version $(awk -v a="$c1" -v b="$c2" -v n="$N" 'BEGIN { printf "%.1f", (b - a) / n }') ms"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
