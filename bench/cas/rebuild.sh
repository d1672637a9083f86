#!/usr/bin/env bash
# bench/cas/rebuild.sh: the stat-cache bar alone — `volt cas build` of an unchanged, already-built tree against
# b3sum over the same files (all files in as few processes as the argument limit allows), interleaved rounds
# (bench/cas/interleave.py), medians of wall and CPU time. Faster than bench/cas/run.sh, which also times cold
# builds, cp -a and start-up.
#   BENCH_SCALE=1 (20 000 small + 9 large files, ~1.07 GiB)  ROUNDS=5  VOLT_BIN=out/volt  BENCH_DIR=/var/tmp
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
VOLT=${VOLT_BIN:-$REPO/out/volt}
ROUNDS=${ROUNDS:-5}
[[ -x "$VOLT" ]] || { echo "missing $VOLT: dotnet publish src/Volt -c Release -o out" >&2; exit 10; }
command -v b3sum >/dev/null || { echo "b3sum not found (apt-get install b3sum)" >&2; exit 10; }
WORK=$(mktemp -d "${BENCH_DIR:-/var/tmp}/volt-bench-rebuild.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
python3 "$HERE/gen_tree.py" --scale "${BENCH_SCALE:-1}" --seed "${BENCH_SEED:-20261124}" "$WORK/tree" > "$WORK/gen.json"
find "$WORK/tree" -type f -print0 > "$WORK/files0"
files=$(tr -cd '\0' < "$WORK/files0" | wc -c)
argmax=$(xargs --show-limits < /dev/null 2>&1 | awk -F': ' '/actually use/ { print $2 }')
export VOLT_ROOT="$WORK/root"
"$VOLT" cas build "$WORK/tree" --ref bench/tree >/dev/null   # first build: stores everything, writes the cache
sleep 1.1                                                    # past the racy second of that build
"$VOLT" cas build "$WORK/tree" --ref bench/tree >/dev/null   # re-writes the cache without racy entries
xargs -0 cat < "$WORK/files0" > /dev/null                    # everything in the page cache
load0=$(cut -d' ' -f1-3 /proc/loadavg)
json=$(python3 "$HERE/interleave.py" --rounds "$ROUNDS" --warmup 1 \
    "rebuild=$VOLT cas build $WORK/tree --ref bench/tree" \
    "b3sum=xargs -0 -s $argmax b3sum < $WORK/files0 > /dev/null")
get() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]][sys.argv[3]])' "$json" "$1" "$2"; }
cached=$("$VOLT" cas build "$WORK/tree" --ref bench/tree -o json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("unchanged_files", "?"))')
echo "unchanged re-build of $files files ($(python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["bytes"]/2**30, 2))' "$WORK/gen.json") GiB), $(nproc) CPUs; files from the cache: $cached"
echo "$ROUNDS interleaved rounds; load average $load0 -> $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-28s %9s %9s\n' "" "median s" "CPU s"
for n in rebuild b3sum; do printf '%-28s %9.3f %9.3f\n' "$n" "$(get "$n" median)" "$(get "$n" cpu_median)"; done
rw=$(awk -v a="$(get rebuild median)" -v b="$(get b3sum median)" 'BEGIN { printf "%.2f", a / b }')
rc=$(awk -v a="$(get rebuild cpu_median)" -v b="$(get b3sum cpu_median)" 'BEGIN { printf "%.2f", a / b }')
echo "re-build / b3sum: wall ${rw}x, CPU ${rc}x (goal <= 0.20: $(awk -v r="$rw" 'BEGIN { print (r <= 0.2 ? "met" : "MISSED") }'))"
