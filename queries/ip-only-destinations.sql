-- name: ip-only-destinations
-- title: IP-only destinations and the evidence naming them
-- description: Destinations known only by IP (no SNI or authority on their lines, typical of blocked TLS), with any host that other calls paired with the same IP.
-- param: since = : only calls from this time on
-- param: until = : only calls before this time
SELECT ip.dest_ip AS ip,
       ip.dest_port AS port,
       ip.verdicts,
       ip.calls,
       (SELECT group_concat(DISTINCT n.dest_host) FROM calls n
         WHERE n.dest_ip = ip.dest_ip AND n.dest_host IS NOT NULL AND n.verdict != 'internal') AS named_by_other_calls
FROM (
    SELECT dest_ip, dest_port, group_concat(DISTINCT verdict) AS verdicts, count(*) AS calls
    FROM calls
    WHERE dest_host IS NULL AND dest_ip IS NOT NULL AND verdict != 'internal'
      AND (:since IS NULL OR ts_us >= :since) AND (:until IS NULL OR ts_us < :until)
    GROUP BY 1, 2
) AS ip
ORDER BY ip.calls DESC, ip.dest_ip, ip.dest_port;
