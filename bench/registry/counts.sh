#!/usr/bin/env bash
# Load-independent costs of the registry transfer paths: for CNCF distribution and `volt registry serve` (and
# optionally a second volt binary, e.g. the one before a change), one curl push (POST + PUT of a 100 MB blob) and
# one curl pull of it, each under `strace -c -f` of the server, plus the server's CPU time (user + sys from
# /proc/PID/stat) for the same transfers without strace. Prints, per server and path: receive/read calls and bytes
# per call, send/write calls, futex, sched_yield, all syscalls, and CPU ms (median of ROUNDS transfers).
# Usage: bench/registry/counts.sh        Env: VOLT=out/volt VOLT_BEFORE=/path/to/old/volt ROUNDS=3 KEEP=1
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
VOLT="${VOLT:-$REPO_ROOT/out/volt}"
ROUNDS="${ROUNDS:-3}"
for t in docker-registry curl strace sha256sum bc; do command -v "$t" >/dev/null || { echo "missing: $t" >&2; exit 10; }; done
[ -x "$VOLT" ] || { echo "missing $VOLT: run 'dotnet publish src/Volt -c Release -o out' first" >&2; exit 10; }
WORK="$(mktemp -d "${BENCH_DIR:-/var/tmp}/volt-registry-counts.XXXXXX")"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$WORK"; }
trap cleanup EXIT
free_port() { local p; while :; do p=$(shuf -i 20000-60000 -n 1); (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }; done; }
wait_port() { for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$1/v2/" && return 0; sleep 0.1; done; echo "server on $1 did not start" >&2; exit 1; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) * 1000 / hz}' "/proc/$1/stat"; }
SIZE=$((100*1000*1000))

declare -A URL AUTH PID
WHO=(dist volt)
port=$(free_port); mkdir -p "$WORK/dist"
printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' "$WORK/dist" "$port" > "$WORK/dist.yml"
docker-registry serve "$WORK/dist.yml" >"$WORK/dist.log" 2>&1 & PIDS+=($!); PID[dist]=$!; URL[dist]="http://127.0.0.1:$port"; AUTH[dist]="X-Bench: dist"
start_volt() { # name binary
  local name=$1 bin=$2 p; p=$(free_port); mkdir -p "$WORK/$name"
  VOLT_ROOT="$WORK/$name" "$bin" registry serve --port "$p" 2>"$WORK/$name.log" & PIDS+=($!); PID[$name]=$!
  URL[$name]="http://127.0.0.1:$p"
  wait_port "$p"
  AUTH[$name]="Authorization: Bearer $(VOLT_ROOT="$WORK/$name" "$bin" registry token --push --expiry 1d)"
}
start_volt volt "$VOLT"
if [ -n "${VOLT_BEFORE:-}" ]; then start_volt before "$VOLT_BEFORE"; WHO+=(before); fi
wait_port "$port"

push() { # who file
  local who=$1 f=$2 sum loc
  sum=$(sha256sum "$f" | cut -d' ' -f1)
  loc=$(curl -s -X POST -H "${AUTH[$who]}" -D - -o /dev/null "${URL[$who]}/v2/b/blobs/uploads/" | tr -d '\r' | awk 'tolower($1)=="location:"{print $2}')
  [[ "$loc" == /* ]] && loc="${URL[$who]}$loc"
  [[ "$loc" == *\?* ]] && loc="$loc&" || loc="$loc?"
  curl -s -f -X PUT -H "${AUTH[$who]}" -H "Content-Type: application/octet-stream" --data-binary @"$f" -o /dev/null "${loc}digest=sha256:$sum"
  echo "$sum"
}
pull() { curl -s -f -H "${AUTH[$1]}" -o /dev/null "${URL[$1]}/v2/b/blobs/sha256:$2"; }
traced() { # who out command...
  local who=$1 out=$2; shift 2
  strace -c -f -p "${PID[$who]}" -o "$out" & local sp=$!; sleep 0.5
  "$@" >/dev/null
  sleep 0.3; kill -INT $sp; wait $sp 2>/dev/null || true
}
col() { awk -v s="$2" '$NF==s {print $4; f=1} END {if (!f) print 0}' "$1"; }   # calls of syscall $2
total() { awk '$NF=="total" {print $4}' "$1"; }
echo "registry transfer costs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %-5s %9s %9s %9s %9s %9s %9s %9s\n' server path recv_calls KiB/recv sends futex sched_yld syscalls cpu_ms
for who in "${WHO[@]}"; do
  head -c $SIZE /dev/urandom > "$WORK/t-$who"
  traced "$who" "$WORK/$who.push" push "$who" "$WORK/t-$who"
  sum=$(sha256sum "$WORK/t-$who" | cut -d' ' -f1)
  traced "$who" "$WORK/$who.pull" pull "$who" "$sum"
  : > "$WORK/$who.pushcpu"; : > "$WORK/$who.pullcpu"
  for i in $(seq 1 "$ROUNDS"); do
    head -c $SIZE /dev/urandom > "$WORK/c-$who"
    c0=$(cpu_ms "${PID[$who]}"); s=$(push "$who" "$WORK/c-$who"); c1=$(cpu_ms "${PID[$who]}"); pull "$who" "$s"; c2=$(cpu_ms "${PID[$who]}")
    echo "$c1 - $c0" | bc >> "$WORK/$who.pushcpu"; echo "$c2 - $c1" | bc >> "$WORK/$who.pullcpu"
  done
  for path in push pull; do
    f="$WORK/$who.$path"
    recv=$(( $(col "$f" recvfrom) + $(col "$f" read) + $(col "$f" recvmsg) ))
    sends=$(( $(col "$f" sendmsg) + $(col "$f" write) + $(col "$f" sendto) + $(col "$f" writev) ))
    kib=$(awk -v r="$recv" -v s="$SIZE" -v p="$path" 'BEGIN { if (p == "push" && r > 0) printf "%.1f", s / r / 1024; else print "-" }')
    printf '%-8s %-5s %9s %9s %9s %9s %9s %9s %9s\n' "$who" "$path" "$recv" "$kib" "$sends" "$(col "$f" futex)" "$(col "$f" sched_yield)" "$(total "$f")" "$(median < "$WORK/$who.${path}cpu")"
  done
done
if [ -n "${VERBOSE:-}" ]; then for f in "$WORK"/*.push "$WORK"/*.pull; do echo "--- $f"; head -20 "$f"; done; fi
