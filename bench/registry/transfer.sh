#!/usr/bin/env bash
# Transfer paths only (sections 2 and 3 of run.sh, more rounds): distribution vs `volt registry serve` on loopback,
# 100 MB blob push/pull with curl and skopeo push/pull of an image with a 100 MB layer, alternating the servers in
# every round; medians and the load average. STRACE=1 also prints `strace -c -f` of each server during one skopeo
# push (syscall counts and time).
# Usage: bench/registry/transfer.sh      Env: ROUNDS=7 VOLT=out/volt KEEP=1
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
VOLT="${VOLT:-$REPO_ROOT/out/volt}"
ROUNDS="${ROUNDS:-7}"
for t in docker-registry curl skopeo gzip openssl sha256sum; do command -v "$t" >/dev/null || { echo "missing: $t" >&2; exit 10; }; done
[ -x "$VOLT" ] || { echo "missing $VOLT: run 'dotnet publish src/Volt -c Release -o out' first" >&2; exit 10; }
WORK="$(mktemp -d "${BENCH_DIR:-/var/tmp}/volt-registry-transfer.XXXXXX")"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$WORK"; }
trap cleanup EXIT
free_port() { local p; while :; do p=$(shuf -i 20000-60000 -n 1); (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }; done; }
wait_port() { for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$1/v2/" && return 0; sleep 0.1; done; echo "server on $1 did not start" >&2; exit 1; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
now() { date +%s.%N; }
# CPU time (user + sys, ms) a server process has used so far: per-transfer deltas do not depend on the load.
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) * 1000 / hz}' "/proc/$1/stat"; }
# Before each timed push, for both servers alike: write back and drop the page cache, then read the source back in.
# Without it a push paid for what the round before wrote (writeback in flight), and on these VMs for the hypervisor's
# first touch of guest memory the page cache grows into: the same push took 0.15 or 0.40 s, with perf putting 64 % of
# the server's CPU in copy_folio_from_iter_atomic (the copy into new page-cache pages), for either server (docs/
# benchmarks.md, s12). SETTLE=0 turns it off.
settle() {
  [ "${SETTLE:-1}" = 1 ] || return 0
  sync; echo 1 > /proc/sys/vm/drop_caches; cat "$@" "${WARM[@]}" > /dev/null
}
# Read back after each drop as well: the programs themselves (their pages are page cache too).
WARM=("$VOLT" "$(command -v docker-registry)" "$(command -v skopeo)" "$(command -v curl)")

DPORT=$(free_port); VPORT=$(free_port)
mkdir -p "$WORK/dist" "$WORK/volt"
printf 'version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:%s\n' "$WORK/dist" "$DPORT" > "$WORK/dist.yml"
docker-registry serve "$WORK/dist.yml" >"$WORK/dist.log" 2>&1 & PIDS+=($!); DPID=$!
VOLT_ROOT="$WORK/volt" "$VOLT" registry serve --port "$VPORT" 2>"$WORK/volt.log" & PIDS+=($!); VPID=$!
wait_port "$DPORT"; wait_port "$VPORT"
TOKEN=$(VOLT_ROOT="$WORK/volt" "$VOLT" registry token --push --expiry 1d)
declare -A URL=([dist]="http://127.0.0.1:$DPORT" [volt]="http://127.0.0.1:$VPORT")
declare -A AUTH=([dist]="X-Bench: dist" [volt]="Authorization: Bearer $TOKEN")
declare -A CREDS=([dist]="" [volt]="--dest-creds=bench:$TOKEN")
declare -A PID=([dist]=$DPID [volt]=$VPID)
start_upload() {
  local who=$1 repo=$2 loc
  loc=$(curl -s -X POST -H "${AUTH[$who]}" -D - -o /dev/null "${URL[$who]}/v2/$repo/blobs/uploads/" | tr -d '\r' | awk 'tolower($1)=="location:"{print $2}')
  [[ "$loc" == /* ]] && loc="${URL[$who]}$loc"
  echo "$loc"
}
sep() { [[ "$1" == *\?* ]] && echo "&" || echo "?"; }
SIZE=$((100*1000*1000))
make_layout() { # dir
  local dir=$1 lsum csum msum msize
  mkdir -p "$dir/blobs/sha256"; echo '{"imageLayoutVersion":"1.0.0"}' > "$dir/oci-layout"
  head -c $SIZE /dev/urandom | gzip -1 > "$dir/layer"; lsum=$(sha256sum "$dir/layer" | cut -d' ' -f1); mv "$dir/layer" "$dir/blobs/sha256/$lsum"
  printf '{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' "$(openssl rand -hex 32)" > "$dir/cfg"
  csum=$(sha256sum "$dir/cfg" | cut -d' ' -f1); mv "$dir/cfg" "$dir/blobs/sha256/$csum"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
    "$csum" "$(stat -c%s "$dir/blobs/sha256/$csum")" "$lsum" "$(stat -c%s "$dir/blobs/sha256/$lsum")" > "$dir/man"
  msum=$(sha256sum "$dir/man" | cut -d' ' -f1); msize=$(stat -c%s "$dir/man"); mv "$dir/man" "$dir/blobs/sha256/$msum"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"v1"}}]}' "$msum" "$msize" > "$dir/index.json"
}
export REGISTRY_AUTH_FILE="$WORK/auth.json"; echo '{}' > "$REGISTRY_AUTH_FILE"
for i in $(seq 1 "$ROUNDS"); do head -c $SIZE /dev/urandom > "$WORK/blob$i"; make_layout "$WORK/img$i"; done
sync
load0=$(cut -d' ' -f1-3 /proc/loadavg)
for f in push pull scp scpull pushcpu pullcpu; do for who in dist volt; do : > "$WORK/$who.$f"; done; done
for i in $(seq 1 "$ROUNDS"); do
  sum=$(sha256sum "$WORK/blob$i" | cut -d' ' -f1)
  order="dist volt"; (( i % 2 == 0 )) && order="volt dist"
  for who in $order; do
    loc=$(start_upload "$who" blobs)
    settle "$WORK/blob$i"
    c0=$(cpu_ms "${PID[$who]}")
    t=$(curl -s -f -X PUT -H "${AUTH[$who]}" -H "Content-Type: application/octet-stream" --data-binary @"$WORK/blob$i" \
        -w '%{time_total}' -o /dev/null "$loc$(sep "$loc")digest=sha256:$sum")
    c1=$(cpu_ms "${PID[$who]}")
    echo "$SIZE $t" | awk '{print $1/$2/1e6}' >> "$WORK/$who.push"
    t=$(curl -s -f -H "${AUTH[$who]}" -w '%{time_total}' -o /dev/null "${URL[$who]}/v2/blobs/blobs/sha256:$sum")
    c2=$(cpu_ms "${PID[$who]}")
    echo "$SIZE $t" | awk '{print $1/$2/1e6}' >> "$WORK/$who.pull"
    echo "$c1 - $c0" | bc >> "$WORK/$who.pushcpu"; echo "$c2 - $c1" | bc >> "$WORK/$who.pullcpu"
    host=${URL[$who]#http://}
    settle "$WORK/img$i"/blobs/sha256/*
    s=$(now); skopeo copy -q --dest-tls-verify=false ${CREDS[$who]} "oci:$WORK/img$i:v1" "docker://$host/img$i:v1"; e=$(now)
    awk -v a="$s" -v b="$e" 'BEGIN{printf "%.3f\n", b-a}' >> "$WORK/$who.scp"
    s=$(now); skopeo copy -q --src-tls-verify=false "docker://$host/img$i:v1" "oci:$WORK/pull-$who-$i:v1"; e=$(now)
    awk -v a="$s" -v b="$e" 'BEGIN{printf "%.3f\n", b-a}' >> "$WORK/$who.scpull"; rm -rf "$WORK/pull-$who-$i"
  done
done
load1=$(cut -d' ' -f1-3 /proc/loadavg)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a/b; else print "-" }'; }
declare -A R
for who in dist volt; do for f in push pull scp scpull pushcpu pullcpu; do R[$who.$f]=$(median < "$WORK/$who.$f"); done; done
echo "registry transfers, $ROUNDS rounds alternating, settle=${SETTLE:-1}; load average $load0 -> $load1"
printf '%-36s %12s %12s %8s  %s\n' metric distribution volt ratio goal
printf '%-36s %12s %12s %8s  %s\n' "push 100 MB blob, curl (MB/s)" "${R[dist.push]}" "${R[volt.push]}" "$(ratio "${R[volt.push]}" "${R[dist.push]}")" ">= 2x"
printf '%-36s %12s %12s %8s  %s\n' "pull 100 MB blob, curl (MB/s)" "${R[dist.pull]}" "${R[volt.pull]}" "$(ratio "${R[volt.pull]}" "${R[dist.pull]}")" ">= 1.5x"
printf '%-36s %12s %12s %8s  %s\n' "skopeo push, 100 MB layer (s)" "${R[dist.scp]}" "${R[volt.scp]}" "$(ratio "${R[volt.scp]}" "${R[dist.scp]}")" "<= 0.8x (time)"
printf '%-36s %12s %12s %8s  %s\n' "skopeo pull, 100 MB layer (s)" "${R[dist.scpull]}" "${R[volt.scpull]}" "$(ratio "${R[volt.scpull]}" "${R[dist.scpull]}")" "(time)"
printf '%-36s %12s %12s %8s  %s\n' "server CPU per curl push (ms)" "${R[dist.pushcpu]}" "${R[volt.pushcpu]}" "$(ratio "${R[volt.pushcpu]}" "${R[dist.pushcpu]}")" "(user+sys)"
printf '%-36s %12s %12s %8s  %s\n' "server CPU per curl pull (ms)" "${R[dist.pullcpu]}" "${R[volt.pullcpu]}" "$(ratio "${R[volt.pullcpu]}" "${R[dist.pullcpu]}")" "(user+sys)"
for f in push pull scp scpull pushcpu pullcpu; do echo "$f runs: dist $(paste -sd' ' "$WORK/dist.$f") | volt $(paste -sd' ' "$WORK/volt.$f")"; done
if [ -n "${STRACE:-}" ]; then
  make_layout "$WORK/imgs"
  for who in dist volt; do
    host=${URL[$who]#http://}
    strace -c -f -p "${PID[$who]}" -o "$WORK/$who.strace" & sp=$!; sleep 0.5
    skopeo copy -q --dest-tls-verify=false ${CREDS[$who]} "oci:$WORK/imgs:v1" "docker://$host/imgs:v1"
    sleep 0.2; kill -INT $sp; wait $sp 2>/dev/null || true
    echo "--- strace -c -f, $who, one skopeo push"; head -25 "$WORK/$who.strace"
    sum=$(sha256sum "$WORK/blob1" | cut -d' ' -f1)
    strace -c -f -p "${PID[$who]}" -o "$WORK/$who.pull.strace" & sp=$!; sleep 0.5
    curl -s -f -H "${AUTH[$who]}" -o /dev/null "${URL[$who]}/v2/blobs/blobs/sha256:$sum"
    sleep 0.2; kill -INT $sp; wait $sp 2>/dev/null || true
    echo "--- strace -c -f, $who, one curl pull of 100 MB"; head -16 "$WORK/$who.pull.strace"
    head -c $SIZE /dev/urandom > "$WORK/blobs-$who"; bsum=$(sha256sum "$WORK/blobs-$who" | cut -d' ' -f1)
    loc=$(start_upload "$who" blobs)
    strace -c -f -p "${PID[$who]}" -o "$WORK/$who.push.strace" & sp=$!; sleep 0.5
    curl -s -f -X PUT -H "${AUTH[$who]}" -H "Content-Type: application/octet-stream" --data-binary @"$WORK/blobs-$who" \
      -o /dev/null "$loc$(sep "$loc")digest=sha256:$bsum"
    sleep 0.2; kill -INT $sp; wait $sp 2>/dev/null || true
    echo "--- strace -c -f, $who, one curl push of 100 MB"; head -16 "$WORK/$who.push.strace"
  done
fi
