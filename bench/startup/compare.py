#!/usr/bin/env python3
# Start-up CPU (user+sys, from wait4) of two volt binaries, interleaved: python3 bench/startup/compare.py OLD NEW [N].
# CPU time, not wall time: on a shared VM the wall clock measures the neighbours.
import os, sys, statistics, tempfile, subprocess
bins = {"before": sys.argv[1], "after": sys.argv[2]}
n = int(sys.argv[3]) if len(sys.argv) > 3 else 200
root = tempfile.mkdtemp(prefix="volt-startup-")
env = dict(os.environ, VOLT_ROOT=root)
res = {(b, c): [] for b in bins for c in ("--help", "ps")}
devnull = os.open(os.devnull, os.O_WRONLY)
for i in range(n):
    for b, path in bins.items():
        for c in ("--help", "ps"):
            pid = os.posix_spawn(path, [path, c], env, file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)])
            _, status, ru = os.wait4(pid, 0)
            assert status == 0
            res[(b, c)].append((ru.ru_utime + ru.ru_stime) * 1000)
for (b, c), v in sorted(res.items(), key=lambda x: (x[0][1], x[0][0])):
    print(f"volt {c:6} {b:6}: CPU (user+sys) p50 {statistics.median(v):5.2f} ms  mean {statistics.mean(v):5.2f} ms (n={len(v)})")
