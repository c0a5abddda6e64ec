-- One benchmark workload for wrk (see bench/run.sh and docs/benchmarks.md).
--
-- Environment: BENCH_METHOD (GET, POST, PATCH), BENCH_BODY (none, create, patch),
-- BENCH_TOKEN (bearer token, optional), BENCH_TAG (makes created userNames unique per run).
-- `create` posts a new userName per request; `patch` replaces `title` with a new value per
-- request, so every write really changes the user.

local method = os.getenv("BENCH_METHOD") or "GET"
local kind = os.getenv("BENCH_BODY") or "none"
local token = os.getenv("BENCH_TOKEN") or ""
local tag = os.getenv("BENCH_TAG") or "run"

local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  if token ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. token
  end
  if kind ~= "none" then
    wrk.headers["Content-Type"] = "application/scim+json"
  end
end

request = function()
  counter = counter + 1
  local body = nil
  if kind == "create" then
    body = string.format(
      '{"userName":"%s-%d-%d@bench.example.com","displayName":"Bench User %d",' ..
      '"emails":[{"type":"work","value":"w%d-%d@bench.example.com"}]}',
      tag, tid, counter, counter, tid, counter)
  elseif kind == "patch" then
    body = string.format(
      '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],' ..
      '"Operations":[{"op":"replace","path":"title","value":"Title %s %d %d"}]}',
      tag, tid, counter)
  end
  return wrk.format(method, nil, nil, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.timeout + e.status
  io.write(string.format(
    'RESULT {"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_us":%d,"p99_us":%d,"max_us":%d,"errors":%d,"non2xx":%d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99), latency.max, errors, e.status))
end
