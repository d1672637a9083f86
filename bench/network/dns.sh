#!/usr/bin/env bash
# volt-dns against dnsmasq (Debian dnsmasq-base) serving the same 50 names in one network namespace, each loaded by
# dnsperf (Debian dnsperf) for DURATION seconds with the same query file; prints QPS, p99 latency and the ratios.
# Bars (issue 12): volt QPS ≥ dnsmasq QPS and volt p99 ≤ dnsmasq p99.
#   volt:    50 workloads on one network "bench" (10.77.0.0/24, gateway 10.77.0.1) as attachment records; dnsperf asks
#            from 10.77.0.200, a workload on that network, so every answer goes through the scope rule.
#   dnsmasq: --no-daemon --addn-hosts with the same 50 names and addresses, on 10.77.0.254.
# Usage: bench/network/dns.sh [VOLT_BINARY]   (root; needs iproute2, dnsmasq-base, dnsperf; DURATION=20 CLIENTS=4)
set -euo pipefail
VOLT=${1:-$(cd "$(dirname "$0")/../.." && pwd)/out/volt}
DURATION=${DURATION:-20}; CLIENTS=${CLIENTS:-4}
W=$(mktemp -d /tmp/volt-bench-dns-XXXX)
NS=volt-bench-dns-$$
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  ip netns delete "$NS" 2>/dev/null || true
  rm -rf "$W"
}
trap cleanup EXIT
in_ns() { nsenter --net=/run/netns/"$NS" "$@"; }

ip netns add "$NS"
in_ns ip link set lo up
# Every address on the namespace's loopback (no dummy module needed): server, client and anchor share one kernel path.
for a in 10.77.0.1/24 10.77.0.200/24 10.77.0.254/24; do in_ns ip addr add "$a" dev lo; done

# The same 50 names for both: volt's attachment records and dnsmasq's hosts file.
export VOLT_ROOT=$W/root VOLT_COLOR=never
mkdir -p "$VOLT_ROOT/var/lib/volt/networks/attachments" "$VOLT_ROOT/etc/volt"
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
cat > "$VOLT_ROOT/var/lib/volt/networks/bench.json" <<J
{"name":"bench","bridge":"volt-bench","subnet":"10.77.0.0/24","gateway":"10.77.0.1","created":"$now"}
J
: > "$W/hosts"; : > "$W/queries"
att() { # workload address
  cat > "$VOLT_ROOT/var/lib/volt/networks/attachments/$1@bench.json" <<J
{"container":"$1","network":"bench","bridge":"volt-bench","address":"$2","prefix_length":24,"gateway":"10.77.0.1","host_veth":"vh-$1","target":"eth0","ports":[],"created":"$now"}
J
}
att client 10.77.0.200
for i in $(seq 1 50); do
  att "svc$i" "10.77.0.$((i + 1))"
  echo "10.77.0.$((i + 1)) svc$i" >> "$W/hosts"
  echo "svc$i A" >> "$W/queries"
done
printf 'dns:\n  upstreams: ["10.77.0.254:5399"]\n  resolv_conf: /nonexistent\n' > "$VOLT_ROOT/etc/volt/config.yaml"

nsenter --net=/run/netns/"$NS" dnsmasq --no-daemon --conf-file=/dev/null --no-resolv --no-hosts --no-poll --bind-interfaces --user=root \
  --listen-address=10.77.0.254 --port=53 --addn-hosts="$W/hosts" --pid-file= --log-facility=- 2>"$W/dnsmasq.log" &
PIDS+=($!)
# nsenter execs the program, so $! is the server itself (a shell function would leave it orphaned on kill).
nsenter --net=/run/netns/"$NS" "$VOLT" dns serve 2>"$W/volt.log" &
PIDS+=($!)
for _ in $(seq 1 200); do grep -q "listening on" "$W/volt.log" 2>/dev/null && break; sleep 0.05; done
grep -q "listening on" "$W/volt.log" || { cat "$W/volt.log"; echo "volt dns serve did not start" >&2; exit 1; }

run() { # server -> "qps p99_ms"
  in_ns dnsperf -s "$1" -a 10.77.0.200 -d "$W/queries" -l "$DURATION" -c "$CLIENTS" -S 1 -v > "$W/perf-$1.txt" 2>&1 || true
  python3 - "$W/perf-$1.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
qps = float(re.search(r"Queries per second:\s+([\d.]+)", text).group(1))
# -v: one "> RCODE NAME TYPE LATENCY" line per answered query.
lats = [float(l.split()[-1]) for l in text.splitlines() if l.startswith("> ") and re.match(r"^[\d.]+$", l.split()[-1])]
avg = float(re.search(r"Average Latency \(s\):\s+([\d.]+)", text).group(1))
std = float(re.search(r"Latency StdDev \(s\):\s+([\d.]+)", text).group(1))
if lats:
    lats.sort(); p99 = lats[min(len(lats) - 1, int(len(lats) * 0.99))]
else:
    p99 = avg + 2.33 * std  # dnsperf without per-query output: normal approximation
print(f"{qps:.0f} {p99 * 1000:.3f}")
PY
}
# Sanity: both answer the same name the same way before being measured.
a=$(in_ns dig +short -b 10.77.0.200 @10.77.0.1 svc7); b=$(in_ns dig +short @10.77.0.254 svc7)
[ "$a" = "10.77.0.8" ] && [ "$b" = "10.77.0.8" ] || { echo "answers differ: volt=$a dnsmasq=$b" >&2; exit 1; }
read -r dq dp < <(run 10.77.0.254)
read -r vq vp < <(run 10.77.0.1)
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-10s %12s %12s\n' server QPS "p99 (ms)"
printf '%-10s %12s %12s\n' dnsmasq "$dq" "$dp" volt-dns "$vq" "$vp"
python3 -c "import sys; vq,dq,vp,dp=map(float,sys.argv[1:]); print(f'QPS ratio volt/dnsmasq: {vq/dq:.2f} (bar >= 1.00)'); print(f'p99 ratio volt/dnsmasq: {vp/dp:.2f} (bar <= 1.00)')" "$vq" "$dq" "$vp" "$dp"
