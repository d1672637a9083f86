#!/usr/bin/env bash
# Container start: create+start to "PID 1 running" for N containers on one busybox rootfs —
# volt (voltd) vs bare systemd-nspawn vs podman run (vfs, private --root); then P in parallel; volt ps with 50.
# Usage: bench/containers/run.sh [VOLT_BINARY]   (root; needs systemd-container, busybox-static, podman)
set -euo pipefail
VOLT=${1:-$(cd "$(dirname "$0")/../.." && pwd)/out/volt}
N=${N:-20}; P=${P:-16}; PS_N=${PS_N:-50}
W=$(mktemp -d /tmp/volt-bench-XXXX)
export VOLT_ROOT=$W/root VOLT_COLOR=never
cleanup() {
  [ -f "$VOLT_ROOT/var/run/volt/volt.pid" ] && kill "$(cat "$VOLT_ROOT/var/run/volt/volt.pid")" 2>/dev/null || true
  sleep 1; for m in $(awk '{print $5}' /proc/self/mountinfo | grep "^$W/" | sort -r); do umount -l "$m" 2>/dev/null || true; done
  podman --root "$W/podman" --runroot "$W/podman-run" --storage-driver vfs rm -af >/dev/null 2>&1 || true
  local h; h=volt-$(printf %s "$VOLT_ROOT" | sha256sum | cut -c1-12)
  for d in /sys/fs/cgroup/*/$h; do [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null; done
  rm -rf "$W" 2>/dev/null || true
}
trap cleanup EXIT
R=$W/rootfs; mkdir -p $R/{bin,etc,tmp,proc,sys,dev,usr/bin}; cp /bin/busybox $R/bin/
for a in sh sleep echo true; do ln -s busybox $R/bin/$a; done
echo 'root:x:0:0:root:/root:/bin/sh' > $R/etc/passwd; echo 'root:x:0:' > $R/etc/group
now() { date +%s%N; }
p50() { sort -n | awk '{a[NR]=$1} END {if (NR == 0) print "NaN"; else print a[int((NR+1)/2)]/1e6}'; }
wait_pid1() { # wait until PID $1 has a child in another pid namespace
  local p=$1 own; own=$(readlink /proc/$p/ns/pid)
  for _ in $(seq 1 2000); do for c in $(cat /proc/$p/task/*/children 2>/dev/null); do
    [ "$(readlink /proc/$c/ns/pid 2>/dev/null)" != "$own" ] && [ -n "$(readlink /proc/$c/ns/pid 2>/dev/null)" ] && return 0; done; sleep 0.001; done; return 1; }

"$VOLT" daemon >/dev/null 2>&1 & sleep 0.5   # warm voltd
volt_one() { local s; s=$(now); "$VOLT" run -d --name "$1" "$R" sleep 600 >/dev/null; echo $(( $(now) - s )); }
# NSPAWN_EXTRA: extra nspawn flags for the bare column (volt's default is the host user namespace; --userns private
# adds --private-users=pick, which chowns the overlay, i.e. copies every file, under a host-wide lock).
nspawn_one() { local s d=$W/ns-$1; mkdir -p $d/u $d/w $d/r
  mount -t overlay overlay -o lowerdir=$R,upperdir=$d/u,workdir=$d/w $d/r; s=$(now)
  systemd-nspawn --register=no --keep-unit --quiet -D $d/r -M "$1" --private-network ${NSPAWN_EXTRA:-} --as-pid2 --pipe -- /bin/sleep 600 </dev/null >/dev/null 2>&1 &
  wait_pid1 $!; echo $(( $(now) - s )); echo $! >> $W/nspawn.pids; }
# On a hybrid cgroup host crun refuses to run (MACHINE.md); a failed podman run prints its error and counts as NaN.
podman_one() { local s; s=$(now); podman --root "$W/podman" --runroot "$W/podman-run" --storage-driver vfs run -d --rm --name "$1" \
  --network none --rootfs "$R" /bin/sleep 600 >/dev/null && echo $(( $(now) - s )) || true; }

echo "serial, $N each (ms to PID 1 running):"
v=$(for i in $(seq 1 $N); do volt_one v$i; done | p50)
n=$(for i in $(seq 1 $N); do nspawn_one n$i; done | p50)
if command -v podman >/dev/null; then pm=$(for i in $(seq 1 $N); do podman_one p$i; done | p50); else pm=NaN; fi
echo "  volt p50 ${v} ms   nspawn p50 ${n} ms   podman p50 ${pm} ms"
awk -v v=$v -v n=$n -v p=$pm 'BEGIN { printf "  volt/nspawn %.2fx (goal <= 1.2)   volt/podman %.2fx (goal < 1)\n", v/n, v/p }'


echo "parallel, $P volt starts at once:"
par=$(for i in $(seq 1 $P); do volt_one q$i & done | p50)
awk -v a=$par -v s=$v 'BEGIN { printf "  p50 %.1f ms = %.2fx serial p50 (goal <= 2)\n", a, a/s }'
npar=$(for i in $(seq 1 $P); do nspawn_one r$i & done | p50)
awk -v a=$npar -v s=$n 'BEGIN { printf "  %d bare nspawns at once: p50 %.1f ms = %.2fx their serial p50 (the host'"'"'s own parallel cost)\n", '$P', a, a/s }'

for i in $(seq 1 $((PS_N - N - P))); do "$VOLT" container create "$R" --name ps$i -- /bin/true >/dev/null; done
"$VOLT" ps >/dev/null
t=$( { for i in 1 2 3 4 5 6 7 8 9 10; do s=$(now); "$VOLT" ps >/dev/null; echo $(( $(now) - s )); done; } | p50)
echo "volt ps with $("$VOLT" ps -o json | grep -c '"name"') containers: p50 ${t} ms (goal <= 20)"
for p in $(cat $W/nspawn.pids 2>/dev/null); do kill $p 2>/dev/null || true; done
for n in $("$VOLT" ps -o json | grep '"name"' | cut -d'"' -f4); do "$VOLT" container rm -f "$n" >/dev/null 2>&1 || true; done
