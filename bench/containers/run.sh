#!/usr/bin/env bash
# Container start, volt against two anchors in the same run: bare systemd-nspawn (the same command line volt runs) and
# podman (runc, overlay, a private --root/--runroot, the same busybox rootfs imported as an image).
#   1. `run --rm … true`, serial: whole lifecycle (create, start, exit, delete)
#   2. `run -d` to "PID 1 running", serial
#   3. P `run -d` at once (volt vs podman vs bare nspawn)
#   4. `volt ps` with PS_N containers
# Usage: bench/containers/run.sh [VOLT_BINARY]   (root; needs systemd-container, busybox-static, podman, runc)
# Podman runs here only as `--runtime runc --cgroup-manager cgroupfs --ulimit nofile=1024:1024 --ulimit nproc=1024:1024`
# (crun refuses hybrid cgroups; default rlimits cannot be raised without CAP_SYS_RESOURCE: see docs/containers.md).
set -euo pipefail
VOLT=${1:-$(cd "$(dirname "$0")/../.." && pwd)/out/volt}
N=${N:-20}; P=${P:-16}; PS_N=${PS_N:-50}
W=$(mktemp -d /tmp/volt-bench-XXXX)
export VOLT_ROOT=$W/root VOLT_COLOR=never
PM=(podman --root "$W/podman" --runroot "$W/podman-run" --storage-driver overlay --runtime runc --cgroup-manager cgroupfs)
PM_RUN=(--network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
IMG=localhost/volt-bench-busybox:1
HAVE_PODMAN=0; command -v podman >/dev/null && command -v runc >/dev/null && HAVE_PODMAN=1
cleanup() {
  [ -f "$VOLT_ROOT/var/run/volt/volt.pid" ] && kill "$(cat "$VOLT_ROOT/var/run/volt/volt.pid")" 2>/dev/null || true
  if [ $HAVE_PODMAN = 1 ]; then
    "${PM[@]}" rm -af -t 0 >/dev/null 2>&1 || true
    "${PM[@]}" system reset -f >/dev/null 2>&1 || true
  fi
  for p in $(cat $W/nspawn.pids 2>/dev/null); do kill -9 $p 2>/dev/null || true; done
  sleep 1; for m in $(awk '{print $5}' /proc/self/mountinfo | grep "^$W/" | sort -r); do umount -l "$m" 2>/dev/null || true; done
  local h; h=volt-$(printf %s "$VOLT_ROOT" | sha256sum | cut -c1-12)
  for d in /sys/fs/cgroup/*/$h; do [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null; done
  # podman's cgroupfs parent (and its conmon group): only groups left empty are removed
  for d in /sys/fs/cgroup/*/libpod_parent; do [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null; done
  rm -rf "$W" 2>/dev/null || true
}
trap cleanup EXIT
R=$W/rootfs; mkdir -p $R/{bin,etc,tmp,proc,sys,dev,usr/bin}; cp /bin/busybox $R/bin/
for a in sh sleep echo true; do ln -s busybox $R/bin/$a; done
echo 'root:x:0:0:root:/root:/bin/sh' > $R/etc/passwd; echo 'root:x:0:' > $R/etc/group
now() { date +%s%N; }
p50() { sort -n | awk '{a[NR]=$1} END {if (NR == 0) print "NaN"; else print a[int((NR+1)/2)]/1e6}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "NaN" || b == "NaN" || b == 0) print "NaN"; else printf "%.2f", a/b }'; }
wait_pid1() { # wait until PID $1 has a child in another pid namespace
  local p=$1 own; own=$(readlink /proc/$p/ns/pid)
  for _ in $(seq 1 2000); do for c in $(cat /proc/$p/task/*/children 2>/dev/null); do
    [ "$(readlink /proc/$c/ns/pid 2>/dev/null)" != "$own" ] && [ -n "$(readlink /proc/$c/ns/pid 2>/dev/null)" ] && return 0; done; sleep 0.001; done; return 1; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)   ($(nproc) cores)"
"$VOLT" daemon >/dev/null 2>&1 & sleep 0.5   # warm voltd
if [ $HAVE_PODMAN = 1 ]; then
  tar -C "$R" -c . | "${PM[@]}" import - "$IMG" >/dev/null
  "${PM[@]}" run --rm "${PM_RUN[@]}" "$IMG" /bin/true   # warm podman's storage and runtime
fi

# 1. run --rm … true (whole lifecycle)
volt_rm() { local s; s=$(now); "$VOLT" run --rm --network none "$R" /bin/true >/dev/null; echo $(( $(now) - s )); }
nspawn_rm() { local s d=$W/nsrm-$1; s=$(now); mkdir -p $d/u $d/w $d/r
  mount -t overlay overlay -o lowerdir=$R,upperdir=$d/u,workdir=$d/w $d/r
  systemd-nspawn --register=no --keep-unit --quiet -D $d/r -M "$1" --private-network ${NSPAWN_EXTRA:-} --as-pid2 --pipe -- /bin/true </dev/null >/dev/null 2>&1
  umount $d/r; rm -rf $d; echo $(( $(now) - s )); }
podman_rm() { local s; s=$(now); "${PM[@]}" run --rm "${PM_RUN[@]}" "$IMG" /bin/true >/dev/null && echo $(( $(now) - s )) || true; }

# 2. run -d to PID 1 running
volt_one() { local s; s=$(now); "$VOLT" run -d --name "$1" --network none "$R" sleep 600 >/dev/null; echo $(( $(now) - s )); }
# NSPAWN_EXTRA: extra nspawn flags for the bare column (volt's default is the host user namespace; --userns private
# adds --private-users=pick, which chowns the overlay, i.e. copies every file, under a host-wide lock).
nspawn_one() { local s d=$W/ns-$1; mkdir -p $d/u $d/w $d/r
  mount -t overlay overlay -o lowerdir=$R,upperdir=$d/u,workdir=$d/w $d/r; s=$(now)
  systemd-nspawn --register=no --keep-unit --quiet -D $d/r -M "$1" --private-network ${NSPAWN_EXTRA:-} --as-pid2 --pipe -- /bin/sleep 600 </dev/null >/dev/null 2>&1 &
  wait_pid1 $!; echo $(( $(now) - s )); echo $! >> $W/nspawn.pids; }
# podman run -d returns once runc has started the container's PID 1.
podman_one() { local s; s=$(now); "${PM[@]}" run -d "${PM_RUN[@]}" --name "$1" "$IMG" /bin/sleep 600 >/dev/null && echo $(( $(now) - s )) || true; }

# Serial rows interleave volt, bare nspawn and podman run by run: on a shared machine the load changes within seconds,
# and blocks of N runs each would give each column a different machine.
echo "1. run --rm … true, serial, $N each, interleaved (ms, whole lifecycle):"
: > $W/vr; : > $W/nr; : > $W/pr
for i in $(seq 1 $N); do
  volt_rm >> $W/vr; nspawn_rm m$i >> $W/nr
  if [ $HAVE_PODMAN = 1 ]; then podman_rm >> $W/pr; fi
done
vr=$(p50 < $W/vr); nr=$(p50 < $W/nr); pr=$(p50 < $W/pr)
echo "  volt p50 ${vr} ms   bare nspawn p50 ${nr} ms   podman p50 ${pr} ms"
echo "  volt/podman $(ratio $vr $pr) (goal <= 0.5)   volt/nspawn $(ratio $vr $nr)"

echo "2. run -d to PID 1 running, serial, $N each, interleaved (ms):"
: > $W/v; : > $W/n; : > $W/pm
for i in $(seq 1 $N); do
  volt_one v$i >> $W/v; nspawn_one n$i >> $W/n
  if [ $HAVE_PODMAN = 1 ]; then podman_one p$i >> $W/pm; fi
done
v=$(p50 < $W/v); n=$(p50 < $W/n); pm=$(p50 < $W/pm)
echo "  volt p50 ${v} ms   bare nspawn p50 ${n} ms   podman p50 ${pm} ms"
echo "  volt/podman $(ratio $v $pm) (goal <= 0.5)   volt/nspawn $(ratio $v $n) (goal <= 1.2)"

echo "3. $P run -d at once (ms, p50 of the $P):"
par=$(for i in $(seq 1 $P); do volt_one q$i & done | p50)
if [ $HAVE_PODMAN = 1 ]; then ppar=$(for i in $(seq 1 $P); do podman_one pq$i & done | p50); else ppar=NaN; fi
npar=$(for i in $(seq 1 $P); do nspawn_one r$i & done | p50)
echo "  volt p50 ${par} ms ($(ratio $par $v)x its serial)   podman p50 ${ppar} ms ($(ratio $ppar $pm)x)   bare nspawn p50 ${npar} ms ($(ratio $npar $n)x)"
echo "  volt/podman $(ratio $par $ppar) (goal <= 0.5)   volt/nspawn $(ratio $par $npar)"

for i in $(seq 1 $((PS_N - N - P))); do "$VOLT" container create "$R" --name ps$i --network none -- /bin/true >/dev/null; done
"$VOLT" ps >/dev/null
t=$( { for i in 1 2 3 4 5 6 7 8 9 10; do s=$(now); "$VOLT" ps >/dev/null; echo $(( $(now) - s )); done; } | p50)
echo "4. volt ps with $("$VOLT" ps -o json | grep -c '"name"') containers: p50 ${t} ms (goal <= 20)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
for p in $(cat $W/nspawn.pids 2>/dev/null); do kill $p 2>/dev/null || true; done
for n in $("$VOLT" ps -o json | grep '"name"' | cut -d'"' -f4); do "$VOLT" container rm -f "$n" >/dev/null 2>&1 || true; done
