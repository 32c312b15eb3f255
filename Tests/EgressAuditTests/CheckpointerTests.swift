#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import EgressAudit

/// The write-ahead log is copied into the database by a thread of its own; the writer must still find the log
/// starting over, so it stays small however much is written.
struct CheckpointerTests {
    private func size(_ path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
    }

    /// Commits `rows` rows of about 200 bytes (50 pages) and tells the checkpointer.
    private func commit(_ database: SQLiteDatabase, _ checkpointer: Checkpointer, rows: Int = 1000) throws {
        try database.execute("BEGIN IMMEDIATE")
        let s = try database.prepare("INSERT INTO t (v) VALUES (?1)")
        for i in 0..<rows {
            s.bind(1, String(repeating: "x", count: 200) + "\(i)")
            try s.run()
        }
        try database.execute("COMMIT")
        checkpointer.committed()
    }

    @Test("after a commit, the thread copies the log into the database file while the writer goes on")
    func copiesInTheBackground() throws {
        let folder = try TestFolder("egress-checkpoint-tests")
        let database = try SQLiteDatabase(path: folder.db)
        try database.execute("PRAGMA journal_mode = WAL; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        let checkpointer = try Checkpointer(writer: database)
        defer { checkpointer.stop() }
        let before = size(folder.db)
        try commit(database, checkpointer)
        // The writer's own automatic checkpoint is off: only the thread can grow the database file.
        let deadline = Date().addingTimeInterval(5)
        while size(folder.db) < before + 200_000 && Date() < deadline { usleep(10_000) }
        #expect(size(folder.db) >= before + 200_000)
        #expect(try SQLiteDatabase(path: folder.db, readOnly: true).scalar("SELECT count(*) FROM t") == 1000)
    }

    @Test("the log starts over once it passes the limit, so it stays bounded over many commits")
    func logStaysBounded() throws {
        let folder = try TestFolder("egress-checkpoint-tests")
        let database = try SQLiteDatabase(path: folder.db)
        try database.execute("PRAGMA journal_mode = WAL; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        let checkpointer = try Checkpointer(writer: database, restartFrames: 200)
        defer { checkpointer.stop() }
        for _ in 0..<20 { try commit(database, checkpointer) }
        // About 60 frames a commit: without starting over the log would hold 1,200 frames (4.8 MB).
        let frame: Int64 = 4096 + 24
        #expect(size(folder.db + "-wal") <= (200 + 2 * 70) * frame)
        #expect(try SQLiteDatabase(path: folder.db, readOnly: true).scalar("SELECT count(*) FROM t") == 20_000)
    }
}
