# Shared by bench/services/*.sh: a private root, cleanup of voltd, services and their cgroups.
set -euo pipefail
VOLT=${VOLT:-$(cd "$(dirname "$0")/../.." && pwd)/out/volt}
W=$(mktemp -d /tmp/volt-svc-bench-XXXX)
export VOLT_ROOT=$W/root VOLT_COLOR=never
cleanup() {
  [ -f "$VOLT_ROOT/var/run/volt/volt.pid" ] && kill -9 "$(cat "$VOLT_ROOT/var/run/volt/volt.pid")" 2>/dev/null || true
  for f in "$VOLT_ROOT"/var/lib/volt/services/*/state.json; do
    [ -f "$f" ] || continue; p=$(grep -o '"pid": [0-9]*' "$f" | grep -o '[0-9]*$' || true); [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true
  done
  for p in $(cat "$W"/bare.pids 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
  sleep 0.3
  local h; h=volt-$(printf %s "$VOLT_ROOT" | sha256sum | cut -c1-12)
  for d in /sys/fs/cgroup/*/$h /sys/fs/cgroup/$h; do [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null; done
  rm -rf "$W" 2>/dev/null || true
}
trap cleanup EXIT
now() { date +%s%N; }
p50() { sort -n | awk '{a[NR]=$1} END {if (NR == 0) print "NaN"; else print a[int((NR+1)/2)]/1e6}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "NaN" || b == "NaN" || b == 0) print "NaN"; else printf "%.2f", a/b }'; }
