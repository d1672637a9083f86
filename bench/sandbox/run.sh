#!/usr/bin/env bash
# The sandbox's cost, side by side in one run (interleaved, so load drifts hit both sides alike):
#   1. container start: `volt run --rm ROOTFS /bin/true` with the default sandbox vs `--sandbox unconfined` (p50, ratio, delta)
#   2. `volt sandbox run -- true` (default profile) vs the same through the helper without rules (`--sandbox unconfined`)
#   3. the helper alone: `volt-sandbox PLAN true` with the default plan vs an empty plan vs bare `true`
# landrun (the anchor) is not in Debian: step 3's empty plan is "the same helper without rules".
# Usage: bench/sandbox/run.sh [VOLT_BINARY]   (root; needs systemd-container, busybox-static)
set -euo pipefail
VOLT=${1:-$(cd "$(dirname "$0")/../.." && pwd)/out/volt}
N=${N:-20}; M=${M:-200}
W=$(mktemp -d /tmp/volt-bench-sbx-XXXX)
export VOLT_ROOT=$W/root VOLT_COLOR=never
cleanup() {
  sleep 0.5; for m in $(awk '{print $5}' /proc/self/mountinfo | grep "^$W/" | sort -r); do umount -l "$m" 2>/dev/null || true; done
  local h; h=volt-$(printf %s "$VOLT_ROOT" | sha256sum | cut -c1-12)
  for d in /sys/fs/cgroup/*/$h; do [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null; done
  rm -rf "$W" 2>/dev/null || true
}
trap cleanup EXIT
R=$W/rootfs; mkdir -p $R/{bin,etc,tmp,proc,sys,dev,run,var,usr/bin}; cp /bin/busybox $R/bin/
for a in sh true; do ln -s busybox $R/bin/$a; done
echo 'root:x:0:0:root:/root:/bin/sh' > $R/etc/passwd; echo 'root:x:0:' > $R/etc/group
now() { date +%s%N; }
p50() { sort -n | awk '{a[NR]=$1} END {if (NR == 0) print "NaN"; else print a[int((NR+1)/2)]/1e6}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "NaN"; else printf "%.3f", a/b }'; }
delta() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a-b }'; }
t() { local s; s=$(now); "$@" >/dev/null 2>&1; echo $(( $(now) - s )); }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)   ($(nproc) cores)"
"$VOLT" run --rm "$R" /bin/true >/dev/null; "$VOLT" run --rm --sandbox unconfined "$R" /bin/true >/dev/null   # warm
: > $W/c-def; : > $W/c-unc
for _ in $(seq 1 "$N"); do
  t "$VOLT" run --rm "$R" /bin/true >> $W/c-def
  t "$VOLT" run --rm --sandbox unconfined "$R" /bin/true >> $W/c-unc
done
a=$(p50 < $W/c-def); b=$(p50 < $W/c-unc)
echo "container start (run --rm true), p50 of $N: default sandbox $a ms, unconfined $b ms: ${a}/${b} = $(ratio "$a" "$b")x, +$(delta "$a" "$b") ms   (goal <= 2 ms or <= 1.05x)"

: > $W/s-def; : > $W/s-unc
for _ in $(seq 1 "$N"); do
  t "$VOLT" sandbox run -- true >> $W/s-def
  t "$VOLT" sandbox run --sandbox unconfined -- true >> $W/s-unc
done
a=$(p50 < $W/s-def); b=$(p50 < $W/s-unc)
echo "volt sandbox run -- true, p50 of $N: default $a ms, helper without rules $b ms: $(ratio "$a" "$b")x, +$(delta "$a" "$b") ms"

H=$VOLT_ROOT/var/lib/volt/lib/volt-sandbox
mkdir -p $W/plan
# The default plan exactly as `volt sandbox run` writes it (the sandboxed command copies its own plan out).
"$VOLT" sandbox run -- sh -c 'cp "$1"/var/run/volt/sandbox/*/sandbox.plan "$2"' sh "$VOLT_ROOT" "$W/plan/default.plan" || true
printf 'volt-sandbox-plan 1\nend\n' > $W/plan/empty.plan
if [ -s $W/plan/default.plan ]; then
  : > $W/h-def; : > $W/h-emp; : > $W/h-bare
  for _ in $(seq 1 "$M"); do
    t "$H" $W/plan/default.plan /bin/true >> $W/h-def
    t "$H" $W/plan/empty.plan /bin/true >> $W/h-emp
    t /bin/true >> $W/h-bare
  done
  a=$(p50 < $W/h-def); b=$(p50 < $W/h-emp); c=$(p50 < $W/h-bare)
  echo "helper alone, p50 of $M: default plan $a ms, empty plan $b ms, bare true $c ms: default/empty $(ratio "$a" "$b")x, +$(delta "$a" "$b") ms"
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
