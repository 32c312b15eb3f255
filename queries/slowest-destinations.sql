-- name: slowest-destinations
-- title: Slowest external destinations (p50, p95 duration)
-- description: External destinations by the 95th percentile of call duration in milliseconds (for TCP and TLS, the whole connection's life). Above 32 ms, percentiles come from a histogram with 16 buckets per doubling: within 3 % of the true value, never above max_ms, which is exact.
-- param: since = : only calls from this time on
-- param: until = : only calls before this time
-- param: min_calls = 1 : only destinations with at least this many calls
WITH buckets AS (
    SELECT coalesce(destination, '') AS dkey, coalesce(dest_port, -1) AS pkey, destination, dest_port AS port,
           duration_ms, sum(calls) AS n, max(max_ms) AS longest
    FROM call_durations
    GROUP BY 1, 2, 3, 4, 5
),
running AS (
    SELECT dkey, pkey, destination, port, duration_ms, longest,
           sum(n) OVER (PARTITION BY dkey, pkey ORDER BY duration_ms) AS below,
           sum(n) OVER (PARTITION BY dkey, pkey) AS total
    FROM buckets
),
percentiles AS (
    SELECT destination, port, max(total) AS calls, max(longest) AS max_ms,
           min(duration_ms) FILTER (WHERE below * 2 >= total) AS p50,
           min(duration_ms) FILTER (WHERE below * 100 >= total * 95) AS p95
    FROM running
    GROUP BY dkey, pkey
)
SELECT destination, port, calls, min(p50, max_ms) AS p50_ms, min(p95, max_ms) AS p95_ms, max_ms
FROM percentiles
WHERE calls >= coalesce(CAST(:min_calls AS INTEGER), 1)
ORDER BY p95_ms DESC, destination, port;
