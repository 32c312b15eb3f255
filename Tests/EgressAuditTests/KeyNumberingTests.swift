import Foundation
import Testing
@testable import EgressAudit

/// The parser numbers keys and the writer maps numbers to database ids: a number reused for another key
/// within an epoch would file calls under the wrong shape, caller or host.
struct KeyNumberingTests {
    private func number(_ s: String, in table: inout KeyNumbering.Table) -> Int64 {
        var bytes = Array(s.utf8)
        return bytes.withUnsafeMutableBufferPointer { b in
            table.number(UnsafePointer(b.baseAddress!), b.count, hash: ByteHash.hash(b.baseAddress!, b.count))
        }
    }

    @Test("a key keeps its number; a full table gives 0, then starts over under a new epoch at the next batch")
    func numbersAndEpochs() {
        let tiny = KeyNumbering.Capacity(shapes: (16, 256), callers: (16, 256), strings: (16, 256))
        var numbering = KeyNumbering(serial: 3, capacity: tiny)
        let first = numbering.prepareBatch()
        #expect(first == 3 << 32)
        #expect(number("httpbin.org", in: &numbering.strings) == 1)
        #expect(number("api.github.com", in: &numbering.strings) == 2)
        #expect(number("httpbin.org", in: &numbering.strings) == 1)
        #expect(numbering.prepareBatch() == first, "nothing full: same epoch, same numbers")
        #expect(number("api.github.com", in: &numbering.strings) == 2)
        // 16 slots hold 11 keys (three quarters, less one).
        var given: [String: Int64] = [:]
        for i in 0..<20 {
            let key = "host-\(i).example.com"
            given[key] = number(key, in: &numbering.strings)
        }
        #expect(given.values.contains(0), "a full table numbers nothing more")
        let numbered = given.filter { $0.value != 0 }
        #expect(Set(numbered.values).count == numbered.count, "no number given twice")
        for (key, n) in numbered { #expect(number(key, in: &numbering.strings) == n) }
        let second = numbering.prepareBatch()
        #expect(second == first + 1)
        #expect(number("host-19.example.com", in: &numbering.strings) == 1, "numbers start over in the new epoch")
        // Too long to keep: 0, every time.
        #expect(number(String(repeating: "x", count: 2000), in: &numbering.strings) == 0)
    }

    @Test("the writer's ids per number are forgotten with the epoch, and number 0 always asks")
    func numberedIDs() {
        var ids = NumberedIDs()
        ids.use(epoch: 1)
        var lookups = 0
        #expect(ids.id(5) { lookups += 1; return 42 } == 42)
        #expect(ids.id(5) { lookups += 1; return 99 } == 42)
        #expect(ids.known(5) == 42 && ids.known(6) == nil)
        #expect(ids.id(0) { lookups += 1; return 7 } == 7)
        #expect(ids.id(0) { lookups += 1; return 8 } == 8)
        #expect(lookups == 3)
        ids.use(epoch: 1)
        #expect(ids.known(5) == 42)
        ids.use(epoch: 2)
        #expect(ids.known(5) == nil)
        #expect(ids.id(5) { 43 } == 43)
    }

    @Test("an ingest whose numbering restarts all the time stores exactly what an unnumbered one stores",
          arguments: [false, true])
    func restartsChangeNothing(folder asFolder: Bool) throws {
        let folder = try TestFolder("egress-numbering-tests")
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
        func ingest(_ db: String, _ capacity: KeyNumbering.Capacity, numbered: Bool) throws -> [[SQLValue]] {
            var options = IngestOptions(batchLines: 1_000)
            options.keyNumbering = capacity
            options.alwaysNumberKeys = numbered
            let ingestor = try Ingestor(databasePath: db, options: options)
            let summary = ingestor.ingest(paths: asFolder ? [folder.path + "/logs"] : files)
            #expect(summary.errors.isEmpty)
            let database = try SQLiteDatabase(path: db, readOnly: true)
            let s = try database.prepare("SELECT * FROM calls ORDER BY log_file, log_line")
            var rows: [[SQLValue]] = []
            while try s.step() { rows.append((0..<s.columnCount).map { s.value($0) }) }
            try expectSummariesMatchCalls(database)
            return rows
        }
        let tiny = KeyNumbering.Capacity(shapes: (64, 8 << 10), callers: (16, 256), strings: (32, 512))
        // Numbered or not (the writer looks keys up itself), restarting or not: the same rows.
        let standard = try ingest(folder.path + "/standard.db", .standard, numbered: false)
        let restarting = try ingest(folder.path + "/tiny.db", tiny, numbered: true)
        #expect(standard.count == 9_000)
        #expect(restarting.count == standard.count)
        let firstDifference = standard.indices.first { $0 < restarting.count && restarting[$0] != standard[$0] }
        #expect(firstDifference == nil, "first call that differs: \(firstDifference.map { "\(restarting[$0]) vs \(standard[$0])" } ?? "")")
    }

    @Test("a later run finds the shapes, callers and strings an earlier one stored, and adds none")
    func laterRunsReuseRows() throws {
        let folder = try TestFolder("egress-numbering-tests")
        var text = ""
        for n in 0..<500 {
            let host = "svc-\(n % 23).example.com"
            text += "[2024-05-14T10:00:\(String(format: "%02d", n / 10 % 60)).000Z] \"POST /post HTTP/1.1\" 200 - via_upstream - \"-\" 10 20 3 2 \"-\" \"curl/8.\(n % 5)\" \"req-\(n)\" \"\(host)\" \"93.184.0.\(n % 23):443\" outbound|443||\(host) 10.244.0.\(n % 7):4\(n % 900 + 100) 93.184.0.\(n % 23):443 10.244.0.\(n % 7):5\(n % 900 + 100) \(host) -\n"
        }
        try folder.write("first.log", text)
        try folder.write("second.log", text.replacingOccurrences(of: "req-", with: "again-"))
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

    @Test("after a rollback the writer forgets the ids it had for numbers, even when the epoch stays the same")
    func rollbackForgetsIDs() throws {
        let folder = try TestFolder("egress-numbering-tests")
        let database = try SQLiteDatabase(path: folder.db)
        try Schema.migrate(database)
        let writer = try CallWriter(database: database)
        let fileID = try IngestedFiles(database: database).add(path: "a.log", compressed: false, now: 0)
        var numbering = KeyNumbering(serial: 1)
        // One numbered call to httpbin.org, as the parsing thread would write it.
        let batch = RowBatch(rows: 4, arenaBytes: 4096)
        batch.epoch = numbering.prepareBatch()
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
        batch.number(row, .shapeKey, hash: .shapeHash, into: .shapeNumber, in: &numbering.shapes)
        batch.number(row, .callerKey, hash: .callerHash, into: .callerNumber, in: &numbering.callers)
        batch.number(row, .upstreamHost, hash: .upstreamHostHash, into: .upstreamHostNumber, in: &numbering.strings)
        batch.set(row, .userAgentNumber, 0)
        #expect(batch.int(0, .shapeNumber) == 1)

        // Written, then rolled back (as ingest does on an error): the shape, caller and host rows are gone.
        try database.execute("BEGIN IMMEDIATE")
        try writer.write(batch, fileID: fileID)
        try database.execute("ROLLBACK")
        writer.clearCaches()
        // An unrelated row takes the ids they had.
        try database.execute("INSERT INTO strings (value) VALUES ('something else')")
        try database.execute("INSERT INTO call_shapes (key_hash, verdict, protocol) VALUES (1, 3, 0)")

        // The same numbers, same epoch, written again: new rows, with the right values.
        try database.execute("BEGIN IMMEDIATE")
        try writer.write(batch, fileID: fileID)
        try database.execute("COMMIT")
        let s = try database.prepare("SELECT verdict, dest_host, upstream_cluster, source_pod, upstream_host FROM calls")
        #expect(try s.step())
        #expect(s.text(0) == "allowed" && s.text(1) == "httpbin.org" && s.text(2) == "outbound|443||httpbin.org")
        #expect(s.text(3) == "jscalcbackend-egress-7d9f" && s.text(4) == "52.0.0.1:443")
        #expect(try !s.step())
    }
}

