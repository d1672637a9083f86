#!/usr/bin/env bash
# 1,000 name-based firewall rules: `volt firewall reload` (render from records + one nft -f transaction) against
# `nft -f` of the equivalent hand-written ruleset (the same table: 1,000 per-workload sets with their addresses and
# 1,000 rules matching them), both applied to an empty netns. Bar: volt <= 2x nft -f.
# Usage: bench/network/rules.sh [VOLT_BINARY]   (root; nft, python3). Everything runs in a netns this script creates.
set -euo pipefail
VOLT=${1:-$(cd "$(dirname "$0")/../.." && pwd)/out/volt}
N=${N:-1000}; RUNS=${RUNS:-7}
W=$(mktemp -d /tmp/volt-bench-net-XXXX); NS=voltbench$$
export VOLT_ROOT=$W/root VOLT_COLOR=never
cleanup() { ip netns del $NS 2>/dev/null || true; rm -rf "$W"; }
trap cleanup EXIT
ip netns add $NS
IN=(nsenter --net=/run/netns/$NS)
"${IN[@]}" ip link set lo up
now() { date +%s%N; }
p50() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]/1e6}'; }
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)   ($(nproc) cores)"

# Records: one network, N attached workloads (attachment files as the engine writes them), N rules naming them.
"${IN[@]}" "$VOLT" net create bench --subnet 10.200.0.0/16 >/dev/null
python3 - "$VOLT_ROOT" "$N" <<'PY'
import json, os, sys
root, n = sys.argv[1], int(sys.argv[2])
net = os.path.join(root, "var/lib/volt/networks")
os.makedirs(os.path.join(net, "attachments"), exist_ok=True); os.makedirs(os.path.join(net, "firewall"), exist_ok=True)
rules = []
for i in range(n):
    w = f"w{i}"; addr = f"10.200.{(i + 2) // 256}.{(i + 2) % 256}"
    json.dump({"container": w, "network": "bench", "bridge": "volt-bench", "address": addr, "prefix_length": 16,
               "gateway": "10.200.0.1", "host_veth": f"vh-{i}", "target": "pid:1", "ports": [],
               "created": "2026-12-01T00:00:00+00:00", "interface": "eth0"}, open(os.path.join(net, "attachments", f"{w}@bench.json"), "w"))
    rules.append({"name": f"r{i}", "from": f"workload:{w}", "to": f"workload:w{(i + 1) % n}", "port": 1000 + i % 60000,
                  "protocol": "tcp", "action": "allow" if i % 2 else "deny", "created": "2026-12-01T00:00:00+00:00"})
json.dump({"rules": rules}, open(os.path.join(net, "firewall", "rules.json"), "w"))
PY
# The hand-written equivalent: the same table a person would write (taken from the renderer once, then applied by nft alone).
"${IN[@]}" "$VOLT" firewall reload --dry-run > $W/hand.nft
grep -c "comment \"fw:" $W/hand.nft | sed 's/^/rules in the table: /'

volt_t=(); nft_t=()
for r in $(seq 1 $RUNS); do
  "${IN[@]}" nft flush ruleset
  s=$(now); "${IN[@]}" nft -f $W/hand.nft; nft_t+=($(( $(now) - s )))
  "${IN[@]}" nft flush ruleset
  s=$(now); "${IN[@]}" "$VOLT" firewall reload >/dev/null; volt_t+=($(( $(now) - s )))
done
v=$(printf '%s\n' "${volt_t[@]}" | p50); n=$(printf '%s\n' "${nft_t[@]}" | p50)
echo "nft -f hand-written ($N rules, $N sets): p50 ${n} ms"
echo "volt firewall reload ($N rules):         p50 ${v} ms"
awk -v a="$v" -v b="$n" 'BEGIN { printf "ratio volt/nft: %.2f (bar <= 2.00)\n", a/b }'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
