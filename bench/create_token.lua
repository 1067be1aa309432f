-- wrk script for row #5 of bench/README.md: service tokens created and
-- granted over the API. Run with as many threads as connections (-tN -cN),
-- so each thread drives exactly one connection and its requests strictly
-- alternate: POST …/service-tokens, then POST …/service-tokens/{id}/access
-- with the id from that answer (read_branch, create_branch, delete_branch
-- on one database, as in the service-tokens guide). A token counts once
-- its grant answered 200.
--
-- Environment: BENCH_AUTH (an admin's "Bearer pscale_oauth_…"), BENCH_ORG,
-- BENCH_DB.
--
-- Prints one machine-readable line at the end:
--   RESULT tokens=N created=N failed=N duration_us=D p50_us=.. p99_us=..

wrk.headers["Authorization"] = os.getenv("BENCH_AUTH")
wrk.headers["Content-Type"] = "application/json"

local tokens_path = "/v1/organizations/" .. os.getenv("BENCH_ORG") .. "/service-tokens"
local create_body = '{"name":"bench"}'
local access_body = '{"database":"' .. os.getenv("BENCH_DB") ..
                    '","access":["read_branch","create_branch","delete_branch"]}'

-- Per thread (globals, so done() can read them with thread:get).
pending = nil  -- id of the token created last, whose grant is next
created = 0
granted = 0
failed = 0

function request()
  if pending then
    return wrk.format("POST", tokens_path .. "/" .. pending .. "/access", nil, access_body)
  end
  return wrk.format("POST", tokens_path, nil, create_body)
end

function response(status, headers, body)
  if pending then
    if status == 200 then granted = granted + 1 else failed = failed + 1 end
    pending = nil
  elseif status == 200 then
    created = created + 1
    pending = body:match('"id":"([a-z0-9]+)"')  -- the token's id comes first
    if not pending then failed = failed + 1 end
  else
    failed = failed + 1
  end
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function done(summary, latency, requests)
  local g, c, f = 0, 0, 0
  for _, t in ipairs(threads) do
    g = g + t:get("granted")
    c = c + t:get("created")
    f = f + t:get("failed")
  end
  io.write(string.format("RESULT tokens=%d created=%d failed=%d duration_us=%d p50_us=%d p99_us=%d\n",
                         g, c, f, summary.duration, latency:percentile(50), latency:percentile(99)))
end
