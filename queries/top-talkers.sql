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
       count(*) AS calls,
       sum(coalesce(bytes_received, 0)) AS bytes_received,
       sum(coalesce(bytes_sent, 0)) AS bytes_sent,
       sum(coalesce(bytes_received, 0) + coalesce(bytes_sent, 0)) AS bytes_total
FROM calls
WHERE verdict IN ('allowed', 'passthrough')
  AND (:since IS NULL OR ts_us >= :since) AND (:until IS NULL OR ts_us < :until)
GROUP BY 1, 2, 3, 4
ORDER BY bytes_total DESC, namespace, workload, destination
LIMIT coalesce(CAST(:limit AS INTEGER), -1);
