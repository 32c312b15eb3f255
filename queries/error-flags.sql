-- name: error-flags
-- title: Error flags of external calls
-- description: Envoy response flags on calls leaving the mesh (UH, UF, URX, UC, NR, DC…), with what each means and where they happened.
-- param: since = : only calls from this time on
-- param: until = : only calls before this time
SELECT response_flags AS flags,
       CASE response_flags
           WHEN 'UH' THEN 'no healthy upstream (BlackHoleCluster: blocked)'
           WHEN 'UF' THEN 'upstream connection failure'
           WHEN 'UO' THEN 'upstream overflow (circuit breaking)'
           WHEN 'NR' THEN 'no route or filter chain'
           WHEN 'URX' THEN 'upstream retry limit exceeded'
           WHEN 'UF,URX' THEN 'connection failure, retries exhausted'
           WHEN 'NC' THEN 'upstream cluster not found'
           WHEN 'DC' THEN 'downstream connection termination'
           WHEN 'UC' THEN 'upstream connection termination'
           WHEN 'UT' THEN 'upstream request timeout'
           WHEN 'UR' THEN 'upstream remote reset'
           WHEN 'LR' THEN 'local reset'
           WHEN 'DT' THEN 'max connection duration reached'
           WHEN 'SI' THEN 'stream idle timeout'
           WHEN 'DPE' THEN 'downstream protocol error'
           WHEN 'UPE' THEN 'upstream protocol error'
           WHEN 'DF' THEN 'DNS resolution failed'
           WHEN 'RL' THEN 'rate limited'
           WHEN 'UAEX' THEN 'denied by external authorization'
           ELSE 'see Envoy response flags'
       END AS meaning,
       verdict,
       sum(calls) AS calls,
       count(DISTINCT coalesce(dest_host, dest_ip)) AS destinations,
       strftime('%Y-%m-%dT%H:%M:%S', max(last_ts_us) / 1000000, 'unixepoch') || printf('.%03dZ', max(last_ts_us) / 1000 % 1000) AS last_seen
FROM call_summary
WHERE response_flags IS NOT NULL
GROUP BY 1, 2, 3
ORDER BY calls DESC, flags, verdict;
