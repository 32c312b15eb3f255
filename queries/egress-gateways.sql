-- name: egress-gateways
-- title: Egress through gateways
-- description: Calls routed to an egress gateway service, by gateway and real destination (the host the sidecar saw in the SNI or authority).
-- param: since = : only calls from this time on
-- param: until = : only calls before this time
SELECT gateway_cluster, destination, port, calls, namespaces,
       strftime('%Y-%m-%dT%H:%M:%S', last_us / 1000000, 'unixepoch') || printf('.%03dZ', last_us / 1000 % 1000) AS last_seen
FROM (
    SELECT upstream_cluster AS gateway_cluster,
           coalesce(dest_host, dest_ip) AS destination,
           dest_port AS port,
           sum(calls) AS calls,
           group_concat(DISTINCT source_namespace) AS namespaces,
           max(last_ts_us) AS last_us
    FROM call_summary
    WHERE upstream_cluster LIKE 'outbound|%|%egressgateway%' OR upstream_cluster LIKE 'outbound|%|%egress-gateway%'
    GROUP BY 1, 2, 3
)
ORDER BY calls DESC, gateway_cluster, destination;
