#!/usr/bin/env bash
# bench/ingress/acme.sh: time to obtain a certificate from Debian's pebble, new account to certificate in hand,
# volt ingress (HTTP-01 on its own HTTP port, until it serves the certificate) against lego (HTTP-01, its own
# solver), the same pebble, in one run; BENCH_RUNS (3) runs each, medians. Pebble keeps its 5 % nonce rejection.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
VOLT=${VOLT_BIN:-$REPO/out/volt}
RUNS=${BENCH_RUNS:-3}
die() { echo "bench/ingress/acme: $*" >&2; exit 1; }
for t in pebble pebble-challtestsrv lego openssl python3; do command -v $t >/dev/null || die "$t not found"; done
W=$(mktemp -d /tmp/volt-bench-acme.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$W"; }
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 400); do (echo > /dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.05; done; die "port $1 never opened"; }
now() { date +%s.%N; }

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 7 -subj /CN=bench-ca -keyout "$W/ca.key" -out "$W/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=127.0.0.1 -keyout "$W/l.key" -out "$W/l.csr" 2>/dev/null
openssl x509 -req -in "$W/l.csr" -CA "$W/ca.pem" -CAkey "$W/ca.key" -CAcreateserial -days 7 -extfile <(printf 'subjectAltName=IP:127.0.0.1,DNS:localhost') -out "$W/l.pem" 2>/dev/null
HP=$(port); TP=$(port); AP=$(port); MP=$(port); DP=$(port); DM=$(port)
cat > "$W/pebble.json" <<CONF
{ "pebble": { "listenAddress": "127.0.0.1:$AP", "managementListenAddress": "127.0.0.1:$MP", "certificate": "$W/l.pem", "privateKey": "$W/l.key",
  "httpPort": $HP, "tlsPort": $TP, "ocspResponderURL": "", "externalAccountBindingRequired": false } }
CONF
pebble-challtestsrv -defaultIPv4 127.0.0.1 -defaultIPv6 "" -dns01 127.0.0.1:$DP -http01 "" -https01 "" -tlsalpn01 "" -management 127.0.0.1:$DM >"$W/dns.log" 2>&1 & PIDS+=($!)
PEBBLE_VA_NOSLEEP=1 pebble -config "$W/pebble.json" -dnsserver 127.0.0.1:$DP >"$W/pebble.log" 2>&1 & PIDS+=($!)
wait_port $AP

median() { python3 -c 'import sys,statistics; print("%.3f" % statistics.median(map(float, sys.argv[1:])))' "$@"; }
declare -a V L
for i in $(seq "$RUNS"); do
    # lego
    t0=$(now)
    LEGO_CA_CERTIFICATES="$W/ca.pem" lego --server "https://127.0.0.1:$AP/dir" --accept-tos --email "ops@volt.test" \
        --domains "lego$i.volt.test" --http --http.port "127.0.0.1:$HP" --path "$W/lego$i" run >"$W/lego$i.log" 2>&1 || die "lego failed: $(tail -3 "$W/lego$i.log")"
    L+=($(python3 -c "print($(now) - $t0)"))
    # volt: new account (fresh root), one auto route, until the certificate is stored and served
    export VOLT_ROOT="$W/volt$i"
    "$VOLT" ingress create --name web --hostname "volt$i.volt.test" --backend 127.0.0.1:9 --tls auto >/dev/null
    t0=$(now)
    "$VOLT" ingress serve --listen 127.0.0.1 --http-port "$HP" --https-port "$TP" --access-log off \
        --acme-directory "https://127.0.0.1:$AP/dir" --acme-ca-bundle "$W/ca.pem" >"$W/volt$i.log" 2>&1 & VP=$!; PIDS+=($VP)
    crt="$VOLT_ROOT/etc/volt/ingress/acme/certs/volt$i.volt.test.crt"
    until [ -s "$crt" ] && grep -q "Reloaded (certificate" "$W/volt$i.log"; do sleep 0.02; kill -0 $VP 2>/dev/null || die "volt exited: $(tail -3 "$W/volt$i.log")"; done
    V+=($(python3 -c "print($(now) - $t0)"))
    issuer=$(echo | openssl s_client -connect 127.0.0.1:$TP -servername "volt$i.volt.test" 2>/dev/null | openssl x509 -noout -issuer)
    kill $VP; wait $VP 2>/dev/null || true; unset 'PIDS[-1]'
    echo "run $i: lego ${L[-1]} s, volt ${V[-1]} s (served cert $issuer)"
done
lm=$(median "${L[@]}"); vm=$(median "${V[@]}")
echo "pebble issuance, new account to certificate: volt median $vm s, lego median $lm s, ratio $(python3 -c "print('%.2f' % ($vm/$lm))")x (≤ 1 is the bar)"
