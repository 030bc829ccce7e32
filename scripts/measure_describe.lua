-- wrk script for scripts/measure: DescribeMesh totals in a machine-readable form. No
-- response() callback (it would slow wrk down); wrk counts non-2xx/3xx answers itself.
function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format("DESCRIBE_REQUESTS %d\nDESCRIBE_BAD %d\nDESCRIBE_PER_SEC %.1f\nDESCRIBE_P50_MS %.3f\nDESCRIBE_P99_MS %.3f\n",
    summary.requests, e.status + e.connect + e.read + e.write + e.timeout,
    summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
