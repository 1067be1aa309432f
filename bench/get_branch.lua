-- wrk script for rows #2, #3 and #4 of bench/README.md: GET one branch on
-- keep-alive connections with "Authorization: <ID>:<TOKEN>" (the same
-- request bytes go to opscaled and to the nginx baseline).
--
-- Environment:
--   BENCH_AUTH   the Authorization header value (unset or empty: none)
--   BENCH_RATE   requests/s over all connections: paced mode (row #3).
--                Each connection waits a fixed interval (connections / rate)
--                before each request, the first one at a random phase, like
--                wrk2's constant-throughput schedule. wrk's timer works in
--                whole milliseconds, so the interval is rounded up or down at
--                random to keep its mean. Latency is timed from the moment a
--                request is written (wrk), not from its scheduled time.
--   BENCH_CONNS  the number of connections (-c), needed with BENCH_RATE
--
-- Prints one machine-readable line at the end:
--   RESULT requests=N duration_us=D p50_us=.. p90_us=.. p99_us=.. max_us=..
--          status_errors=N socket_errors=N timeouts=N

local auth = os.getenv("BENCH_AUTH")
if auth and auth ~= "" then
  wrk.headers["Authorization"] = auth
end

local rate = tonumber(os.getenv("BENCH_RATE") or "")
if rate and rate > 0 then
  local conns = tonumber(os.getenv("BENCH_CONNS") or "1")
  local interval_ms = conns * 1000 / rate
  local started = 0
  math.randomseed(os.time())
  function delay()
    if started < conns then  -- one call per connection first: spread their phases
      started = started + 1
      return math.floor(math.random() * interval_ms)
    end
    return math.floor(interval_ms + math.random())
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d " ..
    "status_errors=%d socket_errors=%d timeouts=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.status, e.connect + e.read + e.write, e.timeout))
end
