#!/usr/bin/env bash
# Stacks: `volt compose up -d` / `down` vs `podman-compose up -d` / `down` in one run, on the same busybox rootfs
# (imported into both stores), inside a network namespace this script creates and deletes.
#   1. a 5-service stack, a depends_on chain (s1 <- s2 <- … <- s5), every service with a health check: up to
#      "all healthy", then down; ROUNDS rounds interleaved (volt, podman, volt, podman …), medians and ratios.
#   2. a 30-service stack (independent services, one network) up and down with volt: times, errors.
# podman-compose 1.0.3 does not wait for service_healthy and podman runs no health timers without systemd, so its
# "all healthy" is measured the way a user would have to: up -d, then `podman healthcheck run` on each until it
# passes. podman runs as it does here only with runc, cgroupfs and lowered ulimits (../shared/MACHINE.md), set in a
# private containers.conf.
# Usage: bench/compose/run.sh [VOLT_BINARY]   (root; systemd-container, busybox-static, podman, runc, podman-compose)
set -euo pipefail
VOLT=${1:-$(cd "$(dirname "$0")/../.." && pwd)/out/volt}
ROUNDS=${ROUNDS:-5}; BIG=${BIG:-30}
W=$(mktemp -d /tmp/volt-bench-compose-XXXX)
NS=vbc$$
export VOLT_ROOT=$W/root VOLT_COLOR=never
cat > $W/containers.conf <<EOF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
EOF
cat > $W/storage.conf <<EOF
[storage]
driver = "overlay"
graphroot = "$W/podman"
runroot = "$W/podman-run"
EOF
export CONTAINERS_CONF=$W/containers.conf CONTAINERS_STORAGE_CONF=$W/storage.conf
IN=(nsenter --net=/run/netns/$NS)
PM=("${IN[@]}" podman)
HAVE_PODMAN=0; command -v podman >/dev/null && command -v runc >/dev/null && command -v podman-compose >/dev/null && HAVE_PODMAN=1
cleanup() {
  set +e
  "${IN[@]}" "$VOLT" compose -f $W/five/compose.yaml down -v >/dev/null 2>&1
  "${IN[@]}" "$VOLT" compose -f $W/big/compose.yaml down -v >/dev/null 2>&1
  [ -f "$VOLT_ROOT/var/run/volt/volt.pid" ] && kill "$(cat "$VOLT_ROOT/var/run/volt/volt.pid")" 2>/dev/null
  if [ $HAVE_PODMAN = 1 ]; then
    (cd $W/pfive && "${IN[@]}" podman-compose down >/dev/null 2>&1)
    "${PM[@]}" rm -af -t 0 >/dev/null 2>&1; "${PM[@]}" system reset -f >/dev/null 2>&1
  fi
  sleep 1; for m in $(awk '{print $5}' /proc/self/mountinfo | grep "^$W/" | sort -r); do umount -l "$m" 2>/dev/null; done
  local h; h=volt-$(printf %s "$VOLT_ROOT" | sha256sum | cut -c1-12)
  for d in /sys/fs/cgroup/*/$h /sys/fs/cgroup/*/libpod_parent; do [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null; done
  ip netns delete $NS 2>/dev/null
  rm -rf "$W" 2>/dev/null
}
trap cleanup EXIT
ip netns add $NS; "${IN[@]}" ip link set lo up
R=$W/rootfs; mkdir -p $R/{bin,etc,tmp,proc,sys,dev,usr/bin,run,var}; cp /bin/busybox $R/bin/
for a in sh sleep echo true test touch httpd cat; do ln -s busybox $R/bin/$a; done
echo 'root:x:0:0:root:/root:/bin/sh' > $R/etc/passwd; echo 'root:x:0:' > $R/etc/group
now() { date +%s%N; }
p50() { sort -n | awk '{a[NR]=$1} END {if (NR == 0) print "NaN"; else print a[int((NR+1)/2)]/1e6}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "NaN" || b == "NaN" || b == 0) print "NaN"; else printf "%.2f", a/b }'; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)   ($(nproc) cores)"
"$VOLT" image build-from-dir "$R" --name bench-busybox:1 >/dev/null
"${IN[@]}" "$VOLT" daemon >/dev/null 2>&1 & sleep 0.5   # warm voltd (in the namespace, as the stack's containers)

# The same stack for both: a chain with health checks (the service writes a file after 0.2 s; the check tests it).
stack() { # $1 image
  echo "services:"
  for i in 1 2 3 4 5; do
    echo "  s$i:"
    echo "    image: $1"
    echo "    command: [sh, -c, \"sleep 0.2; touch /tmp/ready; exec sleep 600\"]"
    echo "    healthcheck: {test: [CMD, test, -f, /tmp/ready], interval: 200ms, retries: 100}"
    [ $i -gt 1 ] && echo "    depends_on: {s$((i-1)): {condition: service_healthy}}"
  done
  echo "networks: {default: {}}"
}
mkdir -p $W/five $W/pfive $W/big
stack bench-busybox:1 > $W/five/compose.yaml
if [ $HAVE_PODMAN = 1 ]; then
  tar -C "$R" -c . | "${PM[@]}" import - localhost/bench-busybox:1 >/dev/null
  stack localhost/bench-busybox:1 > $W/pfive/compose.yaml
  "${PM[@]}" run --rm --network none localhost/bench-busybox:1 /bin/true   # warm podman's storage and runtime
fi

volt_up() { local s; s=$(now); "${IN[@]}" "$VOLT" compose -f $W/five/compose.yaml -p vb up -d >/dev/null; echo $(( $(now) - s )); }
volt_down() { local s; s=$(now); "${IN[@]}" "$VOLT" compose -f $W/five/compose.yaml -p vb down >/dev/null; echo $(( $(now) - s )); }
podman_up() { local s; s=$(now)
  (cd $W/pfive && "${IN[@]}" podman-compose -p pb up -d >/dev/null 2>&1)
  for i in 1 2 3 4 5; do until "${PM[@]}" healthcheck run pb_s${i}_1 >/dev/null 2>&1; do sleep 0.05; done; done
  echo $(( $(now) - s )); }
podman_down() { local s; s=$(now); (cd $W/pfive && "${IN[@]}" podman-compose -p pb down >/dev/null 2>&1); echo $(( $(now) - s )); }

echo "1. 5-service depends_on chain with health checks, up -d to all healthy and down, $ROUNDS rounds interleaved (ms):"
: > $W/vu; : > $W/vd; : > $W/pu; : > $W/pd
for r in $(seq 1 $ROUNDS); do
  volt_up >> $W/vu; volt_down >> $W/vd
  if [ $HAVE_PODMAN = 1 ]; then podman_up >> $W/pu; podman_down >> $W/pd; fi
done
vu=$(p50 < $W/vu); vd=$(p50 < $W/vd); pu=$(p50 < $W/pu); pd=$(p50 < $W/pd)
printf "   %-22s %10s %16s %8s\n" "" "volt" "podman-compose" "ratio"
printf "   %-22s %10s %16s %8s\n" "up -d (all healthy)" "$vu" "$pu" "$(ratio "$vu" "$pu")"
printf "   %-22s %10s %16s %8s\n" "down" "$vd" "$pd" "$(ratio "$vd" "$pd")"

echo "2. $BIG-service stack (one network), volt only:"
{ echo "services:"; for i in $(seq 1 $BIG); do echo "  s$i: {image: bench-busybox:1, command: [sleep, \"600\"]}"; done; } > $W/big/compose.yaml
s=$(now); out=$("${IN[@]}" "$VOLT" compose -f $W/big/compose.yaml -p big up -d 2>&1) && rc=0 || rc=$?
up_ms=$(( ($(now) - s) / 1000000 ))
running=$("${IN[@]}" "$VOLT" compose -f $W/big/compose.yaml -p big ps 2>/dev/null | grep -c running || true)
s=$(now); "${IN[@]}" "$VOLT" compose -f $W/big/compose.yaml -p big down >/dev/null 2>&1 && drc=0 || drc=$?
down_ms=$(( ($(now) - s) / 1000000 ))
left=$("${IN[@]}" "$VOLT" container list 2>/dev/null | grep -c "^big-" || true)
echo "   up -d: ${up_ms} ms (exit $rc, $running running)   down: ${down_ms} ms (exit $drc, $left left)"
[ $rc = 0 ] || echo "$out" | tail -3
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
