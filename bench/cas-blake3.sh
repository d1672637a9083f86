#!/usr/bin/env bash
# BLAKE3 throughput of Volt (Volt.Storage.Hashing.Blake3) against the reference b3sum, on a random file
# (1 GiB unless SIZE_MIB is set), with one thread and with all threads.
#   b3sum:  best wall time of `b3sum [--num-threads 1] --no-names FILE` (hyperfine if present, else /usr/bin/time);
#           the file is in the page cache, b3sum memory-maps it.
#   volt:   bench/Blake3Bench, Native AOT for this CPU; the file is read into memory first and not timed.
# Prints GB/s (10^9 bytes/s) and the ratio volt/b3sum for each.
set -euo pipefail

size_mib=${SIZE_MIB:-1024}
repo=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

command -v b3sum >/dev/null || { echo "b3sum not found on PATH (Debian: apt-get install b3sum)" >&2; exit 1; }

file=$tmp/random.bin
head -c $((size_mib << 20)) /dev/urandom >"$file"
bytes=$(stat -c %s "$file")
cat "$file" >/dev/null # into the page cache

echo "Publishing bench/Blake3Bench (Native AOT)..." >&2
if ! dotnet publish "$repo/bench/Blake3Bench" -c Release -o "$tmp/bench" >"$tmp/publish.log" 2>&1; then
    cat "$tmp/publish.log" >&2
    exit 1
fi

# best_seconds ARGS...: the best wall time of `b3sum ARGS --no-names FILE`.
best_seconds() {
    if command -v hyperfine >/dev/null; then
        hyperfine -N --warmup 2 --runs 10 --export-csv "$tmp/hf.csv" "b3sum $* --no-names $file" >/dev/null 2>&1
        awk -F, 'NR == 2 { print $7 }' "$tmp/hf.csv" # columns: command,mean,stddev,median,user,system,min,max
    else
        local best=999 t
        for _ in 1 2 3 4 5 6; do
            t=$({ /usr/bin/time -f %e b3sum "$@" --no-names "$file" >/dev/null; } 2>&1)
            best=$(awk -v a="$best" -v b="$t" 'BEGIN { print (b < a ? b : a) }')
        done
        echo "$best"
    fi
}

gbps() { awk -v b="$bytes" -v s="$1" 'BEGIN { printf "%.2f", b / s / 1e9 }'; }
field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p"; }

expected=$(b3sum --no-names "$file")
b3_1=$(gbps "$(best_seconds --num-threads 1)")
b3_all=$(gbps "$(best_seconds)")

declare -A volt
for mode in "1 0" "all 0" "1 1" "all 1"; do
    set -- $mode
    line=$("$tmp/bench/Blake3Bench" --threads "$1" --piece-mib "$2" --file "$file")
    if [[ $(field hash <<<"$line") != "$expected" ]]; then
        echo "MISMATCH: volt says $(field hash <<<"$line"), b3sum says $expected" >&2
        exit 1
    fi
    volt["$1,$2"]=$(field 'GB\/s' <<<"$line")
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "BLAKE3 on $((bytes >> 20)) MiB, $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "(b3sum: best wall time of the whole process, which mmaps the cached file; volt: hashing in memory only)"
printf '%-34s %8s GB/s\n' "b3sum --num-threads 1" "$b3_1" "b3sum (all threads)" "$b3_all"
printf '%-34s %8s GB/s   volt/b3sum %s\n' \
    "volt one-shot, 1 thread" "${volt[1,0]}" "$(ratio "${volt[1,0]}" "$b3_1")" \
    "volt one-shot, all threads" "${volt[all,0]}" "$(ratio "${volt[all,0]}" "$b3_all")" \
    "volt streaming 1 MiB, 1 thread" "${volt[1,1]}" "$(ratio "${volt[1,1]}" "$b3_1")" \
    "volt streaming 1 MiB, all threads" "${volt[all,1]}" "$(ratio "${volt[all,1]}" "$b3_all")"
