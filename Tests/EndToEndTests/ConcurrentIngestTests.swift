import Foundation
import Testing

/// Two `ingest` processes started together on one new database: both finish, nothing is stored twice
/// (one writer at a time per database; the schema is created once).
@Suite("concurrent ingest")
struct ConcurrentIngestTests {
    @Test("two ingests of the same logs at once into a new database: both exit 0, every call stored once")
    func twoIngestsAtOnce() throws {
        try EgressAuditCLI.requireBinary()
        let folder = NSTemporaryDirectory() + "/egress-concurrent-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let db = folder + "/audit.db"
        // Each process's stderr goes to a file, shown if it fails (a pipe could fill and stall it).
        let errors = (0..<2).map { folder + "/stderr-\($0).txt" }
        let processes = try errors.map { path -> Process in
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: EgressAuditCLI.binary)
            p.arguments = ["ingest", "--db", db, EgressAuditCLI.samples]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            return p
        }
        for p in processes { try p.run() }
        for p in processes { p.waitUntilExit() }
        let stderr = errors.map { (try? String(contentsOfFile: $0, encoding: .utf8)) ?? "" }
        #expect(processes.map(\.terminationStatus) == [0, 0], "stderr: \(stderr)")
        let count = try EgressAuditCLI.run(["sql", "--db", db, "--format", "csv", "SELECT count(*) FROM calls"], in: folder)
        // sample-logs/README.md: 554 outbound calls in all.
        #expect(count.stdout == "count(*)\r\n554\r\n")
        let files = try EgressAuditCLI.run(["sql", "--db", db, "--format", "csv", "SELECT count(*) FROM ingested_files"], in: folder)
        #expect(files.stdout == "count(*)\r\n7\r\n")
    }
}
