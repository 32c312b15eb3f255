import Foundation
import Testing
@testable import EgressAudit

// Upgrades of databases that earlier versions wrote: migration 5 rebuilt the call rows (no declared types, the
// input and line in one `line_ref`), and the `calls` view must read the same, row for row, before and after.

fileprivate let samples: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path + "/sample-logs"
}()

/// Every row of `sql` with every column typed (`typeof` and value), in `id` order.
fileprivate func typedRows(_ database: SQLiteDatabase, _ sql: String) throws -> [[SQLValue]] {
    let s = try database.prepare(sql)
    var out: [[SQLValue]] = []
    while try s.step() { out.append((0..<s.columnCount).map { s.value($0) }) }
    return out
}

/// What schema versions 1 to 4 wrote, made from a current database: `call_facts` with migration 1's typed columns,
/// `file_id` and `log_line`; migration 1's `calls` view; the summary views of migration 4 when `version` is 4.
enum OldSchema {
    /// Migration 1's text from `start` through the first `end` after it.
    static func migration1(from start: String, through end: String) throws -> String {
        let m1 = Schema.migrations[0]
        let from = try #require(m1.range(of: start))
        let to = try #require(m1.range(of: end, range: from.upperBound..<m1.endIndex))
        return String(m1[from.lowerBound..<to.upperBound])
    }

    static func downgrade(_ database: SQLiteDatabase, to version: Int) throws {
        precondition(version == 3 || version == 4)
        let table = try migration1(from: "CREATE TABLE call_facts (", through: ");")
            .replacingOccurrences(of: "CREATE TABLE call_facts (", with: "CREATE TABLE call_facts_old (")
        let view = try migration1(from: "CREATE VIEW calls AS", through: "ON f.id = c.file_id;")
        try database.execute("""
            BEGIN;
            \(table)
            INSERT INTO call_facts_old (id, ts, shape_id, caller_id, upstream_host, user_agent, path, x_forwarded_for,
                                        bytes_received, bytes_sent, duration_ms, file_id, log_line)
            SELECT id, ts, shape_id, caller_id, upstream_host, user_agent, path, x_forwarded_for, bytes_received, bytes_sent,
                   duration_ms, line_ref >> 36, line_ref & 68719476735 FROM call_facts;
            DROP VIEW calls; DROP VIEW call_summary; DROP VIEW call_durations; DROP VIEW calls_by_hour;
            DROP TABLE call_facts;
            ALTER TABLE call_facts_old RENAME TO call_facts;
            \(view)
            \(version == 4 ? Schema.summaryViewsV4 : """
                DROP TABLE call_totals; DROP TABLE call_duration_buckets; DROP TABLE call_hour_counts;
                DROP TABLE call_targets; DROP TABLE summary_state;
                """)
            PRAGMA user_version = \(version);
            COMMIT;
            """)
    }
}

@Suite("Schema upgrades")
struct MigrationTests {
    @Test("a database from before migration 5: upgraded by the next ingest, its calls read the same row for row, typed alike")
    func upgradeFromSchema4() throws {
        let folder = try TestFolder("egress-migration-tests")
        _ = try Ingestor(databasePath: folder.db).ingest(paths: [samples + "/kubectl", samples + "/json"])
        let all = "SELECT * FROM calls ORDER BY id"
        let before = try typedRows(SQLiteDatabase(path: folder.db, readOnly: true), all)
        #expect(before.count > 100)
        try OldSchema.downgrade(SQLiteDatabase(path: folder.db), to: 4)
        let old = try SQLiteDatabase(path: folder.db, readOnly: true)
        #expect(try old.scalar("SELECT count(*) FROM pragma_table_info('call_facts') WHERE name IN ('file_id', 'log_line')") == 2)
        #expect(try typedRows(old, all) == before)   // the old layout reads as the new one did
        // A user's own view over a public one (a table rename re-checks every view: it must still resolve).
        try SQLiteDatabase(path: folder.db).execute("CREATE VIEW my_blocked AS SELECT dest_host, log_line FROM calls WHERE verdict = 'blocked'")
        let blocked = try old.scalar("SELECT count(*) FROM my_blocked")

        // The next ingest upgrades it, then adds its own calls after the old ones.
        let summary = try Ingestor(databasePath: folder.db).ingest(paths: [samples + "/fluent-bit"])
        #expect(summary.errors.isEmpty)
        let upgraded = try SQLiteDatabase(path: folder.db, readOnly: true)
        #expect(try upgraded.scalar("PRAGMA user_version") == Int64(Schema.migrations.count))
        #expect(try upgraded.scalar("SELECT count(*) FROM pragma_table_info('call_facts') WHERE name = 'line_ref'") == 1)
        let after = try typedRows(upgraded, all)
        #expect(Array(after.prefix(before.count)) == before)
        #expect(after.count == before.count + Int(summary.outbound.total))
        #expect(try upgraded.scalar("SELECT count(*) FROM calls WHERE log_file LIKE '%/fluent-bit/%'") == summary.outbound.total)
        #expect(blocked ?? 0 > 0)
        #expect(try upgraded.scalar("SELECT count(*) FROM my_blocked") == upgraded.scalar("SELECT count(*) FROM calls WHERE verdict = 'blocked'"))
        // The view's numbers compare with quoted numbers as the typed columns did (INTEGER affinity through CAST).
        for (column, value) in [("log_line", 3), ("bytes_sent", 0), ("duration_ms", 1), ("ts_us", 0)] {
            let quoted = try upgraded.scalar("SELECT count(*) FROM calls WHERE \(column) >= '\(value)'")
            #expect(quoted == (try upgraded.scalar("SELECT count(*) FROM calls WHERE \(column) >= \(value)")), "\(column)")
        }
        #expect(try upgraded.scalar("SELECT count(*) FROM calls WHERE log_line = '3'") ?? 0 > 0)
        let check = try upgraded.prepare("PRAGMA integrity_check")
        #expect(try check.step())
        #expect(check.text(0) == "ok")
        try expectSummariesMatchCalls(upgraded)
    }

    @Test("line_ref holds the input in its high bits and the line in the low 36; past either range it is refused")
    func lineRefRange() throws {
        let lastLine: Int64 = (1 << 36) - 1
        let firstOfInputOne: Int64 = (1 << 36) + 1
        #expect(Schema.lineRef(fileID: 1, line: 1) == firstOfInputOne)
        #expect(Schema.lineRef(fileID: (1 << 27) - 1, line: lastLine) == Int64.max)
        #expect(Schema.lineRef(fileID: 1, line: lastLine + 1) == nil)
        #expect(Schema.lineRef(fileID: 1 << 27, line: 0) == nil)
        #expect(Schema.lineRef(fileID: 1, line: -1) == nil)

        // The view splits it back: a call on the last line a file can have, in the input with the largest id.
        let folder = try TestFolder("egress-migration-tests")
        try folder.write("proxy.log", Lines.s5 + "\n")
        _ = try Ingestor(databasePath: folder.db).ingest(paths: [folder.file("proxy.log")])
        let database = try SQLiteDatabase(path: folder.db)
        try database.execute("""
            UPDATE ingested_files SET id = \((1 << 27) - 1);
            UPDATE call_facts SET line_ref = \(Schema.lineRef(fileID: (1 << 27) - 1, line: lastLine)!);
            """)
        let s = try database.prepare("SELECT log_file, log_line FROM calls")
        #expect(try s.step())
        #expect(s.text(0) == folder.file("proxy.log"))
        #expect(s.int64(1) == lastLine)
    }
}
