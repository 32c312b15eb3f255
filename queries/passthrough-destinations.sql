-- name: passthrough-destinations
-- title: Passthrough destinations (what breaks under REGISTRY_ONLY)
-- description: Calls that left the mesh unregistered through PassthroughCluster (ALLOW_ANY): each would be refused once the mesh switches to REGISTRY_ONLY unless a ServiceEntry covers it.
-- param: since = : only calls from this time on
-- param: until = : only calls before this time
-- param: namespace = : only calls from this namespace
SELECT destination, port, protocol, calls, namespaces,
       strftime('%Y-%m-%dT%H:%M:%S', first_us / 1000000, 'unixepoch') || printf('.%03dZ', first_us / 1000 % 1000) AS first_seen,
       strftime('%Y-%m-%dT%H:%M:%S', last_us / 1000000, 'unixepoch') || printf('.%03dZ', last_us / 1000 % 1000) AS last_seen
FROM (
    SELECT coalesce(dest_host, dest_ip) AS destination,
           dest_port AS port,
           protocol,
           sum(calls) AS calls,
           group_concat(DISTINCT source_namespace) AS namespaces,
           min(first_ts_us) AS first_us,
           max(last_ts_us) AS last_us
    FROM call_summary
    WHERE verdict = 'passthrough'
      AND (:namespace IS NULL OR source_namespace = :namespace)
    GROUP BY 1, 2, 3
)
ORDER BY calls DESC, destination, port;
