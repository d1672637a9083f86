#!/usr/bin/env bash
# `volt service start NAME` until the service's process runs, against a bare `setsid CMD &` from this shell, side by
# side in one run (alternating, N rounds each). voltd is warm (the CLI would start it on demand the first time).
# Usage: bench/services/start.sh   (root; VOLT=path/to/volt, N=20)
. "$(dirname "$0")/common.sh"
N=${N:-20}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)   ($(nproc) cores)"
"$VOLT" service create s -- sleep 1000 >/dev/null
"$VOLT" service start s >/dev/null && "$VOLT" service stop s >/dev/null   # voltd up, caches warm
# The sandbox plan is reused only once the files it was made from are settled (ctime >= 2 s old, git's racily-clean
# rule): in this fresh root the default profile was written just now, so without this wait the first ~2 s of starts
# planned the sandbox every time (~1.3 ms each), which a host whose profiles were installed earlier never does.
sleep 2.2
runs_volt=(); runs_ret=(); runs_bare=()
for i in $(seq 1 "$N"); do
  s=${EPOCHREALTIME//[.,]/}; "$VOLT" service start s >/dev/null; r=${EPOCHREALTIME//[.,]/}
  # The PID from state.json with shell builtins: the bare side gets its PID from $! for free, and two greps in a pipe
  # (~2-3 ms of forks and execs) inside volt's interval measured the bench, not volt.
  pid=; pid_of_service
  until_exec "$pid" sleep   # the payload itself has exec'd (argv[0]), not only the wrapper that will exec it
  runs_volt+=($(( ${EPOCHREALTIME//[.,]/} - s ))); runs_ret+=($(( r - s )))
  "$VOLT" service stop s >/dev/null
  s=${EPOCHREALTIME//[.,]/}; setsid sleep 1000 </dev/null >/dev/null 2>&1 & p=$!
  until_exec "$p" sleep
  runs_bare+=($(( ${EPOCHREALTIME//[.,]/} - s ))); echo $p >> "$W/bare.pids"; kill -9 $p 2>/dev/null || true; wait $p 2>/dev/null || true
done
v=$(printf '%s\n' "${runs_volt[@]}" | p50us); b=$(printf '%s\n' "${runs_bare[@]}" | p50us)
echo "service start until running, p50 of $N: volt ${v} ms   bare setsid ${b} ms   ratio $(ratio "$v" "$b")x (goal <= 2x)"
echo "  of which until 'volt service start' returned (voltd saw the wrapper's ok): p50 $(printf '%s\n' "${runs_ret[@]}" | p50us) ms"
# The floor under any CLI path: one `volt` process start (no command work), same run.
vers=(); for i in $(seq 1 "$N"); do s=${EPOCHREALTIME//[.,]/}; "$VOLT" --version >/dev/null; vers+=($(( ${EPOCHREALTIME//[.,]/} - s ))); done
echo "volt --version (process start-up floor), p50 of $N: $(printf '%s\n' "${vers[@]}" | p50us) ms"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
