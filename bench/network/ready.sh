#!/usr/bin/env bash
# A container's network ready vs the same container's PID 1 without networking. Bar: ready <= 1.2x.
#   none:     `volt run -d --network none IMG sleep` until it returns (PID 1 running)
#   network:  `volt run -d --network volt0 IMG sleep` until it returns (veth up, address, default route: the attach
#             is part of the start), then volt-dns answers the container's own name to a peer and that peer reaches
#             the address it got (an ICMP echo). The peer is bench/network/probe.py, one process started before the
#             timing on the host side of the bridge (it asks every millisecond until the answer is there): no dig or
#             ping process start-up is part of what is measured.
#   tooling:  the same probe against a container that is already up: what the instrument itself costs
# Timestamps are bash's $EPOCHREALTIME (no process). Usage: bench/network/ready.sh [VOLT_BINARY]
#   (root; systemd-nspawn, busybox, dig). All inside a netns this script creates.
set -euo pipefail
VOLT=${1:-$(cd "$(dirname "$0")/../.." && pwd)/out/volt}
N=${N:-15}
W=$(mktemp -d /tmp/volt-bench-ready-XXXX); NS=voltready$$
export VOLT_ROOT=$W/root VOLT_COLOR=never
IN=(nsenter --net=/run/netns/$NS)
cleanup() {
  for c in $("${IN[@]}" "$VOLT" container list -o json 2>/dev/null | python3 -c 'import json,sys; [print(c["name"]) for c in json.load(sys.stdin)]' 2>/dev/null); do
    "${IN[@]}" "$VOLT" container delete -f "$c" >/dev/null 2>&1 || true; done
  [ -n "${DNS_PID:-}" ] && kill "$DNS_PID" 2>/dev/null || true
  [ -n "${PROBE_PID:-}" ] && kill "$PROBE_PID" 2>/dev/null || true
  [ -f "$VOLT_ROOT/var/run/volt/volt.pid" ] && kill "$(cat "$VOLT_ROOT/var/run/volt/volt.pid")" 2>/dev/null || true
  ip netns del $NS 2>/dev/null || true
  sleep 1; for m in $(awk '{print $5}' /proc/self/mountinfo | grep "^$W/" | sort -r); do umount -l "$m" 2>/dev/null || true; done
  rm -rf "$W" 2>/dev/null || true
}
trap cleanup EXIT
ip netns add $NS; "${IN[@]}" ip link set lo up
R=$W/rootfs; mkdir -p $R/{bin,etc,tmp,proc,sys,dev}; cp /bin/busybox $R/bin/
for a in sh sleep; do ln -s busybox $R/bin/$a; done
echo 'root:x:0:0:root:/root:/bin/sh' > $R/etc/passwd; echo 'root:x:0:' > $R/etc/group
GW=${GW:-10.0.0.1}   # volt0's gateway (network.default_subnet 10.0.0.0/24), where volt-dns listens
p50() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]/1e3}'; }   # µs in, ms out
# volt-dns's answer for $1 (asked until it is there: records follow the attachment file through inotify).
lookup() { local a="" t; for ((t = 0; t < 200; t++)); do a=$("${IN[@]}" dig +short +tries=1 +time=1 @"$GW" "$1") && [ -n "$a" ] && break; done; echo "$a"; }
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)   ($(nproc) cores)"
"${IN[@]}" "$VOLT" daemon >/dev/null 2>&1 & sleep 0.5
"${IN[@]}" "$VOLT" run -d --name warm --network volt0 "$R" sleep 1000 >/dev/null   # creates volt0 once
"${IN[@]}" "$VOLT" dns serve >/dev/null 2>&1 & DNS_PID=$!   # nsenter execs volt: this is volt-dns's PID
up=""; for ((k = 0; k < 60; k++)); do up=$(lookup warm); [ -n "$up" ] && break; sleep 0.5; done
[ -n "$up" ] || { echo "volt-dns did not answer \"warm\" on $GW" >&2; exit 1; }
coproc PROBE { "${IN[@]}" python3 "$(dirname "$0")/probe.py" "$GW"; }
# probe NAME: the peer's "IP EPOCH_US" once NAME resolves and its address answers a ping.
probe() { local r; echo "$1" >&"${PROBE[1]}"; read -r r <&"${PROBE[0]}"; case $r in FAIL*) echo "probe: $r" >&2; exit 1;; esac; echo "${r#* }"; }
none=(); net=(); tool=(); runs=()
for i in $(seq 1 $N); do
  # Each start is timed on a settled machine: a container keeps its CPU busy for a while after its PID 1 runs
  # (nspawn's remaining setup, voltd's handshake and records), and whichever start came second paid for the first
  # (none first: 36.6 vs 49.5 ms; network first: 41.2 vs 43.8 ms). The order alternates too.
  if (( i % 2 )); then order="none net"; else order="net none"; fi
  for m in $order; do
    if [ $m = none ]; then
      s=${EPOCHREALTIME/./}; "${IN[@]}" "$VOLT" run -d --name n$i --network none "$R" sleep 1000 >/dev/null; none+=($(( ${EPOCHREALTIME/./} - s )))
    else
      s=${EPOCHREALTIME/./}; "${IN[@]}" "$VOLT" run -d --name v$i --network volt0 "$R" sleep 1000 >/dev/null; runs+=($(( ${EPOCHREALTIME/./} - s )))
      done_us=$(probe v$i); net+=($(( done_us - s )))
    fi
    sleep 0.3
  done
  s=${EPOCHREALTIME/./}; done_us=$(probe warm); tool+=($(( done_us - s )))
  "${IN[@]}" "$VOLT" container delete -f n$i >/dev/null; "${IN[@]}" "$VOLT" container delete -f v$i >/dev/null
  sleep 0.3   # settle: the kernel tears a deleted namespace down asynchronously (cleanup_net holds RTNL), not part of a start
done
a=$(printf '%s\n' "${none[@]}" | p50); b=$(printf '%s\n' "${net[@]}" | p50); c=$(printf '%s\n' "${tool[@]}" | p50)
echo "PID 1 without network: p50 ${a} ms"
echo "network ready:         p50 ${b} ms   (run -d + volt-dns answers its name to a resident peer + the peer's echo)"
echo "  of which run -d:      p50 $(printf '%s\n' "${runs[@]}" | p50) ms   (until volt run -d --network volt0 returned)"
echo "tooling alone:         p50 ${c} ms   (the same probe of a container already up)"
awk -v a="$b" -v b="$a" 'BEGIN { printf "ratio ready/pid1: %.2f (bar <= 1.20)\n", a/b }'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
