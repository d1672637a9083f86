#!/usr/bin/env python3
"""Helpers for bench/gitops/run.sh: wait for a history entry, forged-webhook load, summary statistics."""
import asyncio, json, math, os, re, sys, time
from datetime import datetime


def parse_ts(s):
    # .NET writes up to 7 fractional digits; Python wants at most 6.
    s = re.sub(r"(\.\d{6})\d+", r"\1", s).replace("Z", "+00:00")
    return datetime.fromisoformat(s).timestamp()


def wait(history, commit, timeout):
    """Wait until history.jsonl has an entry for COMMIT; print 'started finished status'."""
    end = time.time() + float(timeout)
    while time.time() < end:
        try:
            with open(history) as f:
                for line in f:
                    try:
                        e = json.loads(line)
                    except ValueError:
                        continue
                    if e.get("commit") == commit:
                        st = parse_ts(e["timestamp"])
                        print(f"{st:.6f} {st + e['duration_ms'] / 1000:.6f} {e['status']} {e.get('notes', '').replace(' ', '_')}")
                        return 0
        except FileNotFoundError:
            pass
        time.sleep(0.02)
    print("timeout", file=sys.stderr)
    return 1


async def forge(port, rate, stopfile, out):
    """POST signed-wrong GitHub push webhooks at RATE req/s until STOPFILE exists; count status codes."""
    body = (b'{"ref":"refs/heads/main","before":"' + b"1" * 40 + b'","after":"' + b"2" * 40 +
            b'","repository":{"clone_url":"git://127.0.0.1/app.git"}}')
    req = (b"POST /hooks/github HTTP/1.1\r\nHost: 127.0.0.1\r\nX-GitHub-Event: push\r\n"
           b"X-Hub-Signature-256: sha256=" + b"0" * 64 + b"\r\nContent-Type: application/json\r\n"
           b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    counts, lat = {}, []
    conns = 8
    interval = conns / rate

    async def worker(i):
        r = w = None
        nxt = time.monotonic() + i * (1 / rate)
        while not os.path.exists(stopfile):
            now = time.monotonic()
            if nxt > now:
                await asyncio.sleep(nxt - now)
            nxt += interval
            t0 = time.monotonic()
            try:
                if w is None:
                    r, w = await asyncio.open_connection("127.0.0.1", port)
                w.write(req)
                await w.drain()
                status = (await r.readline()).split()[1].decode()
                clen, close, chunked = 0, False, False
                while True:
                    h = await r.readline()
                    if h in (b"\r\n", b""):
                        break
                    k, _, v = h.decode().partition(":")
                    if k.lower() == "content-length":
                        clen = int(v)
                    if k.lower() == "connection" and "close" in v.lower():
                        close = True
                    if k.lower() == "transfer-encoding" and "chunked" in v.lower():
                        chunked = True
                if chunked:
                    while True:
                        size = int((await r.readline()).split(b";")[0], 16)
                        await r.readexactly(size + 2)  # data + CRLF (the last chunk: just CRLF, no trailers)
                        if size == 0:
                            break
                elif clen:
                    await r.readexactly(clen)
                if close:
                    w.close(); w = None
            except Exception as e:  # noqa: BLE001
                status = "error:" + type(e).__name__
                if w is not None:
                    w.close()
                w = None
            counts[status] = counts.get(status, 0) + 1
            lat.append(time.monotonic() - t0)

    t0 = time.monotonic()
    await asyncio.gather(*(worker(i) for i in range(conns)))
    dur = time.monotonic() - t0
    total = sum(counts.values())
    lat.sort()
    res = {"total": total, "seconds": round(dur, 2), "rate": round(total / dur, 1) if dur else 0, "codes": counts,
           "p99_ms": round(lat[min(len(lat) - 1, math.ceil(0.99 * len(lat)) - 1)] * 1000, 2) if lat else None}
    with open(out, "w") as f:
        json.dump(res, f)


def pct(xs, p):
    xs = sorted(xs)
    return xs[max(0, math.ceil(p / 100 * len(xs)) - 1)]  # nearest rank


def summary(base, forged, forgefile, anchor):
    def load(fn):
        rows = [l.split() for l in open(fn) if l.strip()]
        return [float(r[1]) for r in rows], [float(r[2]) for r in rows], [r[3] for r in rows]
    b_s, b_f, b_st = load(base)
    phases = [("no forged traffic", b_s, b_f, b_st)]
    if forged and os.path.exists(forged):
        f_s, f_f, f_st = load(forged)
        phases.append(("200 forged req/s", f_s, f_f, f_st))
    print()
    print(f"{'phase':<20} {'pushes':>6} {'ok':>4} {'start p50':>10} {'start p99':>10} {'finish p50':>11} {'finish p99':>11}")
    for name, s, f, st in phases:
        print(f"{name:<20} {len(s):>6} {st.count('success'):>4} {pct(s,50):>9.3f}s {pct(s,99):>9.3f}s {pct(f,50):>10.3f}s {pct(f,99):>10.3f}s")
    print()
    print(f"anchor: Argo CD polls Git every {anchor} s (3 min, its default timeout.reconciliation) -> up to {anchor} s push->deploy-started")
    ok = True
    s99 = pct(b_s, 99)
    g1 = s99 <= 2.0 and (len(phases) == 1 or pct(phases[1][1], 99) <= 2.0)
    print(f"goal deploy-started p99 <= 2 s: {'MET' if g1 else 'MISSED'} (baseline {s99:.3f} s"
          + (f", under forged load {pct(phases[1][1], 99):.3f} s)" if len(phases) > 1 else ")")
          + f"; {anchor / s99:.0f}x faster than Argo CD's poll")
    ok &= g1
    if len(phases) > 1:
        r_s = pct(phases[1][1], 99) / s99
        r_f = pct(phases[1][2], 99) / pct(b_f, 99)
        # The goal is about harm: forged traffic must not make valid deploys > 20 % slower. A p99 that comes out
        # lower under load (run-to-run noise on a ~10 ms figure: with 50 samples p99 is the slowest one) is met.
        g2 = r_s < 1.20 and r_f < 1.20
        print(f"forged/baseline p99 ratio: started {r_s:.3f} ({(r_s-1)*100:+.1f} %, {(pct(phases[1][1], 99)-s99)*1000:+.1f} ms), "
              f"finished {r_f:.3f} ({(r_f-1)*100:+.1f} %, {(pct(phases[1][2], 99)-pct(b_f, 99))*1000:+.1f} ms)")
        print(f"goal forged traffic slows valid p99 by < 20 % (both ratios < 1.20): {'MET' if g2 else 'MISSED'}")
        ok &= g2
    if forgefile and os.path.exists(forgefile):
        fr = json.load(open(forgefile))
        only403 = set(fr["codes"]) == {"403"}
        print(f"forged requests: {fr['total']} in {fr['seconds']} s ({fr['rate']} req/s), codes {fr['codes']}, "
              f"p99 answer {fr['p99_ms']} ms -> {'all 403' if only403 else 'NOT all 403'}")
        ok &= only403
    all_ok = all(st.count("success") == len(st) for _, _, _, st in phases)
    if not all_ok:
        print("some deploys failed (see history)")
    return 0 if ok and all_ok else 1


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "wait":
        sys.exit(wait(*sys.argv[2:5]))
    if cmd == "forge":
        asyncio.run(forge(int(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]))
        sys.exit(0)
    if cmd == "summary":
        sys.exit(summary(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])))
    sys.exit(f"unknown command {cmd}")
