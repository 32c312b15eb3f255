#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import EgressAudit

// Tests of `Ingestor` on temporary files: exactly-once identity, damaged and odd input, rejects,
// where the source namespace/pod come from, fixed log formats and the database file's mode.
// Every helper here is fileprivate so other test files of this target can use the same names.

// MARK: - Helpers

/// One Istio 1.9+ text access line (22 tokens): an allowed HTTP call to `host` through its ServiceEntry.
fileprivate func accessLine(_ i: Int, host: String = "httpbin.org", path: String? = nil, userAgent: String = "curl/8.5.0") -> String {
    let t = i % 36_000
    let ts = String(format: "2026-11-23T%02d:%02d:%02d.%03dZ", 10 + t / 3600, (t / 60) % 60, t % 60, i % 1000)
    let p = path ?? "/anything/\(i)"
    return "[\(ts)] \"GET \(p) HTTP/1.1\" 200 - via_upstream - \"-\" 0 \(100 + i % 50) 12 11 \"-\" \"\(userAgent)\" "
        + "\"req-\(i)\" \"\(host)\" \"3.230.204.70:80\" outbound|80||\(host) 10.244.1.17:40001 3.230.204.70:80 10.244.1.17:50001 - -"
}

/// Lines `range` as file content, each ending in a newline.
fileprivate func accessLines(_ range: Range<Int>, host: String = "httpbin.org") -> [UInt8] {
    Array(range.map { accessLine($0, host: host) + "\n" }.joined().utf8)
}

fileprivate func write(_ path: String, _ bytes: [UInt8]) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

fileprivate func write(_ path: String, _ text: String) throws {
    try write(path, Array(text.utf8))
}

fileprivate func append(_ path: String, _ bytes: [UInt8]) throws {
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    try handle.seekToEnd()
    try handle.write(contentsOf: Data(bytes))
    try handle.close()
}

/// `gzip -c -n` of a file into `to` (the system's gzip: an independent encoder).
fileprivate func gzipFile(_ from: String, to: String) throws {
    guard let gzip = ["/bin/gzip", "/usr/bin/gzip"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
        Issue.record("gzip is not installed in /bin or /usr/bin")
        return
    }
    _ = FileManager.default.createFile(atPath: to, contents: nil)
    let out = try FileHandle(forWritingTo: URL(fileURLWithPath: to))
    let process = Process()
    process.executableURL = URL(fileURLWithPath: gzip)
    process.arguments = ["-c", "-n", from]
    process.standardOutput = out
    try process.run()
    process.waitUntilExit()
    try out.close()
    #expect(process.terminationStatus == 0, "gzip failed")
}

/// Number of complete lines in what Python's zlib inflates from a (possibly truncated) gzip file:
/// the independent answer to "how many lines came before the damage".
fileprivate func completeLinesInflatedByPython(_ path: String) throws -> Int {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c",
                         "import sys, zlib; d = zlib.decompressobj(31); out = d.decompress(open(sys.argv[1], 'rb').read()); print(out.count(b'\\n'))",
                         path]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    try #require(process.terminationStatus == 0, "python3 is needed to compute the expected line count")
    return try #require(Int(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
}

/// A fresh `Ingestor` per call, as separate CLI runs would do.
@discardableResult
fileprivate func ingest(_ db: String, _ paths: [String], options: IngestOptions = IngestOptions()) throws -> IngestSummary {
    let ingestor = try Ingestor(databasePath: db, options: options)
    return ingestor.ingest(paths: paths)
}

fileprivate func scalar(_ db: String, _ sql: String) throws -> Int64 {
    let database = try SQLiteDatabase(path: db, readOnly: true)
    return try #require(try database.scalar(sql))
}

fileprivate func rows(_ db: String, _ sql: String) throws -> [[String?]] {
    let database = try SQLiteDatabase(path: db, readOnly: true)
    let statement = try database.prepare(sql)
    var out: [[String?]] = []
    while try statement.step() {
        out.append((0..<statement.columnCount).map { statement.isNull($0) ? nil : statement.text($0) })
    }
    return out
}

fileprivate func callCount(_ db: String) throws -> Int64 {
    try scalar(db, "SELECT count(*) FROM calls")
}

// MARK: - Transactions

@Suite("Ingest: transactions")
struct IngestTransactionTests {
    /// An inbound line (Istio 1.9+ text) answered by pod `ip` for `service` (in namespace bookinfo), at second `i`.
    private func inboundLine(_ i: Int, ip: String, service: String) -> String {
        let ts = String(format: "2026-11-23T%02d:%02d:%02d.%03dZ", 9 + i / 3600 % 10, (i / 60) % 60, i % 60, i % 1000)
        return "[\(ts)] \"GET /reviews/\(i) HTTP/1.1\" 200 - via_upstream - \"-\" 0 379 30 29 \"-\" \"curl/8.5.0\" \"req-in-\(i)\" "
            + "\"\(service):9080\" \"\(ip):9080\" inbound|9080|| 127.0.0.6:45554 \(ip):9080 10.244.1.9:47308 "
            + "outbound_.9080_._.\(service).bookinfo.svc.cluster.local default"
    }

    @Test("inbound mTLS evidence is summed over batches and commits: one pod_services row per pod and service")
    func podServicesAcrossBatches() throws {
        let folder = try TestFolder("egress-ingest-transactions")
        // 9,000 calls (three batches of rows) between 9,000 inbound lines of three pods answering for two services.
        var lines: [String] = []
        var expected: [String: (calls: Int, first: Int, last: Int)] = [:]
        for i in 0..<18_000 {
            if i % 2 == 0 { lines.append(accessLine(i)); continue }
            let ip = "10.244.2.\(10 + i % 3)", service = i % 5 == 0 ? "ratings" : "reviews"
            lines.append(inboundLine(i, ip: ip, service: service))
            let key = "\(ip) \(service).bookinfo.svc.cluster.local"
            let second = 9 * 3600 + i / 3600 % 10 * 3600 + (i / 60) % 60 * 60 + i % 60
            let ms = second * 1000 + i % 1000
            let held = expected[key] ?? (0, .max, .min)
            expected[key] = (held.calls + 1, min(held.first, ms), max(held.last, ms))
        }
        let log = folder.file("mixed.log")
        try write(log, lines.joined(separator: "\n") + "\n")
        // Once committing after every batch, once committing only at the end: the same sums.
        for batchLines in [1, 1_000_000] {
            let db = folder.file("pods-\(batchLines).db")
            // (No commits by time: a slow build must commit where the line counts say.)
            let summary = try ingest(db, [log], options: IngestOptions(batchLines: batchLines, commitInterval: 1000))
            #expect(summary.errors.isEmpty)
            let commits = try scalar(db, "SELECT count(*) FROM file_checkpoints")
            if batchLines == 1 { #expect(commits >= 3) } else { #expect(commits == 1) }
            let stored = try rows(db, "SELECT ip, service, namespace, calls, first_ts, last_ts FROM pod_services ORDER BY ip, service")
            #expect(stored.count == expected.count)
            for row in stored {
                let key = "\(row[0] ?? "") \(row[1] ?? "")"
                let want = try #require(expected[key], "unexpected pod_services row \(row)")
                let dayStart = 1_795_392_000_000   // 2026-11-23T00:00:00Z in milliseconds
                #expect(row[2] == "bookinfo")
                #expect(row[3] == String(want.calls), "\(key)")
                #expect(row[4] == String(Int64(dayStart + want.first) * 1000), "\(key)")
                #expect(row[5] == String(Int64(dayStart + want.last) * 1000), "\(key)")
            }
        }
    }

    @Test("a transaction that outgrows the page cache is committed at the next batch, with the same rows")
    func commitsWhenTheCacheIsFull() throws {
        let folder = try TestFolder("egress-ingest-transactions")
        let log = folder.file("calls.log")
        try write(log, accessLines(0..<20_000))
        let everything = "SELECT * FROM calls ORDER BY id"
        let roomy = folder.file("roomy.db"), small = folder.file("small.db")
        try ingest(roomy, [log], options: IngestOptions(batchLines: 1_000_000, commitInterval: 1000))
        var options = IngestOptions(batchLines: 1_000_000, commitInterval: 1000)
        options.pageCacheKiB = 64
        try ingest(small, [log], options: options)
        #expect(try scalar(roomy, "SELECT count(*) FROM file_checkpoints") == 1)
        // 20,000 calls are five batches: each after the first finds the 64 KiB cache spilled.
        #expect(try scalar(small, "SELECT count(*) FROM file_checkpoints") >= 4)
        #expect(try rows(small, everything) == rows(roomy, everything))
        #expect(try callCount(small) == 20_000)
    }
}

// MARK: - Exactly once

@Suite("Ingest: exactly once")
struct IngestExactlyOnceTests {
    // 5 lines: all in the first read; 400: beyond the 64 KiB head; 5000: beyond the 1 MiB read buffer.
    static let sizes = [5, 400, 5000]

    @Test("ingesting the same file twice adds zero rows", arguments: sizes)
    func sameFileTwice(lines: Int) throws {
        let dir = try TestFolder("egress-ingest-tests")
        let log = dir.file("a.log")
        try write(log, accessLines(0..<lines))
        let first = try ingest(dir.db, [log])
        #expect(first.errors == [])
        #expect(first.files == 1)
        #expect(first.lines == Int64(lines))
        #expect(first.outbound.allowed == Int64(lines))
        #expect(try callCount(dir.db) == Int64(lines))

        let second = try ingest(dir.db, [log])
        #expect(second.errors == [])
        #expect(second.files == 1)
        #expect(second.unchangedFiles == 1)
        #expect(second.resumedFiles == 0)
        #expect(second.lines == 0)
        #expect(second.bytes == 0)
        #expect(second.outbound.total == 0)
        #expect(try callCount(dir.db) == Int64(lines))
        #expect(try scalar(dir.db, "SELECT count(*) FROM ingested_files") == 1)
    }

    @Test("the same file twice in one run (and through one Ingestor) adds it once")
    func sameFileTwiceInOneRun() throws {
        let dir = try TestFolder("egress-ingest-tests")
        let log = dir.file("a.log")
        try write(log, accessLines(0..<400))
        let summary = try ingest(dir.db, [log, log])
        #expect(summary.files == 2)
        #expect(summary.unchangedFiles == 1)
        #expect(summary.outbound.allowed == 400)
        #expect(try callCount(dir.db) == 400)
    }

    @Test("a renamed copy adds zero rows", arguments: sizes)
    func renamedCopy(lines: Int) throws {
        let dir = try TestFolder("egress-ingest-tests")
        let log = dir.file("istio-proxy.log")
        try write(log, accessLines(0..<lines))
        try ingest(dir.db, [log])
        let rotated = dir.file("rotated/istio-proxy.log.1")
        try FileManager.default.moveItem(atPath: log, toPath: rotated)
        let summary = try ingest(dir.db, [rotated])
        #expect(summary.errors == [])
        #expect(summary.unchangedFiles == 1)
        #expect(summary.lines == 0)
        #expect(try callCount(dir.db) == Int64(lines))
    }

    @Test("a gzip of an already ingested plain file adds zero rows", arguments: sizes)
    func gzipOfPlain(lines: Int) throws {
        let dir = try TestFolder("egress-ingest-tests")
        let log = dir.file("a.log")
        try write(log, accessLines(0..<lines))
        try ingest(dir.db, [log])
        try gzipFile(log, to: dir.file("a.log.1.gz"))
        let summary = try ingest(dir.db, [dir.file("a.log.1.gz")])
        #expect(summary.errors == [])
        #expect(summary.unchangedFiles == 1)
        #expect(summary.lines == 0)
        #expect(try callCount(dir.db) == Int64(lines))
    }

    @Test("the plain file after its gzip adds zero rows", arguments: sizes)
    func plainAfterGzip(lines: Int) throws {
        let dir = try TestFolder("egress-ingest-tests")
        let log = dir.file("a.log")
        try write(log, accessLines(0..<lines))
        try gzipFile(log, to: dir.file("a.log.gz"))
        let first = try ingest(dir.db, [dir.file("a.log.gz")])
        #expect(first.outbound.allowed == Int64(lines))
        let summary = try ingest(dir.db, [log])
        #expect(summary.unchangedFiles == 1)
        #expect(try callCount(dir.db) == Int64(lines))
    }

    @Test("appending lines to an ingested file adds exactly the new lines", arguments: sizes)
    func appendedLines(lines: Int) throws {
        let dir = try TestFolder("egress-ingest-tests")
        let log = dir.file("a.log")
        try write(log, accessLines(0..<lines))
        try ingest(dir.db, [log])
        try append(log, accessLines(lines..<(lines + 37)))
        let summary = try ingest(dir.db, [log])
        #expect(summary.errors == [])
        #expect(summary.resumedFiles == 1)
        #expect(summary.unchangedFiles == 0)
        #expect(summary.lines == 37)
        #expect(summary.outbound.allowed == 37)
        #expect(try callCount(dir.db) == Int64(lines + 37))
        // The new rows carry the line numbers of the whole file, and no line is stored twice.
        let range = try rows(dir.db, "SELECT min(log_line), max(log_line), count(DISTINCT log_line) FROM calls")
        #expect(range == [["1", "\(lines + 37)", "\(lines + 37)"]])
        #expect(try scalar(dir.db, "SELECT count(*) FROM ingested_files") == 1)
        #expect(try scalar(dir.db, "SELECT lines FROM ingested_files") == Int64(lines + 37))

        // And once more: nothing new.
        let again = try ingest(dir.db, [log])
        #expect(again.unchangedFiles == 1)
        #expect(again.resumedFiles == 0)
        #expect(try callCount(dir.db) == Int64(lines + 37))
    }

    @Test("a gzip of a file that grew after it was ingested adds exactly the new lines", arguments: sizes)
    func gzipOfGrownFile(lines: Int) throws {
        let dir = try TestFolder("egress-ingest-tests")
        let log = dir.file("a.log")
        try write(log, accessLines(0..<lines))
        try ingest(dir.db, [log])
        try append(log, accessLines(lines..<(lines + 21)))
        try gzipFile(log, to: dir.file("a.log.1.gz"))
        let summary = try ingest(dir.db, [dir.file("a.log.1.gz")])
        #expect(summary.errors == [])
        #expect(summary.resumedFiles == 1)
        #expect(summary.outbound.allowed == 21)
        #expect(try callCount(dir.db) == Int64(lines + 21))
    }

    @Test("a file whose first 64 KiB equal another's but which differs later is new content", arguments: [400, 5000])
    func sameHeadDifferentLater(common: Int) throws {
        let dir = try TestFolder("egress-ingest-tests")
        let shared = accessLines(0..<common)
        #expect(shared.count > Ingestor.headSize)
        // Same length and line count after the shared part; only the hosts differ.
        let a = dir.file("a.log"), b = dir.file("b.log")
        try write(a, shared + accessLines(common..<(common + 20), host: "aaaa.example.com"))
        try write(b, shared + accessLines(common..<(common + 20), host: "bbbb.example.com"))
        try ingest(dir.db, [a])
        let summary = try ingest(dir.db, [b])
        #expect(summary.unchangedFiles == 0)
        #expect(summary.resumedFiles == 0)
        #expect(summary.lines == Int64(common + 20))
        #expect(try callCount(dir.db) == Int64(2 * (common + 20)))
        #expect(try scalar(dir.db, "SELECT count(*) FROM calls WHERE dest_host = 'bbbb.example.com'") == 20)
        #expect(try scalar(dir.db, "SELECT count(*) FROM ingested_files") == 2)
    }

    @Test("a gzip sharing another file's head but differing later is new content (the stream is read again)", arguments: [400, 5000])
    func sameHeadDifferentLaterGzip(common: Int) throws {
        let dir = try TestFolder("egress-ingest-tests")
        let shared = accessLines(0..<common)
        let a = dir.file("a.log"), b = dir.file("b.log")
        try write(a, shared + accessLines(common..<(common + 20), host: "aaaa.example.com"))
        try write(b, shared + accessLines(common..<(common + 20), host: "bbbb.example.com"))
        try gzipFile(b, to: dir.file("b.log.gz"))
        try ingest(dir.db, [a])
        let summary = try ingest(dir.db, [dir.file("b.log.gz")])
        #expect(summary.errors == [])
        #expect(summary.files == 1)
        #expect(summary.lines == Int64(common + 20))
        #expect(try callCount(dir.db) == Int64(2 * (common + 20)))
        // Both now known: each again adds nothing.
        #expect(try ingest(dir.db, [a, b, dir.file("b.log.gz")]).unchangedFiles == 3)
        #expect(try callCount(dir.db) == Int64(2 * (common + 20)))
    }

    @Test("a file that is a prefix of an ingested one adds nothing; the longer one after the shorter adds the rest")
    func prefixFiles() throws {
        let dir = try TestFolder("egress-ingest-tests")
        let short = dir.file("short.log"), long = dir.file("long.log")
        try write(short, accessLines(0..<300))
        try write(long, accessLines(0..<500))
        try ingest(dir.db, [short])
        let summary = try ingest(dir.db, [long])
        #expect(summary.resumedFiles == 1)
        #expect(summary.lines == 200)
        #expect(try callCount(dir.db) == 500)
    }

    @Test("a folder's sums are written once at the end and hold every call, also past a damaged input")
    func folderSumsAtTheEnd() throws {
        let dir = try TestFolder("egress-ingest-tests")
        try write(dir.file("in/a.log"), accessLines(0..<1500, host: "a.example.com"))
        try write(dir.file("full.log"), accessLines(0..<3000, host: "b.example.com"))
        try gzipFile(dir.file("full.log"), to: dir.file("full.log.gz"))
        let gz = try Data(contentsOf: URL(fileURLWithPath: dir.file("full.log.gz")))
        try gz.prefix(gz.count / 2).write(to: URL(fileURLWithPath: dir.file("in/b.log.gz")))
        try write(dir.file("in/c.log"), accessLines(0..<700, host: "c.example.com"))

        let summary = try ingest(dir.db, [dir.file("in")])
        #expect(summary.errors.count == 1)
        let calls = try scalar(dir.db, "SELECT count(*) FROM calls WHERE verdict != 'internal'")
        #expect(calls > 2200)
        #expect(try scalar(dir.db, "SELECT sum(calls) FROM call_totals") == calls)
        #expect(try scalar(dir.db, "SELECT sum(calls) FROM call_hour_counts") == calls)
        #expect(try scalar(dir.db, "SELECT covered_id FROM summary_state") == scalar(dir.db, "SELECT max(id) FROM call_facts"))
        #expect(try scalar(dir.db, "SELECT count(DISTINCT dest_host) FROM call_summary") == 3)
    }

    @Test("a truncated gzip keeps and commits the rows before the damage and names the file in its error")
    func truncatedGzip() throws {
        let dir = try TestFolder("egress-ingest-tests")
        let total = 3000
        let log = dir.file("full.log")
        try write(log, accessLines(0..<total))
        try gzipFile(log, to: dir.file("full.log.gz"))
        let gz = try Data(contentsOf: URL(fileURLWithPath: dir.file("full.log.gz")))
        let cutPath = dir.file("cut.log.gz")
        try gz.prefix(gz.count * 6 / 10).write(to: URL(fileURLWithPath: cutPath))
        let expected = try completeLinesInflatedByPython(cutPath)
        try #require(expected > 0 && expected < total)

        let summary = try ingest(dir.db, [cutPath])
        #expect(summary.errors.count == 1)
        let message = try #require(summary.errors.first)
        #expect(message.contains(cutPath), "\(message)")
        #expect(message.contains("ends early"), "\(message)")
        #expect(summary.outbound.allowed == Int64(expected))
        // Committed: a new connection sees them.
        #expect(try callCount(dir.db) == Int64(expected))
        #expect(try rows(dir.db, "SELECT min(log_line), max(log_line) FROM calls") == [["1", "\(expected)"]])
        #expect(try scalar(dir.db, "SELECT lines FROM ingested_files") == Int64(expected))

        // The same truncated file again: nothing new (the error is reported again).
        let again = try ingest(dir.db, [cutPath])
        #expect(again.outbound.total == 0)
        #expect(try callCount(dir.db) == Int64(expected))

        // The complete file, once it arrives, adds exactly the rest.
        let complete = try ingest(dir.db, [dir.file("full.log.gz")])
        #expect(complete.errors == [])
        #expect(complete.resumedFiles == 1)
        #expect(complete.outbound.allowed == Int64(total - expected))
        #expect(try callCount(dir.db) == Int64(total))
        #expect(try scalar(dir.db, "SELECT count(DISTINCT log_line) FROM calls") == Int64(total))
    }

    @Test("a missing path is an error that names it, and the other inputs are still ingested")
    func missingPathDoesNotStopTheRun() throws {
        let dir = try TestFolder("egress-ingest-tests")
        let log = dir.file("a.log")
        try write(log, accessLines(0..<10))
        let missing = dir.path + "/no-such.log"
        let summary = try ingest(dir.db, [missing, log])
        #expect(summary.errors.count == 1)
        #expect(summary.errors.first?.contains(missing) == true)
        #expect(try callCount(dir.db) == 10)
    }
}

// MARK: - Odd and damaged lines

@Suite("Ingest: odd lines")
struct IngestLineTests {
    @Test("a CRI part still waiting for its last part, then more calls than a batch holds: no crash, nothing stored twice, every call once it completes")
    func heldPartialThenManyCalls() throws {
        let dir = try TestFolder("egress-ingest-tests")
        let log = dir.file("cri.log")
        let held = accessLine(0)
        let cut = held.index(held.startIndex, offsetBy: 40)
        // 10 calls, a CRI record's first part, then 3,000 plain calls (more than a batch's 1,024 rows), as in a file
        // two exports were concatenated into. The batch cannot be handed over while the part is held, so it grows.
        try write(log, accessLines(1..<11) + Array("2026-11-23T10:00:00.5Z stdout P \(held[..<cut])\n".utf8) + accessLines(11..<3011))
        let first = try ingest(dir.db, [log])
        #expect(first.errors == [])
        // The file may still grow: what follows the held part is read again from before it, so it is not kept now.
        #expect(try callCount(dir.db) == 10)
        #expect(try ingest(dir.db, [log]).errors == [])
        #expect(try callCount(dir.db) == 10)
        try append(log, Array("2026-11-23T10:00:00.6Z stdout F \(held[cut...])\n".utf8))
        #expect(try ingest(dir.db, [log]).errors == [])
        #expect(try callCount(dir.db) == 3011)
        #expect(try scalar(dir.db, "SELECT count(DISTINCT path) FROM calls") == 3011)
        #expect(try ingest(dir.db, [log]).unchangedFiles == 1)
        #expect(try callCount(dir.db) == 3011)
    }

    @Test("a 1 MB access line (a long path) is ingested whole")
    func oneMegabyteLine() throws {
        let dir = try TestFolder("egress-ingest-tests")
        let longPath = "/" + String(repeating: "p", count: 1 << 20)
        let log = dir.file("long.log")
        try write(log, accessLine(1, path: longPath) + "\n" + accessLine(2) + "\n")
        #expect(accessLine(1, path: longPath).utf8.count < 8 << 20, "below the 8 MiB line limit")
        let summary = try ingest(dir.db, [log])
        #expect(summary.errors == [])
        #expect(summary.rejected == 0)
        #expect(summary.outbound.allowed == 2)
        #expect(try scalar(dir.db, "SELECT length(path) FROM calls WHERE log_line = 1") == Int64((1 << 20) + 1))
        #expect(try scalar(dir.db, "SELECT count(*) FROM calls WHERE log_line = 2") == 1)
        #expect(try ingest(dir.db, [log]).unchangedFiles == 1)
        #expect(try callCount(dir.db) == 2)
    }

    @Test("a line longer than the 8 MiB limit is rejected with its reason, the next lines are ingested, and the file is known afterwards",
          arguments: [1, 2])
    func overlongLine(linesAfter: Int) throws {
        let dir = try TestFolder("egress-ingest-tests")
        let log = dir.file("overlong.log")
        let hugePath = "/" + String(repeating: "q", count: 9 << 20)
        let after = (3..<(3 + linesAfter)).map { accessLine($0) + "\n" }.joined()
        try write(log, accessLine(1) + "\n" + accessLine(2, path: hugePath) + "\n" + after)
        let summary = try ingest(dir.db, [log])
        #expect(summary.errors == [])
        #expect(summary.lines == Int64(2 + linesAfter))
        #expect(summary.rejected == 1)
        #expect(summary.outbound.allowed == Int64(1 + linesAfter))
        let reject = try rows(dir.db, "SELECT log_file, log_line, reason, length(excerpt) FROM rejects")
        try #require(reject.count == 1)
        #expect(reject[0][0] == log)
        #expect(reject[0][1] == "2")
        #expect(reject[0][2]?.contains("longer than \(8 << 20) bytes") == true, "\(reject[0][2] ?? "nil")")
        #expect(reject[0][3] == "512")
        #expect(try rows(dir.db, "SELECT log_line FROM calls ORDER BY log_line") == [["1"]] + (3..<(3 + linesAfter)).map { [String($0)] })

        // Exactly once holds for a file with an overlong line too (the checkpoint's tail is the last line's bytes).
        let again = try ingest(dir.db, [log])
        #expect(again.unchangedFiles == 1)
        #expect(again.rejected == 0)
        #expect(try callCount(dir.db) == Int64(1 + linesAfter))
        #expect(try scalar(dir.db, "SELECT count(*) FROM rejects") == 1)
        #expect(try scalar(dir.db, "SELECT count(*) FROM ingested_files") == 1)

        // And lines appended after it are resumed correctly.
        try append(log, Array((accessLine(9) + "\n").utf8))
        let grown = try ingest(dir.db, [log])
        #expect(grown.resumedFiles == 1)
        #expect(grown.lines == 1)
        #expect(try callCount(dir.db) == Int64(2 + linesAfter))
    }

    @Test("an overlong line as the last line: rejected once, and the file is known afterwards")
    func overlongLastLine() throws {
        let dir = try TestFolder("egress-ingest-tests")
        let log = dir.file("overlong-last.log")
        try write(log, accessLine(1) + "\n" + String(repeating: "z", count: 9 << 20) + "\n")
        let summary = try ingest(dir.db, [log])
        #expect(summary.rejected == 1)
        #expect(summary.outbound.allowed == 1)
        let again = try ingest(dir.db, [log])
        #expect(again.unchangedFiles == 1)
        #expect(try scalar(dir.db, "SELECT count(*) FROM rejects") == 1)
        #expect(try callCount(dir.db) == 1)
    }

    @Test("bytes that are not UTF-8 in a user agent and a path are stored as they are, without a crash")
    func invalidUTF8() throws {
        let dir = try TestFolder("egress-ingest-tests")
        let log = dir.file("bad-utf8.log")
        var bytes = Array(accessLine(1, path: "/api/PATH", userAgent: "Mozilla/UA").utf8)
        func replace(_ marker: String, with raw: [UInt8]) {
            let m = Array(marker.utf8)
            if let i = (0...(bytes.count - m.count)).first(where: { Array(bytes[$0..<($0 + m.count)]) == m }) {
                bytes.replaceSubrange(i..<(i + m.count), with: raw)
            }
        }
        replace("PATH", with: [0xFF, 0xFE, 0xC3, 0x28, 0x80])
        replace("UA", with: [0x80, 0xBF, 0xF0, 0x28, 0xC0, 0xAF])
        bytes += [0x0A] + Array((accessLine(2) + "\n").utf8)
        try write(log, bytes)
        let summary = try ingest(dir.db, [log])
        #expect(summary.errors == [])
        #expect(summary.rejected == 0)
        #expect(summary.outbound.allowed == 2)
        #expect(try rows(dir.db, "SELECT hex(path) FROM calls WHERE log_line = 1") == [["2F6170692FFFFEC32880"]])
        #expect(try rows(dir.db, "SELECT hex(user_agent) FROM calls WHERE log_line = 1")
                == [["4D6F7A696C6C612F80BFF028C0AF"]])
        // Reading it back as text does not crash either.
        #expect(try rows(dir.db, "SELECT path, user_agent FROM calls WHERE log_line = 1").count == 1)
    }

    @Test("a malformed line lands in rejects with file, line, reason and a 512-byte excerpt; the lines after it are ingested")
    func malformedLine() throws {
        let dir = try TestFolder("egress-ingest-tests")
        let log = dir.file("mixed.log")
        let garbage = "this is not an access line " + String(repeating: "0123456789", count: 200)
        let truncated = String(accessLine(5).prefix(90))
        try write(log, [accessLine(1), accessLine(2), garbage, accessLine(4), truncated, accessLine(6)].joined(separator: "\n") + "\n")
        let summary = try ingest(dir.db, [log])
        #expect(summary.errors == [])
        #expect(summary.lines == 6)
        #expect(summary.rejected == 2)
        #expect(summary.outbound.allowed == 4)
        #expect(try rows(dir.db, "SELECT log_line FROM calls ORDER BY 1") == [["1"], ["2"], ["4"], ["6"]])
        let rejects = try rows(dir.db, "SELECT log_file, log_line, reason, length(excerpt), CAST(excerpt AS TEXT) FROM rejects ORDER BY log_line")
        try #require(rejects.count == 2)
        #expect(rejects[0][0] == log)
        #expect(rejects[0][1] == "3")
        #expect(rejects[0][2]?.isEmpty == false)
        #expect(rejects[0][2]?.contains("no known access-log layout") == true, "\(rejects[0][2] ?? "nil")")
        #expect(rejects[0][3] == "512")
        #expect(rejects[0][4] == String(garbage.prefix(512)))
        #expect(rejects[1][1] == "5")
        #expect(rejects[1][3] == "\(truncated.utf8.count)")
        #expect(rejects[1][4] == truncated)
        #expect(try scalar(dir.db, "SELECT rejected FROM ingested_files") == 2)
    }

    @Test("a fixed --log-format preset parses its lines and rejects others with a reason naming the format")
    func fixedLogFormat() throws {
        let dir = try TestFolder("egress-ingest-tests")
        let log = dir.file("fixed.log")
        // Istio 1.8 (20 tokens) and one Istio 1.9+ line (22 tokens).
        let line18 = #"[2026-11-22T08:04:43.373Z] "GET /x HTTP/1.1" 200 - "-" 0 5 19 18 "-" "curl" "id-1" "api.example.com" "1.2.3.4:80" outbound|80||api.example.com 10.244.0.23:34122 1.2.3.4:80 10.244.0.23:44772 - -"#
        try write(log, line18 + "\n" + accessLine(2) + "\n")
        let summary = try ingest(dir.db, [log], options: IngestOptions(logFormat: "istio-1.8"))
        #expect(summary.errors == [])
        #expect(summary.accessLines == 1)
        #expect(summary.outbound.allowed == 1)
        #expect(summary.rejected == 1)
        #expect(try rows(dir.db, "SELECT dest_host, log_line FROM calls") == [["api.example.com", "1"]])
        let reasons = try rows(dir.db, "SELECT log_line, reason FROM rejects")
        #expect(reasons == [["2", "does not match the log format istio-1.8"]])
        #expect(try scalar(dir.db, "SELECT count(*) FROM ingested_files WHERE layout = 'istio-1.8'") == 1)

        // Detected per file, both lines are access lines.
        let auto = try TestFolder("egress-ingest-tests")
        let detected = try ingest(auto.db, [log])
        #expect(detected.accessLines == 2)
        #expect(detected.rejected == 0)
    }

    @Test("a proxy upgraded mid-file: detected per line, the new layout's lines are parsed with their own layout")
    func layoutChangesMidFile() throws {
        let dir = try TestFolder("egress-ingest-tests")
        let log = dir.file("upgraded.log")
        let line18 = #"[2026-11-22T08:04:43.373Z] "GET /x HTTP/1.1" 200 - "-" 0 5 19 18 "-" "curl" "id-1" "api.example.com" "1.2.3.4:80" outbound|80||api.example.com 10.244.0.23:34122 1.2.3.4:80 10.244.0.23:44772 - -"#
        let blocked19 = #"[2026-11-23T10:00:03.000Z] "- - -" 0 UH - - "-" 0 0 1 - "-" "-" "-" "-" "-" BlackHoleCluster - 52.206.94.34:443 10.244.1.17:49644 - -"#
        try write(log, line18 + "\n" + accessLine(2) + "\n" + blocked19 + "\n")
        let summary = try ingest(dir.db, [log])
        #expect(summary.accessLines == 3)
        #expect(summary.rejected == 0)
        let parsed = try rows(dir.db, "SELECT log_line, verdict, response_flags, response_code_details, bytes_sent FROM calls ORDER BY log_line")
        #expect(parsed == [
            ["1", "allowed", nil, nil, "5"],
            ["2", "allowed", nil, "via_upstream", "102"],
            ["3", "blocked", "UH", nil, "0"],
        ])
    }

    @Test("an unknown --log-format is refused before anything is read")
    func unknownLogFormat() throws {
        let dir = try TestFolder("egress-ingest-tests")
        #expect(throws: FormatError.self) {
            _ = try Ingestor(databasePath: dir.db, options: IngestOptions(logFormat: "istio-0.1"))
        }
    }
}

// MARK: - Source of the calls

@Suite("Ingest: source namespace and pod")
struct IngestSourceTests {
    static let uid = "0f6c2a1e-5b7d-4e3a-9c1f-2d8e4b6a7c90"
    static let options = IngestOptions(namespace: "optns", pod: "optpod")

    fileprivate static func source(_ db: String) throws -> [[String?]] {
        try rows(db, "SELECT DISTINCT source_namespace, source_pod FROM calls")
    }

    @Test("a shipper record's kubernetes map wins over the path and the options")
    func fromWrapper() throws {
        let dir = try TestFolder("egress-ingest-tests")
        let log = dir.file("var/log/pods/pathns_pathpod_\(Self.uid)/istio-proxy/0.log")
        let record: [String: Any] = [
            "date": 1795426861.445891, "time": "2026-11-23T10:00:01.000000000Z", "stream": "stdout", "_p": "F",
            "log": accessLine(1),
            "kubernetes": ["namespace_name": "wrapns", "pod_name": "wrappod", "container_name": "istio-proxy"],
        ]
        let json = try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys, .withoutEscapingSlashes])
        try write(log, [UInt8](json) + [0x0A])
        let summary = try ingest(dir.db, [log], options: Self.options)
        #expect(summary.outbound.allowed == 1)
        #expect(try Self.source(dir.db) == [["wrapns", "wrappod"]])
    }

    @Test("kubectl --prefix names the pod; the namespace then comes from the path")
    func podFromPrefixNamespaceFromPath() throws {
        let dir = try TestFolder("egress-ingest-tests")
        let log = dir.file("var/log/pods/pathns_pathpod_\(Self.uid)/istio-proxy/0.log")
        try write(log, "[pod/wrappod/istio-proxy] " + accessLine(1) + "\n")
        try ingest(dir.db, [log], options: Self.options)
        #expect(try Self.source(dir.db) == [["pathns", "wrappod"]])
    }

    @Test("kubectl --prefix names the pod; the namespace then comes from the options")
    func podFromPrefixNamespaceFromOptions() throws {
        let dir = try TestFolder("egress-ingest-tests")
        let log = dir.file("frontend.log")
        try write(log, "[pod/wrappod/istio-proxy] " + accessLine(1) + "\n")
        try ingest(dir.db, [log], options: Self.options)
        #expect(try Self.source(dir.db) == [["optns", "wrappod"]])
    }

    @Test("the kubelet path names the source when the wrapper does not (pods layout)")
    func fromPodsPath() throws {
        let dir = try TestFolder("egress-ingest-tests")
        let log = dir.file("var/log/pods/pathns_pathpod_\(Self.uid)/istio-proxy/0.log")
        try write(log, "2026-11-23T10:00:01.5Z stdout F " + accessLine(1) + "\n")
        try ingest(dir.db, [log], options: Self.options)
        #expect(try Self.source(dir.db) == [["pathns", "pathpod"]])
    }

    @Test("the kubelet path names the source when the wrapper does not (containers layout)")
    func fromContainersPath() throws {
        let dir = try TestFolder("egress-ingest-tests")
        let id = String(repeating: "ab12", count: 16)
        let log = dir.file("var/log/containers/cpod-7d9f8c6b5-abcde_cns_istio-proxy-\(id).log")
        try write(log, accessLine(1) + "\n")
        try ingest(dir.db, [log], options: Self.options)
        #expect(try Self.source(dir.db) == [["cns", "cpod-7d9f8c6b5-abcde"]])
    }

    @Test("IngestOptions.namespace/pod name the source when neither wrapper nor path does")
    func fromOptions() throws {
        let dir = try TestFolder("egress-ingest-tests")
        let log = dir.file("plain.log")
        try write(log, accessLine(1) + "\n")
        try ingest(dir.db, [log], options: Self.options)
        #expect(try Self.source(dir.db) == [["optns", "optpod"]])
    }

    @Test("with no wrapper, path or option the source is NULL")
    func unknownSource() throws {
        let dir = try TestFolder("egress-ingest-tests")
        let log = dir.file("plain.log")
        try write(log, accessLine(1) + "\n")
        try ingest(dir.db, [log])
        #expect(try Self.source(dir.db) == [[nil, nil]])
    }
}

// MARK: - The database file

@Suite("Ingest: database file")
struct IngestDatabaseFileTests {
    @Test("the database file is created with mode 0600, and so are its WAL and shared-memory files")
    func privateMode() throws {
        let dir = try TestFolder("egress-ingest-tests")
        let log = dir.file("a.log")
        try write(log, accessLines(0..<3))
        let ingestor = try Ingestor(databasePath: dir.db)
        ingestor.ingest(paths: [log])  // still open: the WAL and shared-memory files exist
        for path in [dir.db, dir.db + "-wal", dir.db + "-shm"] where FileManager.default.fileExists(atPath: path) {
            var st = stat()
            #expect(stat(path, &st) == 0)
            #expect(st.st_mode & 0o777 == 0o600, "\(path) has mode \(String(st.st_mode & 0o777, radix: 8))")
        }
        #expect(FileManager.default.fileExists(atPath: dir.db))
    }

    /// While another writer holds the database (its lock and a write transaction, as an ingest between two
    /// commits does), opening an ingestor waits on the writer lock and says so, before asking SQLite for
    /// anything: SQLite's own wait gives up after 10 s, and a long ingest commits transaction after transaction.
    @Test("opening an ingestor while another ingest writes waits for the writer lock, then ingests")
    func opensAfterTheWriter() throws {
        let dir = try TestFolder("egress-ingest-tests")
        let log = dir.file("a.log")
        try write(log, accessLines(0..<5))
        _ = try Ingestor(databasePath: dir.db)   // the schema exists
        let holder = try WriterLock(databasePath: dir.db)
        holder.lock()
        let other = try SQLiteDatabase(path: dir.db)
        try other.execute("BEGIN IMMEDIATE")

        final class Opening: @unchecked Sendable {
            let waited = DispatchSemaphore(value: 0)
            let done = DispatchSemaphore(value: 0)
            var result: Result<Int64, Error>?
        }
        let opening = Opening()
        let path = dir.db
        Thread {
            opening.result = Result {
                let ingestor = try Ingestor(databasePath: path, onWait: { opening.waited.signal() })
                return ingestor.ingest(paths: [log]).outbound.total
            }
            opening.done.signal()
        }.start()
        let waited = opening.waited.wait(timeout: .now() + 5) == .success
        #expect(waited, "the ingestor did not report waiting for the writer lock")
        #expect(opening.done.wait(timeout: .now() + 0.2) == .timedOut, "the ingestor did not wait for the writer")
        try other.execute("COMMIT")
        holder.unlock()
        #expect(opening.done.wait(timeout: .now() + 30) == .success)
        #expect(try opening.result?.get() == 5)
        #expect(try callCount(dir.db) == 5)
    }
}

@Suite("Ingest: a file still being written")
struct GrowingFileTests {
    @Test("a half-written last line of a plain file is held back, then read whole once its newline arrives")
    func halfWrittenLastLine() throws {
        let scratch = try TestFolder("egress-ingest-tests")
        let log = scratch.file("proxy.log")
        let third = accessLine(2)
        let cut = third.index(third.startIndex, offsetBy: 100)
        try write(log, Array((accessLine(0) + "\n" + accessLine(1) + "\n" + third[..<cut]).utf8))

        let first = try ingest(scratch.db, [log])
        #expect(first.lines == 2)
        #expect(first.heldLines == 1)
        #expect(first.rejected == 0)
        #expect(try callCount(scratch.db) == 2)

        try append(log, Array((third[cut...] + "\n").utf8))
        let second = try ingest(scratch.db, [log])
        #expect(second.lines == 1)
        #expect(second.heldLines == 0)
        #expect(second.rejected == 0)
        #expect(try callCount(scratch.db) == 3)
        #expect(try rows(scratch.db, "SELECT path FROM calls WHERE log_line = 3") == [["/anything/2"]])
    }

    @Test("a gzip's last line without a newline is read: the stream is complete")
    func gzipLastLineIsRead() throws {
        let scratch = try TestFolder("egress-ingest-tests")
        let plain = scratch.file("proxy.log")
        try write(plain, Array((accessLine(0) + "\n" + accessLine(1)).utf8))
        try gzipFile(plain, to: plain + ".gz")
        let summary = try ingest(scratch.db, [plain + ".gz"])
        #expect(summary.lines == 2)
        #expect(summary.heldLines == 0)
        #expect(try callCount(scratch.db) == 2)
    }
}

@Suite("Ingest: copies of content already read")
struct PrefixCopyTests {
    @Test("a copy of the first part of a file read further (over 64 KiB) adds nothing, plain or gzipped")
    func prefixCopyAddsNothing() throws {
        let scratch = try TestFolder("egress-ingest-tests")
        let log = scratch.file("x.log")
        try write(log, accessLines(0..<1_000))
        #expect(try ingest(scratch.db, [log]).outbound.total == 1_000)
        // A copy cut at a line boundary past the first 64 KiB, as logrotate's copy might be when caught early.
        let copy = scratch.file("x.log.1")
        try write(copy, accessLines(0..<600))
        let again = try ingest(scratch.db, [copy])
        #expect(again.outbound.total == 0)
        #expect(again.unchangedFiles == 1)
        try gzipFile(copy, to: copy + ".gz")
        #expect(try ingest(scratch.db, [copy + ".gz"]).outbound.total == 0)
        #expect(try callCount(scratch.db) == 1_000)
    }

    @Test("a file sharing only a short head with a known one is still new content")
    func shortSharedHeadIsNew() throws {
        let scratch = try TestFolder("egress-ingest-tests")
        let a = scratch.file("a.log")
        try write(a, accessLines(0..<1_000))
        _ = try ingest(scratch.db, [a])
        let b = scratch.file("b.log")
        try write(b, accessLines(0..<3) + accessLines(5_000..<5_003))
        #expect(try ingest(scratch.db, [b]).outbound.total == 6)
    }
}
