#!/usr/bin/env bash
# VM start latency, VMM memory overhead and density: `volt vm start` to the guest's first userspace line on the
# serial console vs bare qemu-system-x86_64 started by hand with the identical kernel, initramfs, disk and flags
# (the ExecStart of the unit Volt rendered), in one run; then 8 VMs at once vs one.
# Usage: sudo bench/vms/run.sh [path/to/volt]   (needs qemu-system-x86, qemu-utils, e2fsprogs, busybox-static, apt)
set -euo pipefail
VOLT=${1:-${VOLT:-$(pwd)/out/volt}}
ROUNDS=${ROUNDS:-3}
N=${N:-8}
MARK=VOLT-GUEST-READY
root=$(mktemp -d /tmp/vbench-XXXX)
export VOLT_ROOT=$root VOLT_KERNEL_CACHE=${VOLT_KERNEL_CACHE:-/var/cache/volt-test/kernels}
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  "$VOLT" daemon stop >/dev/null 2>&1 || true
  [ -f "$root/var/run/volt/volt.pid" ] && kill "$(cat "$root/var/run/volt/volt.pid")" 2>/dev/null || true
  rm -rf "$root"
}
trap cleanup EXIT
now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }
wait_mark() { # file, count before → waits for one more marker line
  local f=$1 before=$2
  for _ in $(seq 1 6000); do
    [ -f "$f" ] && [ "$(grep -c "$MARK" "$f" 2>/dev/null || true)" -gt "$before" ] && return 0
    sleep 0.01
  done; echo "timeout waiting for $MARK in $f" >&2; return 1
}
count() { grep -c "$MARK" "$1" 2>/dev/null || echo 0; }
# QEMU's resident memory by kind, from /proc/PID/smaps (KiB): total, guest RAM (the anonymous rw mapping of the
# guest's size), TCG's translation cache (the executable anonymous code buffer, ≥ 32 MiB), file-backed (QEMU and its
# libraries: RSS and PSS), and the rest of the anonymous memory (QEMU's heap, thread stacks, device state).
mem_breakdown() { # pid, guest memory KiB
  awk -v mem="$2" '
    /^[0-9a-f]+-[0-9a-f]+ /{ perms=$2; path=$6; next }
    /^Size:/{ size=$2; next }
    /^Rss:/{ rss=$2; next }
    /^Pss:/{ if (path ~ /^\//) { c="file"; fp+=$2 } else if (perms ~ /x/ && size >= 32768) c="tcg";
             else if (perms ~ /^rw/ && size >= mem && size <= mem + 8192) c="guest"; else c="anon";
             s[c]+=rss; tot+=rss; next }
    END { printf "%d %d %d %d %d %d\n", tot, s["guest"], s["tcg"], s["file"], fp, s["anon"] }' "/proc/$1/smaps"
}

echo "# setup (not timed): kernel profile minimal, busybox image, VM records"
"$VOLT" kernel add minimal >/dev/null
img=$root/img; mkdir -p "$img"/{bin,sbin,proc,sys,dev,etc,tmp}
cp "$(for b in /bin/busybox /usr/bin/busybox; do [ -x $b ] && echo $b && break; done)" "$img/bin/busybox"; ln -s busybox "$img/bin/sh"
printf '#!/bin/busybox sh\necho %s\nexec /bin/busybox sh </dev/ttyS0 >/dev/ttyS0 2>&1\n' "$MARK" > "$img/sbin/init"; chmod +x "$img/sbin/init"
"$VOLT" image build-from-dir "$img" --name bench/busybox:1 --cmd /sbin/init >/dev/null
for i in $(seq 0 "$N"); do "$VOLT" vm create "b$i" --image bench/busybox:1 --kernel minimal --memory 256M --accel "${ACCEL:-auto}" >/dev/null; done
"$VOLT" vm start b0 >/dev/null; wait_mark "$root/var/lib/volt/vms/b0/serial.log" 0; "$VOLT" vm stop -t 1 b0 >/dev/null
accel=$("$VOLT" vm inspect b0 -o json | jq -r .accel)
unit=$root/var/lib/volt/units/volt-vm@b0.service
eval "cmd=($(sed -n 's/^ExecStart=//p' "$unit"))"

v=(); b=()
for r in $(seq 1 "$ROUNDS"); do
  log=$root/var/lib/volt/vms/b0/serial.log; c=$(count "$log")
  t0=$(now); "$VOLT" vm start b0 >/dev/null; wait_mark "$log" "$c"; t1=$(now); v+=("$(ms "$t0" "$t1")")
  qpid=$("$VOLT" vm inspect b0 -o json | jq -r .pid)
  read -r rss guest tcg files filespss anon < <(mem_breakdown "$qpid" $((256 * 1024)))
  "$VOLT" vm stop -t 1 b0 >/dev/null
  # bare QEMU: the same argv by hand, serial to a file (the unit's console socket replaced by a plain log)
  bl=$root/bare.log; rm -f "$bl"
  bare=(); skip=0
  for a in "${cmd[@]}"; do
    if [ $skip = 1 ]; then skip=0; continue; fi
    case "$a" in -qmp) skip=1;; socket,id=console,*) bare+=("file,id=console,path=$bl");; socket,id=agent,*) bare+=("null,id=agent");; *) bare+=("$a");; esac
  done
  t0=$(now); "${bare[@]}" >/dev/null 2>&1 & bp=$!; pids+=("$bp"); wait_mark "$bl" 0; t1=$(now); b+=("$(ms "$t0" "$t1")")
  kill -9 "$bp"; wait "$bp" 2>/dev/null || true
  echo "round $r: volt ${v[-1]} ms, bare qemu ${b[-1]} ms, QEMU RSS $((rss/1024)) MiB, guest RAM touched $((guest/1024)) MiB, VMM overhead $(((rss-guest)/1024)) MiB" \
    "= TCG translation cache $((tcg/1024)) + QEMU binary and libraries $((files/1024)) (PSS $((filespss/1024)), shared by every QEMU) + QEMU's own heap and other anonymous memory $((anon/1024)) MiB"
done
med() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
mv=$(med "${v[@]}"); mb=$(med "${b[@]}")
echo "start → first guest line: volt $mv ms, bare qemu $mb ms, ratio $(echo "scale=2; $mv/$mb" | bc)x (goal ≤ 1.1x), accel $accel"
echo "VMM overhead (QEMU RSS − guest RAM touched), last round: $(((rss-guest)/1024)) MiB (Firecracker: ≤ 5 MiB under KVM);" \
  "without the TCG translation cache (which KVM does not have) and the shared QEMU binary and libraries: $((anon/1024)) MiB"

# phases of one volt start (ms after `volt vm start`): QEMU ready (QMP) = the command's return; initramfs; guest init
log=$root/var/lib/volt/vms/b0/serial.log; c=$(count "$log"); ci=$(grep -c "volt-initramfs: start" "$log" || true)
t0=$(now); "$VOLT" vm start b0 >/dev/null; t1=$(now)
while [ "$(grep -c "volt-initramfs: start" "$log" || true)" -le "$ci" ]; do sleep 0.01; done; t2=$(now)
wait_mark "$log" "$c"; t3=$(now)
echo "phases: qemu ready (QMP) $(ms "$t0" "$t1") ms, kernel → initramfs /init $(ms "$t0" "$t2") ms, guest init $(ms "$t0" "$t3") ms"
"$VOLT" vm stop -t 1 b0 >/dev/null

# density: N at once vs one
t0=$(now)
for i in $(seq 1 "$N"); do ( c=$(count "$root/var/lib/volt/vms/b$i/serial.log"); "$VOLT" vm start "b$i" >/dev/null; wait_mark "$root/var/lib/volt/vms/b$i/serial.log" "$c" ) & done
wait; t1=$(now)
echo "$N VMs at once: all at their first guest line after $(ms "$t0" "$t1") ms (one: $mv ms)"
for i in $(seq 1 "$N"); do "$VOLT" vm stop -t 1 "b$i" >/dev/null & done; wait
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
