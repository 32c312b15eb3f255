/// Restricts the summary views to a time window for one connection: `CREATE TEMP VIEW`s named like the
/// public ones (`call_summary`, `call_durations`, `calls_by_hour`), computed exactly from `calls` between
/// `since` (inclusive) and `until` (exclusive). SQLite resolves an unqualified name to `temp` first, so a
/// report written against the views answers for the window without a time condition of its own, and
/// `main.call_summary` still reaches all time (what `new-destinations` needs for "first seen").
///
/// The summaries kept at ingest cover all time; a window therefore reads the calls it spans, which costs
/// per call instead of per summary row.
public enum SummaryWindow {
    /// Creates the windowed views on `database` (read-only connections may: `temp` is private to them).
    /// Nothing happens when both ends are open.
    public static func apply(to database: SQLiteDatabase, since: Int64?, until: Int64?) throws {
        guard since != nil || until != nil else { return }
        var window = "ts_us IS NOT NULL"
        if let since { window += " AND ts_us >= \(since)" }
        if let until { window += " AND ts_us < \(until)" }
        let dimensions = """
            verdict, dest_host, dest_ip, dest_port, protocol, upstream_cluster, response_flags, source_namespace, source_pod, source_ip
            """
        try database.execute("""
            DROP VIEW IF EXISTS temp.call_summary;
            DROP VIEW IF EXISTS temp.call_durations;
            DROP VIEW IF EXISTS temp.calls_by_hour;
            CREATE TEMP VIEW call_summary AS
            SELECT \(dimensions),
                   count(*) AS calls, min(ts) AS first_ts, max(ts) AS last_ts, min(ts_us) AS first_ts_us, max(ts_us) AS last_ts_us,
                   sum(coalesce(bytes_received, 0)) AS bytes_received, sum(coalesce(bytes_sent, 0)) AS bytes_sent,
                   max(duration_ms) AS max_duration_ms
            FROM main.calls
            WHERE verdict != 'internal' AND \(window)
            GROUP BY \(dimensions);
            CREATE TEMP VIEW call_durations AS
            SELECT coalesce(dest_host, dest_ip) AS destination, dest_port, \(DurationBucket.sql(of: "duration_ms")) AS duration_ms,
                   count(*) AS calls, max(duration_ms) AS max_ms
            FROM main.calls
            WHERE verdict IN ('allowed', 'passthrough') AND duration_ms >= 0 AND \(window)
            GROUP BY 1, 2, 3;
            CREATE TEMP VIEW calls_by_hour AS
            SELECT strftime('%Y-%m-%dT%H:00Z', (ts_us / 3600000000) * 3600, 'unixepoch') AS hour,
                   (ts_us / 3600000000) * 3600000000 AS hour_us,
                   verdict, source_namespace, source_pod, source_ip, count(*) AS calls
            FROM main.calls
            WHERE verdict != 'internal' AND \(window)
            GROUP BY ts_us / 3600000000, verdict, source_namespace, source_pod, source_ip;
            """)
    }
}
