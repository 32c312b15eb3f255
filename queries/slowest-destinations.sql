-- name: slowest-destinations
-- title: Slowest external destinations (p50, p95 duration)
-- description: External destinations by the 95th percentile of call duration in milliseconds (for TCP and TLS, the whole connection's life). Above 32 ms, percentiles come from a histogram with 16 buckets per doubling: within 3 % of the true value, never above max_ms, which is exact.
-- param: since = : only calls from this time on
-- param: until = : only calls before this time
-- param: min_calls = 1 : only destinations with at least this many calls
WITH buckets AS (
    SELECT destination, dest_port AS port, duration_ms, sum(calls) AS n
    FROM call_durations
    GROUP BY 1, 2, 3
),
running AS (
    SELECT destination, port, duration_ms,
           sum(n) OVER (PARTITION BY destination, port ORDER BY duration_ms) AS below,
           sum(n) OVER (PARTITION BY destination, port) AS total
    FROM buckets
),
longest AS (
    SELECT coalesce(dest_host, dest_ip) AS destination, dest_port AS port, max(max_duration_ms) AS max_ms
    FROM call_summary
    WHERE verdict IN ('allowed', 'passthrough')
    GROUP BY 1, 2
)
SELECT r.destination, r.port, r.total AS calls,
       min(min(r.duration_ms) FILTER (WHERE r.below * 2 >= r.total), max(l.max_ms)) AS p50_ms,
       min(min(r.duration_ms) FILTER (WHERE r.below * 100 >= r.total * 95), max(l.max_ms)) AS p95_ms,
       max(l.max_ms) AS max_ms
FROM running r LEFT JOIN longest l ON l.destination IS r.destination AND l.port IS r.port
WHERE r.total >= coalesce(CAST(:min_calls AS INTEGER), 1)
GROUP BY r.destination, r.port
ORDER BY p95_ms DESC, r.destination, r.port;
