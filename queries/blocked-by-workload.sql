-- name: blocked-by-workload
-- title: Blocked calls by namespace and workload
-- description: Which namespaces and pods were refused how often, and how many distinct destinations they tried.
-- param: since = : only calls from this time on
-- param: until = : only calls before this time
-- param: namespace = : only this namespace
SELECT namespace, workload, blocked_calls, destinations,
       strftime('%Y-%m-%dT%H:%M:%S', last_us / 1000000, 'unixepoch') || printf('.%03dZ', last_us / 1000 % 1000) AS last_seen
FROM (
    SELECT coalesce(source_namespace, '(unknown)') AS namespace,
           coalesce(source_pod, source_ip, '(unknown)') AS workload,
           sum(calls) AS blocked_calls,
           count(DISTINCT coalesce(dest_host, dest_ip) || ':' || coalesce(dest_port, '')) AS destinations,
           max(last_ts_us) AS last_us
    FROM call_summary
    WHERE verdict = 'blocked'
      AND (:namespace IS NULL OR source_namespace = :namespace)
    GROUP BY 1, 2
)
ORDER BY blocked_calls DESC, namespace, workload;
