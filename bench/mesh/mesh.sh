#!/usr/bin/env bash
# bench/mesh: iperf3 between two "hosts" (network namespaces on one bridge) through the Volt mesh, through a
# hand-configured wireguard-go tunnel on the same underlay, and on the bare underlay, in one run (ratios printed);
# also between two workloads on the hosts' meshnet networks (named namespaces attached with `volt net connect
# --netns`: the container data path of bridge, NAT and forward rules, without a container runtime in the way);
# then the time from `volt mesh join` returning to the first successful ping from every other host, p50 over 10 joins.
# Needs root, etcd-server, wireguard-go, wireguard-tools, iperf3, and VOLT (default out/volt). Cleans up after itself.
set -euo pipefail
VOLT=${VOLT:-$(cd "$(dirname "$0")/../.." && pwd)/out/volt}
SECS=${SECS:-5}
ID=$(printf '%04x' $(( $$ % 65535 )))
NET=10.232.$(( $$ % 200 + 20 ))
U=bmu$ID; H=(x bmh1$ID bmh2$ID bmh3$ID)
TMP=$(mktemp -d /tmp/volt-bench-mesh.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  for i in 1 2 3; do
    for l in vm${ID}h$i wg${ID}h$i; do ip -n ${H[$i]} link del $l 2>/dev/null || true; done
    ip netns del ${H[$i]} 2>/dev/null || true
    ip netns del bmc$i$ID 2>/dev/null || true
  done
  ip netns del $U 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
ons() { local i=$1; shift; nsenter --net=/run/netns/${H[$i]} "$@"; }
volt() { local i=$1; shift; VOLT_ROOT=$TMP/h$i nsenter --net=/run/netns/${H[$i]} "$VOLT" "$@"; }

ip netns add $U; ip -n $U link add br0 type bridge; ip -n $U link set br0 up
for i in 1 2 3; do
  ip netns add ${H[$i]}
  ip -n $U link add b$i type veth peer name eth0 netns ${H[$i]}
  ip -n $U link set b$i master br0 up
  ip -n ${H[$i]} addr add $NET.$i/24 dev eth0; ip -n ${H[$i]} link set eth0 up; ip -n ${H[$i]} link set lo up
  mkdir -p $TMP/h$i
done
ETCD=http://$NET.1:23790
ons 1 etcd --name b --data-dir $TMP/etcd --listen-client-urls $ETCD --advertise-client-urls $ETCD \
  --listen-peer-urls http://127.0.0.1:23801 --initial-advertise-peer-urls http://127.0.0.1:23801 \
  --initial-cluster b=http://127.0.0.1:23801 --log-level error >$TMP/etcd.log 2>&1 & PIDS+=($!)
for _ in $(seq 100); do ons 1 curl -sf -X POST $ETCD/v3/kv/range -d '{"key":"eA=="}' >/dev/null && break; sleep 0.1; done

# The Volt mesh between h1 and h2.
volt 1 mesh init --etcd $ETCD --name b --lease-ttl 3 --host-name h1 --interface vm${ID}h1 --no-service >/dev/null
volt 1 mesh agent >$TMP/agent1.log 2>&1 & PIDS+=($!)
volt 2 mesh join --etcd $ETCD --token "$(volt 1 mesh token)" --host-name h2 --interface vm${ID}h2 --no-service >/dev/null
volt 2 mesh agent >$TMP/agent2.log 2>&1 & PIDS+=($!)
M1=$(volt 1 mesh status -o json | jq -r .meshIp); M2=$(volt 2 mesh status -o json | jq -r .meshIp)
for _ in $(seq 100); do ons 1 ping -c1 -W1 $M2 >/dev/null 2>&1 && break; sleep 0.1; done

# The hand-configured anchor: wireguard-go + wg set, same namespaces, same underlay.
for i in 1 2; do
  WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 ons $i wireguard-go wg${ID}h$i
  wg genkey >$TMP/k$i; wg pubkey <$TMP/k$i >$TMP/p$i
done
for i in 1 2; do
  j=$(( 3 - i ))
  ons $i wg set wg${ID}h$i private-key $TMP/k$i listen-port $(( 52000 + i )) peer "$(cat $TMP/p$j)" \
    endpoint $NET.$j:$(( 52000 + j )) allowed-ips 192.168.77.$j/32
  ons $i ip addr add 192.168.77.$i/24 dev wg${ID}h$i; ons $i ip link set wg${ID}h$i mtu 1420 up
done
for _ in $(seq 100); do ons 1 ping -c1 -W1 192.168.77.2 >/dev/null 2>&1 && break; sleep 0.1; done

iperf() { ons 2 iperf3 -s -1 -p 5201 >/dev/null 2>&1 & local s=$!; sleep 0.3; ons 1 iperf3 -c "$1" -p 5201 -t $SECS -J | jq '.end.sum_received.bits_per_second/1e6'; wait $s || true; }
BARE=$(iperf $NET.2); WG=$(iperf 192.168.77.2); VM=$(iperf $M2)

# Two workloads on meshnet (h1's and h2's), through the mesh.
for i in 1 2; do
  ip netns add bmc$i$ID; ip -n bmc$i$ID link set lo up
  volt $i net connect meshnet c$i --netns bmc$i$ID >/dev/null
done
C2=$(ip -n bmc2$ID -4 -o addr show | awk '$4 ~ /^100\./ {split($4,a,"/"); print a[1]}')
for _ in $(seq 100); do nsenter --net=/run/netns/bmc1$ID ping -c1 -W1 $C2 >/dev/null 2>&1 && break; sleep 0.1; done
nsenter --net=/run/netns/bmc2$ID iperf3 -s -1 -p 5202 >/dev/null 2>&1 & S=$!; sleep 0.3
WL=$(nsenter --net=/run/netns/bmc1$ID iperf3 -c $C2 -p 5202 -t $SECS -J | jq '.end.sum_received.bits_per_second/1e6'); wait $S || true
for i in 1 2; do volt $i net disconnect meshnet c$i >/dev/null 2>&1 || true; done

# Join -> first ping from every other host, 10 joins of h3.
LAT=()
for n in $(seq 10); do
  T=$(volt 1 mesh token)
  volt 3 mesh join --etcd $ETCD --token "$T" --host-name h3 --interface vm${ID}h3 --no-service >/dev/null
  t0=$(date +%s.%N)
  M3=$(jq -r .meshIp $TMP/h3/var/lib/volt/mesh/state.json)
  ok1=; ok2=
  for _ in $(seq 300); do
    [ -z "$ok1" ] && ons 1 ping -c1 -W0.2 $M3 >/dev/null 2>&1 && ok1=1
    [ -z "$ok2" ] && ons 2 ping -c1 -W0.2 $M3 >/dev/null 2>&1 && ok2=1
    [ -n "$ok1" ] && [ -n "$ok2" ] && break
  done
  t1=$(date +%s.%N)
  LAT+=("$(echo "($t1 - $t0) * 1000" | bc -l)")
  volt 3 mesh leave >/dev/null
  for _ in $(seq 100); do [ "$(ons 1 wg show vm${ID}h1 peers | wc -l)" = 1 ] && break; sleep 0.1; done
done
P50=$(printf '%s\n' "${LAT[@]}" | sort -n | awk '{a[NR]=$1} END {print (a[int((NR+1)/2)]+a[int(NR/2)+1])/2}')

echo "date: $(date -u +%FT%TZ)  load: $(cut -d' ' -f1-3 /proc/loadavg)  nproc: $(nproc)"
printf 'iperf3 %ss  bare underlay %8.0f Mbit/s\n' $SECS "$BARE"
printf 'iperf3 %ss  wireguard-go  %8.0f Mbit/s (hand-configured)\n' $SECS "$WG"
printf 'iperf3 %ss  volt mesh     %8.0f Mbit/s\n' $SECS "$VM"
printf 'iperf3 %ss  workloads     %8.0f Mbit/s (meshnet on h1 -> meshnet on h2, through the mesh)\n' $SECS "$WL"
printf 'ratio volt/wireguard-go %.2fx   volt/bare %.2fx\n' "$(echo "$VM / $WG" | bc -l)" "$(echo "$VM / $BARE" | bc -l)"
printf 'join -> first ping from every other host: p50 %.0f ms over 10 joins (%s)\n' "$P50" "$(printf '%.0f ' "${LAT[@]}")"
