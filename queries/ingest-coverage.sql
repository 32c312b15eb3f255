-- name: ingest-coverage
-- title: Ingest coverage per file
-- description: What each ingested input held: the span of its calls, its lines, access lines, calls and rejects, and the layout detected. Check it before trusting "unused".
SELECT path AS file,
       layout,
       lines,
       access_lines,
       calls,
       inbound,
       other_lines,
       rejected,
       CASE WHEN first_ts IS NULL THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%SZ', first_ts / 1000000, 'unixepoch') END AS first_call,
       CASE WHEN last_ts IS NULL THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%SZ', last_ts / 1000000, 'unixepoch') END AS last_call
FROM ingested_files
ORDER BY path;
