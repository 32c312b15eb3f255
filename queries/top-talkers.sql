-- name: top-talkers
-- title: Top talkers to external hosts, by bytes
-- description: Workloads and external destinations with the most bytes exchanged (received plus sent, as the proxy counted them).
-- param: since = : only calls from this time on
-- param: until = : only calls before this time
-- param: limit = 20 : how many rows
SELECT coalesce(source_namespace, '(unknown)') AS namespace,
       coalesce(source_pod, source_ip, '(unknown)') AS workload,
       coalesce(dest_host, dest_ip) AS destination,
       dest_port AS port,
       sum(calls) AS calls,
       sum(bytes_received) AS bytes_received,
       sum(bytes_sent) AS bytes_sent,
       sum(bytes_received + bytes_sent) AS bytes_total
FROM call_summary
WHERE verdict IN ('allowed', 'passthrough')
GROUP BY 1, 2, 3, 4
ORDER BY bytes_total DESC, namespace, workload, destination
LIMIT coalesce(CAST(:limit AS INTEGER), -1);
