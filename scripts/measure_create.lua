-- wrk script for scripts/measure: CreateMesh (PUT /v20190125/meshes) with a unique mesh name
-- per request; counts the 200 answers (acknowledged, durable creates) and the others.
local counter = 0
local threads = {}
local thread_id = 0

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
  table.insert(threads, thread)
end

function init(args)
  ok = 0
  other = 0
  statuses = {}
end

function request()
  counter = counter + 1
  local name = string.format("wrk-%d-%d", tid, counter)
  local body = string.format('{"meshName":"%s","clientToken":"%s-token"}', name, name)
  return wrk.format("PUT", "/v20190125/meshes", {["Content-Type"] = "application/json"}, body)
end

function response(status, headers, body)
  if status == 200 then
    ok = ok + 1
  else
    other = other + 1
    statuses[status] = (statuses[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local total_ok, total_other = 0, 0
  for _, t in ipairs(threads) do
    total_ok = total_ok + t:get("ok")
    total_other = total_other + t:get("other")
  end
  local secs = summary.duration / 1e6
  io.write(string.format("CREATES_OK %d\nCREATES_OTHER %d\nCREATES_SECONDS %.3f\nCREATES_PER_SEC %.1f\nCREATE_P99_MS %.3f\nCREATE_P50_MS %.3f\n",
    total_ok, total_other, secs, total_ok / secs, latency:percentile(99) / 1000, latency:percentile(50) / 1000))
end
