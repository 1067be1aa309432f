#!/usr/bin/env bash
# bench/callgrind_get_branch.sh [BIN_DIR] [REQUESTS]: instructions that
# opscaled executes per `GET …/branches/main` (ID:TOKEN header, keep-alive),
# counted by valgrind's callgrind after a warm-up. Instruction counts do not
# depend on what else the machine is doing, so two builds can be compared on
# a busy machine. Kernel work (syscalls) is not counted. Loopback only; every
# process started is stopped by its PID. Needs valgrind, curl, python3.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${1:-$ROOT/build-bench/bin}"
N="${2:-2000}"
TMP=$(mktemp -d)
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  rm -rf "$TMP"
}
trap cleanup EXIT
PORT=$(python3 "$ROOT/bench/bench_util.py" free-port)
API="http://127.0.0.1:$PORT"

start() {  # start [valgrind args...]: opscaled serve in the background; waits for "listening"
  "$@" "$BIN/opscaled" serve --data-dir "$TMP/data" --listen "127.0.0.1:$PORT" --rate-limit-per-token 0 \
    --rate-limit-per-address 0 --rate-limit-failed-auth 0 >"$TMP/out" 2>"$TMP/err" &
  SRV=$!
  PIDS+=("$SRV")
  for _ in $(seq 600); do grep -q listening "$TMP/out" && return 0; sleep 0.1; done
  cat "$TMP/err" >&2
  return 1
}
stop() { kill "$SRV"; wait "$SRV" 2>/dev/null || true; }

"$BIN/opscaled" init --data-dir "$TMP/data" --org bench --admin-email b@example.com --format json >"$TMP/init.json"
ADMIN="Bearer $(python3 "$ROOT/bench/bench_util.py" json "$TMP/init.json" api_token)"
start
c() { curl -fsS -X "$1" -H "Authorization: $ADMIN" -H 'Content-Type: application/json' ${3:+--data "$3"} "$API$2"; }
c POST /v1/organizations/bench/databases '{"name":"benchdb"}' >/dev/null
c POST /v1/organizations/bench/service-tokens '{"name":"r"}' >"$TMP/tok.json"
ID=$(python3 "$ROOT/bench/bench_util.py" json "$TMP/tok.json" id)
SECRET=$(python3 "$ROOT/bench/bench_util.py" json "$TMP/tok.json" token)
c POST "/v1/organizations/bench/service-tokens/$ID/access" '{"database":"benchdb","access":["read_branch"]}' >/dev/null
stop

start valgrind --tool=callgrind --callgrind-out-file="$TMP/cg.%p"
get() {  # get N: N requests on 4 keep-alive connections, every answer must be 200
  python3 - "$PORT" "$ID:$SECRET" "$1" <<'PY'
import socket, sys
port, auth, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
req = ("GET /v1/organizations/bench/databases/benchdb/branches/main HTTP/1.1\r\n"
       "Host: 127.0.0.1:%d\r\nAuthorization: %s\r\n\r\n" % (port, auth)).encode()
conns = [socket.create_connection(("127.0.0.1", port)) for _ in range(4)]
bufs = [b""] * len(conns)
def answer(s, buf):
    while b"\r\n\r\n" not in buf:
        buf += s.recv(65536)
    head, rest = buf.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 200"), head.split(b"\r\n")[0]
    length = int(next(l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")).split(b":")[1])
    while len(rest) < length:
        rest += s.recv(65536)
    return rest[length:]
for _ in range(n // len(conns)):
    for s in conns:
        s.sendall(req)
    for k, s in enumerate(conns):
        bufs[k] = answer(s, bufs[k])
PY
}
get 400
callgrind_control -z "$SRV" >/dev/null 2>&1
get "$N"
callgrind_control -d "$SRV" >/dev/null 2>&1
sleep 1
stop
total=$(callgrind_annotate "$(ls "$TMP"/cg.*.1 | head -1)" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
echo "instructions per GET branch: $((total / N)) ($N requests, $BIN/opscaled)"
