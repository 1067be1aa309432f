#!/usr/bin/env python3
"""Small helpers for bench/run (standard library only).

  bench_util.py result FILE KEY        value of KEY in the last "RESULT k=v ..." line
  bench_util.py json FILE KEY[.KEY]    a field of a JSON document
  bench_util.py wrong-secret SECRET    a well-formed secret (valid checksum) that is not SECRET
  bench_util.py sysbench FILE          queries per second of a sysbench run
  bench_util.py gbench FILE NAME       median real time (ns) of every NAME/<arg>, as "arg=ns ..."
  bench_util.py free-port              a free TCP port on 127.0.0.1
  bench_util.py cpu-snapshot PID       "<machine busy ticks> <ticks of PID and its descendants>"
  bench_util.py table ROWS.tsv         the results table (markdown) from bench/run's rows
"""
import hashlib
import json
import os
import re
import socket
import sys

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
PREFIX = "pscale_tkn_"


def result(path, key):
    line = ""
    with open(path, errors="replace") as f:
        for l in f:
            if l.startswith("RESULT "):
                line = l
    for kv in line.split()[1:]:
        k, _, v = kv.partition("=")
        if k == key:
            return v
    raise SystemExit(f"no {key} in a RESULT line of {path}")


def json_field(path, dotted):
    with open(path) as f:
        v = json.load(f)
    for k in dotted.split("."):
        v = v[int(k)] if isinstance(v, list) else v[k]
    return v


def wrong_secret(secret):
    """Same shape as a real secret: prefix, 44 base62 chars, the checksum the
    server checks first (src/auth/token_format.cc). So it passes the format
    check and is refused only by the keyed-hash comparison."""
    body = secret[len(PREFIX):len(PREFIX) + 44]
    body = ("b" if body[0] != "b" else "c") + body[1:]
    v = int.from_bytes(hashlib.sha256((PREFIX + body).encode()).digest()[:4], "big")
    return PREFIX + body + "".join(BASE62[(v // 62 ** i) % 62] for i in range(5, -1, -1))


def sysbench_qps(path):
    with open(path, errors="replace") as f:
        m = re.search(r"queries:\s+\d+\s+\(([\d.]+) per sec", f.read())
    if not m:
        raise SystemExit(f"no 'queries: … per sec.' in {path}")
    return m.group(1)


def gbench(path, name):
    with open(path) as f:
        doc = json.load(f)
    out = []
    for b in doc.get("benchmarks", []):
        # "BM_X/1000/repeats:10_median" (or "BM_X/1000_median" without repetitions)
        if b.get("aggregate_name") != "median":
            continue
        m = re.fullmatch(re.escape(name) + r"/(\d+)(/.*)?", b.get("run_name", ""))
        if not m:
            continue
        scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b.get("time_unit", "ns")]
        out.append(f"{m.group(1)}={b['real_time'] * scale:.1f}")
    return " ".join(out)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def cpu_snapshot(root):
    """CPU ticks (user + nice + system) of the whole machine, and of `root`
    and its live descendants including the children they reaped. Two
    snapshots tell how much CPU other processes used in between."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    busy = v[0] + v[1] + v[2]
    procs, children = {}, {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                s = f.read()
        except OSError:
            continue
        rest = s[s.rfind(")") + 2:].split()
        ppid = int(rest[1])
        procs[int(d)] = sum(int(x) for x in rest[11:15])  # utime stime cutime cstime
        children.setdefault(ppid, []).append(int(d))
    ours, stack = 0, [int(root)]
    while stack:
        p = stack.pop()
        ours += procs.get(p, 0)
        stack += children.get(p, [])
    return f"{busy} {ours}"


def table(path):
    head = ["#", "figure", "ours", "baseline", "ratio", "target", "result"]
    rows = []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line:
                rows.append((line.split("\t") + [""] * len(head))[:len(head)])
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(c if c else "—" for c in r) + " |" for r in rows]
    return "\n".join(lines)


def main(argv):
    if len(argv) < 2:
        raise SystemExit(__doc__)
    cmd, args = argv[1], argv[2:]
    if cmd == "result":
        print(result(*args))
    elif cmd == "json":
        print(json_field(*args))
    elif cmd == "wrong-secret":
        print(wrong_secret(*args))
    elif cmd == "sysbench":
        print(sysbench_qps(*args))
    elif cmd == "gbench":
        print(gbench(*args))
    elif cmd == "free-port":
        print(free_port())
    elif cmd == "cpu-snapshot":
        print(cpu_snapshot(*args))
    elif cmd == "table":
        print(table(*args))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
