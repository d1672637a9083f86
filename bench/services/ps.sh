#!/usr/bin/env bash
# `volt ps` with 50 workloads of mixed kinds (25 containers created from a busybox rootfs, 25 services of which 10
# run): p50 of N runs (goal <= 20 ms). ps reads state files only: no voltd, no systemctl.
# Usage: bench/services/ps.sh   (root; VOLT=path/to/volt, N=30)
. "$(dirname "$0")/common.sh"
N=${N:-30}
R=$W/rootfs; mkdir -p $R/{bin,etc,tmp,proc,sys,dev}; cp /bin/busybox $R/bin/ 2>/dev/null || cp "$(command -v busybox)" $R/bin/
for a in sh sleep; do ln -s busybox $R/bin/$a; done
for i in $(seq 1 25); do "$VOLT" container create "$R" --name c$i -- /bin/sleep 1000 >/dev/null; done
for i in $(seq 1 25); do "$VOLT" service create s$i -- sleep 1000 >/dev/null; done
for i in $(seq 1 10); do "$VOLT" service start s$i >/dev/null; done
[ "$("$VOLT" ps | tail -n +2 | wc -l)" = 50 ] || { echo "expected 50 rows"; "$VOLT" ps; exit 1; }
"$VOLT" ps >/dev/null
runs=(); for i in $(seq 1 "$N"); do s=$(now); "$VOLT" ps >/dev/null; runs+=($(( $(now) - s ))); done
echo "volt ps, 50 workloads (25 containers, 25 services, 10 running), p50 of $N: $(printf '%s\n' "${runs[@]}" | p50) ms (goal <= 20 ms)"
