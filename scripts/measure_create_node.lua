-- wrk script for scripts/measure scale: CreateVirtualNode (PUT
-- /v20190125/meshes/{MESH}/virtualNodes) with a unique name per request, into MESH (from the
-- environment); counts the 200 answers (acknowledged, durable creates) and the others.
local mesh = os.getenv("MESH") or "seed-00001"
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
end

function request()
  counter = counter + 1
  local name = string.format("wrk-%d-%d", tid, counter)
  local body = string.format(
    '{"virtualNodeName":"%s","clientToken":"%s-token","spec":{"listeners":[{"portMapping":{"port":8080,"protocol":"http"}}],"serviceDiscovery":{"dns":{"hostname":"%s.local"}}}}',
    name, name, name)
  return wrk.format("PUT", "/v20190125/meshes/" .. mesh .. "/virtualNodes", {["Content-Type"] = "application/json"}, body)
end

function response(status, headers, body)
  if status == 200 then
    ok = ok + 1
  else
    other = other + 1
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
