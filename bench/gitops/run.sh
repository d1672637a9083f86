#!/usr/bin/env bash
# bench/gitops: webhook-received -> deploy-started / deploy-finished latency of `volt gitops serve`
# over PUSHES pushes to a cached repo (p50/p99), then the same while FORGE_RATE forged webhooks/s hit the server.
# Goals (issue 6): deploy started <= 2 s p99; forged traffic changes valid p99 by < 20 %.
#
# Everything on 127.0.0.1: a real git-daemon, a private VOLT_ROOT in a temp dir, containers on systemd-nspawn from
# a busybox image built with `volt image build-from-dir`. Needs root, git, curl, openssl, python3, busybox-static.
#
# Env: PUSHES (50), FORGE_RATE (200), VOLT_BIN (default: AOT publish to /tmp/gitops-bench-out),
#      SKIP_FORGED=1 (baseline only), KEEP=1 (keep the temp dir).
# Smoke: PUSHES=5 bench/gitops/run.sh
#
# "received" is the moment the signed webhook is handed to curl on loopback (taken just before curl starts);
# "started"/"finished" come from the pipeline's history.jsonl (timestamp = deploy start after the pipeline lock,
# + duration_ms), which keeps sub-millisecond precision (`gitops logs -o json` rounds to seconds).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$HERE/../.." && pwd)"
PUSHES="${PUSHES:-50}"
FORGE_RATE="${FORGE_RATE:-200}"
ARGO_POLL_S=180
SECRET="bench-secret-$$"
PIPE=bench-app
WORKLOAD=benchweb

[[ $(id -u) == 0 ]] || { echo "run as root (containers on systemd-nspawn)" >&2; exit 2; }
for t in git curl openssl python3; do command -v "$t" >/dev/null || { echo "missing $t" >&2; exit 2; }; done
[[ -x /bin/busybox ]] || { echo "missing /bin/busybox (busybox-static)" >&2; exit 2; }

if [[ -z "${VOLT_BIN:-}" ]]; then
  echo "publishing AOT binary to /tmp/gitops-bench-out ..." >&2
  dotnet publish "$REPO_ROOT/src/Volt" -c Release -o /tmp/gitops-bench-out >/tmp/gitops-bench-publish.log 2>&1 \
    || { tail -20 /tmp/gitops-bench-publish.log >&2; exit 1; }
  VOLT_BIN=/tmp/gitops-bench-out/volt
fi
[[ -x "$VOLT_BIN" ]] || { echo "VOLT_BIN $VOLT_BIN not executable" >&2; exit 2; }

WORK="$(mktemp -d /tmp/volt-gitops-bench.XXXXXX)"
export VOLT_ROOT="$WORK/root"
mkdir -p "$VOLT_ROOT"
DAEMON_PID="" SERVE_PID="" FORGE_PID=""

volt() { "$VOLT_BIN" "$@"; }

cleanup() {
  set +e
  [[ -n "$FORGE_PID" ]] && kill "$FORGE_PID" 2>/dev/null && wait "$FORGE_PID" 2>/dev/null
  [[ -n "$SERVE_PID" ]] && kill "$SERVE_PID" 2>/dev/null && wait "$SERVE_PID" 2>/dev/null
  for c in "$WORKLOAD" "$WORKLOAD-gitops-next"; do volt container delete -f "$c" >/dev/null 2>&1; done
  # voltd, started on demand by the first deploy, outlives `gitops serve` by design (it supervises the deployed
  # workloads): the bench started it in its private root, so it stops it, by the pid voltd recorded.
  local voltd_pid
  voltd_pid=$(cat "$VOLT_ROOT/var/run/volt/volt.pid" 2>/dev/null)
  if [[ -n "$voltd_pid" ]] && kill "$voltd_pid" 2>/dev/null; then
    for _ in $(seq 100); do kill -0 "$voltd_pid" 2>/dev/null || break; sleep 0.1; done
  fi
  [[ -n "$DAEMON_PID" ]] && kill "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null
  if [[ -n "${KEEP:-}" ]]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; echo "port $1 never opened" >&2; return 1; }

# --- git daemon with one bare repo ---------------------------------------------------------------------------
GIT_PORT=$(free_port)
mkdir -p "$WORK/srv"
git init -q --bare -b main "$WORK/srv/app.git"
"$(git --exec-path)/git-daemon" --reuseaddr --base-path="$WORK/srv" --export-all --enable=receive-pack \
  --listen=127.0.0.1 --port="$GIT_PORT" "$WORK/srv" >"$WORK/git-daemon.log" 2>&1 &
DAEMON_PID=$!
wait_port "$GIT_PORT"
GIT_URL="git://127.0.0.1:$GIT_PORT/app.git"
git clone -q "$GIT_URL" "$WORK/work" 2>/dev/null
G() { git -C "$WORK/work" -c user.name=Bench -c user.email=bench@example.com "$@"; }

# --- image, pipeline, server ---------------------------------------------------------------------------------
R="$WORK/rootfs"
mkdir -p "$R"/{bin,etc,tmp,proc,sys,dev,root,run,var,usr/bin}
cp /bin/busybox "$R/bin/busybox"
for a in sh sleep false env echo; do ln -s busybox "$R/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$R/etc/passwd"
echo 'root:x:0:' >"$R/etc/group"
volt image build-from-dir "$R" --name busybox:bench >/dev/null
printf '%s\n' "$SECRET" >"$WORK/secret"
volt gitops create --name "$PIPE" --repo "$GIT_URL" --provider github --branch main --workload "$WORKLOAD" \
  --secret-file "$WORK/secret" >/dev/null

SERVE_PORT=$(free_port)
"$VOLT_BIN" gitops serve --port "$SERVE_PORT" --listen 127.0.0.1 >"$WORK/serve.out" 2>"$WORK/serve.log" &
SERVE_PID=$!
wait_port "$SERVE_PORT"
HISTORY="$VOLT_ROOT/var/lib/volt/gitops/$PIPE/history.jsonl"

# push N: commit a manifest change (env value), push, send the signed webhook; print "commit start_s finish_s status"
push_once() {
  local n=$1
  cat >"$WORK/work/volt-manifest.yaml" <<YAML
name: $WORKLOAD
image: busybox:bench
command: ["sleep", "100000"]
env:
  MODE: push-$n
resources: { memory: 64M, pids: 50 }
YAML
  G add -A && G commit -q -m "bench push $n" && G push -q origin HEAD:refs/heads/main 2>/dev/null
  local commit; commit=$(G rev-parse HEAD)
  printf '{"ref":"refs/heads/main","before":"%s","after":"%s","repository":{"clone_url":"%s","full_name":"bench/app"},"pusher":{"name":"bench"}}' \
    "0000000000000000000000000000000000000001" "$commit" "$GIT_URL" >"$WORK/body.json"
  local sig; sig=$(openssl dgst -sha256 -hmac "$SECRET" -r <"$WORK/body.json" | cut -d' ' -f1)
  local sent; sent=$(date +%s.%N)
  local code; code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$SERVE_PORT/hooks/github" \
    -H 'Content-Type: application/json' -H 'X-GitHub-Event: push' -H "X-Hub-Signature-256: sha256=$sig" \
    --data-binary @"$WORK/body.json")
  [[ $code == 202 ]] || { echo "push $n: webhook answered $code" >&2; return 1; }
  local r; r=$(python3 "$HERE/helper.py" wait "$HISTORY" "$commit" 120) || { echo "push $n: no history entry" >&2; return 1; }
  read -r started finished status notes <<<"$r"
  python3 -c "import sys; s,a,b=map(float,sys.argv[1:4]); print(f'$commit {a-s:.6f} {b-s:.6f} $status')" "$sent" "$started" "$finished"
  [[ $status == success ]] || echo "push $n: deploy $status: $notes" >&2
}

run_phase() { # name file
  local name=$1 out=$2 i
  : >"$out"
  for ((i = 1; i <= PUSHES; i++)); do
    push_once "$name-$i" >>"$out"
    local eol='\n'; [[ -t 2 ]] && eol='\r'
    printf "  %-10s %3d/%d  last: %s$eol" "$name" "$i" "$PUSHES" "$(tail -1 "$out" | awk '{printf "started %.3fs finished %.3fs %s", $2, $3, $4}')" >&2
  done
  [[ -t 2 ]] && echo >&2
  return 0
}

echo "volt $("$VOLT_BIN" --version 2>/dev/null | head -1) | $(nproc) cores | $(date -u +%F) | $PUSHES pushes/phase | git $GIT_URL | serve :$SERVE_PORT" >&2
echo "warm-up push (first clone + container create, not measured) ..." >&2
push_once warmup >"$WORK/warmup.txt"
awk '{printf "  warm-up: started %.3fs finished %.3fs %s\n", $2, $3, $4}' "$WORK/warmup.txt" >&2

run_phase baseline "$WORK/baseline.txt"

if [[ -z "${SKIP_FORGED:-}" ]]; then
  python3 "$HERE/helper.py" forge "$SERVE_PORT" "$FORGE_RATE" "$WORK/forge.stop" "$WORK/forge.json" &
  FORGE_PID=$!
  sleep 2  # let the forged load reach steady state
  run_phase forged "$WORK/forged.txt"
  touch "$WORK/forge.stop"
  wait "$FORGE_PID"; FORGE_PID=""
fi

entries=$(wc -l <"$HISTORY")
phases=2; [[ -n "${SKIP_FORGED:-}" ]] && phases=1
expected=$((1 + PUSHES * phases))
forbidden=$(grep -c 'webhook github: 403' "$WORK/serve.log" || true)
rc=0
python3 "$HERE/helper.py" summary "$WORK/baseline.txt" "$WORK/forged.txt" "$WORK/forge.json" "$ARGO_POLL_S" || rc=1
echo "history entries: $entries (expected $expected: warm-up + valid pushes only, no forged deploys) -> $([[ $entries == "$expected" ]] && echo ok || echo MISMATCH)"
echo "server log lines 'webhook github: 403': $forbidden"
[[ $entries == "$expected" ]] || rc=1
exit $rc
