#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import EgressAudit

// The summaries kept at ingest (call_totals, call_duration_buckets, call_hour_counts) and the views over them
// must say exactly what the calls say: after a whole ingest, after calls committed without them (a killed run,
// an older database), in a window, and across flushes in the middle of a run.

fileprivate let samples: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path + "/sample-logs"
}()

/// Rows of `sql` as text, sorted, so two queries can be compared as multisets.
fileprivate func rows(_ database: SQLiteDatabase, _ sql: String) throws -> [String] {
    let s = try database.prepare(sql)
    var out: [String] = []
    while try s.step() {
        out.append((0..<s.columnCount).map { s.isNull($0) ? "∅" : (s.text($0) ?? "") }.joined(separator: "|"))
    }
    return out.sorted()
}

/// The per-destination-and-caller totals two ways: from every call, and from the summary view.
fileprivate let fromCalls = """
    SELECT verdict, dest_host, dest_ip, dest_port, protocol, upstream_cluster, response_flags, source_namespace, source_pod,
           source_ip, count(*), min(ts), max(ts), min(ts_us), max(ts_us), sum(coalesce(bytes_received, 0)),
           sum(coalesce(bytes_sent, 0)), max(duration_ms)
    FROM calls WHERE verdict != 'internal' %@
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
    """
fileprivate let fromSummary = """
    SELECT verdict, dest_host, dest_ip, dest_port, protocol, upstream_cluster, response_flags, source_namespace, source_pod,
           source_ip, sum(calls), min(first_ts), max(last_ts), min(first_ts_us), max(last_ts_us), sum(bytes_received),
           sum(bytes_sent), max(max_duration_ms)
    FROM call_summary
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
    """
fileprivate let hoursFromCalls = """
    SELECT strftime('%Y-%m-%dT%H:00Z', ts_us / 1000000, 'unixepoch'), verdict, source_namespace, source_pod, source_ip, count(*)
    FROM calls WHERE verdict != 'internal' AND ts_us IS NOT NULL %@ GROUP BY 1, 2, 3, 4, 5
    """
fileprivate let hoursFromSummary = """
    SELECT hour, verdict, source_namespace, source_pod, source_ip, sum(calls)
    FROM calls_by_hour WHERE hour IS NOT NULL GROUP BY 1, 2, 3, 4, 5
    """
fileprivate let durationsFromCalls = """
    SELECT coalesce(dest_host, dest_ip), dest_port, \(DurationBucket.sql(of: "duration_ms")), count(*), max(duration_ms)
    FROM calls WHERE verdict IN ('allowed', 'passthrough') AND duration_ms >= 0 %@ GROUP BY 1, 2, 3
    """
fileprivate let durationsFromSummary = "SELECT destination, dest_port, duration_ms, sum(calls), max(max_ms) FROM call_durations GROUP BY 1, 2, 3"

/// Checks the three summary views against the calls (optionally restricted by a `calls` condition).
func expectSummariesMatchCalls(_ database: SQLiteDatabase, callsCondition: String = "",
                                           sourceLocation: SourceLocation = #_sourceLocation) throws {
    func q(_ template: String) -> String { template.replacingOccurrences(of: "%@", with: callsCondition) }
    let totals = try rows(database, q(fromCalls))
    #expect(!totals.isEmpty, sourceLocation: sourceLocation)
    #expect(try rows(database, fromSummary) == totals, sourceLocation: sourceLocation)
    #expect(try rows(database, hoursFromSummary) == rows(database, q(hoursFromCalls)), sourceLocation: sourceLocation)
    #expect(try rows(database, durationsFromSummary) == rows(database, q(durationsFromCalls)), sourceLocation: sourceLocation)
}

@Suite("Summaries")
struct SummaryTests {
    @Test("after an ingest of the sample logs, the summaries hold every call leaving the mesh, and only those")
    func wholeIngest() throws {
        let folder = try TestFolder("egress-summary-tests")
        _ = try Ingestor(databasePath: folder.db).ingest(paths: [samples])
        let database = try SQLiteDatabase(path: folder.db, readOnly: true)
        try expectSummariesMatchCalls(database)
        // Everything is summed: nothing is left for the views to read from call_facts.
        #expect(try database.scalar("SELECT covered_id FROM summary_state") == database.scalar("SELECT max(id) FROM call_facts"))
        #expect(try database.scalar("SELECT sum(calls) FROM call_totals") == database.scalar("SELECT count(*) FROM calls WHERE verdict != 'internal'"))
        // One target per destination and outcome (absent values too are equal, stored as 0 and -1), shared by
        // the shapes that differ in response code, method, authority or route.
        #expect(try database.scalar("SELECT count(*) FROM call_targets")
                == database.scalar("""
                    SELECT count(*) FROM (SELECT DISTINCT verdict, protocol, dest_port, dest_host, dest_ip, upstream_cluster,
                                                          response_flags FROM calls WHERE verdict != 'internal')
                    """))
    }

    @Test("calls committed without summaries (a killed run, an older database) are read from the calls, then caught up")
    func catchUp() throws {
        let folder = try TestFolder("egress-summary-tests")
        _ = try Ingestor(databasePath: folder.db).ingest(paths: [samples + "/kubectl"])
        // What a run killed between its commits and its flush leaves, or a database of schema 3 once upgraded:
        // calls with no sums.
        let writable = try SQLiteDatabase(path: folder.db)
        try writable.execute("""
            DELETE FROM call_totals; DELETE FROM call_duration_buckets; DELETE FROM call_hour_counts;
            UPDATE summary_state SET covered_id = 0;
            """)
        let reader = try SQLiteDatabase(path: folder.db, readOnly: true)
        try expectSummariesMatchCalls(reader)
        // Half summed: the views add the rest from the calls.
        let half = try #require(try writable.scalar("SELECT max(id) / 2 FROM call_facts"))
        try writable.execute("UPDATE summary_state SET covered_id = \(half)")
        for sql in SummaryWriter.catchUpSQL {
            let s = try writable.prepare(sql)
            s.bind(1, 0)
            s.bind(2, half)
            try s.run()
        }
        try expectSummariesMatchCalls(reader)
        // A window finds both the summed calls (through the hours' id spans) and those not summed yet.
        let windowed = try SQLiteDatabase(path: folder.db, readOnly: true)
        let since = try #require(try windowed.scalar("SELECT min(ts_us) + (max(ts_us) - min(ts_us)) / 3 FROM calls"))
        try SummaryWindow.apply(to: windowed, since: since, until: nil)
        try expectSummariesMatchCalls(windowed, callsCondition: "AND ts_us >= \(since)")
        // The next ingest catches the rest up in its first flush.
        _ = try Ingestor(databasePath: folder.db).ingest(paths: [samples + "/json"])
        #expect(try reader.scalar("SELECT covered_id FROM summary_state") == reader.scalar("SELECT max(id) FROM call_facts"))
        try expectSummariesMatchCalls(reader)
    }

    @Test("a database from before the summaries: reports say how to upgrade it; once upgraded they read its calls")
    func upgradeFromSchema3() throws {
        let folder = try TestFolder("egress-summary-tests")
        _ = try Ingestor(databasePath: folder.db).ingest(paths: [samples + "/kubectl"])
        // Back to what schema 3 had: calls in their old layout, no summaries.
        try OldSchema.downgrade(SQLiteDatabase(path: folder.db), to: 3)
        let report = try ReportCatalog.builtIn().report(named: "workload-inventory")
        let runner = try QueryRunner(databasePath: folder.db)
        #expect(throws: QueryError.olderSchema(path: folder.db, version: 3, needed: Schema.migrations.count)) {
            try runner.run(report, parameters: [:], into: CSVFormatter(write: { _ in }))
        }
        #expect(QueryError.olderSchema(path: "x.db", version: 3, needed: 4).description.contains("egress-audit ingest --db x.db /dev/null"))
        // What the message says to run: an ingest of nothing migrates, and the views read the calls at once.
        _ = try Ingestor(databasePath: folder.db).ingest(paths: ["/dev/null"])
        let reader = try SQLiteDatabase(path: folder.db, readOnly: true)
        #expect(try reader.scalar("SELECT covered_id FROM summary_state") == 0)
        try expectSummariesMatchCalls(reader)
        var csv = ""
        try QueryRunner(databasePath: folder.db).run(report, parameters: [:], into: CSVFormatter(write: { csv += $0 }))
        #expect(csv.hasPrefix("namespace,workload,destination,port,verdict,calls,last_seen\r\n"))
        #expect(csv.split(separator: "\r\n").count > 1)
    }

    @Test("a window restricts the views exactly, to the microsecond, and main.call_summary still reaches all time",
          arguments: [("2026-11-23T09:50:00Z", "2026-11-23T10:00:00Z"), ("2026-11-22T08:13:35.980Z", nil),
                      (nil, "2026-11-23T09:57:24.472Z"), ("2026-11-23T09:15:00.001Z", "2026-11-23T09:15:00.002Z")] as [(String?, String?)])
    func windows(since: String?, until: String?) throws {
        let folder = try TestFolder("egress-summary-tests")
        _ = try Ingestor(databasePath: folder.db).ingest(paths: [samples])
        let database = try SQLiteDatabase(path: folder.db, readOnly: true)
        let s = since.flatMap { TimeWindow.parse($0, now: 0) }, u = until.flatMap { TimeWindow.parse($0, now: 0) }
        try SummaryWindow.apply(to: database, since: s, until: u)
        var condition = "AND ts_us IS NOT NULL"
        if let s { condition += " AND ts_us >= \(s)" }
        if let u { condition += " AND ts_us < \(u)" }
        let inWindow = try rows(database, fromCalls.replacingOccurrences(of: "%@", with: condition))
        #expect(try rows(database, fromSummary) == inWindow)
        #expect(try rows(database, hoursFromSummary) == rows(database, hoursFromCalls.replacingOccurrences(of: "%@", with: condition)))
        #expect(try rows(database, durationsFromSummary) == rows(database, durationsFromCalls.replacingOccurrences(of: "%@", with: condition)))
        #expect(try database.scalar("SELECT sum(calls) FROM main.call_summary") == database.scalar("SELECT count(*) FROM calls WHERE verdict != 'internal'"))
    }

    /// 50,000 blocked TLS calls, each from its own pod IP to its own IP: more distinct (target, caller) pairs than
    /// one flush holds, and more shapes, targets and strings than the writer's caches keep.
    /// `again` more lines repeat the first calls' destinations and callers at later times.
    private func distinctCalls(in folder: TestFolder, again: Int = 0) throws -> String {
        var text = ""
        text.reserveCapacity((50_000 + again) * 160)
        for n in 0..<(50_000 + again) {
            let i = n % 50_000
            let a = i / 65536, b = (i / 256) % 256, c = i % 256
            text += "[2024-05-14T\(n < 50_000 ? 9 : 10):\(String(format: "%02d", i / 1000 % 60)):00.\(String(format: "%03d", i % 1000))Z] \"- - -\" 0 UH - - \"-\" 0 0 \(i % 97) - \"-\" \"-\" \"-\" \"-\" \"-\" BlackHoleCluster - 52.\(a).\(b).\(c):443 10.\(a + 1).\(b).\(c):5\(i % 9000 + 1000) - -\n"
        }
        let log = folder.path + "/blocked.log"
        try text.write(toFile: log, atomically: true, encoding: .utf8)
        return log
    }

    @Test("sums larger than one flush are written at several commits of one run, and still add up")
    func flushesInTheMiddleOfARun() throws {
        let folder = try TestFolder("egress-summary-tests")
        let log = try distinctCalls(in: folder)
        // Commits every 5,000 lines and sums written once a table holds 10,000 entries: at least four flushes.
        var options = IngestOptions(batchLines: 5_000)
        options.summaryFlushEntries = 10_000
        try ingestDistinct(log, into: folder, options: options)
    }

    /// Ingests `log` (from `distinctCalls`) and checks its 50,000 (target, caller) sums against the calls.
    @discardableResult
    private func ingestDistinct(_ log: String, into folder: TestFolder, options: IngestOptions) throws -> Ingestor {
        let ingestor = try Ingestor(databasePath: folder.db, options: options)
        let summary = ingestor.ingest(paths: [log])
        #expect(summary.errors.isEmpty)
        let database = try SQLiteDatabase(path: folder.db, readOnly: true)
        #expect(try database.scalar("SELECT count(*) FROM call_totals") == 50_000)
        try expectSummariesMatchCalls(database)
        return ingestor
    }

    @Test("a full summary table is written at the next batch however long the transaction, so memory stays flat")
    func fullTablesCommitEarly() throws {
        let folder = try TestFolder("egress-summary-tests")
        let log = try distinctCalls(in: folder)
        // Neither the line count, the clock nor the page cache would commit before the end: only the tables
        // filling up does (without that rule: ~50,000).
        var options = IngestOptions(batchLines: 10_000_000, commitInterval: 3600)
        options.summaryFlushEntries = 10_000
        options.pageCacheKiB = 1 << 20
        let ingestor = try ingestDistinct(log, into: folder, options: options)
        // At most one batch of calls past the threshold before its commit.
        let peak = ingestor.writer.summaries.peakEntries
        #expect(peak >= 10_000 && peak <= 10_000 + BatchQueue.rowsPerBatch, "peak \(peak)")
    }

    @Test("shapes, targets and strings met again after newer ones pushed them out of the writer's caches are summed as before")
    func callsMetAgainAfterTheirCachesMovedOn() throws {
        let folder = try TestFolder("egress-summary-tests")
        // 50,000 distinct calls (more shapes than the 32,768 shape-fact slots, targets than the 8,192 cached, strings
        // than the 32,768 cached), then the first 20,000 again an hour later.
        let log = try distinctCalls(in: folder, again: 20_000)
        try ingestDistinct(log, into: folder, options: IngestOptions())
        let database = try SQLiteDatabase(path: folder.db, readOnly: true)
        #expect(try database.scalar("SELECT count(*) FROM call_shapes") == 50_000)
        #expect(try database.scalar("SELECT count(*) FROM call_targets") == 50_000)
        #expect(try database.scalar("SELECT sum(calls) FROM call_totals") == 70_000)
    }

    @Test("duration buckets: exact below 32 ms, then within 1/32 of the value; the SQL form computes the same")
    func durationBuckets() throws {
        let values: [Int64] = Array(0...3000) + [4095, 4096, 20445, 20813, 65_535, 1 << 40, Int64.max / 2]
        for v in values {
            let b = DurationBucket.of(v)
            if v < 32 { #expect(b == v) } else { #expect(abs(b - v) * 32 <= v, "\(v) → \(b)") }
        }
        let database = try SQLiteDatabase(path: ":memory:")
        try database.execute("CREATE TABLE v (x INTEGER)")
        let insert = try database.prepare("INSERT INTO v VALUES (?1)")
        for v in values {
            insert.bind(1, v)
            try insert.run()
            insert.reset()
        }
        let s = try database.prepare("SELECT x, \(DurationBucket.sql(of: "x")) FROM v")
        var checked = 0
        while try s.step() {
            #expect(s.int64(1) == DurationBucket.of(s.int64(0)), "SQL bucket of \(s.int64(0))")
            checked += 1
        }
        #expect(checked == values.count)
    }
}
