#!/usr/bin/env bash
# bench/ingress/run.sh: the same static 1 KiB backend (nginx) behind volt ingress, nginx-light, Caddy and HAProxy,
# one at a time in one run; wrk with 64 connections for 20 s over HTTP/1.1 keep-alive and over TLS; RPS and p99
# ratios against nginx; then 100 reloads (route and certificate changes) during a 60 s wrk run against volt, counting
# errors and non-2xx; volt's RSS under load.
#
#   bench/ingress/run.sh
#
# Each wrk line also shows the proxy's CPU seconds per 100k requests (utime+stime of the proxy and its worker
# processes from /proc, before and after the run): on two cores wrk, the proxy and the backend share the CPU, so CPU
# per request is what decides the RPS.
#
# Environment: VOLT_BIN (default out/volt), BENCH_DURATION (20s), BENCH_CONNS (64), BENCH_RELOAD_DURATION (60s),
# BENCH_RELOADS (100; 0 skips the reload run), BENCH_CONTENDERS ("volt nginx caddy haproxy": a subset compares fewer).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
VOLT=${VOLT_BIN:-$REPO/out/volt}
DUR=${BENCH_DURATION:-20s}
CONNS=${BENCH_CONNS:-64}
RDUR=${BENCH_RELOAD_DURATION:-60s}
RELOADS=${BENCH_RELOADS:-100}
CONTENDERS=${BENCH_CONTENDERS:-volt nginx caddy haproxy}
die() { echo "bench/ingress: $*" >&2; exit 1; }
for t in wrk nginx caddy haproxy openssl curl; do command -v $t >/dev/null || die "$t not found (scripts/apt-packages.txt)"; done
[ -x "$VOLT" ] || die "no volt binary at $VOLT (dotnet publish src/Volt -c Release -o out)"

W=$(mktemp -d /tmp/volt-bench-ingress.XXXXXX); chmod 755 "$W"   # nginx workers (nobody) read the backend files
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$W"; }
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 200); do (echo > /dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.05; done; die "port $1 never opened"; }

# the static backend: nginx serving one 1 KiB file
mkdir -p "$W/www" "$W/tmp"
head -c 1024 /dev/urandom | base64 -w0 | head -c 1024 > "$W/www/index.html"
BP=$(port)
cat > "$W/backend.conf" <<CONF
worker_processes 1; daemon off; pid $W/backend.pid; error_log $W/backend.err;
events { worker_connections 4096; }
http { access_log off; client_body_temp_path $W/tmp; proxy_temp_path $W/tmp; fastcgi_temp_path $W/tmp; uwsgi_temp_path $W/tmp; scgi_temp_path $W/tmp;
  server { listen 127.0.0.1:$BP; keepalive_requests 1000000; root $W/www; } }
CONF
nginx -c "$W/backend.conf" -p "$W" & PIDS+=($!)
wait_port $BP

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 7 -subj /CN=bench.volt.test \
  -addext subjectAltName=DNS:bench.volt.test -keyout "$W/key.pem" -out "$W/cert.pem" 2>/dev/null
cat "$W/cert.pem" "$W/key.pem" > "$W/haproxy.pem"

# wrk takes the TLS server name from the URL: bench.volt.test resolves to 127.0.0.1 through a hosts file bound over
# /etc/hosts in wrk's own mount namespace only (the host's file is never touched).
printf '127.0.0.1 bench.volt.test\n' > "$W/hosts"
wrk_() { unshare -m sh -c 'mount --bind "$0" /etc/hosts && exec wrk "$@"' "$W/hosts" "$@"; }

# CPU ticks (utime + stime) of a process and its children (nginx's workers), from /proc/PID/stat
TICK=$(getconf CLK_TCK)
cpu_ticks() {
    local t=0 p f
    for p in $1 $(pgrep -P "$1" || true); do
        f=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null) || continue
        t=$(( t + $(awk '{print $12 + $13}' <<<"$f") ))
    done
    echo $t
}

declare -A RPS P99 CPU
run_wrk() { # name url pid
    local c0; c0=$(cpu_ticks "$3")
    local out; out=$(wrk_ -t2 -c"$CONNS" -d"$DUR" --latency -H 'Host: bench.volt.test' "$2" 2>&1)
    local c1; c1=$(cpu_ticks "$3")
    local n; n=$(awk '/requests in/ {print $1}' <<<"$out")
    CPU[$1]=$(awk -v t=$((c1 - c0)) -v hz="$TICK" -v n="$n" 'BEGIN { printf "%.2f", (n > 0 ? t / hz * 100000 / n : 0) }')
    RPS[$1]=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    P99[$1]=$(awk '$1=="99%" {v=$2; if (v ~ /ms$/) {sub("ms","",v)} else if (v ~ /us$/) {sub("us","",v); v=v/1000} else if (v ~ /s$/) {sub("s","",v); v=v*1000}; print v}' <<<"$out")
    local errs; errs=$(grep -E "Socket errors|Non-2xx" <<<"$out" || true)
    printf '%-14s %10s req/s  p99 %8s ms  %6s CPU s/100k req  %s\n' "$1" "${RPS[$1]}" "${P99[$1]}" "${CPU[$1]}" "$errs"
}

contender() { # name start-fn
    local hp=$(port) sp=$(port)
    "$2" "$hp" "$sp"
    wait_port "$hp"; wait_port "$sp"
    curl -fsS --resolve bench.volt.test:$sp:127.0.0.1 -k "https://bench.volt.test:$sp/" -o /dev/null || die "$1: HTTPS check failed"
    run_wrk "$1-http" "http://127.0.0.1:$hp/" "${PIDS[-1]}"
    run_wrk "$1-tls" "https://bench.volt.test:$sp/" "${PIDS[-1]}"
    [ "$1" = volt ] && VOLT_RSS=$(ps -o rss= -p "$VOLT_PID" | tr -d ' ')
    kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true; unset 'PIDS[-1]'
}

start_volt() {
    export VOLT_ROOT="$W/volt"
    "$VOLT" ingress create --name bench --hostname bench.volt.test --backend 127.0.0.1:$BP --tls manual --cert "$W/cert.pem" --key "$W/key.pem" >/dev/null
    "$VOLT" ingress serve --listen 127.0.0.1 --http-port "$1" --https-port "$2" --access-log off >"$W/volt.err" 2>&1 & VOLT_PID=$!; PIDS+=($VOLT_PID)
}
start_nginx() {
    cat > "$W/nginx-$1.conf" <<CONF
worker_processes auto; daemon off; pid $W/nginx-$1.pid; error_log $W/nginx.err;
events { worker_connections 4096; }
http { access_log off; client_body_temp_path $W/tmp; proxy_temp_path $W/tmp; fastcgi_temp_path $W/tmp; uwsgi_temp_path $W/tmp; scgi_temp_path $W/tmp;
  upstream b { server 127.0.0.1:$BP; keepalive 64; }
  server { listen 127.0.0.1:$1; listen 127.0.0.1:$2 ssl http2; server_name _; ssl_certificate $W/cert.pem; ssl_certificate_key $W/key.pem;
    location / { proxy_pass http://b; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host \$host; proxy_set_header X-Forwarded-For \$remote_addr; } } }
CONF
    nginx -c "$W/nginx-$1.conf" -p "$W" & PIDS+=($!)
}
start_caddy() {
    cat > "$W/Caddyfile-$1" <<CONF
{
  admin off
  auto_https off
  http_port $1
  https_port $2
}
http://:$1 {
  reverse_proxy 127.0.0.1:$BP
}
https://bench.volt.test:$2 {
  tls $W/cert.pem $W/key.pem
  reverse_proxy 127.0.0.1:$BP
}
CONF
    XDG_DATA_HOME=$W/caddy XDG_CONFIG_HOME=$W/caddy caddy run --config "$W/Caddyfile-$1" --adapter caddyfile >"$W/caddy.log" 2>&1 & PIDS+=($!)
}
start_haproxy() {
    cat > "$W/haproxy-$1.cfg" <<CONF
global
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  option http-keep-alive
frontend f
  bind 127.0.0.1:$1
  bind 127.0.0.1:$2 ssl crt $W/haproxy.pem alpn h2,http/1.1
  option forwardfor
  default_backend b
backend b
  http-reuse always
  server s1 127.0.0.1:$BP
CONF
    haproxy -f "$W/haproxy-$1.cfg" -db >"$W/haproxy.log" 2>&1 & PIDS+=($!)
}

echo "bench/ingress: $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores; wrk -c$CONNS -d$DUR"
for c in $CONTENDERS; do contender "$c" "start_$c"; done
echo
[[ " $CONTENDERS " == *" nginx "* ]] && for mode in http tls; do
    for c in $CONTENDERS; do
        [ "$c" = nginx ] && continue
        awk -v a="${RPS[$c-$mode]}" -v b="${RPS[nginx-$mode]}" -v p="${P99[$c-$mode]}" -v q="${P99[nginx-$mode]}" -v n="$c-$mode" \
            'BEGIN { printf "%-14s RPS %.2fx nginx, p99 %.2fx nginx\n", n, a/b, p/q }'
    done
done
[[ " $CONTENDERS " == *" volt "* ]] && echo "volt RSS under load: $(( ${VOLT_RSS:-0} / 1024 )) MiB"
(( RELOADS > 0 )) && [[ " $CONTENDERS " == *" volt "* ]] || exit 0

# 100 reloads during a 60 s run: routes (backend list) and certificates change each time
hp=$(port); sp=$(port)
export VOLT_ROOT="$W/volt"
"$VOLT" ingress serve --listen 127.0.0.1 --http-port "$hp" --https-port "$sp" --access-log off >"$W/volt-reload.err" 2>&1 & VOLT_PID=$!; PIDS+=($VOLT_PID)
wait_port "$hp"; wait_port "$sp"
wrk_ -t2 -c"$CONNS" -d"$RDUR" -H 'Host: bench.volt.test' "https://bench.volt.test:$sp/" > "$W/reload-wrk.txt" 2>&1 &
WRK=$!
sleep 1
ROUTE="$W/volt/etc/volt/ingress/bench.json"
for i in $(seq "$RELOADS"); do
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 7 -subj /CN=bench.volt.test \
      -addext subjectAltName=DNS:bench.volt.test -keyout "$W/key$i.pem" -out "$W/cert$i.pem" 2>/dev/null
    if (( i % 2 )); then backends="\"127.0.0.1:$BP\",\"localhost:$BP\""; else backends="\"127.0.0.1:$BP\""; fi
    python3 - "$ROUTE" "$W/cert$i.pem" "$W/key$i.pem" "$backends" <<'PY'
import json, sys, os
p, c, k, b = sys.argv[1:]
r = json.load(open(p)); r["cert"], r["key"], r["backends"] = c, k, json.loads("[" + b + "]")
open(p + ".tmp", "w").write(json.dumps(r)); os.rename(p + ".tmp", p)
PY
    kill -HUP "$VOLT_PID"
    sleep $(awk -v d="${RDUR%s}" -v n="$RELOADS" 'BEGIN { printf "%.2f", (d - 5) / n }')
done
wait "$WRK" || true
RELOADED=$(grep -c "Reloaded (SIGHUP)" "$W/volt-reload.err" || true)
echo "reloads under load: $RELOADS sent, $RELOADED applied; wrk: $(awk '/Requests\/sec/ {print $2" req/s"}' "$W/reload-wrk.txt"), $(grep -E 'Socket errors|Non-2xx' "$W/reload-wrk.txt" || echo '0 socket errors, 0 non-2xx')"
echo "volt RSS after the reload run: $(( $(ps -o rss= -p "$VOLT_PID" | tr -d ' ') / 1024 )) MiB"
