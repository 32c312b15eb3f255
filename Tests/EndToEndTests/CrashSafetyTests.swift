#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

// Issue 6, item 3: an `ingest` killed with SIGKILL at a random moment and run again stores exactly what one
// clean run stores; a write that fails (disk full, file-size limit, read-only database) ends with a clear
// error, a non-zero exit and a sound database that still holds every committed batch. (`tail` has its own
// kill -9 loop in TailTests; two ingests at once are in ConcurrentIngestTests.)

@Suite("crash safety", .serialized)
struct CrashSafetyTests {
    /// 64,000 real-shaped lines (about 14 MB): a debug build needs a few seconds, and `ingest` commits every
    /// 2 s, so a kill lands before, between and inside commits.
    static let killLines = 64_000
    /// Enough lines for a database of about 4 MB (the file-size limit test).
    static let lineCount = 80_000

    @Test("kill -9 at a random moment of a large ingest (plain and gzip), then the same command: calls and rejects exact, every time")
    func killNineThenRerun() throws {
        let box = try ScratchFolder("egress-crash")
        let plain = box.file("istio-proxy.log")
        try CorpusLines.write(0..<Self.killLines, to: plain)
        let gzip = try EgressAuditCLI.run(["-c", "gzip -1 -c '\(plain)' > '\(plain).gz'"], executable: "/bin/sh", in: box.path)
        try #require(gzip.status == 0, "gzip: \(gzip.stderr)")
        let expectedRejects = CorpusLines.rejects(in: 0..<Self.killLines)
        let expectedCalls = Self.killLines - expectedRejects

        // A clean run first: it also tells how long a whole ingest takes here.
        let cleanDB = box.file("clean.db")
        let start = Date()
        let clean = try EgressAuditCLI.run(["ingest", "--db", cleanDB, plain], in: box.path)
        let whole = Date().timeIntervalSince(start)
        #expect(clean.status == 0, "\(clean.stderr)")
        #expect(try box.scalar("SELECT count(*) FROM calls", db: cleanDB) == expectedCalls)
        #expect(try box.scalar("SELECT count(*) FROM rejects", db: cleanDB) == expectedRejects)

        var killedAfterCommit = 0
        for round in 0..<8 {
            let input = round % 2 == 0 ? plain : plain + ".gz"
            let db = box.file("round-\(round).db")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: EgressAuditCLI.binary)
            process.arguments = ["ingest", "--db", db, input]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Anywhere from startup to near the end of a whole run; every other round after the first commit
            // (2 s in), when the run lasts that long.
            let earliest = round % 2 == 1 && whole > 2.5 ? 2.1 : 0.02
            usleep(UInt32(Double.random(in: earliest...max(earliest + 0.1, whole * 0.95)) * 1_000_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let stored = try box.scalar("SELECT count(*) FROM calls", db: db) ?? 0
            if stored > 0 { killedAfterCommit += 1 }
            #expect(try box.integrity(db: db).hasPrefix("ok") || stored == 0, "round \(round): damaged after kill -9")

            let again = try EgressAuditCLI.run(["ingest", "--db", db, input], in: box.path)
            #expect(again.status == 0, "round \(round): \(again.stderr)")
            #expect(try box.scalar("SELECT count(*) FROM calls", db: db) == expectedCalls, "round \(round) (\(input)): killed with \(stored) stored")
            #expect(try box.scalar("SELECT count(*) FROM rejects", db: db) == expectedRejects, "round \(round)")
            #expect(try box.scalar("SELECT count(*) - count(DISTINCT ts_us) FROM calls", db: db) == 0, "round \(round): a call stored twice")
            // A third run finds everything read.
            let third = try EgressAuditCLI.run(["ingest", "--db", db, "--format", "json", input], in: box.path)
            #expect(third.stdout.contains(#""unchanged_files" : 1"#), "round \(round): \(third.stdout)")
        }
        // Some kills must land after a commit, or the loop tested only empty databases (a machine fast enough
        // to ingest the file within one commit interval cannot tell).
        #expect(killedAfterCommit > 0 || whole < 2.5, "no kill landed after the first commit (a whole run takes \(whole) s)")
    }

    @Test("a file-size limit reached mid-ingest (disk full): a clear error, exit 1, a sound database with the committed rows; then the run goes on")
    func fileSizeLimit() throws {
        let box = try ScratchFolder("egress-full")
        let first = box.file("0.log"), second = box.file("1.log")
        try CorpusLines.write(0..<10_000, to: first)
        try CorpusLines.write(10_000..<(10_000 + Self.lineCount), to: second)
        let db = box.file("a.db")
        // `ulimit -f 4000`: 2 MB in POSIX sh's 512-byte blocks (4 MB in bash's KiB), room for the first input's
        // commit and not for the whole database (about 4 MB): a write of the second input's fails.
        let run = try MeasuredRun.run(["-c", #"ulimit -f 4000 && exec "$0" "$@""#, EgressAuditCLI.binary, "ingest", "--db", db, first, second],
                                      executable: "/bin/sh", in: box.path)
        #expect(run.signal == nil, "killed by signal \(run.signal ?? 0) (SIGXFSZ not ignored?)")
        #expect(run.status == 1, "exit \(run.status): \(run.stderr)")
        #expect(run.stderr.contains("\(db): "), "\(run.stderr)")
        #expect(run.stderr.contains("ulimit -f") && run.stderr.contains("run the same command again"), "\(run.stderr)")

        #expect(try box.integrity(db: db).hasPrefix("ok"))
        let firstCalls = 10_000 - CorpusLines.rejects(in: 0..<10_000)
        let kept = try #require(try box.scalar("SELECT count(*) FROM calls", db: db))
        #expect(kept >= firstCalls && kept < firstCalls + Self.lineCount, "\(kept) calls kept")
        #expect(try box.scalar("SELECT calls FROM ingested_files WHERE path = '\(first)'", db: db) == firstCalls)
        // What was committed is whole: the checkpoints and the rows agree.
        #expect(try box.scalar("SELECT sum(calls) FROM ingested_files", db: db) == kept)

        // Room again: the same command goes on from the checkpoints to the exact total.
        let again = try EgressAuditCLI.run(["ingest", "--db", db, first, second], in: box.path)
        #expect(again.status == 0, "\(again.stderr)")
        let rejects = CorpusLines.rejects(in: 0..<(10_000 + Self.lineCount))
        #expect(try box.scalar("SELECT count(*) FROM calls", db: db) == 10_000 + Self.lineCount - rejects)
        #expect(try box.scalar("SELECT count(*) FROM rejects", db: db) == rejects)
    }

    @Test("a read-only database: a clear error, exit 1, the database unchanged")
    func readOnlyDatabase() throws {
        let box = try ScratchFolder("egress-readonly")
        let first = box.file("first.log"), second = box.file("second.log")
        try CorpusLines.write(0..<2_000, to: first)
        try CorpusLines.write(2_000..<3_000, to: second)
        let db = box.file("a.db")
        #expect(try EgressAuditCLI.run(["ingest", "--db", db, first], in: box.path).status == 0)
        let before = try #require(try box.scalar("SELECT count(*) FROM calls", db: db))

        // File modes do not stop root: run the second ingest as `nobody` then (setpriv, util-linux), with the
        // database (and its WAL files, left by the readers) readable by all and writable by none, and the
        // writer lock open to it.
        for suffix in ["", "-wal", "-shm"] { chmod(db + suffix, 0o444) }
        chmod(db + ".ingest.lock", 0o666)
        chmod(second, 0o644)
        var arguments = ["ingest", "--db", db, second]
        var executable = EgressAuditCLI.binary
        if geteuid() == 0 {
            executable = "/usr/bin/setpriv"
            try #require(FileManager.default.isExecutableFile(atPath: executable), "running as root needs setpriv (util-linux) to drop to nobody")
            arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", EgressAuditCLI.binary] + arguments
        }
        let run = try MeasuredRun.run(arguments, executable: executable, in: box.path)
        #expect(run.status == 1, "exit \(run.status): \(run.stderr)")
        #expect(run.stderr.contains(db) && run.stderr.contains("read-only"), "\(run.stderr)")
        #expect(run.stderr.contains("check its permissions or pass another --db"), "\(run.stderr)")
        for suffix in ["", "-wal", "-shm"] { chmod(db + suffix, 0o600) }
        #expect(try box.integrity(db: db).hasPrefix("ok"))
        #expect(try box.scalar("SELECT count(*) FROM calls", db: db) == before)
        #expect(try box.scalar("SELECT count(*) FROM ingested_files", db: db) == 1)
    }
}
