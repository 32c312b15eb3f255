/// Keeps the summaries of calls leaving the mesh (`call_totals`, `call_duration_buckets`, `call_hour_counts`; `Schema`
/// migration 4) equal to the stored calls, so the canned reports read one row per (target, caller) — destination,
/// outcome and who called (`TargetInterner`) — instead of one per call.
///
/// Calls are summed in memory as they are written; the sums are upserted inside the transaction of a commit,
/// when a run ends or the sums grow large, and `summary_state.covered_id` then says which calls they hold
/// (every `call_facts` row up to it). Calls committed after it — between two flushes, or by a run that was
/// killed — are read straight from `call_facts` by the summary views until a later flush catches them up with
/// one SQL pass. So the summaries are exact at every commit, after any crash, and for databases written
/// before they existed.
final class SummaryWriter {
    /// Flush once a table holds this many entries (the ingestor then commits at the end of the batch): about 8 MB
    /// for the totals, fewer for the others. Each flush writes every entry (~10,000 instructions an upsert), so the
    /// fewer, the faster.
    static let defaultFlushEntries = 96_000
    let flushEntries: Int
    /// Calls with no time are counted under this hour.
    static let noHour = Int64.min

    /// Sums of one (target, caller); times and the longest duration use `Int64.max`/`.min` for none yet.
    struct Totals {
        var calls: Int64 = 0
        var firstTs = Int64.max
        var lastTs = Int64.min
        var bytesReceived: Int64 = 0
        var bytesSent: Int64 = 0
        var maxDuration = Int64.min
    }

    /// (target, caller) → totals.
    private let totals = AccumulatorTable<Totals>(capacity: 8192, empty: Totals())
    /// (destination, port × 2^40 + bucket) → calls and the longest.
    private let durations = AccumulatorTable<(calls: Int64, longest: Int64)>(capacity: 8192, empty: (0, 0))
    /// (hour, verdict × 2^40 + caller) → calls and the first and last call id (`call_hour_counts`).
    private let hours = AccumulatorTable<(calls: Int64, first: Int64, last: Int64)>(capacity: 1024, empty: (0, .max, .min))
    /// The first call id summed since the last flush, and the last.
    private var firstID: Int64?
    private var lastID: Int64 = 0

    private let database: SQLiteDatabase
    private let upsertTotals: GroupedStatement
    private let upsertDuration: GroupedStatement
    private let upsertHour: GroupedStatement
    /// Sums written per statement run (see `GroupedStatement`): 64 rather than 16 took 7 % off a flush.
    static let rowsPerUpsert = 64
    private let catchUps: [SQLiteStatement]

    init(database: SQLiteDatabase, flushEntries: Int = SummaryWriter.defaultFlushEntries) throws {
        self.database = database
        self.flushEntries = flushEntries
        upsertTotals = try GroupedStatement(database: database, rows: SummaryWriter.rowsPerUpsert, columns: 8, sql: { values in """
            INSERT INTO call_totals (target_id, caller_id, calls, first_ts, last_ts, bytes_received, bytes_sent, max_duration_ms)
            VALUES \(values) ON CONFLICT (target_id, caller_id) DO UPDATE SET \(SummaryWriter.mergeTotals)
            """ })
        upsertDuration = try GroupedStatement(database: database, rows: SummaryWriter.rowsPerUpsert, columns: 5, sql: { values in """
            INSERT INTO call_duration_buckets (destination, dest_port, duration_ms, calls, max_ms)
            VALUES \(values) ON CONFLICT (destination, dest_port, duration_ms) DO UPDATE SET \(SummaryWriter.mergeBucket)
            """ })
        upsertHour = try GroupedStatement(database: database, rows: SummaryWriter.rowsPerUpsert, columns: 6, sql: { values in """
            INSERT INTO call_hour_counts (hour, verdict, caller_id, calls, first_id, last_id)
            VALUES \(values) ON CONFLICT (hour, verdict, caller_id) DO UPDATE SET \(SummaryWriter.mergeHour)
            """ })
        catchUps = try SummaryWriter.catchUpSQL.map { try database.prepare($0) }
    }

    /// The hour (since the epoch, floored) of a call at `ts` microseconds.
    @inline(__always) static func hour(_ ts: Int64?) -> Int64 {
        guard let ts else { return noHour }
        return ts >= 0 ? ts / 3_600_000_000 : (ts + 1) / 3_600_000_000 - 1
    }

    /// The keys of one call in the three tables (`duration` nil when it goes to no histogram).
    struct Keys {
        var totals: AccumulatorTable<Totals>.Key
        var hour: AccumulatorTable<(calls: Int64, first: Int64, last: Int64)>.Key
        var duration: AccumulatorTable<(calls: Int64, longest: Int64)>.Key?
    }

    /// The keys of a call. Its duration goes to the histogram of `destination` (the strings id of its host,
    /// else of its IP, 0 for neither), given only for calls that reached an upstream.
    @inline(__always)
    static func keys(ts: Int64?, verdict: Int64, target: Int64, caller: Int64, duration: Int64?, histogram destination: Int64?,
                     port: Int64?) -> Keys {
        var keys = Keys(totals: .init(a: target, b: caller), hour: .init(a: hour(ts), b: verdict << 40 | caller), duration: nil)
        if let destination, let duration, duration >= 0, duration < 1 << 40 {
            keys.duration = .init(a: destination, b: ((port ?? -1) + 1) << 40 | DurationBucket.of(duration))
        }
        return keys
    }

    /// Starts loading the table slots `add` will update for `keys`, so a call's three updates (in tables larger
    /// than the caches) overlap with the work before them instead of waiting on memory one after another.
    @inline(__always) func prefetch(_ keys: Keys) {
        totals.prefetch(keys.totals)
        hours.prefetch(keys.hour)
        if let d = keys.duration { durations.prefetch(d) }
    }

    /// Adds call `id` (just inserted), with the `keys` made of it, to the sums.
    @inline(__always)
    func add(id: Int64, _ keys: Keys, ts: Int64?, bytesReceived: Int64?, bytesSent: Int64?, duration: Int64?) {
        if firstID == nil { firstID = id }
        lastID = id
        totals.update(keys.totals) { t in
            t.calls += 1
            if let ts {
                t.firstTs = min(t.firstTs, ts)
                t.lastTs = max(t.lastTs, ts)
            }
            t.bytesReceived &+= bytesReceived ?? 0
            t.bytesSent &+= bytesSent ?? 0
            if let duration { t.maxDuration = max(t.maxDuration, duration) }
        }
        hours.update(keys.hour) { count in
            count.calls += 1
            count.first = min(count.first, id)
            count.last = max(count.last, id)
        }
        if let d = keys.duration, let duration {
            durations.update(d) { bucket in
                bucket.calls += 1
                bucket.longest = max(bucket.longest, duration)
            }
        }
    }

    /// Whether calls were summed since the last flush.
    var hasSums: Bool { firstID != nil }

    /// The most entries one table held at a flush since this writer was made (tests check the bound `wantsFlush`
    /// keeps).
    private(set) var peakEntries = 0

    /// Whether the sums are large enough to write at this commit.
    var wantsFlush: Bool {
        totals.count >= flushEntries || durations.count >= flushEntries || hours.count >= flushEntries
    }

    /// Writes the sums, first catching up calls committed without them, and moves `covered_id`. Call inside
    /// the transaction that commits the calls summed.
    func flush() throws {
        peakEntries = max(peakEntries, totals.count, durations.count, hours.count)
        let covered = try database.scalar("SELECT covered_id FROM summary_state") ?? 0
        let before = try firstID.map { $0 - 1 } ?? (database.scalar("SELECT coalesce(max(id), 0) FROM call_facts") ?? 0)
        if before > covered {
            for s in catchUps {
                s.bind(1, covered)   // (the targets' fill takes none: SQLite ignores the binding)
                s.bind(2, before)
                try s.run()
                s.reset()
            }
        }
        // In key order, several entries per statement run: the flush at the end of a run waits on nothing else.
        let totalSlots = totals.sortedSlots()
        try upsertTotals.write(totalSlots.count) { s, at, i in
            let (key, t) = totals.entry(at: totalSlots[i])
            s.bind(at + 1, key.a); s.bind(at + 2, key.b); s.bind(at + 3, t.calls)
            s.bind(at + 4, t.firstTs == .max ? nil : t.firstTs); s.bind(at + 5, t.lastTs == .min ? nil : t.lastTs)
            s.bind(at + 6, t.bytesReceived); s.bind(at + 7, t.bytesSent)
            s.bind(at + 8, t.maxDuration == .min ? nil : t.maxDuration)
        }
        let durationSlots = durations.sortedSlots()
        try upsertDuration.write(durationSlots.count) { s, at, i in
            let (key, bucket) = durations.entry(at: durationSlots[i])
            s.bind(at + 1, key.a); s.bind(at + 2, (key.b >> 40) - 1); s.bind(at + 3, key.b & ((1 << 40) - 1))
            s.bind(at + 4, bucket.calls); s.bind(at + 5, bucket.longest)
        }
        let hourSlots = hours.sortedSlots()
        try upsertHour.write(hourSlots.count) { s, at, i in
            let (key, count) = hours.entry(at: hourSlots[i])
            s.bind(at + 1, key.a); s.bind(at + 2, key.b >> 40); s.bind(at + 3, key.b & ((1 << 40) - 1))
            s.bind(at + 4, count.calls); s.bind(at + 5, count.first); s.bind(at + 6, count.last)
        }
        let nowCovered = firstID == nil ? before : lastID
        if nowCovered > covered {
            try database.execute("UPDATE summary_state SET covered_id = \(nowCovered)")
        }
        discard()
    }

    /// Forgets the sums (after a rollback, or once written).
    func discard() {
        totals.removeAll()
        durations.removeAll()
        hours.removeAll()
        firstID = nil
    }

    // MARK: SQL

    static let mergeTotals = """
        calls = calls + excluded.calls,
            first_ts = min(coalesce(first_ts, excluded.first_ts), coalesce(excluded.first_ts, first_ts)),
            last_ts = max(coalesce(last_ts, excluded.last_ts), coalesce(excluded.last_ts, last_ts)),
            bytes_received = bytes_received + excluded.bytes_received,
            bytes_sent = bytes_sent + excluded.bytes_sent,
            max_duration_ms = max(coalesce(max_duration_ms, excluded.max_duration_ms), coalesce(excluded.max_duration_ms, max_duration_ms))
        """

    static let mergeBucket = "calls = calls + excluded.calls, max_ms = max(max_ms, excluded.max_ms)"
    static let mergeHour = "calls = calls + excluded.calls, first_id = min(first_id, excluded.first_id), last_id = max(last_id, excluded.last_id)"

    /// SQL for `hour(_:)` of `c.ts`.
    static let hourSQL = "CASE WHEN c.ts IS NULL THEN -9223372036854775808 WHEN c.ts >= 0 THEN c.ts / 3600000000 ELSE (c.ts + 1) / 3600000000 - 1 END"

    /// Adds the calls with `?1 < id <= ?2` to the summaries.
    static let catchUpSQL = [
        TargetInterner.fillSQL,
        """
        INSERT INTO call_totals (target_id, caller_id, calls, first_ts, last_ts, bytes_received, bytes_sent, max_duration_ms)
        SELECT tg.id, c.caller_id, count(*), min(c.ts), max(c.ts),
               coalesce(sum(c.bytes_received), 0), coalesce(sum(c.bytes_sent), 0), max(c.duration_ms)
        FROM call_facts c JOIN call_shapes s ON s.id = c.shape_id
        \(TargetInterner.joinSQL)
        WHERE c.id > ?1 AND c.id <= ?2 AND s.verdict != 3
        GROUP BY tg.id, c.caller_id
        ON CONFLICT (target_id, caller_id) DO UPDATE SET \(mergeTotals)
        """,
        """
        INSERT INTO call_duration_buckets (destination, dest_port, duration_ms, calls, max_ms)
        SELECT coalesce(s.dest_host, s.dest_ip, 0), coalesce(s.dest_port, -1), \(DurationBucket.sql(of: "c.duration_ms")), count(*),
               max(c.duration_ms)
        FROM call_facts c JOIN call_shapes s ON s.id = c.shape_id
        WHERE c.id > ?1 AND c.id <= ?2 AND s.verdict IN (0, 1) AND c.duration_ms >= 0
        GROUP BY 1, 2, 3
        ON CONFLICT (destination, dest_port, duration_ms) DO UPDATE SET \(mergeBucket)
        """,
        """
        INSERT INTO call_hour_counts (hour, verdict, caller_id, calls, first_id, last_id)
        SELECT \(hourSQL), s.verdict, c.caller_id, count(*), min(c.id), max(c.id)
        FROM call_facts c JOIN call_shapes s ON s.id = c.shape_id
        WHERE c.id > ?1 AND c.id <= ?2 AND s.verdict != 3
        GROUP BY 1, 2, 3
        ON CONFLICT (hour, verdict, caller_id) DO UPDATE SET \(mergeHour)
        """,
    ]
}
