#!/usr/bin/env bash
# BLAKE3 of a file (1 GiB unless SIZE_MIB is set) by the shipped `volt` against b3sum, whole processes timed the same
# way, plus `volt cas put` of a file the store already holds. One thread and all threads.
#   b3sum:            `b3sum [--num-threads 1] --no-names FILE` (mmap + rayon)
#   volt cas hash:    `volt cas hash [--threads 1] FILE`, the shipped AOT binary (start-up, kernel pick, the file
#                     hashed through a guarded mmap)
#   volt cas put:     `volt cas put FILE` into a store that already has it (hash first, nothing written)
# Each round runs every contender once, alternating the order (bench/cas/interleave.py); medians of ROUNDS rounds
# (default 9) of wall time, and CPU time (user + sys) which load on a shared machine disturbs less.
# Ratios are "volt speed / b3sum speed" (>= 1.00 means volt is at least as fast).
# READS=1 also times the single-thread hash with the other read paths (VOLT_BLAKE3_READ=pread, populate).
# INMEMORY=1 also publishes bench/Blake3Bench (AOT for this CPU) and prints the in-memory kernel throughput.
# VOLT_BIN: the volt binary (default out/volt; built with `dotnet publish src/Volt -c Release -o out` if missing).
set -euo pipefail

size_mib=${SIZE_MIB:-1024}
rounds=${ROUNDS:-9}
reads=${READS:-}; [[ "$reads" == 1 ]] || reads=
repo=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${BENCH_DIR:-/var/tmp}/volt-bench-b3.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

command -v b3sum >/dev/null || { echo "b3sum not found on PATH (Debian: apt-get install b3sum)" >&2; exit 1; }
volt=${VOLT_BIN:-$repo/out/volt}
if [[ ! -x "$volt" ]]; then
    echo "building $volt (Native AOT) ..." >&2
    (cd "$repo" && dotnet publish src/Volt -c Release -o out) >&2
fi

file=$tmp/random.bin
head -c $((size_mib << 20)) /dev/urandom >"$file"
bytes=$(stat -c %s "$file")
cat "$file" >/dev/null # into the page cache
load0=$(cut -d' ' -f1-3 /proc/loadavg)

expected=$(b3sum --no-names "$file")
got=$("$volt" cas hash "$file" | cut -d' ' -f1)
[[ "$got" == "blake3:$expected" ]] || { echo "MISMATCH: volt says $got, b3sum says $expected" >&2; exit 1; }
kernel=$("$volt" cas hash -o json "$file" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["kernel"])')
export VOLT_ROOT=$tmp/root
"$volt" cas put "$file" >/dev/null # stored once; the timed puts find it

json=$(python3 "$repo/bench/cas/interleave.py" --rounds "$rounds" --warmup 1 \
    "b3sum-1=b3sum --num-threads 1 --no-names $file" \
    "volt-1=$volt cas hash --threads 1 $file" \
    "b3sum-all=b3sum --no-names $file" \
    "volt-all=$volt cas hash $file" \
    "put=$volt cas put $file" \
    ${reads:+"volt-1-pread=VOLT_BLAKE3_READ=pread $volt cas hash --threads 1 $file"} \
    ${reads:+"volt-1-populate=VOLT_BLAKE3_READ=populate $volt cas hash --threads 1 $file"})
get() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]][sys.argv[3]])' "$json" "$1" "$2"; }
gbps() { awk -v b="$bytes" -v s="$1" 'BEGIN { printf "%.2f", b / s / 1e9 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; } # b3sum time / volt time = volt speed / b3sum speed
goal() { awk -v r="$1" -v g="$2" -v dir="$3" 'BEGIN { ok = dir == "ge" ? r >= g : r <= g; print (ok ? "met" : "MISSED") }'; }

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)
isa=$(grep -q -w avx512f /proc/cpuinfo && echo avx512f || echo 'no avx512f')
echo "BLAKE3 on $((bytes >> 20)) MiB in the page cache, $(nproc) CPUs, $cpu ($isa); volt kernel: $kernel"
echo "whole processes, $rounds interleaved rounds; load average $load0 -> $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-34s %9s %8s %9s\n' "" "median s" "GB/s" "CPU s"
names="b3sum-1 volt-1 b3sum-all volt-all put${reads:+ volt-1-pread volt-1-populate}"
for n in $names; do
    printf '%-34s %9.3f %8s %9.3f\n' "$n" "$(get "$n" median)" "$(gbps "$(get "$n" median)")" "$(get "$n" cpu_median)"
done
r1=$(ratio "$(get b3sum-1 median)" "$(get volt-1 median)")
ra=$(ratio "$(get b3sum-all median)" "$(get volt-all median)")
rp=$(ratio "$(get put median)" "$(get b3sum-all median)")
c1=$(ratio "$(get b3sum-1 cpu_median)" "$(get volt-1 cpu_median)")
echo "volt cas hash, 1 thread:    volt/b3sum speed ${r1}x (goal >= 1.00: $(goal "$r1" 1.0 ge)); by CPU time ${c1}x"
echo "volt cas hash, all threads: volt/b3sum speed ${ra}x (goal >= 1.00: $(goal "$ra" 1.0 ge))"
echo "volt cas put, already stored: time / b3sum (all threads) ${rp}x (goal <= 1.00: $(goal "$rp" 1.0 le))"

if [[ "${INMEMORY:-0}" == 1 ]]; then
    echo "Publishing bench/Blake3Bench (Native AOT for this CPU)..." >&2
    dotnet publish "$repo/bench/Blake3Bench" -c Release -o "$tmp/bench" >"$tmp/publish.log" 2>&1 || { cat "$tmp/publish.log" >&2; exit 1; }
    for t in 1 all; do
        echo "in memory (kernel only, this CPU's widest): $("$tmp/bench/Blake3Bench" --threads "$t" --file "$file" | cut -d' ' -f1,4,5)"
    done
fi
