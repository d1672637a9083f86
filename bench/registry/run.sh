#!/usr/bin/env bash
# Side-by-side: Debian's docker-registry (CNCF distribution 2.8) vs `volt registry serve`, on loopback, same clients.
#   1. RSS while pushing a 2 GiB blob (streamed, chunked) — VmHWM of the server process
#   2. 100 MB blob push (POST + monolithic PUT) and pull with curl, RUNS runs each, MB/s (median)
#   3. an image with a 100 MB layer: skopeo copy oci: → docker:// and back, seconds (median of 3)
#   4. 64 connections, DURATION each: HEAD manifest (ab -i), GET manifest and GET 1 KiB blob (wrk) — req/s, p99, errors
# Usage: bench/registry/run.sh            (needs out/volt: dotnet publish src/Volt -c Release -o out)
# Env:   RUNS=5 DURATION=20s BIG=2G KEEP=1 (keep the temp dir)
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
VOLT="${VOLT:-$REPO_ROOT/out/volt}"
RUNS="${RUNS:-5}"; DURATION="${DURATION:-20s}"; BIG="${BIG:-2G}"
for t in docker-registry curl skopeo wrk ab gzip openssl sha256sum; do command -v "$t" >/dev/null || { echo "missing: $t (apt-get install it; see scripts/apt-packages.txt)" >&2; exit 10; }; done
[ -x "$VOLT" ] || { echo "missing $VOLT: run 'dotnet publish src/Volt -c Release -o out' first" >&2; exit 10; }

WORK="$(mktemp -d /tmp/volt-registry-bench.XXXXXX)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$WORK"; }
trap cleanup EXIT

free_port() { local p; while :; do p=$(shuf -i 20000-60000 -n 1); (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }; done; }
wait_port() { for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$1/v2/" && return 0; sleep 0.1; done; echo "server on $1 did not start" >&2; exit 1; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# --- servers -------------------------------------------------------------------------------------------------------
DPORT=$(free_port); VPORT=$(free_port)
mkdir -p "$WORK/dist" "$WORK/volt"
cat > "$WORK/dist.yml" <<YAML
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $WORK/dist
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$DPORT
YAML
docker-registry serve "$WORK/dist.yml" >"$WORK/dist.log" 2>&1 & PIDS+=($!); DPID=$!
VOLT_ROOT="$WORK/volt" "$VOLT" registry serve --port "$VPORT" 2>"$WORK/volt.log" & PIDS+=($!); VPID=$!
wait_port "$DPORT"; wait_port "$VPORT"
TOKEN=$(VOLT_ROOT="$WORK/volt" "$VOLT" registry token --push --expiry 1d)
declare -A URL=([dist]="http://127.0.0.1:$DPORT" [volt]="http://127.0.0.1:$VPORT")
declare -A AUTH=([dist]="X-Bench: dist" [volt]="Authorization: Bearer $TOKEN")
declare -A CREDS=([dist]="" [volt]="--dest-creds=bench:$TOKEN")
declare -A PID=([dist]=$DPID [volt]=$VPID)
declare -A R

# Starts an upload session and prints its absolute Location.
start_upload() {
  local who=$1 repo=$2 loc
  loc=$(curl -s -X POST -H "${AUTH[$who]}" -D - -o /dev/null "${URL[$who]}/v2/$repo/blobs/uploads/" | tr -d '\r' | awk 'tolower($1)=="location:"{print $2}')
  [[ "$loc" == /* ]] && loc="${URL[$who]}$loc"
  echo "$loc"
}
sep() { [[ "$1" == *\?* ]] && echo "&" || echo "?"; }

# --- 1. RSS while pushing a 2 GiB blob --------------------------------------------------------------------------------
echo "==> 1/4 RSS during a $BIG streamed push" >&2
BIGSUM=$(head -c "$BIG" /dev/zero | sha256sum | cut -d' ' -f1)
for who in dist volt; do
  loc=$(start_upload "$who" big)
  head -c "$BIG" /dev/zero | curl -s -f -X PUT -H "${AUTH[$who]}" -H "Content-Type: application/octet-stream" \
    -T - "$loc$(sep "$loc")digest=sha256:$BIGSUM" -o /dev/null
  R[$who.rss]=$(awk '/VmHWM/{printf "%.0f", $2/1024}' /proc/${PID[$who]}/status)
  rm -rf "$WORK/dist/docker/registry/v2/blobs" 2>/dev/null || true
done
VOLT_ROOT="$WORK/volt" "$VOLT" registry delete big >/dev/null && VOLT_ROOT="$WORK/volt" "$VOLT" cas gc --grace 0s >/dev/null

# --- 2. 100 MB blob push and pull with curl ---------------------------------------------------------------------------
echo "==> 2/4 100 MB blob push/pull with curl, $RUNS runs" >&2
SIZE=$((100*1000*1000))
for i in $(seq 1 "$RUNS"); do head -c $SIZE /dev/urandom > "$WORK/blob$i"; done
sync
for who in dist volt; do : > "$WORK/$who.push"; : > "$WORK/$who.pull"; done
for i in $(seq 1 "$RUNS"); do
  sum=$(sha256sum "$WORK/blob$i" | cut -d' ' -f1)
  for who in dist volt; do # alternate, so both servers see the same page-cache and writeback conditions
    loc=$(start_upload "$who" blobs)
    t=$(curl -s -f -X PUT -H "${AUTH[$who]}" -H "Content-Type: application/octet-stream" --data-binary @"$WORK/blob$i" \
        -w '%{time_total}' -o /dev/null "$loc$(sep "$loc")digest=sha256:$sum")
    echo "$SIZE $t" | awk '{print $1/$2/1e6}' >> "$WORK/$who.push"
    t=$(curl -s -f -H "${AUTH[$who]}" -w '%{time_total}' -o /dev/null "${URL[$who]}/v2/blobs/blobs/sha256:$sum")
    echo "$SIZE $t" | awk '{print $1/$2/1e6}' >> "$WORK/$who.pull"
  done
done
for who in dist volt; do
  R[$who.push]=$(median < "$WORK/$who.push"); R[$who.pull]=$(median < "$WORK/$who.pull")
  R[$who.pushall]=$(paste -sd' ' "$WORK/$who.push" | awk '{for(i=1;i<=NF;i++) printf "%.0f ", $i}')
  R[$who.pullall]=$(paste -sd' ' "$WORK/$who.pull" | awk '{for(i=1;i<=NF;i++) printf "%.0f ", $i}')
done
rm -f "$WORK"/blob*

# --- 3. skopeo: image with a 100 MB layer ----------------------------------------------------------------------------
echo "==> 3/4 skopeo copy of an image with a 100 MB layer, 3 runs" >&2
make_layout() { # dir tag
  local dir=$1 tag=$2 layer cfg man lsum csum msum
  mkdir -p "$dir/blobs/sha256"; echo '{"imageLayoutVersion":"1.0.0"}' > "$dir/oci-layout"
  head -c $SIZE /dev/urandom | gzip -1 > "$dir/layer"; lsum=$(sha256sum "$dir/layer" | cut -d' ' -f1)
  mv "$dir/layer" "$dir/blobs/sha256/$lsum"
  printf '{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' "$(openssl rand -hex 32)" > "$dir/cfg"
  csum=$(sha256sum "$dir/cfg" | cut -d' ' -f1); mv "$dir/cfg" "$dir/blobs/sha256/$csum"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
    "$csum" "$(stat -c%s "$dir/blobs/sha256/$csum")" "$lsum" "$(stat -c%s "$dir/blobs/sha256/$lsum")" > "$dir/man"
  msum=$(sha256sum "$dir/man" | cut -d' ' -f1); local msize; msize=$(stat -c%s "$dir/man"); mv "$dir/man" "$dir/blobs/sha256/$msum"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"%s"}}]}' "$msum" "$msize" "$tag" > "$dir/index.json"
}
export REGISTRY_AUTH_FILE="$WORK/auth.json"; echo '{}' > "$REGISTRY_AUTH_FILE"
for i in 1 2 3; do make_layout "$WORK/img$i" v1; done
sync
for who in dist volt; do : > "$WORK/$who.scp"; : > "$WORK/$who.scpull"; done
for i in 1 2 3; do
  for who in dist volt; do
    host=${URL[$who]#http://}
    s=$(date +%s.%N); skopeo copy -q --dest-tls-verify=false ${CREDS[$who]} "oci:$WORK/img$i:v1" "docker://$host/img$i:v1"; e=$(date +%s.%N)
    awk -v a="$s" -v b="$e" 'BEGIN{printf "%.2f\n", b-a}' >> "$WORK/$who.scp"
    s=$(date +%s.%N); skopeo copy -q --src-tls-verify=false "docker://$host/img$i:v1" "oci:$WORK/pull-$who-$i:v1"; e=$(date +%s.%N)
    awk -v a="$s" -v b="$e" 'BEGIN{printf "%.2f\n", b-a}' >> "$WORK/$who.scpull"; rm -rf "$WORK/pull-$who-$i"
  done
done
for who in dist volt; do R[$who.scp]=$(median < "$WORK/$who.scp"); R[$who.scpull]=$(median < "$WORK/$who.scpull"); done

# --- 4. wrk: small requests, 64 connections --------------------------------------------------------------------------
echo "==> 4/4 wrk -c64 -d$DURATION: HEAD manifest, GET manifest, GET 1 KiB blob" >&2
head -c 1024 /dev/urandom > "$WORK/small"; SMALL=$(sha256sum "$WORK/small" | cut -d' ' -f1)
for who in dist volt; do
  loc=$(start_upload "$who" img1)
  curl -s -f -X PUT -H "${AUTH[$who]}" -H "Content-Type: application/octet-stream" --data-binary @"$WORK/small" -o /dev/null "$loc$(sep "$loc")digest=sha256:$SMALL"
  for kind in head get blob; do
    case $kind in
      head) path="/v2/img1/manifests/v1" ;;
      get)  path="/v2/img1/manifests/v1" ;;
      blob) path="/v2/img1/blobs/sha256:$SMALL" ;;
    esac
    if [ $kind = head ]; then # wrk 4.1 waits for a body after HEAD responses with Content-Length: use ab -i
      out=$(ab -q -k -i -c 64 -t "${DURATION%s}" -n 100000000 -H "Accept: application/vnd.oci.image.manifest.v1+json" "${URL[$who]}$path" 2>&1)
      R[$who.$kind.rps]=$(awk '/Requests per second/{printf "%.0f", $4}' <<<"$out")
      R[$who.$kind.p99]=$(awk '$1=="99%"{printf "%.2f", $2}' <<<"$out")
      R[$who.$kind.err]=$(awk '/Failed requests/{f=$3} /Non-2xx responses/{n=$3} END{print f+n}' <<<"$out")
      continue
    fi
    out=$(wrk -t2 -c64 -d"$DURATION" --latency -H "Accept: application/vnd.oci.image.manifest.v1+json" "${URL[$who]}$path")
    R[$who.$kind.rps]=$(awk '/Requests\/sec/{printf "%.0f", $2}' <<<"$out")
    R[$who.$kind.p99]=$(awk '$1=="99%"{v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; printf "%.2f", v}' <<<"$out")
    non2xx=$(awk '/Non-2xx/{print $NF}' <<<"$out"); sock=$(awk -F'[ ,]+' '/Socket errors/{print $4+$6+$8+$10}' <<<"$out")
    R[$who.$kind.err]=$(( ${non2xx:-0} + ${sock:-0} ))
  done
done
R[dist.rss_end]=$(awk '/VmHWM/{printf "%.0f", $2/1024}' /proc/$DPID/status); R[volt.rss_end]=$(awk '/VmHWM/{printf "%.0f", $2/1024}' /proc/$VPID/status)

# --- report ----------------------------------------------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a/b; else print "-" }'; }
printf '\n%-38s %14s %14s %8s   %s\n' "metric" "distribution" "volt" "ratio" "goal"
row() { printf '%-38s %14s %14s %8s   %s\n' "$1" "$2" "$3" "$4" "$5"; }
row "push 100 MB blob, curl (MB/s, median)" "${R[dist.push]}" "${R[volt.push]}" "$(ratio "${R[volt.push]}" "${R[dist.push]}")" ">= 1.5x"
row "pull 100 MB blob, curl (MB/s, median)" "${R[dist.pull]}" "${R[volt.pull]}" "$(ratio "${R[volt.pull]}" "${R[dist.pull]}")" ">= 1.0x"
row "skopeo push, 100 MB layer (s)" "${R[dist.scp]}" "${R[volt.scp]}" "$(ratio "${R[dist.scp]}" "${R[volt.scp]}")" "speedup"
row "skopeo pull, 100 MB layer (s)" "${R[dist.scpull]}" "${R[volt.scpull]}" "$(ratio "${R[dist.scpull]}" "${R[volt.scpull]}")" "speedup"
for kind in head get blob; do
  label=$([ $kind = head ] && echo "HEAD manifest" || { [ $kind = get ] && echo "GET manifest" || echo "GET 1 KiB blob"; })
  row "$label, 64 conn (req/s)" "${R[dist.$kind.rps]}" "${R[volt.$kind.rps]}" "$(ratio "${R[volt.$kind.rps]}" "${R[dist.$kind.rps]}")" ""
  row "$label, 64 conn (p99 ms)" "${R[dist.$kind.p99]}" "${R[volt.$kind.p99]}" "$(ratio "${R[volt.$kind.p99]}" "${R[dist.$kind.p99]}")" "<= 1.0x"
  row "$label, 64 conn (errors)" "${R[dist.$kind.err]}" "${R[volt.$kind.err]}" "" "0"
done
row "RSS peak during $BIG push (MB)" "${R[dist.rss]}" "${R[volt.rss]}" "" "<= 200"
row "RSS peak, whole run (MB)" "${R[dist.rss_end]}" "${R[volt.rss_end]}" "" ""
echo
echo "push runs MB/s: dist ${R[dist.pushall]}| volt ${R[volt.pushall]}"
echo "pull runs MB/s: dist ${R[dist.pullall]}| volt ${R[volt.pullall]}"
