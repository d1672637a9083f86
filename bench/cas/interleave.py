#!/usr/bin/env python3
"""Times whole processes side by side: every round runs each contender once, in turn, so a change in machine load
hits all of them alike. Prints one JSON object: {name: {"median", "min", "cpu_median", "runs": [...]}} with seconds
of wall time and of CPU (user + sys of the process and its children, from wait4).

usage: interleave.py --rounds N [--warmup K] NAME=COMMAND NAME=COMMAND ...   (COMMAND runs through /bin/sh)
"""
import json, os, statistics, subprocess, sys, time

args = sys.argv[1:]
rounds, warmup = 7, 1
while args and args[0].startswith("--"):
    opt = args.pop(0)
    if opt == "--rounds": rounds = int(args.pop(0))
    elif opt == "--warmup": warmup = int(args.pop(0))
    else: sys.exit(f"unknown option {opt}")
contenders = [a.split("=", 1) for a in args]

def once(cmd):
    t0 = time.perf_counter()
    p = subprocess.Popen(["/bin/sh", "-c", cmd], stdout=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0: sys.exit(f"command failed: {cmd}")
    return wall, ru.ru_utime + ru.ru_stime

for _ in range(warmup):
    for _, cmd in contenders: once(cmd)
res = {name: {"wall": [], "cpu": []} for name, _ in contenders}
for r in range(rounds):
    order = contenders if r % 2 == 0 else list(reversed(contenders))  # alternate who goes first
    for name, cmd in order:
        w, c = once(cmd)
        res[name]["wall"].append(w); res[name]["cpu"].append(c)
out = {n: {"median": statistics.median(v["wall"]), "min": min(v["wall"]), "cpu_median": statistics.median(v["cpu"]),
           "runs": [round(x, 4) for x in v["wall"]]} for n, v in res.items()}
print(json.dumps(out))
