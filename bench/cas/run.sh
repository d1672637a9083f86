#!/usr/bin/env bash
# bench/cas/run.sh: `volt cas build` against cp -a, cp -a + sync and b3sum, plus CLI start-up, in one run.
#
#   bench/cas/run.sh                       # full run: ~1.07 GiB tree, 3 runs per contender (~5 min, ~10 GiB disk)
#   BENCH_SCALE=0.1 bench/cas/run.sh       # smoke run, ~105 MiB tree (~1.5 min, most of it cas-blake3.sh)
#
# Environment:
#   VOLT_BIN       volt binary (default: out/volt, built with `dotnet publish src/Volt -c Release -o out` if missing)
#   BENCH_SCALE    tree size factor (default 1 = 20,000 small files + 9 large files, ~1.07 GiB, ~32% duplicates)
#   BENCH_RUNS     timed runs per contender (default 3, minimum 3; medians are reported)
#   BENCH_DIR      where the work dir goes: the filesystem being measured (default /var/tmp)
#   BENCH_SEED     generator seed (default 20261124)
#   BENCH_PROFILE  0 = skip, 1 (default) = instrumented runs after the timed ones: user/sys CPU, syncfs time
#                  (strace), 2 = also the top kernel/user symbols of a cold build (perf record)
#   BENCH_BLAKE3   1 (default) = also run bench/cas-blake3.sh when it exists
#
# Method:
#   * Page caches are not dropped (not reliable in a VM). The whole tree is read before every timed run instead,
#     so every contender starts warm (this also defeats proactive reclaim of cold page cache, e.g. DAMON).
#   * Every timed run starts after `sync`, so no run pays for an earlier run's dirty pages. volt ends with
#     syncfs (durable) and cp does not flush, so cp is timed twice: alone, and followed by `sync -f` (syncfs).
#   * Every timed run writes into a new directory and nothing is deleted until the script exits: ext4 without a
#     journal skips inodes freed in the last 60-300 s when allocating new ones (fs/ext4/ialloc.c
#     recently_deleted), which makes file creation right after an `rm -rf` several times slower.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
SCALE=${BENCH_SCALE:-1}
RUNS=${BENCH_RUNS:-3}
SEED=${BENCH_SEED:-20261124}
BASE=${BENCH_DIR:-/var/tmp}
PROFILE=${BENCH_PROFILE:-1}
RUN_BLAKE3=${BENCH_BLAKE3:-1}
(( RUNS >= 3 )) || RUNS=3

die() { echo "bench/cas: $*" >&2; exit 1; }
for tool in hyperfine b3sum python3; do
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install hyperfine b3sum python3)"
done

# --- volt binary -------------------------------------------------------------------------------------------
if [[ -n "${VOLT_BIN:-}" ]]; then
    VOLT=$(realpath "$VOLT_BIN")
    [[ -x "$VOLT" ]] || die "VOLT_BIN=$VOLT_BIN is not executable"
else
    VOLT="$REPO/out/volt"
    if [[ ! -x "$VOLT" ]]; then
        echo "building $VOLT (Native AOT) ..." >&2
        (cd "$REPO" && dotnet publish src/Volt -c Release -o out) >&2
    fi
    [[ -x "$VOLT" ]] || die "build did not produce $VOLT"
    if [[ -n "$(find "$REPO/src" -name '*.cs' -not -path '*/obj/*' -newer "$VOLT" -print -quit)" ]]; then
        echo "warning: sources are newer than $VOLT; rebuild it or set VOLT_BIN for current numbers" >&2
    fi
fi

# --- work area ---------------------------------------------------------------------------------------------
mkdir -p "$BASE"
WORK=$(mktemp -d "$BASE/volt-bench-cas.XXXXXX")
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
FSTYPE=$(df --output=fstype "$WORK" | tail -1 | tr -d ' ')
[[ "$FSTYPE" == tmpfs ]] && echo "warning: $WORK is on tmpfs; set BENCH_DIR to a disk filesystem" >&2
mkdir "$WORK/runs"
echo 0 > "$WORK/seq"
# TREE: the source tree; CUR: symlink to this run's fresh directory (set by FRESH); WARM: the re-build store
TREE="$WORK/tree" CUR="$WORK/cur" WARM="$WORK/warm" SEQ="$WORK/seq" RUNDIR="$WORK/runs"
export TREE CUR WARM SEQ RUNDIR VOLT

CPU=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
NPROC=$(nproc)
DATE=$(date +%F)

# hf FILE NAME [FIELD]: a field (default the median, in seconds) of one command in a hyperfine JSON export
hf() { python3 - "$1" "$2" "${3:-median}" <<'EOF'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    if r["command"] == sys.argv[2]:
        print(r[sys.argv[3]]); break
else:
    sys.exit(f"no result named {sys.argv[2]!r} in {sys.argv[1]}")
EOF
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }
fmt() { awk -v t="$1" 'BEGIN { if (t < 1) printf "%.1f ms", t * 1000; else printf "%.2f s", t }'; }
jget() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

# shell snippets for hyperfine (run by /bin/sh, with the variables above exported)
WARMUP_CMD='find "$TREE" -type f -print0 | xargs -0 cat > /dev/null'
FRESH='n=$(( $(cat "$SEQ") + 1 )); echo $n > "$SEQ"; mkdir "$RUNDIR/$n"; ln -sfn "$RUNDIR/$n" "$CUR"'
# rounds NAME HYPERFINE-ARGS...: RUNS rounds of one run per contender, so a change in machine load hits every
# contender alike (this VM is shared); prints each run and writes NAME.json with per-contender medians.
rounds() {
    local name=$1 i; shift
    for (( i = 1; i <= RUNS; i++ )); do
        hyperfine --style none --runs 1 --export-json "$WORK/$name.$i.json" "$@"
        echo "  round $i/$RUNS done (load $(load))"
    done
    python3 - "$WORK/$name" "$RUNS" <<'PY'
import json, statistics, sys
base, runs = sys.argv[1], int(sys.argv[2])
agg = {}
for i in range(1, runs + 1):
    for r in json.load(open(f"{base}.{i}.json"))["results"]:
        a = agg.setdefault(r["command"], {"command": r["command"], "times": [], "user": [], "system": []})
        a["times"] += r["times"]; a["user"].append(r["user"]); a["system"].append(r["system"])
f = lambda t: f"{t * 1000:.1f} ms" if t < 1 else f"{t:.2f} s"
for a in agg.values():
    a["median"] = statistics.median(a["times"])
    a["min"], a["max"] = min(a["times"]), max(a["times"])
    a["user"], a["system"] = statistics.median(a["user"]), statistics.median(a["system"])
    print(f"  {a['command']:<30} median {f(a['median']):>9}   min {f(a['min']):>9}   max {f(a['max']):>9}"
          f"   user {f(a['user']):>9}   sys {f(a['system']):>9}   runs: {' '.join(f(t) for t in a['times'])}")
json.dump({"results": list(agg.values())}, open(f"{base}.json", "w"), indent=1)
PY
}

echo "== bench/cas  $DATE  $CPU, $NPROC cores, $FSTYPE at $WORK"
echo "volt: $VOLT"
LOAD0=$(load)
echo "load average at start: $LOAD0"
awk -v l="${LOAD0%% *}" -v n="$NPROC" 'BEGIN { exit !(l > n / 2) }' &&
    echo "warning: the machine is busy (load $LOAD0 on $NPROC cores); timings will be noisy" >&2
echo

# --- 1. tree -----------------------------------------------------------------------------------------------
echo "== generating tree (scale $SCALE, seed $SEED)"
GEN_START=$(date +%s.%N)
GEN=$(python3 "$HERE/gen_tree.py" --scale "$SCALE" --seed "$SEED" "$TREE")
echo "$GEN"
echo "generated in $(fmt "$(awk -v a="$GEN_START" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')")"
G_SMALL=$(jget "$GEN" small_files) G_LARGE=$(jget "$GEN" large_files) G_BYTES=$(jget "$GEN" bytes)
G_DUP=$(jget "$GEN" dup_fraction) G_DIRS=$(jget "$GEN" dirs) G_EMPTY=$(jget "$GEN" empty_dirs) G_LINKS=$(jget "$GEN" symlinks)
TREE_LINE=$(awk -v s="$G_SMALL" -v l="$G_LARGE" -v b="$G_BYTES" -v d="$G_DUP" -v dirs="$G_DIRS" -v e="$G_EMPTY" -v k="$G_LINKS" \
    'BEGIN { printf "tree: %d files + %d large (>4 MiB), %.2f GiB, %.1f%% duplicate bytes, %d dirs (%d empty), %d symlinks", s, l, b / 2^30, d * 100, dirs, e, k }')
echo "$TREE_LINE"

# Nothing is deleted before exit, so check the disk holds every run's output (cp twice, volt's unique bytes).
NEED=$(awk -v b="$G_BYTES" -v d="$G_DUP" -v r="$RUNS" 'BEGIN { printf "%.0f", 1.1 * (r * (2 * b + (1 - d) * b) + 3 * (1 - d) * b) }')
AVAIL=$(( $(df --output=avail -k "$WORK" | tail -1) * 1024 ))
(( AVAIL > NEED )) || die "needs ~$(( NEED >> 30 )) GiB free in $BASE, has $(( AVAIL >> 30 )) GiB (lower BENCH_RUNS or BENCH_SCALE)"

sync
echo "page cache: not dropped (unreliable in a VM); the tree is read in full before every timed run (warm cache for all)"
bash -c "$WARMUP_CMD"
echo

# --- 2. cold build vs cp -a --------------------------------------------------------------------------------
echo "== cas build into an empty store vs cp -a (same filesystem; each run: new directory, sync, tree re-read)"
echo "   $RUNS rounds, each timing every contender once (hyperfine --runs 1)"
N_CP="cp -a" N_CPS="cp -a + sync" N_COLD="volt cas build (cold store)"
rounds cold \
    --prepare "$FRESH; sync; $WARMUP_CMD" \
    -n "$N_CP" 'cp -a "$TREE" "$CUR/dest"' \
    -n "$N_CPS" 'cp -a "$TREE" "$CUR/dest" && sync -f "$CUR/dest"' \
    -n "$N_COLD" 'VOLT_ROOT="$CUR/root" "$VOLT" cas build "$TREE" --ref bench/tree -o json'
T_CP=$(hf "$WORK/cold.json" "$N_CP") T_CPS=$(hf "$WORK/cold.json" "$N_CPS") T_COLD=$(hf "$WORK/cold.json" "$N_COLD")
echo

# --- 3. re-build of the unchanged tree vs b3sum ------------------------------------------------------------
echo "== cas re-build of the unchanged tree (store already holds it) vs b3sum over the same files, $RUNS rounds"
FILES0="$WORK/files0"
find "$TREE" -type f -print0 > "$FILES0"
ARGMAX=$(xargs --show-limits < /dev/null 2>&1 | awk -F': ' '/actually use/ { print $2 }')
B3_BATCHES=$(xargs -0 -s "$ARGMAX" sh -c 'echo x' sh < "$FILES0" | wc -l)
X_BATCHES=$(xargs -0 sh -c 'echo x' sh < "$FILES0" | wc -l)
echo "b3sum via find | xargs runs $X_BATCHES processes; 'all files at once' runs $B3_BATCHES (xargs -s $ARGMAX)"
export ARGMAX FILES0
N_WARM="volt cas build (warm store)" N_NOC="volt cas build --no-cache" N_B3X="b3sum (find | xargs)" N_B3A="b3sum (all files at once)" N_B3P="b3sum (xargs -P$NPROC)"
VOLT_ROOT="$WARM" "$VOLT" cas build "$TREE" --ref bench/tree -o json > "$WORK/warm-first.json"
rounds warm \
    --prepare "sync; $WARMUP_CMD" \
    -n "$N_WARM" 'VOLT_ROOT="$WARM" "$VOLT" cas build "$TREE" --ref bench/tree -o json' \
    -n "$N_NOC" 'VOLT_ROOT="$WARM" "$VOLT" cas build "$TREE" --ref bench/tree --no-cache -o json' \
    -n "$N_B3X" 'find "$TREE" -type f -print0 | xargs -0 b3sum > /dev/null' \
    -n "$N_B3A" 'xargs -0 -s "$ARGMAX" b3sum < "$FILES0" > /dev/null' \
    -n "$N_B3P" "xargs -0 -P$NPROC -n 1000 b3sum < \"\$FILES0\" > /dev/null"
T_WARM=$(hf "$WORK/warm.json" "$N_WARM") T_NOC=$(hf "$WORK/warm.json" "$N_NOC") T_B3X=$(hf "$WORK/warm.json" "$N_B3X")
T_B3A=$(hf "$WORK/warm.json" "$N_B3A") T_B3P=$(hf "$WORK/warm.json" "$N_B3P")
echo

# --- 4. CLI start-up ---------------------------------------------------------------------------------------
N_OBJ=$(jget "$(cat "$WORK/warm-first.json")" new_objects)
echo "== start-up: volt --help, volt cas status (on the re-build store, $N_OBJ objects, and with no store)"
mkdir -p "$WORK/empty"
N_HELP="volt --help" N_STAT="volt cas status" N_STAT0="volt cas status (no store)"
hyperfine --style basic -N --warmup 5 --min-runs 30 --export-json "$WORK/startup.json" \
    -n "$N_HELP" "$VOLT --help" \
    -n "$N_STAT" "$VOLT --root $WARM cas status" \
    -n "$N_STAT0" "$VOLT --root $WORK/empty cas status"
T_HELP=$(hf "$WORK/startup.json" "$N_HELP") T_STAT=$(hf "$WORK/startup.json" "$N_STAT") T_STAT0=$(hf "$WORK/startup.json" "$N_STAT0")
echo

# --- 5. where volt's time goes -----------------------------------------------------------------------------
PROFILE_LINES=()
if [[ "$PROFILE" != 0 ]]; then
    echo "== instrumented runs (not part of the medians): CPU time, flush time, volt's own summary"
    TIMEFORMAT='%R %U %S'
    timed() { local out=$1; shift; { time "$@" > /dev/null ; } 2> "$out"; tail -1 "$out"; }
    # cold build: wall/user/sys from bash `time`; syncfs/fsync durations from strace (the seccomp filter stops
    # only on the traced calls, so the other ~400k syscalls run at full speed)
    bash -c "$FRESH; sync; $WARMUP_CMD"
    STRACE=()
    command -v strace > /dev/null && STRACE=(strace -f --seccomp-bpf -qq -T -e trace=syncfs,fsync,fdatasync,sync -o "$WORK/strace.txt")
    read -r P_WALL P_USER P_SYS < <(timed "$WORK/prof-cold.time" env VOLT_ROOT="$CUR/root" "${STRACE[@]}" "$VOLT" cas build "$TREE" --ref bench/tree -o json)
    P_SYNC=0 P_NSYNC=0
    if [[ -s "$WORK/strace.txt" ]]; then
        read -r P_SYNC P_NSYNC < <(awk -F'<' '/(syncfs|fsync|fdatasync)\(/ && /<[0-9.]+>$/ { sub(/>$/, "", $NF); t += $NF; n++ } END { printf "%.3f %d\n", t, n }' "$WORK/strace.txt")
    fi
    SUMMARY=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(", ".join(f"{k}={d[k]}" for k in ("files","new_objects","new_bytes","deduplicated_bytes")))' "$WORK/warm-first.json")
    PROFILE_LINES+=("cold build: wall $(fmt "$P_WALL"), user $(fmt "$P_USER"), sys $(fmt "$P_SYS"); syncfs+fsync $(fmt "$P_SYNC") in $P_NSYNC calls ($(awk -v s="$P_SYNC" -v w="$P_WALL" 'BEGIN { printf "%.0f", 100 * s / w }')% of wall)")
    PROFILE_LINES+=("cold build minus the flush: $(fmt "$(awk -v w="$P_WALL" -v s="$P_SYNC" 'BEGIN { print w - s }')")   (cp -a median $(fmt "$T_CP"))   $SUMMARY")
    bash -c "sync; $WARMUP_CMD"
    read -r W_WALL W_USER W_SYS < <(timed "$WORK/prof-warm.time" env VOLT_ROOT="$WARM" "$VOLT" cas build "$TREE" --ref bench/tree -o json)
    bash -c "sync; $WARMUP_CMD"
    read -r B_WALL B_USER B_SYS < <(timed "$WORK/prof-b3.time" xargs -0 -s "$ARGMAX" b3sum -- < "$FILES0")
    PROFILE_LINES+=("re-build: wall $(fmt "$W_WALL"), user $(fmt "$W_USER"), sys $(fmt "$W_SYS")   b3sum all at once: wall $(fmt "$B_WALL"), user $(fmt "$B_USER"), sys $(fmt "$B_SYS")")
    printf '%s\n' "${PROFILE_LINES[@]}"
    if [[ "$PROFILE" == 2 ]] && command -v perf > /dev/null; then
        echo "-- perf record of a cold build, top symbols (self time):"
        bash -c "$FRESH; sync; $WARMUP_CMD"
        perf record -q -e cpu-clock -F 999 -g -o "$WORK/perf.data" -- env VOLT_ROOT="$CUR/root" "$VOLT" cas build "$TREE" --ref bench/tree -o json > /dev/null 2>&1 || true
        perf report -i "$WORK/perf.data" --no-children --sort sym --stdio -g none 2> /dev/null | grep '%' | head -20 || true
        echo "-- the same for the re-build:"
        bash -c "sync; $WARMUP_CMD"
        perf record -q -e cpu-clock -F 999 -g -o "$WORK/perf2.data" -- env VOLT_ROOT="$WARM" "$VOLT" cas build "$TREE" --ref bench/tree -o json > /dev/null 2>&1 || true
        perf report -i "$WORK/perf2.data" --no-children --sort sym --stdio -g none 2> /dev/null | grep '%' | head -20 || true
    fi
    echo
fi

# --- 6. bench/cas-blake3.sh (BLAKE3 throughput; owned by the BLAKE3 benchmark) -----------------------------
BLAKE3_LINES=()
if [[ "$RUN_BLAKE3" == 1 ]]; then
    if [[ -f "$REPO/bench/cas-blake3.sh" ]]; then
        echo "== bench/cas-blake3.sh"
        bash "$REPO/bench/cas-blake3.sh" 2>&1 | tee "$WORK/blake3.txt" || echo "(bench/cas-blake3.sh failed)"
        mapfile -t BLAKE3_LINES < <(grep -iE 'ratio|volt/b3sum|^BLAKE3' "$WORK/blake3.txt" | sed 's/^/blake3: /' || true)
        echo
    else
        BLAKE3_LINES=("blake3: bench/cas-blake3.sh not present, BLAKE3 throughput not measured")
    fi
fi

# --- summary -----------------------------------------------------------------------------------------------
R_CP=$(ratio "$T_COLD" "$T_CP") R_CPS=$(ratio "$T_COLD" "$T_CPS")
R_B3A=$(ratio "$T_WARM" "$T_B3A") R_NOC=$(ratio "$T_NOC" "$T_B3A") R_B3X=$(ratio "$T_WARM" "$T_B3X") R_B3P=$(ratio "$T_WARM" "$T_B3P")
ok() { awk -v r="${1%x}" -v g="$2" 'BEGIN { print (r <= g ? "met" : "MISSED") }'; }
okms() { awk -v t="$1" 'BEGIN { print (t <= 0.020 ? "met" : "MISSED") }'; }
echo "===================================================================================================================="
echo "bench/cas  $DATE  $CPU, $NPROC cores, $FSTYPE"
echo "$TREE_LINE"
echo "medians of $RUNS interleaved runs; warm page cache (tree re-read before each run), sync before each run; load avg $LOAD0 -> $(load)"
printf '%-26s %9s   %-18s %9s   ratio %s (goal <= 1.00x: %s)   %-14s %9s   ratio %s\n' \
    "cas build (cold store)" "$(fmt "$T_COLD")" "cp -a" "$(fmt "$T_CP")" "$R_CP" "$(ok "$R_CP" 1.0)" "cp -a + sync" "$(fmt "$T_CPS")" "$R_CPS"
printf '%-26s %9s   %-18s %9s   ratio %s (goal <= 0.20x: %s)   %-14s %9s   ratio %s\n' \
    "cas re-build (stat cache)" "$(fmt "$T_WARM")" "b3sum all at once" "$(fmt "$T_B3A")" "$R_B3A" "$(ok "$R_B3A" 0.2)" "find | xargs" "$(fmt "$T_B3X")" "$R_B3X"
printf '%-26s %9s   %-18s %9s   ratio %s (goal <= 1.50x: %s)\n' \
    "cas re-build --no-cache" "$(fmt "$T_NOC")" "b3sum all at once" "$(fmt "$T_B3A")" "$R_NOC" "$(ok "$R_NOC" 1.5)"
printf '%-26s %9s   %-18s %9s   ratio %s (b3sum on %d processes in parallel, for reference)\n' \
    "" "" "b3sum xargs -P$NPROC" "$(fmt "$T_B3P")" "$R_B3P" "$NPROC"
cpu() { echo "$(fmt "$(hf "$WORK/$1.json" "$2" user)") + $(fmt "$(hf "$WORK/$1.json" "$2" system)")"; }
mins() { ratio "$(hf "$WORK/$1.json" "$2" min)" "$(hf "$WORK/$1.json" "$3" min)"; }
printf '%-26s fastest runs: cold/cp %s, cold/(cp+sync) %s, re-build/b3sum %s   CPU user + sys: volt %s, cp %s; re-build %s, b3sum %s\n' \
    "" "$(mins cold "$N_COLD" "$N_CP")" "$(mins cold "$N_COLD" "$N_CPS")" "$(mins warm "$N_WARM" "$N_B3A")" \
    "$(cpu cold "$N_COLD")" "$(cpu cold "$N_CP")" "$(cpu warm "$N_WARM")" "$(cpu warm "$N_B3A")"
printf 'volt --help %s (goal <= 20 ms: %s)   volt cas status %s on %s objects (%s), %s with no store\n' \
    "$(fmt "$T_HELP")" "$(okms "$T_HELP")" "$(fmt "$T_STAT")" "$N_OBJ" "$(okms "$T_STAT")" "$(fmt "$T_STAT0")"
for l in "${PROFILE_LINES[@]}" "${BLAKE3_LINES[@]}"; do echo "$l"; done
