import Foundation
import Testing
@testable import EgressAudit

/// The writer turns each call's shape, caller, upstream host and user agent into ids through caches in front of
/// the database: an id cached for the wrong key, or kept after a rollback removed its row, would file calls under
/// the wrong destination, caller or host.
struct WriterCacheTests {
    @Test("many shapes, callers, hosts and user agents over three files, in small commits: every call keeps its own values",
          arguments: [false, true])
    func everyCallKeepsItsValues(folder asFolder: Bool) throws {
        let folder = try TestFolder("egress-writer-cache-tests")
        // Many shapes (authority, code, flags), callers (pods), upstream hosts and user agents, over three files.
        var files: [String] = []
        for f in 0..<3 {
            var text = ""
            for i in 0..<3_000 {
                let n = f * 3_000 + i
                let host = "svc-\(n % 211).example.com"
                text += "[2024-05-14T10:\(String(format: "%02d", n / 1000 % 60)):00.\(String(format: "%03d", n % 1000))Z] \"GET /item/\(n) HTTP/1.1\" \(n % 5 == 0 ? 503 : 200) \(n % 5 == 0 ? "UF" : "-") via_upstream - \"-\" 0 \(n % 900) \(n % 37) \(n % 41) \"-\" \"agent/\(n % 53)\" \"req-\(n)\" \"\(host)\" \"93.184.\(n % 7).\(n % 250):443\" outbound|443||\(host) 10.244.\(n % 3).\(n % 19):4\(n % 900 + 100) 93.184.\(n % 7).\(n % 250):443 10.244.\(n % 3).\(n % 19):5\(n % 900 + 100) \(host) -\n"
            }
            let path = folder.path + "/logs/part-\(f).log"
            try FileManager.default.createDirectory(atPath: folder.path + "/logs", withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            files.append(path)
        }
        let ingestor = try Ingestor(databasePath: folder.db, options: IngestOptions(batchLines: 1_000))
        let summary = ingestor.ingest(paths: asFolder ? [folder.path + "/logs"] : files)
        #expect(summary.errors.isEmpty)
        let database = try SQLiteDatabase(path: folder.db, readOnly: true)
        let s = try database.prepare("""
            SELECT path, dest_host, dest_ip, response_code, response_flags, user_agent, upstream_host, source_ip, bytes_sent,
                   duration_ms, log_file, log_line
            FROM calls ORDER BY log_file, log_line
            """)
        var rows = 0
        var wrong: [String] = []
        while try s.step() {
            let n = try #require(Int(s.text(0)?.dropFirst("/item/".count) ?? ""))
            let expected: [String?] = ["svc-\(n % 211).example.com", "93.184.\(n % 7).\(n % 250)", n % 5 == 0 ? "503" : "200",
                                       n % 5 == 0 ? "UF" : nil, "agent/\(n % 53)", "93.184.\(n % 7).\(n % 250):443",
                                       "10.244.\(n % 3).\(n % 19)", "\(n % 900)", "\(n % 37)", files[n / 3_000], "\(n % 3_000 + 1)"]
            let got = (1..<12).map { s.text(Int32($0)) }
            if got != expected && wrong.count < 3 { wrong.append("\(n): \(got) instead of \(expected)") }
            rows += 1
        }
        #expect(rows == 9_000)
        #expect(wrong.isEmpty, "\(wrong)")
        try expectSummariesMatchCalls(database)
    }

    /// `first.log` and `second.log`: the same `calls` calls (to `hosts` hosts from `pods` pods, five user agents),
    /// with other request ids, so the second run meets only keys the first stored.
    private func writeTwoRuns(in folder: TestFolder, calls: Int, hosts: Int, pods: Int) throws {
        var text = ""
        for n in 0..<calls {
            let host = "svc-\(n % hosts).example.com"
            text += "[2024-05-14T10:00:\(String(format: "%02d", n / 10 % 60)).000Z] \"POST /post HTTP/1.1\" 200 - via_upstream - \"-\" 10 20 3 2 \"-\" \"curl/8.\(n % 5)\" \"req-\(n)\" \"\(host)\" \"93.184.0.\(n % hosts):443\" outbound|443||\(host) 10.244.0.\(n % pods):4\(n % 900 + 100) 93.184.0.\(n % hosts):443 10.244.0.\(n % pods):5\(n % 900 + 100) \(host) -\n"
        }
        try folder.write("first.log", text)
        try folder.write("second.log", text.replacingOccurrences(of: "req-", with: "again-"))
    }

    @Test("a later run finds the shapes, callers and strings an earlier one stored, and adds none")
    func laterRunsReuseRows() throws {
        let folder = try TestFolder("egress-writer-cache-tests")
        try writeTwoRuns(in: folder, calls: 500, hosts: 23, pods: 7)
        func counts() throws -> [Int64?] {
            let database = try SQLiteDatabase(path: folder.db, readOnly: true)
            return try ["call_facts", "call_shapes", "callers", "strings"].map { try database.scalar("SELECT count(*) FROM \($0)") }
        }
        _ = try Ingestor(databasePath: folder.db).ingest(paths: [folder.file("first.log")])
        let first = try counts()
        _ = try Ingestor(databasePath: folder.db).ingest(paths: [folder.file("second.log")])
        let second = try counts()
        #expect(first[0] == 500 && second[0] == 1_000)
        #expect(second[1...] == first[1...], "no shape, caller or string stored twice")
    }

    @Test("a writer that saw empty tables looks keys up again once another writer added rows while it waited")
    func anotherWriterInBetween() throws {
        let folder = try TestFolder("egress-writer-cache-tests")
        try writeTwoRuns(in: folder, calls: 200, hosts: 17, pods: 5)
        let waiting = try Ingestor(databasePath: folder.db)
        _ = waiting.ingest(paths: ["/dev/null"])   // it saw the tables empty when it last held the lock
        _ = try Ingestor(databasePath: folder.db).ingest(paths: [folder.file("first.log")])   // another writer
        let before = try SQLiteDatabase(path: folder.db, readOnly: true)
        let counts = "SELECT (SELECT count(*) FROM call_shapes) * 1000000 + (SELECT count(*) FROM callers) * 1000 + (SELECT count(*) FROM strings)"
        let stored = try before.scalar(counts)
        _ = waiting.ingest(paths: [folder.file("second.log")])
        let after = try SQLiteDatabase(path: folder.db, readOnly: true)
        #expect(try after.scalar(counts) == stored, "no shape, caller or string stored twice")
        #expect(try after.scalar("SELECT count(*) FROM calls") == 400)
    }

    @Test("tail: another writer between two cycles adds keys the follower then meets: none is stored twice")
    func followerAndAnotherWriter() throws {
        let folder = try TestFolder("egress-writer-cache-tests")
        try writeTwoRuns(in: folder, calls: 200, hosts: 17, pods: 5)
        let few = try String(contentsOfFile: folder.file("first.log"), encoding: .utf8)
        try writeTwoRuns(in: folder, calls: 300, hosts: 23, pods: 7)   // more hosts and pods: keys the follower lacks
        let more = try String(contentsOfFile: folder.file("first.log"), encoding: .utf8)
        try folder.write("live.log", few)
        let follower = Follower(ingestor: try Ingestor(databasePath: folder.db),
                                options: FollowOptions(patterns: [folder.file("live.log")], fromStart: true, pollOnly: true))
        follower.cycle()   // on empty tables: new keys go in without lookups
        _ = try Ingestor(databasePath: folder.db).ingest(paths: [folder.file("first.log")])   // another writer, between cycles
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: folder.file("live.log")))
        handle.seekToEndOfFile()
        handle.write(Data(more.replacingOccurrences(of: "req-", with: "live-").utf8))
        try handle.close()
        follower.cycle()
        let database = try SQLiteDatabase(path: folder.db, readOnly: true)
        #expect(try database.scalar("SELECT count(*) FROM calls") == 200 + 300 + 300)
        #expect(try database.scalar("SELECT count(*) - count(DISTINCT value) FROM strings") == 0)
        #expect(try database.scalar("SELECT count(*) FROM callers") == 7, "one caller a pod")
        #expect(try database.scalar("SELECT count(*) FROM call_shapes") == database.scalar("SELECT count(DISTINCT dest_host) FROM calls"),
                "one shape a host (every call alike but for its host)")
    }

    /// A new database and a writer holding it as `ingest` does, on tables still empty (new keys are inserted
    /// without a lookup), with one input to write calls of.
    private func writerOnEmptyTables(_ folder: TestFolder) throws -> (SQLiteDatabase, CallWriter, Int64) {
        let database = try SQLiteDatabase(path: folder.db)
        try Schema.migrate(database)
        let writer = try CallWriter(database: database)
        try writer.beginWriting()
        let fileID = try IngestedFiles(database: database).add(path: "a.log", compressed: false, now: 0)
        return (database, writer, fileID)
    }

    /// One call to httpbin.org from a pod of `challengeistio`, as the parsing thread would write it.
    private func oneCallBatch() -> RowBatch {
        let batch = RowBatch(rows: 4, arenaBytes: 4096)
        func slice(_ s: String) -> ByteSlice {
            let bytes = Array(s.utf8)
            let p = UnsafeMutablePointer<UInt8>.allocate(capacity: bytes.count)
            p.initialize(from: bytes, count: bytes.count)
            return ByteSlice(start: p, count: bytes.count)   // (leaked: a test)
        }
        let shape = [slice("httpbin.org"), slice("52.0.0.1"), slice("outbound|443||httpbin.org"), .absent, .absent, .absent, .absent,
                     .absent, slice("httpbin.org")]
        let caller = [slice("challengeistio"), slice("jscalcbackend-egress-7d9f"), slice("10.244.0.7")]
        let row = batch.appendRow()
        batch.set(row, .ts, 1_715_680_800_000_000)
        batch.set(row, .line, 1)
        for column in [RowBatch.Int64Column.bytesReceived, .bytesSent, .duration] { batch.set(row, column, 0) }
        batch.set(row, .path, .absent)
        batch.set(row, .forwardedFor, .absent)
        batch.set(row, .upstreamHost, slice("52.0.0.1:443"), hash: .upstreamHostHash)
        batch.set(row, .userAgent, .absent, hash: .userAgentHash)
        shape.withUnsafeBufferPointer { batch.setKey(row, .shapeKey, hash: .shapeHash, verdict: 0, proto: 1, destPort: 443, responseCode: 0, texts: $0) }
        caller.withUnsafeBufferPointer { batch.setKey(row, .callerKey, hash: .callerHash, verdict: 0, proto: 0, destPort: nil, responseCode: nil, texts: $0) }

        return batch
    }

    @Test("a rollback turns lookups back on: keys committed before it are found, not stored again")
    func rollbackAfterCommit() throws {
        let folder = try TestFolder("egress-writer-cache-tests")
        let (database, writer, fileID) = try writerOnEmptyTables(folder)
        let batch = oneCallBatch()
        for end in ["COMMIT", "ROLLBACK", "COMMIT"] {
            try database.execute("BEGIN IMMEDIATE")
            try writer.write(batch, fileID: fileID, input: "a.log")
            try database.execute(end)
            if end == "ROLLBACK" { writer.clearCaches() }
        }
        // The cache lost the keys the first commit stored; written again, they are looked up, not inserted twice.
        #expect(try database.scalar("SELECT count(*) FROM calls") == 2)
        #expect(try database.scalar("SELECT count(*) FROM call_shapes") == 1)
        #expect(try database.scalar("SELECT count(*) FROM callers") == 1)
        #expect(try database.scalar("SELECT count(DISTINCT dest_host || source_pod || upstream_host) FROM calls") == 1)
    }

    @Test("a value too long to cache, met twice while lookups are skipped, is stored once")
    func uncachedValueTwice() throws {
        let folder = try TestFolder("egress-writer-cache-tests")
        let agent = "agent/" + String(repeating: "x", count: 2_000)   // longer than the strings cache keeps
        let line = accessLineWithAgent(agent)
        try folder.write("proxy.log", line + "\n" + line.replacingOccurrences(of: "req-1", with: "req-2") + "\n")
        let summary = try Ingestor(databasePath: folder.db).ingest(paths: [folder.file("proxy.log")])
        #expect(summary.errors.isEmpty, "\(summary.errors)")
        let database = try SQLiteDatabase(path: folder.db, readOnly: true)
        #expect(try database.scalar("SELECT count(*) FROM calls WHERE user_agent = '\(agent)'") == 2)
        #expect(try database.scalar("SELECT count(*) FROM strings WHERE value = '\(agent)'") == 1)
    }

    /// An Istio 1.9+ line of an allowed call to httpbin.org with this user agent.
    private func accessLineWithAgent(_ agent: String) -> String {
        "[2024-05-14T10:00:00.000Z] \"POST /post HTTP/1.1\" 200 - via_upstream - \"-\" 10 20 3 2 \"-\" \"\(agent)\" \"req-1\" \"httpbin.org\" \"52.0.0.1:443\" outbound|443||httpbin.org 10.244.0.7:40001 52.0.0.1:443 10.244.0.7:50001 httpbin.org -"
    }

    @Test("a call past what line_ref holds stops the write with a message naming the input and what to do; nothing is stored")
    func inputPastTheLimit() throws {
        let folder = try TestFolder("egress-writer-cache-tests")
        let (database, writer, _) = try writerOnEmptyTables(folder)
        try database.execute("BEGIN IMMEDIATE")
        do {
            try writer.write(oneCallBatch(), fileID: 1 << (63 - Schema.lineBits), input: "/var/log/pods/huge.log")
            Issue.record("an input id past 2^27 - 1 was accepted")
        } catch {
            let message = "\(error)"
            #expect(message.contains("line 1 of /var/log/pods/huge.log"), "\(message)")
            #expect(message.contains("new database (--db)"), "\(message)")
        }
        try database.execute("ROLLBACK")
        #expect(try database.scalar("SELECT count(*) FROM call_facts") == 0)
    }

    @Test("after a rollback the writer forgets the ids it cached, whose rows the rollback removed")
    func rollbackForgetsIDs() throws {
        let folder = try TestFolder("egress-writer-cache-tests")
        let (database, writer, fileID) = try writerOnEmptyTables(folder)
        let batch = oneCallBatch()

        // Written, then rolled back (as ingest does on an error): the shape, caller and host rows are gone.
        try database.execute("BEGIN IMMEDIATE")
        try writer.write(batch, fileID: fileID, input: "a.log")
        try database.execute("ROLLBACK")
        writer.clearCaches()
        // An unrelated row takes the ids they had.
        try database.execute("INSERT INTO strings (value) VALUES ('something else')")
        try database.execute("INSERT INTO call_shapes (key_hash, verdict, protocol) VALUES (1, 3, 0)")

        // The same batch written again: new rows, with the right values.
        try database.execute("BEGIN IMMEDIATE")
        try writer.write(batch, fileID: fileID, input: "a.log")
        try database.execute("COMMIT")
        let s = try database.prepare("SELECT verdict, dest_host, upstream_cluster, source_pod, upstream_host FROM calls")
        #expect(try s.step())
        #expect(s.text(0) == "allowed" && s.text(1) == "httpbin.org" && s.text(2) == "outbound|443||httpbin.org")
        #expect(s.text(3) == "jscalcbackend-egress-7d9f" && s.text(4) == "52.0.0.1:443")
        #expect(try !s.step())
    }
}

