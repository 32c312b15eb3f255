-- name: egress-gateways
-- title: Egress through gateways
-- description: Calls routed to an egress gateway service, by gateway and real destination (the SNI or authority the sidecar saw).
-- param: since = : only calls from this time on
-- param: until = : only calls before this time
SELECT upstream_cluster AS gateway_cluster,
       coalesce(dest_host, sni, authority) AS destination,
       dest_port AS port,
       count(*) AS calls,
       group_concat(DISTINCT source_namespace) AS namespaces,
       max(ts) AS last_seen
FROM calls
WHERE (upstream_cluster LIKE 'outbound|%|%egressgateway%' OR upstream_cluster LIKE 'outbound|%|%egress-gateway%')
  AND (:since IS NULL OR ts_us >= :since) AND (:until IS NULL OR ts_us < :until)
GROUP BY 1, 2, 3
ORDER BY calls DESC, gateway_cluster, destination;
