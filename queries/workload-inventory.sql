-- name: workload-inventory
-- title: Egress inventory per workload
-- description: Every external destination each workload reaches, with the verdict of its calls: the list to review before REGISTRY_ONLY.
-- param: since = : only calls from this time on
-- param: until = : only calls before this time
-- param: namespace = : only this namespace
SELECT namespace, workload, destination, port, verdict, calls,
       strftime('%Y-%m-%dT%H:%M:%S', last_us / 1000000, 'unixepoch') || printf('.%03dZ', last_us / 1000 % 1000) AS last_seen
FROM (
    SELECT coalesce(source_namespace, '(unknown)') AS namespace,
           coalesce(source_pod, source_ip, '(unknown)') AS workload,
           coalesce(dest_host, dest_ip) AS destination,
           dest_port AS port,
           verdict,
           sum(calls) AS calls,
           max(last_ts_us) AS last_us
    FROM call_summary
    WHERE :namespace IS NULL OR source_namespace = :namespace
    GROUP BY 1, 2, 3, 4, 5
)
ORDER BY namespace, workload, destination, port, verdict;
