#!/usr/bin/env python3
"""A resident peer for bench/network/ready.sh: for each name read on stdin it asks the DNS server (argv[1]) for
its A record until an answer comes, then pings that address (ICMP echo on a raw socket) until it replies, and
prints "ADDRESS EPOCH_MICROSECONDS" when both are done. Being one process started before the timing, it adds no
process start-ups (dig, ping) to what is measured. Root (raw socket); lines: NAME -> "IP US" or "FAIL reason"."""
import os, random, select, socket, struct, sys, time

server = (sys.argv[1], 53)
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
icmp = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)

def query(name):
    qid = random.randrange(65536)
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    q += b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0" + struct.pack(">HH", 1, 1)
    return qid, q

def answer(data, qid):
    if len(data) < 12: return None
    rid, flags, qd, an = struct.unpack(">HHHH", data[:8])
    if rid != qid or flags & 0xF != 0 or an == 0: return None
    i = 12
    for _ in range(qd):
        while data[i] != 0: i += data[i] + 1
        i += 5
    for _ in range(an):
        if data[i] & 0xC0 == 0xC0: i += 2
        else:
            while data[i] != 0: i += data[i] + 1
            i += 1
        typ, _, _, ln = struct.unpack(">HHIH", data[i:i + 10]); i += 10
        if typ == 1 and ln == 4: return socket.inet_ntoa(data[i:i + 4])
        i += ln
    return None

def checksum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack(f">{len(b) // 2}H", b)); s = (s >> 16) + (s & 0xFFFF); s += s >> 16
    return ~s & 0xFFFF

def resolve(name, deadline):
    while time.monotonic() < deadline:
        qid, q = query(name)
        udp.sendto(q, server)
        if select.select([udp], [], [], 0.005)[0]:
            ip = answer(udp.recv(4096), qid)
            if ip: return ip
        time.sleep(0.001)
    return None

def ping(ip, deadline):
    ident = os.getpid() & 0xFFFF
    seq = 0
    while time.monotonic() < deadline:
        seq += 1
        hdr = struct.pack(">BBHHH", 8, 0, 0, ident, seq)
        pkt = struct.pack(">BBHHH", 8, 0, checksum(hdr + b"volt"), ident, seq) + b"volt"
        icmp.sendto(pkt, (ip, 0))
        end = time.monotonic() + 0.01
        while (left := end - time.monotonic()) > 0 and select.select([icmp], [], [], left)[0]:
            data, addr = icmp.recvfrom(2048)
            ihl = (data[0] & 0xF) * 4
            t, _, _, rid, rseq = struct.unpack(">BBHHH", data[ihl:ihl + 8])
            if addr[0] == ip and t == 0 and rid == ident and rseq == seq: return True
    return False

for line in sys.stdin:
    name = line.strip()
    if not name: continue
    deadline = time.monotonic() + 10
    ip = resolve(name, deadline)
    if ip is None: print(f"FAIL no answer for {name}", flush=True); continue
    if not ping(ip, deadline): print(f"FAIL {ip} did not answer a ping", flush=True); continue
    print(f"{ip} {time.time_ns() // 1000}", flush=True)
