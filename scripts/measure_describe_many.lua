-- wrk script for scripts/measure scale: DescribeVirtualNode or DescribeRoute spread over every
-- mesh of a state seeded by `sandbox seed --count MESHES --nodes NODES --routers ROUTERS
-- --routes ROUTES` (names seed-00001, node-0001, router-001, route-01), so each request looks
-- up another resource of the 100,000. KIND=node|route and the counts come from the
-- environment. No response() callback (it would slow wrk down); wrk counts non-2xx answers.
local kind = os.getenv("KIND") or "node"
local meshes = tonumber(os.getenv("MESHES") or "10")
local nodes = tonumber(os.getenv("NODES") or "4000")
local routers = tonumber(os.getenv("ROUTERS") or "200")
local routes = tonumber(os.getenv("ROUTES") or "19")
local i = 0

function init(args)
  -- Each thread starts elsewhere in the state.
  i = math.random(0, 1000000)
end

function request()
  i = i + 1
  local mesh = string.format("seed-%05d", i % meshes + 1)
  local path
  if kind == "route" then
    local r = math.floor(i / meshes) % (routers * routes)
    path = string.format("/v20190125/meshes/%s/virtualRouter/router-%03d/routes/route-%02d",
      mesh, math.floor(r / routes) + 1, r % routes + 1)
  else
    path = string.format("/v20190125/meshes/%s/virtualNodes/node-%04d", mesh, math.floor(i / meshes) % nodes + 1)
  end
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format("DESCRIBE_REQUESTS %d\nDESCRIBE_BAD %d\nDESCRIBE_PER_SEC %.1f\nDESCRIBE_P50_MS %.3f\nDESCRIBE_P99_MS %.3f\n",
    summary.requests, e.status + e.connect + e.read + e.write + e.timeout,
    summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
