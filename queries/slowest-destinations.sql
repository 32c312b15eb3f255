-- name: slowest-destinations
-- title: Slowest external destinations (p50, p95 duration)
-- description: External destinations by the 95th percentile of call duration in milliseconds (for TCP and TLS, the whole connection's life). Above 32 ms, percentiles come from a histogram with 16 buckets per doubling: within 3 % of the true value, never above max_ms, which is exact.
-- param: since = : only calls from this time on
-- param: until = : only calls before this time
-- param: min_calls = 1 : only destinations with at least this many calls
WITH running AS (
    -- Calls at or under each bucket (a window's RANGE frame counts equal buckets together), and in all.
    SELECT destination, dest_port AS port, duration_ms, max_ms,
           sum(calls) OVER (PARTITION BY destination, dest_port ORDER BY duration_ms) AS below,
           sum(calls) OVER (PARTITION BY destination, dest_port) AS total
    FROM call_durations
),
percentiles AS (
    SELECT destination, port, max(total) AS calls, max(max_ms) AS max_ms,
           min(duration_ms) FILTER (WHERE below * 2 >= total) AS p50,
           min(duration_ms) FILTER (WHERE below * 100 >= total * 95) AS p95
    FROM running
    GROUP BY destination, port
)
SELECT destination, port, calls, min(p50, max_ms) AS p50_ms, min(p95, max_ms) AS p95_ms, max_ms
FROM percentiles
WHERE calls >= coalesce(CAST(:min_calls AS INTEGER), 1)
ORDER BY p95_ms DESC, destination, port;
