/// Restricts the summary views to a time window for one connection: `CREATE TEMP VIEW`s named like the
/// public ones (`call_summary`, `call_durations`, `calls_by_hour`), computed exactly from `calls` between
/// `since` (inclusive) and `until` (exclusive). SQLite resolves an unqualified name to `temp` first, so a
/// report written against the views answers for the window without a time condition of its own, and
/// `main.call_summary` still reaches all time (what `new-destinations` needs for "first seen").
///
/// The summaries kept at ingest cover all time; a window therefore reads the calls it spans, which costs
/// per call instead of per summary row. It finds them by id, not by reading every call: `call_hour_counts`
/// keeps the first and last call id of each hour, and calls not summed yet (id > covered_id) are added.
public enum SummaryWindow {
    /// Creates the windowed views on `database` (read-only connections may: `temp` is private to them).
    /// Nothing happens when both ends are open.
    public static func apply(to database: SQLiteDatabase, since: Int64?, until: Int64?) throws {
        guard since != nil || until != nil else { return }
        var window = "ts_us IS NOT NULL"
        if let since { window += " AND ts_us >= \(since)" }
        if let until { window += " AND ts_us < \(until)" }
        window += " AND " + (try idRanges(database, since: since, until: until))
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

    /// A condition on `id` that holds for every call leaving the mesh between `since` and `until`: the ids
    /// the hours of the window counted, and the calls committed since the last flush.
    static func idRanges(_ database: SQLiteDatabase, since: Int64?, until: Int64?) throws -> String {
        var hours = "hour != \(SummaryWriter.noHour)"
        if let since { hours += " AND hour >= \(SummaryWriter.hour(since))" }
        if let until { hours += " AND hour <= \(SummaryWriter.hour(until - 1))" }
        let span = try database.prepare("SELECT min(first_id), max(last_id) FROM call_hour_counts WHERE \(hours)")
        var ranges: [(Int64, Int64)] = []
        if try span.step(), !span.isNull(0) { ranges.append((span.int64(0), span.int64(1))) }
        let covered = try database.scalar("SELECT covered_id FROM summary_state") ?? 0
        let newest = try database.scalar("SELECT coalesce(max(id), 0) FROM call_facts") ?? 0
        if newest > covered {
            if let (lo, hi) = ranges.first, covered + 1 <= hi + 1, lo <= newest + 1 {
                ranges[0] = (min(lo, covered + 1), max(hi, newest))
            } else {
                ranges.append((covered + 1, newest))
            }
        }
        guard !ranges.isEmpty else { return "id < 0" }
        return "(" + ranges.map { "id BETWEEN \($0.0) AND \($0.1)" }.joined(separator: " OR ") + ")"
    }
}
