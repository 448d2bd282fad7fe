-- wrk script: print one JSON line with what bench/e2e/load.py reads.
-- Latencies are in microseconds; "p" maps a percentile to its latency.
local percentiles = {0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 95, 97.5, 99, 99.5, 99.9, 99.99}

done = function(summary, latency, requests)
  local parts = {}
  for _, p in ipairs(percentiles) do
    parts[#parts + 1] = string.format('"%g": %d', p, latency:percentile(p))
  end
  local e = summary.errors
  io.write(string.format(
    'CTXCORE-E2E {"requests": %d, "duration_us": %d, "bytes": %d, "mean_us": %.1f, ' ..
    '"max_us": %d, "errors": {"connect": %d, "read": %d, "write": %d, "status": %d, ' ..
    '"timeout": %d}, "p": {%s}}\n',
    summary.requests, summary.duration, summary.bytes, latency.mean, latency.max,
    e.connect, e.read, e.write, e.status, e.timeout, table.concat(parts, ", ")))
end
