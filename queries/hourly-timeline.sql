-- name: hourly-timeline
-- title: Hourly timeline by verdict
-- description: Calls leaving the mesh (blocked, passthrough, allowed) per hour, UTC: when blocking started, whether a ServiceEntry took effect.
-- param: since = : only calls from this time on
-- param: until = : only calls before this time
-- param: namespace = : only calls from this namespace
SELECT strftime('%Y-%m-%dT%H:00Z', ts_us / 1000000, 'unixepoch') AS hour,
       count(*) FILTER (WHERE verdict = 'blocked') AS blocked,
       count(*) FILTER (WHERE verdict = 'passthrough') AS passthrough,
       count(*) FILTER (WHERE verdict = 'allowed') AS allowed
FROM calls
WHERE verdict != 'internal' AND ts_us IS NOT NULL
  AND (:since IS NULL OR ts_us >= :since) AND (:until IS NULL OR ts_us < :until)
  AND (:namespace IS NULL OR source_namespace = :namespace)
GROUP BY ts_us / 3600000000
ORDER BY hour;
