-- name: ip-only-destinations
-- title: IP-only destinations and the evidence naming them
-- description: Destinations known only by IP (no SNI or authority on their lines, typical of blocked TLS), with any host that other calls (at any time) paired with the same IP.
-- param: since = : only calls from this time on
-- param: until = : only calls before this time
WITH ip AS (
    SELECT dest_ip, dest_port, group_concat(DISTINCT verdict) AS verdicts, sum(calls) AS calls
    FROM call_summary
    WHERE dest_host IS NULL AND dest_ip IS NOT NULL
    GROUP BY 1, 2
),
named AS (
    SELECT dest_ip, group_concat(DISTINCT dest_host) AS hosts
    FROM main.call_summary
    WHERE dest_host IS NOT NULL AND dest_ip IN (SELECT dest_ip FROM ip)
    GROUP BY 1
)
SELECT ip.dest_ip AS ip,
       ip.dest_port AS port,
       ip.verdicts,
       ip.calls,
       named.hosts AS named_by_other_calls
FROM ip LEFT JOIN named ON named.dest_ip = ip.dest_ip
ORDER BY ip.calls DESC, ip.dest_ip, ip.dest_port;
