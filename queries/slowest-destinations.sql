-- name: slowest-destinations
-- title: Slowest external destinations (p50, p95 duration)
-- description: External destinations by the 95th percentile of call duration in milliseconds (for TCP and TLS, the whole connection's life).
-- param: since = : only calls from this time on
-- param: until = : only calls before this time
-- param: min_calls = 1 : only destinations with at least this many calls
WITH d AS (
    SELECT coalesce(dest_host, dest_ip) AS destination, dest_port AS port, duration_ms,
           row_number() OVER (PARTITION BY coalesce(dest_host, dest_ip), dest_port ORDER BY duration_ms) AS rank,
           count(*) OVER (PARTITION BY coalesce(dest_host, dest_ip), dest_port) AS n
    FROM calls
    WHERE verdict IN ('allowed', 'passthrough') AND duration_ms IS NOT NULL
      AND (:since IS NULL OR ts_us >= :since) AND (:until IS NULL OR ts_us < :until)
)
SELECT destination, port, n AS calls,
       max(CASE WHEN rank = (n + 1) / 2 THEN duration_ms END) AS p50_ms,
       max(CASE WHEN rank = (n * 95 + 99) / 100 THEN duration_ms END) AS p95_ms,
       max(duration_ms) AS max_ms
FROM d
WHERE n >= coalesce(CAST(:min_calls AS INTEGER), 1)
GROUP BY destination, port
ORDER BY p95_ms DESC, destination, port;
