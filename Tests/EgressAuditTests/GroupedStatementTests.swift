import Foundation
import Testing
@testable import EgressAudit

/// Calls and sums are written several rows per statement run; a count that is not a multiple of the group
/// must lose nothing and give each row its own id.
struct GroupedStatementTests {
    @Test("every row is written once, in order, and each run reports the rows it wrote with their last id",
          arguments: [0, 1, 15, 16, 17, 37, 48])
    func writesEveryRow(count: Int) throws {
        let folder = try TestFolder("egress-grouped-tests")
        let database = try SQLiteDatabase(path: folder.db)
        try database.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER NOT NULL, b TEXT)")
        let insert = try GroupedStatement(database: database, rows: 16, columns: 2) { "INSERT INTO t (a, b) VALUES \($0)" }
        var reported: [(Int, Int64)] = []
        try insert.write(count, bind: { s, at, i in
            s.bind(at + 1, Int64(i * 10))
            s.bind(at + 2, i % 3 == 0 ? nil : "row \(i)")
        }, ran: { rows, last in
            for (k, i) in rows.enumerated() { reported.append((i, last - Int64(rows.count - 1 - k))) }
        })
        #expect(try database.scalar("SELECT count(*) FROM t") == Int64(count))
        #expect(reported.map(\.0) == Array(0..<count))
        for (i, id) in reported {
            #expect(try database.scalar("SELECT a FROM t WHERE id = \(id)") == Int64(i * 10))
        }
        #expect(try database.scalar("SELECT count(*) FROM t WHERE b IS NULL") == Int64((0..<count).filter { $0 % 3 == 0 }.count))
    }

    @Test("an ingest of 150 calls stores all 150, each with its line and file, and sums each exactly once")
    func ingestOfUnevenCount() throws {
        let folder = try TestFolder("egress-grouped-tests")
        // Alternating blocked, allowed and in-mesh calls: 150 is two groups of 64 and 22 single rows.
        let shapes = [Lines.b1, Lines.s5, Lines.m4]
        try folder.write("proxy.log", (0..<150).map { shapes[$0 % 3] }.joined(separator: "\n") + "\n")
        _ = try Ingestor(databasePath: folder.db).ingest(paths: [folder.file("proxy.log")])
        let database = try SQLiteDatabase(path: folder.db, readOnly: true)
        #expect(try database.scalar("SELECT count(*) FROM calls") == 150)
        #expect(try database.scalar("SELECT count(DISTINCT log_line) FROM calls WHERE log_line BETWEEN 1 AND 150") == 150)
        #expect(try database.scalar("SELECT count(*) FROM calls WHERE log_file = '\(folder.file("proxy.log"))'") == 150)
        #expect(try database.scalar("SELECT count(*) FROM calls WHERE verdict = 'internal'") == 50)
        #expect(try database.scalar("SELECT sum(calls) FROM call_totals") == 100)
        #expect(try database.scalar("SELECT sum(calls) FROM call_hour_counts") == 100)
    }
}
