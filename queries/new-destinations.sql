-- name: new-destinations
-- title: New external destinations
-- description: External destinations (any verdict but internal) first called at or after the given time: what started to be called recently.
-- param: since = 1d : first seen at or after this time (RFC 3339 or a duration before now, or before the newest call with --relative-to-data)
-- param: namespace = : only calls from this namespace
SELECT destination, port, verdicts, calls, namespaces,
       strftime('%Y-%m-%dT%H:%M:%S', first_us / 1000000, 'unixepoch') || printf('.%03dZ', first_us / 1000 % 1000) AS first_seen
FROM (
    SELECT coalesce(dest_host, dest_ip) AS destination,
           dest_port AS port,
           group_concat(DISTINCT verdict) AS verdicts,
           sum(calls) AS calls,
           group_concat(DISTINCT source_namespace) AS namespaces,
           min(first_ts_us) AS first_us
    -- main.: all time, whatever window the runner sets for since, so "first" means first ever.
    FROM main.call_summary
    WHERE :namespace IS NULL OR source_namespace = :namespace
    GROUP BY 1, 2
)
WHERE :since IS NULL OR first_us >= :since
ORDER BY first_us, destination, port;
