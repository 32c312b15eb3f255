-- name: hourly-timeline
-- title: Hourly timeline by verdict
-- description: Calls leaving the mesh (blocked, passthrough, allowed) per hour, UTC: when blocking started, whether a ServiceEntry took effect.
-- param: since = : only calls from this time on
-- param: until = : only calls before this time
-- param: namespace = : only calls from this namespace
SELECT hour,
       coalesce(sum(calls) FILTER (WHERE verdict = 'blocked'), 0) AS blocked,
       coalesce(sum(calls) FILTER (WHERE verdict = 'passthrough'), 0) AS passthrough,
       coalesce(sum(calls) FILTER (WHERE verdict = 'allowed'), 0) AS allowed
FROM calls_by_hour
WHERE hour IS NOT NULL
  AND (:namespace IS NULL OR source_namespace = :namespace)
GROUP BY hour_us
ORDER BY hour;
