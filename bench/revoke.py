#!/usr/bin/env python3
"""Row #7 of bench/README.md: revocation while a token is in use.

Starts one `opscale connect` under a service token and opens N MySQL
sessions through it (the real `mariadb` client running SELECT SLEEP(600);
each local connection is its own tunnel through opscaled), waits until the
engine shows all N sessions, runs a keep-alive request loop (GET the branch)
with the same token, then deletes the token as the admin. Measures, from the
moment the DELETE is sent:
  - when each client sees its connection closed (its process exits);
  - the status of every loop request sent after the DELETE answered (all
    must be 401).
Prints one JSON object on stdout. Every process it starts is stopped by its
PID before it exits.

Standard library only; run it pinned to the load generator's core.
"""
import argparse
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time


def percentile(sorted_values, p):
    """Nearest-rank percentile of a sorted list."""
    if not sorted_values:
        return None
    k = max(0, min(len(sorted_values) - 1, -(-len(sorted_values) * p // 100) - 1))
    return sorted_values[int(k)]


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--api", required=True)           # http://127.0.0.1:PORT
    ap.add_argument("--org", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--branch", required=True)
    ap.add_argument("--admin-auth", required=True)    # "Bearer pscale_oauth_…"
    ap.add_argument("--token-id", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--opscale", required=True)       # the CLI binary
    ap.add_argument("--home", required=True)          # HOME for the CLI
    ap.add_argument("--tunnels", type=int, default=50)
    ap.add_argument("--engine-port", type=int, required=True)   # to count sessions
    ap.add_argument("--engine-user", required=True)
    ap.add_argument("--engine-password", required=True)
    ap.add_argument("--log", required=True)           # connect's stderr goes here
    a = ap.parse_args()

    host, port = re.match(r"http://([^:/]+):(\d+)", a.api).groups()
    branch_path = f"/v1/organizations/{a.org}/databases/{a.db}/branches/{a.branch}"
    token_auth = f"{a.token_id}:{a.token}"
    procs = []
    out = {"tunnels": a.tunnels}
    try:
        env = dict(os.environ, HOME=a.home, PLANETSCALE_SERVICE_TOKEN=a.token,
                   PLANETSCALE_SERVICE_TOKEN_ID=a.token_id)
        log = open(a.log, "w")
        connect = subprocess.Popen(
            [a.opscale, "connect", a.db, a.branch, "--org", a.org, "--port", "0", "--api-url", a.api],
            env=env, stdout=subprocess.PIPE, stderr=log, text=True)
        procs.append(connect)
        local_port = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = connect.stdout.readline()
            if not line:
                break
            m = re.search(r"Local address to connect your application: [^:]+:(\d+)", line)
            if m:
                local_port = int(m.group(1))
                break
        if not local_port:
            raise RuntimeError("opscale connect printed no local address (see " + a.log + ")")
        # Keep draining its stdout so it never blocks on a full pipe.
        threading.Thread(target=lambda: connect.stdout.read(), daemon=True).start()

        # (The client strips comments, so the marker is a literal.)
        marker = "SELECT 'opscale-bench', SLEEP(600)"
        clients, closed_at = [], [None] * a.tunnels

        def watch(i, p):
            p.wait()
            closed_at[i] = time.monotonic()

        for i in range(a.tunnels):
            p = subprocess.Popen(["mariadb", "--no-defaults", "-h127.0.0.1", f"-P{local_port}", "-uroot",
                                  "-N", "-B", "-e", marker],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            procs.append(p)
            clients.append(p)
            threading.Thread(target=watch, args=(i, p), daemon=True).start()

        # All N sessions must be running in the engine before the revocation.
        count_sql = ("SELECT COUNT(*) FROM information_schema.processlist "
                     "WHERE info LIKE 'SELECT ''opscale-bench''%'")
        running = 0
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            r = subprocess.run(["mariadb", "--no-defaults", "-h127.0.0.1", f"-P{a.engine_port}",
                                f"-u{a.engine_user}", f"-p{a.engine_password}", "-N", "-B", "-e", count_sql],
                               capture_output=True, text=True)
            running = int(r.stdout.strip() or 0) if r.returncode == 0 else 0
            if running >= a.tunnels or any(c.poll() is not None for c in clients):
                break
            time.sleep(0.2)
        out["sessions_before"] = running
        if running < a.tunnels:
            raise RuntimeError(f"only {running} of {a.tunnels} sessions came up through the tunnel")

        # The request loop: one keep-alive connection, the same token.
        samples, stop_loop = [], threading.Event()

        def loop():
            conn = http.client.HTTPConnection(host, int(port), timeout=5)
            while not stop_loop.is_set():
                sent = time.monotonic()
                try:
                    conn.request("GET", branch_path, headers={"Authorization": token_auth})
                    resp = conn.getresponse()
                    resp.read()
                    samples.append((sent, time.monotonic(), resp.status))
                    if resp.getheader("connection", "").lower() == "close":
                        conn.close()
                        conn = http.client.HTTPConnection(host, int(port), timeout=5)
                except (OSError, http.client.HTTPException):
                    samples.append((sent, time.monotonic(), 0))
                    conn.close()
                    conn = http.client.HTTPConnection(host, int(port), timeout=5)
            conn.close()

        looper = threading.Thread(target=loop)
        looper.start()
        time.sleep(0.5)

        admin = http.client.HTTPConnection(host, int(port), timeout=10)
        t0 = time.monotonic()
        admin.request("DELETE", f"/v1/organizations/{a.org}/service-tokens/{a.token_id}",
                      headers={"Authorization": a.admin_auth})
        resp = admin.getresponse()
        resp.read()
        t1 = time.monotonic()
        admin.close()
        out["delete_status"] = resp.status
        out["delete_ms"] = round((t1 - t0) * 1000, 1)

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(t is None for t in closed_at):
            time.sleep(0.01)
        time.sleep(0.2)
        stop_loop.set()
        looper.join()

        closes = sorted((t - t0) * 1000 for t in closed_at if t is not None)
        out["closed"] = len(closes)
        out["close_p50_ms"] = round(percentile(closes, 50), 1) if closes else None
        out["close_p99_ms"] = round(percentile(closes, 99), 1) if closes else None
        out["close_max_ms"] = round(closes[-1], 1) if closes else None
        before = [s for s in samples if s[1] < t0]
        after = [s for s in samples if s[0] > t1]
        out["loop_ok_before"] = sum(1 for s in before if s[2] == 200)
        out["loop_after"] = len(after)
        out["loop_after_200"] = sum(1 for s in after if s[2] == 200)
        out["next_status"] = after[0][2] if after else None
        out["all_refused_after"] = bool(after) and all(s[2] == 401 for s in after)
    except Exception as e:  # reported, not raised: bench/run prints the row as failed
        out["error"] = str(e)
    finally:
        for p in reversed(procs):
            stop(p)
    print(json.dumps(out))
    return 0 if "error" not in out else 1


if __name__ == "__main__":
    sys.exit(main())
