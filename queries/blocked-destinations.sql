-- name: blocked-destinations
-- title: Blocked destinations
-- description: Every destination (host, or IP when no host is known) and port whose calls were refused for want of a ServiceEntry, with the namespaces that called it and when.
-- param: since = : only calls from this time on (RFC 3339 or a duration such as 7d)
-- param: until = : only calls before this time
-- param: namespace = : only calls from this namespace
SELECT destination, port, calls, namespaces,
       strftime('%Y-%m-%dT%H:%M:%S', first_us / 1000000, 'unixepoch') || printf('.%03dZ', first_us / 1000 % 1000) AS first_seen,
       strftime('%Y-%m-%dT%H:%M:%S', last_us / 1000000, 'unixepoch') || printf('.%03dZ', last_us / 1000 % 1000) AS last_seen
FROM (
    SELECT coalesce(dest_host, dest_ip) AS destination,
           dest_port AS port,
           sum(calls) AS calls,
           group_concat(DISTINCT source_namespace) AS namespaces,
           min(first_ts_us) AS first_us,
           max(last_ts_us) AS last_us
    FROM call_summary
    WHERE verdict = 'blocked'
      AND (:namespace IS NULL OR source_namespace = :namespace)
    GROUP BY 1, 2
)
ORDER BY calls DESC, destination, port;
