#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

// End-to-end tests of `egress-audit tail` (issue 4): a real `tail` process follows real files in a temporary
// folder while the test writes, renames, copies, truncates, gzips and deletes them like a proxy, logrotate,
// kubelet or containerd would; results are read by another process (`egress-audit sql`), as an operator
// would. Every wait polls with a deadline; the only fixed pauses are the few milliseconds a writer thread
// sleeps between writes and the random moments (under 0.2 s) at which a `kill -9` lands or the writer stops.
//
// Every access line is unique (timestamp, ports, request id), as real proxy lines are: content identity
// (head and last-line hashes) relies on that, and `count(DISTINCT ts_us)` finds any line stored twice.

// MARK: - Locations, processes, files

fileprivate enum TailE2E {
    static var binary: String { EgressAuditCLI.binary }

    static func requireBinary() throws { try EgressAuditCLI.requireBinary() }

    typealias Output = EgressAuditCLI.Output

    /// Runs a short command (the binary unless `executable` is given) to its end.
    @discardableResult
    static func run(_ arguments: [String], executable: String? = nil, in sandbox: TailSandbox) throws -> Output {
        try EgressAuditCLI.run(arguments, executable: executable, in: sandbox.path)
    }

    /// One integer from `sql --format csv`, or nil while the database cannot answer (not created yet).
    static func scalar(_ query: String, db: String, in sandbox: TailSandbox) throws -> Int? {
        let output = try run(["sql", "--db", db, "--format", "csv", query], in: sandbox)
        guard output.status == 0 else { return nil }
        // RFC 4180: a header row, then the value; CRLF line ends.
        let rows = output.stdout.split(whereSeparator: \.isNewline)
        guard rows.count == 2 else { return nil }
        return Int(rows[1].trimmingCharacters(in: .whitespaces))
    }

    static func count(db: String, in sandbox: TailSandbox) throws -> Int? {
        try scalar("SELECT count(*) FROM calls", db: db, in: sandbox)
    }

    /// Polls `condition` every 50 ms until it holds or `seconds` pass; returns whether it held.
    static func poll(_ seconds: Double = 5, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            if try condition() { return true }
            if Date() >= deadline { return false }
            usleep(50_000)
        }
    }

    /// Waits until the database holds exactly `expected` calls (stops early when it holds more: counts only grow).
    @discardableResult
    static func waitForCount(_ expected: Int, db: String, in sandbox: TailSandbox, within seconds: Double = 5,
                             sourceLocation: SourceLocation = #_sourceLocation) throws -> Int? {
        var last: Int?
        _ = try poll(seconds) {
            last = try count(db: db, in: sandbox)
            return last.map { $0 >= expected } ?? false
        }
        #expect(last == expected, "expected \(expected) calls in \(db), found \(last.map(String.init) ?? "no database")",
                sourceLocation: sourceLocation)
        return last
    }

    /// No line was stored twice: every stored call has its own timestamp (all test lines differ).
    static func expectNoDuplicates(db: String, in sandbox: TailSandbox, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let duplicates = try scalar("SELECT count(*) - count(DISTINCT ts_us) FROM calls", db: db, in: sandbox)
        #expect(duplicates == 0, "calls stored twice: \(duplicates.map(String.init) ?? "?")", sourceLocation: sourceLocation)
    }

    /// The latest commit time of any input's checkpoint (changes on every read of a followed file, even one
    /// that stores no line).
    static func lastRead(db: String, in sandbox: TailSandbox) throws -> Int {
        try scalar("SELECT coalesce(max(last_ingested_at), 0) FROM ingested_files", db: db, in: sandbox) ?? 0
    }

    /// Waits until the follower has read something after `previous` (see `lastRead`).
    static func waitForRead(after previous: Int, db: String, in sandbox: TailSandbox,
                            sourceLocation: SourceLocation = #_sourceLocation) throws {
        let read = try poll { try lastRead(db: db, in: sandbox) > previous }
        #expect(read, "tail did not read the file again", sourceLocation: sourceLocation)
    }
}

/// A temporary folder: the database and process output at its top, followed logs under `logs/`.
fileprivate final class TailSandbox {
    let path: String
    init() throws {
        let template = NSTemporaryDirectory() + "/egress-tail-XXXXXX"
        var bytes = Array(template.utf8CString)
        guard let made = mkdtemp(&bytes) else { throw CocoaError(.fileWriteUnknown) }
        // The real path: /proc/<pid>/fd links and the follower name files by it.
        let real = realpath(made, nil)
        path = real.map { String(cString: $0) } ?? String(cString: made)
        free(real)
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    var logs: String { path + "/logs" }
    var db: String { path + "/t.db" }

    func log(_ name: String) -> String { logs + "/" + name }

    func mkdir(_ relative: String) throws {
        try FileManager.default.createDirectory(atPath: logs + "/" + relative, withIntermediateDirectories: true)
    }
}

/// A running `egress-audit tail`; its stderr goes to a file outside the followed folder.
fileprivate final class TailProcess {
    let process = Process()
    let stderrPath: String
    private let stderrHandle: FileHandle

    init(_ arguments: [String], db: String, in sandbox: TailSandbox, interval: Int = 100) throws {
        try TailE2E.requireBinary()
        stderrPath = sandbox.path + "/tail-stderr-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        stderrHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        process.executableURL = URL(fileURLWithPath: TailE2E.binary)
        process.arguments = ["tail", "--db", db, "--interval", String(interval)] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: sandbox.path)
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "EGRESS_AUDIT_DB")
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = stderrHandle
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Waits for the process to end; returns whether it did within `seconds`.
    func waitForExit(_ seconds: Double = 5) -> Bool {
        TailE2E.poll(seconds) { !process.isRunning }
    }

    /// SIGTERM and wait: the exit status, or nil if it did not end in time (it is then killed).
    @discardableResult
    func terminate() -> Int32? {
        guard process.isRunning else { return process.terminationStatus }
        kill(pid, SIGTERM)
        if waitForExit() { return process.terminationReason == .exit ? process.terminationStatus : 128 + process.terminationStatus }
        kill9()
        return nil
    }

    func kill9() {
        guard process.isRunning else { return }
        kill(pid, SIGKILL)
        _ = waitForExit()
    }

    /// For `defer`: whatever happened, no tail is left running.
    func stop() {
        if process.isRunning { terminate() }
        try? stderrHandle.close()
    }

    /// How many of this process's open descriptors lead to `path` (deleted ones included).
    func descriptors(to path: String) -> Int {
        let folder = "/proc/\(pid)/fd"
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return entries.filter { entry in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: folder + "/" + entry) else { return false }
            return target == path || target == path + " (deleted)"
        }.count
    }
}

// MARK: - Access lines

/// Realistic Istio 1.9+ text access lines, each unique (its own timestamp, ports and request id).
fileprivate final class AccessLines: @unchecked Sendable {
    static let shared = AccessLines()
    private let lock = NSLock()
    private var next = 0

    private func number() -> Int {
        lock.lock(); defer { lock.unlock() }
        next += 1
        return next
    }

    enum Kind { case blackHole, allowedTLS, blockAllHTTP }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let s = String(value)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }

    /// `2026-11-23T09:…Z` with milliseconds, 13 ms after the previous line's.
    private static func timestamp(_ n: Int, nanos: Bool = false) -> String {
        let ms = n * 13 + 250
        let date = "2026-11-23T\(pad(9 + ms / 3_600_000, 2)):\(pad(ms / 60_000 % 60, 2)):\(pad(ms / 1000 % 60, 2))"
        return date + "." + pad(ms % 1000, 3) + (nanos ? "731842" : "") + "Z"
    }

    /// One line without its newline.
    func line(_ kind: Kind? = nil) -> String {
        let n = number()
        let ts = "[\(Self.timestamp(n))]"
        let sourcePort = 20_000 + n % 40_000
        switch kind ?? [.blackHole, .allowedTLS, .blockAllHTTP][n % 3] {
        case .blackHole:
            return "\(ts) \"- - -\" 0 UH - - \"-\" 0 0 0 - \"-\" \"-\" \"-\" \"-\" \"-\" BlackHoleCluster - 54.204.25.\(n % 250 + 1):443 10.244.1.17:\(sourcePort) - -"
        case .allowedTLS:
            return "\(ts) \"- - -\" 0 - - - \"-\" \(600 + n % 300) \(5000 + n % 900) \(100 + n % 400) - \"-\" \"-\" \"-\" \"-\" \"93.184.216.34:443\" outbound|443||api.example.com 10.244.1.17:\(30_000 + n % 30_000) 93.184.216.34:443 10.244.1.17:\(sourcePort) api.example.com -"
        case .blockAllHTTP:
            let requestID = "7f3c\(Self.pad(n % 10_000, 4))-9b1e-4c2d-8a6f-\(Self.pad(n, 12))"
            return "\(ts) \"POST /v1/orders/\(n) HTTP/1.1\" 502 - direct_response - \"-\" 187 0 0 - \"-\" \"python-requests/2.31.0\" \"\(requestID)\" \"payments.partner.example\" \"-\" - - 240.240.0.\(n % 250 + 1):80 10.244.1.17:\(sourcePort) - block_all"
        }
    }

    /// `count` lines, each ending in a newline.
    func lines(_ count: Int, _ kind: Kind? = nil) -> String {
        (0..<count).map { _ in line(kind) + "\n" }.joined()
    }

    /// A CRI (containerd) record of `message`: `<ts> stdout P|F <message>`.
    func cri(_ message: String, partial: Bool = false) -> String {
        "\(Self.timestamp(number(), nanos: true)) stdout \(partial ? "P" : "F") \(message)"
    }
}

fileprivate let lines = AccessLines.shared

/// Appends `text` to `path` (created if missing) in one write, as a proxy's log writer does.
fileprivate func append(_ path: String, _ text: String) throws {
    let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw CocoaError(.fileWriteUnknown) }
    defer { close(fd) }
    try write(fd, text)
}

fileprivate func write(_ fd: Int32, _ text: String) throws {
    let bytes = Array(text.utf8)
    var done = 0
    while done < bytes.count {
        let n = bytes[done...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { throw CocoaError(.fileWriteUnknown) }
        done += n
    }
}

/// A thread appending a few lines every couple of milliseconds through one descriptor, like a busy sidecar.
fileprivate final class BackgroundWriter: @unchecked Sendable {
    private let path: String
    private let lock = NSLock()
    private var stopRequested = false
    private var writtenLines = 0
    private let finished = DispatchSemaphore(value: 0)

    init(path: String) { self.path = path }

    func start() {
        let thread = Thread { [self] in
            defer { finished.signal() }
            let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { return }
            defer { close(fd) }
            while true {
                lock.lock()
                let stop = stopRequested
                lock.unlock()
                if stop { return }
                let count = Int.random(in: 1...4)
                guard (try? write(fd, lines.lines(count))) != nil else { return }
                lock.lock()
                writtenLines += count
                lock.unlock()
                usleep(UInt32.random(in: 500...3000))
            }
        }
        thread.start()
    }

    var written: Int {
        lock.lock(); defer { lock.unlock() }
        return writtenLines
    }

    /// Stops the thread and returns how many lines it wrote.
    @discardableResult
    func stop() -> Int {
        lock.lock()
        let wasStopped = stopRequested
        stopRequested = true
        lock.unlock()
        if !wasStopped { finished.wait() }
        return written
    }
}

// MARK: - Tests

@Suite("tail end to end", .serialized)
struct TailTests {
    @Test("a line appended to a followed file is visible to another process's sql within 1 s")
    func appendIsVisibleWithinOneSecond() throws {
        let box = try TailSandbox()
        let file = box.log("app.log")
        try append(file, lines.lines(1))
        let tail = try TailProcess(["--from-start", box.logs], db: box.db, in: box)
        defer { tail.stop() }
        try TailE2E.waitForCount(1, db: box.db, in: box)

        for round in 1...3 {
            let written = Date()
            try append(file, lines.line() + "\n")
            try TailE2E.waitForCount(1 + round, db: box.db, in: box)
            let latency = Date().timeIntervalSince(written)
            #expect(latency < 1.0, "round \(round): the line took \(latency) s to be visible")
        }
        #expect(tail.terminate() == 0)
        #expect(try TailE2E.count(db: box.db, in: box) == 4)
        try TailE2E.expectNoDuplicates(db: box.db, in: box)
    }

    @Test("--poll (no inotify, as on network filesystems): appended lines are visible within 1 s")
    func pollingFallback() throws {
        let box = try TailSandbox()
        let file = box.log("app.log")
        try append(file, lines.lines(1))
        let tail = try TailProcess(["--from-start", "--poll", box.logs], db: box.db, in: box)
        defer { tail.stop() }
        try TailE2E.waitForCount(1, db: box.db, in: box)
        for round in 1...3 {
            let written = Date()
            try append(file, lines.line() + "\n")
            try TailE2E.waitForCount(1 + round, db: box.db, in: box)
            #expect(Date().timeIntervalSince(written) < 1.0)
        }
        #expect(tail.terminate() == 0)
        try TailE2E.expectNoDuplicates(db: box.db, in: box)
    }

    @Test("memory stays flat while tens of thousands of lines stream in over many read cycles")
    func memoryStaysFlat() throws {
        let box = try TailSandbox()
        let file = box.log("app.log")
        try append(file, lines.lines(1))
        let tail = try TailProcess(["--from-start", box.logs], db: box.db, in: box)
        defer { tail.stop() }
        try TailE2E.waitForCount(1, db: box.db, in: box)
        func rss() -> Int {
            let status = (try? String(contentsOfFile: "/proc/\(tail.pid)/status", encoding: .utf8)) ?? ""
            let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
            return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0   // KiB
        }
        var written = 1
        // Warm up: caches, SQLite's page cache and the read buffers reach their working size.
        for _ in 0..<10 { try append(file, lines.lines(1_000)); written += 1_000; usleep(50_000) }
        try TailE2E.waitForCount(written, db: box.db, in: box)
        let warm = rss()
        for _ in 0..<40 { try append(file, lines.lines(1_000)); written += 1_000; usleep(50_000) }
        try TailE2E.waitForCount(written, db: box.db, in: box)
        let after = rss()
        #expect(warm > 0 && after > 0)
        // Four times the lines of the warm-up: a per-line or per-cycle leak would show; flat memory does not.
        #expect(after - warm < 8 * 1024, "RSS grew from \(warm) KiB to \(after) KiB over \(written) lines")
        #expect(tail.terminate() == 0)
    }

    @Test("a last line without its newline is held until it is complete, then stored once")
    func partialLastLine() throws {
        let box = try TailSandbox()
        let file = box.log("app.log")
        try append(file, lines.lines(1))
        let tail = try TailProcess(["--from-start", box.logs], db: box.db, in: box)
        defer { tail.stop() }
        try TailE2E.waitForCount(1, db: box.db, in: box)

        let half = lines.line()
        let cut = half.index(half.startIndex, offsetBy: half.count / 2)
        var before = try TailE2E.lastRead(db: box.db, in: box)
        try append(file, String(half[..<cut]))
        try TailE2E.waitForRead(after: before, db: box.db, in: box)
        #expect(try TailE2E.count(db: box.db, in: box) == 1, "half a line was stored")

        // Still incomplete after a second write.
        before = try TailE2E.lastRead(db: box.db, in: box)
        let cut2 = half.index(cut, offsetBy: 10)
        try append(file, String(half[cut..<cut2]))
        try TailE2E.waitForRead(after: before, db: box.db, in: box)
        #expect(try TailE2E.count(db: box.db, in: box) == 1, "part of a line was stored")

        try append(file, String(half[cut2...]) + "\n")
        try TailE2E.waitForCount(2, db: box.db, in: box)
        try append(file, lines.lines(2))
        try TailE2E.waitForCount(4, db: box.db, in: box)
        #expect(tail.terminate() == 0)
        #expect(try TailE2E.count(db: box.db, in: box) == 4)
        try TailE2E.expectNoDuplicates(db: box.db, in: box)
        // The completed line is stored whole, not as two halves.
        #expect(try TailE2E.scalar("SELECT count(*) FROM rejects", db: box.db, in: box) == 0)

        // Ingesting the file afterwards adds nothing.
        let ingest = try TailE2E.run(["ingest", "--db", box.db, file], in: box)
        #expect(ingest.status == 0, "\(ingest.stderr)")
        #expect(try TailE2E.count(db: box.db, in: box) == 4)
    }

    @Test("a new file whose first line arrives in pieces: one call, one ingested_files row")
    func newFileFirstLineInPieces() throws {
        let box = try TailSandbox()
        let marker = box.log("marker.log")
        let file = box.log("new.log")
        try append(marker, lines.lines(1))
        let tail = try TailProcess(["--from-start", box.logs], db: box.db, in: box)
        defer { tail.stop() }
        var expected = 1
        try TailE2E.waitForCount(expected, db: box.db, in: box)
        // Two marker lines, each awaited: the cycle that stores the second one started after the first was
        // visible, so it looked at every file written before.
        func fullCycle() throws {
            for _ in 0..<2 {
                try append(marker, lines.lines(1))
                expected += 1
                try TailE2E.waitForCount(expected, db: box.db, in: box)
            }
        }
        func rows() throws -> Int? {
            try TailE2E.scalar("SELECT count(*) FROM ingested_files WHERE path LIKE '%new.log'", db: box.db, in: box)
        }

        let line = lines.line(.allowedTLS)
        let cuts = [line.index(line.startIndex, offsetBy: 40), line.index(line.startIndex, offsetBy: 120)]
        try append(file, String(line[..<cuts[0]]))
        try fullCycle()
        try append(file, String(line[cuts[0]..<cuts[1]]))
        try fullCycle()
        #expect(try rows() == 0, "an input without one complete line was recorded")
        try append(file, String(line[cuts[1]...]) + "\n")
        expected += 1
        try TailE2E.waitForCount(expected, db: box.db, in: box)
        #expect(tail.terminate() == 0)
        #expect(try rows() == 1)
        #expect(try TailE2E.count(db: box.db, in: box) == expected)
        try TailE2E.expectNoDuplicates(db: box.db, in: box)
    }

    @Test("files there at start are followed from their end, resumed from their checkpoint, read whole with --from-start")
    func filesPresentAtStart() throws {
        let box = try TailSandbox()
        let file = box.log("app.log")
        try append(file, lines.lines(3))
        do {
            let tail = try TailProcess([box.logs], db: box.db, in: box)
            defer { tail.stop() }
            // The file is recorded as read up to its end (a row in ingested_files) before new lines count.
            #expect(try TailE2E.poll { try TailE2E.scalar("SELECT count(*) FROM ingested_files", db: box.db, in: box) == 1 })
            #expect(try TailE2E.count(db: box.db, in: box) == 0)
            try append(file, lines.lines(2))
            try TailE2E.waitForCount(2, db: box.db, in: box)
            #expect(tail.terminate() == 0)
            #expect(tail.stderr.contains("skipped"), "the summary should say lines were skipped: \(tail.stderr)")
        }
        // Lines written while no tail ran: the known file resumes at its checkpoint, even without --from-start.
        try append(file, lines.lines(4))
        do {
            let tail = try TailProcess([box.logs], db: box.db, in: box)
            defer { tail.stop() }
            try TailE2E.waitForCount(6, db: box.db, in: box)
            try append(file, lines.lines(1))
            try TailE2E.waitForCount(7, db: box.db, in: box)
            #expect(tail.terminate() == 0)
        }
        #expect(try TailE2E.count(db: box.db, in: box) == 7)
        try TailE2E.expectNoDuplicates(db: box.db, in: box)

        // --from-start into another database reads the whole file.
        let whole = box.path + "/whole.db"
        let tail = try TailProcess(["--from-start", box.logs], db: whole, in: box)
        defer { tail.stop() }
        try TailE2E.waitForCount(10, db: whole, in: box)
        #expect(tail.terminate() == 0)
        #expect(try TailE2E.count(db: whole, in: box) == 10)
    }

    @Test("rename and create: the old file is drained, the new one read from its start")
    func renameAndCreate() throws {
        let box = try TailSandbox()
        let file = box.log("x.log")
        // The proxy keeps its descriptor across the rename, like a writer that reopens only later.
        let writer = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        try #require(writer >= 0)
        var writerOpen = true
        defer { if writerOpen { close(writer) } }
        try write(writer, lines.lines(3))
        // A glob: the rotated name no longer matches, so only the open descriptor leads to it.
        let tail = try TailProcess(["--from-start", box.logs + "/*.log"], db: box.db, in: box)
        defer { tail.stop() }
        try TailE2E.waitForCount(3, db: box.db, in: box)

        #expect(rename(file, file + ".1") == 0)
        try write(writer, lines.lines(2))          // late lines into the rotated file
        try append(file, lines.lines(3))           // the new file
        try TailE2E.waitForCount(8, db: box.db, in: box)
        try write(writer, lines.lines(1))          // the rotated file still being drained
        close(writer)
        writerOpen = false
        try append(file, lines.lines(2))
        try TailE2E.waitForCount(11, db: box.db, in: box)
        #expect(tail.terminate() == 0)
        #expect(try TailE2E.count(db: box.db, in: box) == 11)
        try TailE2E.expectNoDuplicates(db: box.db, in: box)
        #expect(try TailE2E.scalar("SELECT count(*) FROM calls WHERE log_file LIKE '%x.log'", db: box.db, in: box) == 11)
    }

    @Test("copytruncate: the truncated file is read from 0; the copy ingested later adds nothing, nor its gzip")
    func copyTruncate() throws {
        let box = try TailSandbox()
        let file = box.log("x.log")
        let writer = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        try #require(writer >= 0)
        defer { close(writer) }
        try write(writer, lines.lines(4))
        let tail = try TailProcess(["--from-start", box.logs + "/*.log"], db: box.db, in: box)
        defer { tail.stop() }
        try TailE2E.waitForCount(4, db: box.db, in: box)

        // logrotate's copytruncate: copy, then truncate in place; the writer goes on at offset 0 (O_APPEND).
        try FileManager.default.copyItem(atPath: file, toPath: file + ".1")
        #expect(truncate(file, 0) == 0)
        try write(writer, lines.lines(3))
        try TailE2E.waitForCount(7, db: box.db, in: box)
        try write(writer, lines.lines(2))
        try TailE2E.waitForCount(9, db: box.db, in: box)
        #expect(tail.terminate() == 0)
        #expect(try TailE2E.count(db: box.db, in: box) == 9)

        // The rotated copy holds only lines already counted.
        let ingest = try TailE2E.run(["ingest", "--db", box.db, file + ".1"], in: box)
        #expect(ingest.status == 0, "\(ingest.stderr)")
        #expect(try TailE2E.count(db: box.db, in: box) == 9)
        // So does its gzip, later.
        let gzip = try TailE2E.run(["gzip", file + ".1"], executable: "/usr/bin/env", in: box)
        try #require(gzip.status == 0, "gzip failed: \(gzip.stderr)")
        let again = try TailE2E.run(["ingest", "--db", box.db, file + ".1.gz", file], in: box)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try TailE2E.count(db: box.db, in: box) == 9)
        try TailE2E.expectNoDuplicates(db: box.db, in: box)
    }

    @Test("copytruncate with lines written between the copy and the truncate: the copy adds nothing")
    func copyTruncateWithLinesBetween() throws {
        let box = try TailSandbox()
        let file = box.log("x.log")
        let writer = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        try #require(writer >= 0)
        defer { close(writer) }
        try write(writer, lines.lines(4))
        let tail = try TailProcess(["--from-start", box.logs + "/*.log"], db: box.db, in: box)
        defer { tail.stop() }
        try TailE2E.waitForCount(4, db: box.db, in: box)

        try FileManager.default.copyItem(atPath: file, toPath: file + ".1")
        try write(writer, lines.lines(1))          // after the copy, before the truncate: tail reads it
        try TailE2E.waitForCount(5, db: box.db, in: box)
        #expect(truncate(file, 0) == 0)
        try write(writer, lines.lines(3))
        try TailE2E.waitForCount(8, db: box.db, in: box)
        #expect(tail.terminate() == 0)

        let ingest = try TailE2E.run(["ingest", "--db", box.db, file + ".1"], in: box)
        #expect(ingest.status == 0, "\(ingest.stderr)")
        #expect(try TailE2E.count(db: box.db, in: box) == 8)
        try TailE2E.expectNoDuplicates(db: box.db, in: box)
    }

    @Test("copytruncate in a followed folder: the copy, seen by tail while it is still being written, adds nothing")
    func copyTruncateCopySeenWhileWritten() throws {
        let box = try TailSandbox()
        let file = box.log("x.log")
        let writer = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        try #require(writer >= 0)
        defer { close(writer) }
        try write(writer, lines.lines(1_000))      // over 64 KiB, so the copy is written in pieces
        let tail = try TailProcess(["--from-start", box.logs], db: box.db, in: box)
        defer { tail.stop() }
        try TailE2E.waitForCount(1_000, db: box.db, in: box)

        // A copy written in two pieces, as `cp` of a large file is; tail sees the first piece.
        let content = try #require(FileManager.default.contents(atPath: file))
        let copy = file + ".1"
        try append(copy, String(decoding: content.prefix(content.count / 2), as: UTF8.self))
        // Recognised as read, the half copy leaves no trace to wait for: give tail a few intervals to see it.
        usleep(400_000)
        try append(copy, String(decoding: content.dropFirst(content.count / 2), as: UTF8.self))
        #expect(truncate(file, 0) == 0)
        try write(writer, lines.lines(2))
        try TailE2E.waitForCount(1_002, db: box.db, in: box)
        #expect(tail.terminate() == 0)
        #expect(try TailE2E.count(db: box.db, in: box) == 1_002)
        try TailE2E.expectNoDuplicates(db: box.db, in: box)
    }

    @Test("truncation to zero, then new lines (shorter, then longer than before)")
    func truncation() throws {
        let box = try TailSandbox()
        let file = box.log("x.log")
        try append(file, lines.lines(3))
        let tail = try TailProcess(["--from-start", file], db: box.db, in: box)
        defer { tail.stop() }
        try TailE2E.waitForCount(3, db: box.db, in: box)

        #expect(truncate(file, 0) == 0)
        try append(file, lines.lines(2))
        try TailE2E.waitForCount(5, db: box.db, in: box)

        #expect(truncate(file, 0) == 0)
        try append(file, lines.lines(6))
        try TailE2E.waitForCount(11, db: box.db, in: box)
        try append(file, lines.lines(1))
        try TailE2E.waitForCount(12, db: box.db, in: box)
        #expect(tail.terminate() == 0)
        #expect(try TailE2E.count(db: box.db, in: box) == 12)
        try TailE2E.expectNoDuplicates(db: box.db, in: box)
    }

    @Test("files appearing later under a followed folder or matching a quoted glob are read from their start")
    func newFilesInFolderAndGlob() throws {
        let box = try TailSandbox()
        try box.mkdir("app")
        try box.mkdir("containers")
        try append(box.log("app/old.log"), lines.lines(2))
        // The glob goes to tail as one argument, unexpanded, as a quoted shell word would.
        let glob = box.logs + "/containers/*istio-proxy*.log"
        let tail = try TailProcess([box.log("app"), glob], db: box.db, in: box)
        defer { tail.stop() }
        // The file there at start is recorded at its end first.
        #expect(try TailE2E.poll { try TailE2E.scalar("SELECT count(*) FROM ingested_files", db: box.db, in: box) == 1 })

        try append(box.log("app/new.log"), lines.lines(2))
        try box.mkdir("app/deeper")
        try append(box.log("app/deeper/more.log"), lines.lines(1))
        try append(box.log("containers/reviews-v2-7d9f8c6b5-abcde_bookinfo_istio-proxy-472bcdd82df3951563e5b8df9163b634b37a74157603a33829da15f9c800fef9.log"), lines.lines(3))
        try append(box.log("containers/reviews-v2-7d9f8c6b5-abcde_bookinfo_reviews-9c1e83a0d5b24f7e8a6c3d1b0f9e2a7c4b5d6e8f0a1b2c3d4e5f60718293a4b5.log"), lines.lines(2))  // no match
        try TailE2E.waitForCount(6, db: box.db, in: box)
        try append(box.log("app/new.log"), lines.lines(1))
        try TailE2E.waitForCount(7, db: box.db, in: box)
        #expect(tail.terminate() == 0)
        #expect(try TailE2E.count(db: box.db, in: box) == 7)
        #expect(try TailE2E.scalar("SELECT count(*) FROM calls WHERE instr(log_file, '_bookinfo_reviews-') > 0", db: box.db, in: box) == 0)
        // The source workload comes from the kubelet file name.
        #expect(try TailE2E.scalar("SELECT count(*) FROM calls WHERE source_pod = 'reviews-v2-7d9f8c6b5-abcde' AND source_namespace = 'bookinfo'",
                                   db: box.db, in: box) == 3)
        try TailE2E.expectNoDuplicates(db: box.db, in: box)
    }

    @Test("a rotated file gzipped in the followed folder adds nothing, and neither does ingesting the gzip later")
    func gzipOfRotatedFile() throws {
        let box = try TailSandbox()
        let file = box.log("x.log")
        try append(file, lines.lines(5))
        let tail = try TailProcess(["--from-start", box.logs], db: box.db, in: box)
        defer { tail.stop() }
        try TailE2E.waitForCount(5, db: box.db, in: box)

        // Rotation by rename (containerd, logrotate without copytruncate), then the rotated file compressed.
        #expect(rename(file, file + ".1") == 0)
        try append(file, lines.lines(2))
        try TailE2E.waitForCount(7, db: box.db, in: box)
        let gzip = try TailE2E.run(["gzip", file + ".1"], executable: "/usr/bin/env", in: box)
        try #require(gzip.status == 0, "gzip failed: \(gzip.stderr)")
        // tail sees the .gz, recognises its content and records where it was read from.
        let seen = try TailE2E.poll {
            try TailE2E.scalar("SELECT count(*) FROM ingested_files WHERE path LIKE '%.gz'", db: box.db, in: box) == 1
        }
        #expect(seen, "tail did not look at x.log.1.gz")
        try append(file, lines.lines(1))
        try TailE2E.waitForCount(8, db: box.db, in: box)
        #expect(tail.terminate() == 0)
        #expect(try TailE2E.count(db: box.db, in: box) == 8)

        let ingest = try TailE2E.run(["ingest", "--db", box.db, file + ".1.gz"], in: box)
        #expect(ingest.status == 0, "\(ingest.stderr)")
        #expect(try TailE2E.count(db: box.db, in: box) == 8)
        try TailE2E.expectNoDuplicates(db: box.db, in: box)
    }

    @Test("a CRI P record at the end waits for its F: one call, stored once")
    func criPartialRecord() throws {
        let box = try TailSandbox()
        let file = box.log("0.log")
        try append(file, lines.cri(lines.line(.blackHole)) + "\n")
        let tail = try TailProcess(["--from-start", box.logs], db: box.db, in: box)
        defer { tail.stop() }
        try TailE2E.waitForCount(1, db: box.db, in: box)

        let long = lines.line(.blockAllHTTP)
        let cut = long.index(long.startIndex, offsetBy: 90)
        let before = try TailE2E.lastRead(db: box.db, in: box)
        try append(file, lines.cri(String(long[..<cut]), partial: true) + "\n")
        try TailE2E.waitForRead(after: before, db: box.db, in: box)
        #expect(try TailE2E.count(db: box.db, in: box) == 1, "the P part alone was stored")
        #expect(try TailE2E.scalar("SELECT count(*) FROM rejects", db: box.db, in: box) == 0, "the P part was rejected")

        try append(file, lines.cri(String(long[cut...])) + "\n")
        try TailE2E.waitForCount(2, db: box.db, in: box)
        try append(file, lines.cri(lines.line(.blackHole)) + "\n")
        try TailE2E.waitForCount(3, db: box.db, in: box)
        #expect(tail.terminate() == 0)
        #expect(try TailE2E.count(db: box.db, in: box) == 3)
        #expect(try TailE2E.scalar("SELECT count(*) FROM calls WHERE route_name = 'block_all' AND response_code = 502 AND path LIKE '/v1/orders/%'",
                                   db: box.db, in: box) == 1)
        #expect(try TailE2E.scalar("SELECT count(*) FROM rejects", db: box.db, in: box) == 0)
        let ingest = try TailE2E.run(["ingest", "--db", box.db, file], in: box)
        #expect(ingest.status == 0, "\(ingest.stderr)")
        #expect(try TailE2E.count(db: box.db, in: box) == 3)
        try TailE2E.expectNoDuplicates(db: box.db, in: box)
    }

    @Test("SIGTERM while lines stream in: exit 0 with the summary; a restart stores the rest exactly once")
    func sigtermThenRestart() throws {
        let box = try TailSandbox()
        let file = box.log("app.log")
        try append(file, lines.lines(20_000))      // a backlog, so the stop lands mid-read
        let writer = BackgroundWriter(path: file)
        writer.start()
        defer { writer.stop() }

        let first = try TailProcess(["--from-start", box.logs], db: box.db, in: box)
        defer { first.stop() }
        #expect(try TailE2E.poll { (try TailE2E.count(db: box.db, in: box) ?? 0) > 0 })
        let status = first.terminate()
        #expect(status == 0, "tail exited \(String(describing: status)): \(first.stderr)")
        #expect(first.stderr.contains("outbound calls"), "no summary on stderr: \(first.stderr)")
        let stored = try #require(try TailE2E.count(db: box.db, in: box))

        let second = try TailProcess([box.logs], db: box.db, in: box)
        defer { second.stop() }
        #expect(try TailE2E.poll { (try TailE2E.count(db: box.db, in: box) ?? 0) > stored })
        let total = 20_000 + writer.stop()
        try TailE2E.waitForCount(total, db: box.db, in: box, within: 10)
        #expect(second.terminate() == 0)
        #expect(try TailE2E.count(db: box.db, in: box) == total)
        try TailE2E.expectNoDuplicates(db: box.db, in: box)
    }

    @Test("kill -9 at random moments while a writer appends, then restart: the count is exact")
    func killNineThenRestart() throws {
        let box = try TailSandbox()
        let file = box.log("app.log")
        let writer = BackgroundWriter(path: file)
        writer.start()
        defer { writer.stop() }

        var previous = 0
        for round in 1...4 {
            try append(file, lines.lines(3_000))   // a burst: the kill may land inside a transaction
            let tail = try TailProcess(["--from-start", box.logs], db: box.db, in: box)
            defer { tail.stop() }
            let progressed = try TailE2E.poll(10) { (try TailE2E.count(db: box.db, in: box) ?? 0) > previous }
            #expect(progressed, "round \(round): no progress after restart")
            usleep(UInt32.random(in: 0...150_000))
            tail.kill9()
            #expect(!tail.isRunning)
            #expect(tail.process.terminationReason == .uncaughtSignal)
            previous = try TailE2E.count(db: box.db, in: box) ?? previous
        }
        let tail = try TailProcess(["--from-start", box.logs], db: box.db, in: box)
        defer { tail.stop() }
        usleep(UInt32.random(in: 50_000...200_000))  // the writer still going while tail catches up
        let total = 4 * 3_000 + writer.stop()
        try TailE2E.waitForCount(total, db: box.db, in: box, within: 15)
        #expect(tail.terminate() == 0)
        #expect(try TailE2E.count(db: box.db, in: box) == total)
        try TailE2E.expectNoDuplicates(db: box.db, in: box)
    }

    @Test("a second tail on the same database refuses with a non-zero exit naming the first one's pid")
    func secondTailRefuses() throws {
        let box = try TailSandbox()
        let file = box.log("app.log")
        try append(file, lines.lines(1))
        let first = try TailProcess(["--from-start", box.logs], db: box.db, in: box)
        defer { first.stop() }
        try TailE2E.waitForCount(1, db: box.db, in: box)

        let second = try TailProcess(["--from-start", box.logs], db: box.db, in: box)
        defer { second.stop() }
        #expect(second.waitForExit(), "the second tail kept running")
        #expect(second.process.terminationStatus != 0)
        #expect(second.stderr.contains("pid \(first.pid)"), "message does not name pid \(first.pid): \(second.stderr)")

        // The first one goes on, and nothing was read twice.
        #expect(first.isRunning)
        try append(file, lines.lines(2))
        try TailE2E.waitForCount(3, db: box.db, in: box)
        #expect(first.terminate() == 0)
        #expect(try TailE2E.count(db: box.db, in: box) == 3)
        try TailE2E.expectNoDuplicates(db: box.db, in: box)
    }

    @Test("sql, suggest and unused run against the database while tail writes")
    func concurrentReaders() throws {
        let box = try TailSandbox()
        let file = box.log("app.log")
        let entries = box.path + "/entries.yaml"
        try """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata:
              name: example-api
              namespace: default
            spec:
              hosts: ["api.example.com"]
              ports:
              - number: 443
                name: tls
                protocol: TLS
              resolution: DNS
            """.write(toFile: entries, atomically: true, encoding: .utf8)
        let writer = BackgroundWriter(path: file)
        writer.start()
        defer { writer.stop() }
        let tail = try TailProcess(["--from-start", box.logs], db: box.db, in: box)
        defer { tail.stop() }
        #expect(try TailE2E.poll { (try TailE2E.count(db: box.db, in: box) ?? 0) > 0 })

        var last = 0
        for i in 0..<12 {
            let output = try TailE2E.run(["sql", "--db", box.db, "--format", "csv", "SELECT count(*) FROM calls"], in: box)
            #expect(output.status == 0, "sql failed while tail writes: \(output.stderr)")
            let now = Int(output.stdout.split(whereSeparator: \.isNewline).last ?? "") ?? -1
            #expect(now >= last, "the count went back from \(last) to \(now)")
            last = now
            if i % 4 == 0 {
                let suggest = try TailE2E.run(["suggest", "--db", box.db, "--entries", entries, "--format", "json"], in: box)
                #expect(suggest.status == 0, "suggest failed while tail writes: \(suggest.stderr)")
                let unused = try TailE2E.run(["unused", "--db", box.db, "--entries", entries, "--format", "json"], in: box)
                #expect(unused.status == 0, "unused failed while tail writes: \(unused.stderr)")
            }
        }
        let total = writer.stop()
        try TailE2E.waitForCount(total, db: box.db, in: box)
        #expect(tail.terminate() == 0)
        #expect(try TailE2E.count(db: box.db, in: box) == total)
        let integrity = try TailE2E.run(["sql", "--db", box.db, "--format", "csv", "PRAGMA integrity_check"], in: box)
        #expect(integrity.stdout.contains("ok"), "\(integrity.stdout) \(integrity.stderr)")
    }

    @Test("a symlink retargeted to a new file (kubelet's /var/log/containers): old target drained, new one read from its start")
    func symlinkRetarget() throws {
        let box = try TailSandbox()
        try box.mkdir("pods")
        try box.mkdir("containers")
        let old = box.log("pods/0.log")
        let new = box.log("pods/1.log")
        let link = box.log("containers/httpbin-6f7b9c8d5-x2k4p_default_istio-proxy-0a1b.log")
        try append(old, lines.lines(2))
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: old)
        let tail = try TailProcess(["--from-start", box.logs + "/containers/*.log"], db: box.db, in: box)
        defer { tail.stop() }
        try TailE2E.waitForCount(2, db: box.db, in: box)

        // The container restarted: a new log file, the link swapped atomically, a late line in the old one.
        try append(new, lines.lines(3))
        try FileManager.default.createSymbolicLink(atPath: link + ".tmp", withDestinationPath: new)
        #expect(rename(link + ".tmp", link) == 0)
        try append(old, lines.lines(1))
        try TailE2E.waitForCount(6, db: box.db, in: box)
        try append(new, lines.lines(1))
        try TailE2E.waitForCount(7, db: box.db, in: box)
        #expect(tail.terminate() == 0)
        #expect(try TailE2E.count(db: box.db, in: box) == 7)
        try TailE2E.expectNoDuplicates(db: box.db, in: box)
    }

    @Test("--summary-every prints a running summary naming new blocked destinations")
    func runningSummary() throws {
        let box = try TailSandbox()
        let file = box.log("app.log")
        try append(file, lines.lines(1, .allowedTLS))
        let tail = try TailProcess(["--from-start", "--summary-every", "0.3s", box.logs], db: box.db, in: box)
        defer { tail.stop() }
        try TailE2E.waitForCount(1, db: box.db, in: box)
        let blocked = lines.line(.blackHole)
        let destination = try #require(blocked.split(separator: " ").first { $0.hasPrefix("54.204.25.") })
        try append(file, blocked + "\n")
        let printed = TailE2E.poll { tail.stderr.contains("new blocked: \(destination)") }
        #expect(printed, "no running summary naming \(destination): \(tail.stderr)")
        #expect(tail.terminate() == 0)
    }

    // Slow by design: a deleted file is drained for FollowOptions.drainGrace (5 s) before its descriptor is
    // closed, so this test takes about 5.3 s.
    @Test("the descriptor of a deleted file is released after the drain grace")
    func deletedFileDescriptorReleased() throws {
        let box = try TailSandbox()
        let kept = box.log("a.log")
        let deleted = box.log("b.log")
        try append(kept, lines.lines(1))
        try append(deleted, lines.lines(1))
        let tail = try TailProcess(["--from-start", box.logs], db: box.db, in: box)
        defer { tail.stop() }
        try TailE2E.waitForCount(2, db: box.db, in: box)
        #expect(tail.descriptors(to: kept) == 1)
        #expect(tail.descriptors(to: deleted) == 1)

        let removed = Date()
        #expect(unlink(deleted) == 0)
        let released = TailE2E.poll(10) { tail.descriptors(to: deleted) == 0 }
        #expect(released, "the deleted file is still open after \(Date().timeIntervalSince(removed)) s")
        #expect(tail.descriptors(to: kept) == 1)
        // And tail still follows the other file.
        try append(kept, lines.lines(1))
        try TailE2E.waitForCount(3, db: box.db, in: box)
        #expect(tail.terminate() == 0)
    }
}
