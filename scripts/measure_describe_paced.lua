-- wrk script for scripts/measure: DescribeMesh at a set pace. Each connection waits
-- `pace_ms` between its answer and its next request (wrk's delay()), so N connections send
-- about N * 1000 / (pace_ms + latency) requests/s: the latency is measured at that load, not
-- at the saturation point where requests queue behind each other.
local pace_ms = tonumber(os.getenv("PACE_MS") or "1")

function delay()
  return pace_ms
end

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format("DESCRIBE_REQUESTS %d\nDESCRIBE_BAD %d\nDESCRIBE_PER_SEC %.1f\nDESCRIBE_P50_MS %.3f\nDESCRIBE_P99_MS %.3f\nDESCRIBE_MAX_MS %.3f\n",
    summary.requests, e.status + e.connect + e.read + e.write + e.timeout,
    summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
