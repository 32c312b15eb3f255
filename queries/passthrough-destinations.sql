-- name: passthrough-destinations
-- title: Passthrough destinations (what breaks under REGISTRY_ONLY)
-- description: Calls that left the mesh unregistered through PassthroughCluster (ALLOW_ANY): each would be refused once the mesh switches to REGISTRY_ONLY unless a ServiceEntry covers it.
-- param: since = : only calls from this time on
-- param: until = : only calls before this time
-- param: namespace = : only calls from this namespace
SELECT coalesce(dest_host, dest_ip) AS destination,
       dest_port AS port,
       protocol,
       count(*) AS calls,
       group_concat(DISTINCT source_namespace) AS namespaces,
       min(ts) AS first_seen,
       max(ts) AS last_seen
FROM calls
WHERE verdict = 'passthrough'
  AND (:since IS NULL OR ts_us >= :since) AND (:until IS NULL OR ts_us < :until)
  AND (:namespace IS NULL OR source_namespace = :namespace)
GROUP BY 1, 2, 3
ORDER BY calls DESC, destination, port;
