#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Streams inputs into the database: bytes → lines → wrappers → access lines → classification →
/// `call_facts`, with each file's checkpoint committed in the same transaction as its rows.
///
/// Inputs are identified by content (a hash of their first 64 KiB and of the last line read), so the same
/// file again, a renamed copy or a gzip of it adds nothing, and a file that grew adds its new lines only.
public final class Ingestor {
    /// Bytes of content that identify an input.
    public static let headSize = 64 << 10
    /// Bytes before the checkpoint that must match to resume.
    static let tailSize = 4096
    /// Bytes of a rejected line kept in `rejects`.
    static let excerptSize = 512

    public let database: SQLiteDatabase
    public let options: IngestOptions
    let writer: CallWriter
    /// The batches of the last input's queue, for the next (see `BatchQueue.init(reusing:)`).
    private var spareBatches: [RowBatch] = []
    let files: IngestedFiles
    private let rejectStatement: SQLiteStatement
    private let podServiceStatement: SQLiteStatement
    /// Inbound mTLS evidence of the batches written since the last commit, summed (see `RowBatch.podServices`):
    /// written once a commit, not once a batch (a few dozen pods answer for hundreds of batches).
    private var podServiceSums: [UInt64: (key: PodServiceKey, count: PodServiceCount)] = [:]
    private let fixedFormat: LineFormat?
    /// Copies the write-ahead log into the database off this thread (nil: SQLite does it at each commit).
    private let checkpointer: Checkpointer?
    /// Held while writing, so two writers never take the same new content for theirs.
    public let writerLock: WriterLock
    /// Called when another writer holds the database and this one waits for it: while opening the database, and
    /// again when `ingest` has to wait.
    public var onWait: (() -> Void)?
    /// Called about four times a second while reading (for a progress line).
    public var onProgress: ((IngestProgress) -> Void)?
    public internal(set) var summary = IngestSummary()

    /// Opens (creating and upgrading as needed) the database at `databasePath`. The schema is set up under the
    /// writer lock, so a second ingest waits for the first (`onWait`, called once if it has to) instead of
    /// timing out on SQLite's lock while the first one commits transaction after transaction.
    public init(databasePath: String, options: IngestOptions = IngestOptions(), onWait: (() -> Void)? = nil) throws {
        self.options = options
        self.onWait = onWait
        let lock = try WriterLock(databasePath: databasePath)
        writerLock = lock
        lock.lock(waiting: { onWait?() })
        defer { lock.unlock() }
        database = try SQLiteDatabase(path: databasePath)
        // Debian builds SQLite with secure_delete on (freed cells and pages zeroed); ingest only appends, and the
        // zeroing during page splits cost ~1 % of the writer.
        try database.execute("""
            PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -\(options.pageCacheKiB);
            PRAGMA secure_delete = OFF;
            """)
        try Schema.migrate(database)
        writer = try CallWriter(database: database, summaryFlushEntries: options.summaryFlushEntries)
        files = try IngestedFiles(database: database)
        rejectStatement = try database.prepare("INSERT INTO rejects (file_id, log_file, log_line, reason, excerpt) VALUES (?1, ?2, ?3, ?4, ?5)")
        podServiceStatement = try database.prepare("""
            INSERT INTO pod_services (ip, service, namespace, calls, first_ts, last_ts) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
            ON CONFLICT (ip, service) DO UPDATE SET calls = calls + excluded.calls,
                first_ts = min(coalesce(first_ts, excluded.first_ts), coalesce(excluded.first_ts, first_ts)),
                last_ts = max(coalesce(last_ts, excluded.last_ts), coalesce(excluded.last_ts, last_ts))
            """)
        fixedFormat = try options.logFormat.map { try FormatPresets.resolve($0) }
        // Last: nothing after it may throw, or its thread would outlive this ingestor.
        checkpointer = try? Checkpointer(writer: database)
    }

    deinit { checkpointer?.stop() }

    // MARK: Inputs

    /// The database's own files (main, WAL, shared memory, journal, tail lock), by real path: never read as logs.
    public lazy var ownFiles: Set<String> = {
        let base = database.path
        return Set([base, base + "-wal", base + "-shm", base + "-journal", base + ".tail.lock", base + ".ingest.lock"].map(Ingestor.realPath))
    }()

    /// The canonical path of `path` (itself when it does not exist).
    static func realPath(_ path: String) -> String {
        guard let p = realpath(path, nil) else {
            return (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
        }
        defer { free(p) }
        return String(cString: p)
    }

    /// Whether `path` is one of the database's own files.
    public func isOwnFile(_ path: String) -> Bool {
        path != "-" && ownFiles.contains(Ingestor.realPath(path))
    }

    /// Ingests files, folders (walked recursively in name order) and `-` (standard input).
    /// Never stops at a bad input: its error is recorded in the summary and the rest go on.
    @discardableResult
    public func ingest(paths: [String]) -> IngestSummary {
        let started = Date()
        do {
            try whileWriting(waiting: { onWait?() }) {
                for path in paths {
                    do {
                        for file in try InputWalker.files(at: path) where !isOwnFile(file) {
                            do { try ingestFile(path: file) } catch { summary.errors.append("\(error)") }
                        }
                    } catch {
                        summary.errors.append("\(error)")
                    }
                }
                // Once for all the inputs: the sums of a folder of files are written together, not file by file.
                do { try flushSummaries() } catch { summary.errors.append("\(error)") }
            }
        } catch {
            summary.errors.append("\(error)")
        }
        summary.seconds += Date().timeIntervalSince(started)
        return summary
    }

    /// Runs `body` holding the writer lock (`waiting` is called once if another writer holds it first). Another
    /// writer may have added rows while the lock was free, so the writer checks which tables are empty when it
    /// takes the lock (their new keys need no lookup) and forgets it when the lock goes.
    func whileWriting(waiting: () -> Void, _ body: () -> Void) throws {
        writerLock.lock(waiting: waiting)
        defer { writer.endWriting(); writerLock.unlock() }
        try writer.beginWriting()
        body()
    }

    /// Writes the report summaries of the calls stored since they were last written, in a transaction of their
    /// own. Until then the summary views read those calls themselves (see `SummaryWriter`), so a run stopped
    /// before this loses nothing.
    func flushSummaries() throws {
        guard writer.summaries.hasSums else { return }
        try database.execute("BEGIN IMMEDIATE")
        do {
            try writer.summaries.flush()
            try database.execute("COMMIT")
        } catch {
            try? database.execute("ROLLBACK")
            writer.clearCaches()
            throw error
        }
    }

    /// Ingests one file (or `-`); its sums are written by `flushSummaries()`.
    func ingestFile(path: String) throws {
        var excluded: Set<Int64> = []
        // A candidate whose tail did not verify after skipping through a stream: start over without it.
        while true {
            if try ingestFile(path: path, descriptor: nil, follow: false, excluding: &excluded) { return }
        }
    }

    /// Reads what is new in a followed file through its open descriptor (which keeps pointing at the same
    /// file after a rename or deletion). A last line without newline, and CRI `P` parts without their `F`,
    /// wait for the next call.
    public func ingest(descriptor: Int32, path: String) throws {
        var excluded: Set<Int64> = []
        while true {
            if try ingestFile(path: path, descriptor: descriptor, follow: true, excluding: &excluded) { return }
        }
    }

    private func openContent(_ path: String, descriptor: Int32?) throws -> (reader: LineReader, raw: FileByteSource, gzip: Bool, prefetch: PrefetchingByteSource?) {
        let raw: FileByteSource
        if let descriptor {
            raw = FileByteSource(descriptor: dup(descriptor), name: path, owns: true)
            _ = raw.seek(to: 0)
        } else {
            raw = path == "-" ? FileByteSource(standardInput: ()) : try FileByteSource(path: path)
        }
        let peek = PeekableByteSource(upstream: raw)
        let gzip = try peek.peek(2) == [0x1f, 0x8b]
        if gzip {
            // Inflate on its own thread; parsing and SQLite run on this one.
            let prefetch = PrefetchingByteSource(upstream: try GzipByteSource(upstream: peek, name: path))
            return (LineReader(source: prefetch), raw, true, prefetch)
        }
        return (LineReader(source: peek), raw, false, nil)
    }

    /// Returns false to be called again (with `excluded` grown) after a failed verification.
    private func ingestFile(path: String, descriptor: Int32?, follow: Bool, excluding excluded: inout Set<Int64>) throws -> Bool {
        var (reader, raw, gzip, prefetch) = try openContent(path, descriptor: descriptor)
        defer { prefetch?.cancel() }
        summary.files += 1
        try reader.fill(atLeast: Ingestor.headSize)
        let head = Array(reader.buffered.prefix(Ingestor.headSize))
        if head.isEmpty { return true }

        // Identity: a known input with the same head whose last-read line is also here.
        var resumed: (FileCheckpoint, FileCounts)?
        let candidates = try head.withUnsafeBytes { try files.candidates(head: $0) }.filter { !excluded.contains($0.0.id) }
        for (candidate, counts) in candidates {
            switch try locate(candidate, reader: &reader, raw: raw, gzip: gzip) {
            case .verified:
                resumed = (candidate, counts)
            case .mismatch:
                continue
            case .prefix:
                // A copy of content read already: nothing is new.
                summary.unchangedFiles += 1
                return true
            case .consumedMismatch:
                guard path != "-" else {
                    throw InputError.readFailed(path: path, reason: "its start matches an input ingested before but its content differs later; standard input cannot be read twice, so save it to a file and ingest that")
                }
                excluded.insert(candidate.id)
                summary.files -= 1
                return false
            }
            if resumed != nil { break }
        }
        if resumed == nil, !gzip, let size = raw.fileSize, try isPrefixOfReadContent(head: head, size: size, raw: raw) {
            // A copy of content read already (copytruncate, a copy caught while written): nothing is new.
            summary.unchangedFiles += 1
            return true
        }
        if let (checkpoint, _) = resumed {
            if checkpoint.bytes > 0 { summary.resumedFiles += 1 }
        }
        let run = FileRun(path: path, gzip: gzip, head: head, resumed: resumed, size: gzip ? nil : raw.fileSize, follow: follow)
        try process(run, reader: reader)
        if run.linesRead == 0 && resumed != nil { summary.resumedFiles -= 1; summary.unchangedFiles += 1 }
        return true
    }

    // MARK: Lines

    /// Per-input state while its lines are read.
    final class FileRun {
        let path: String
        let gzip: Bool
        let head: [UInt8]
        var checkpoint: FileCheckpoint
        var counts: FileCounts
        let isNew: Bool
        var linesRead: Int64 = 0
        /// The input's size when it is a regular file (plain, not gzip).
        let size: Int64?
        /// Following a live file: incomplete records wait for the next read.
        let follow: Bool

        init(path: String, gzip: Bool, head: [UInt8], resumed: (FileCheckpoint, FileCounts)?, size: Int64?, follow: Bool) {
            self.size = size
            self.follow = follow
            self.path = path
            self.gzip = gzip
            self.head = head
            self.checkpoint = resumed?.0 ?? FileCheckpoint(id: 0, headLength: 0, headHash: 0, tailLength: 0, tailHash: 0, bytes: 0, lines: 0)
            self.counts = resumed?.1 ?? FileCounts()
            self.isNew = resumed == nil
        }
    }

    /// Reads `run`'s lines on a parsing thread and writes its batches here, committing rows together with
    /// the input's checkpoint every `batchLines` lines or `commitInterval` seconds, once the transaction outgrows
    /// the page cache, and once a summary table is full (its sums are written then, so memory stays flat).
    private func process(_ run: FileRun, reader: LineReader) throws {
        let fromPath = SourceFromPath.parse(run.path)
        var layout: String?

        try database.execute("BEGIN IMMEDIATE")
        var open = true
        defer { if open { try? database.execute("ROLLBACK"); writer.clearCaches(); podServiceSums.removeAll() } }
        if run.isNew {
            run.checkpoint.id = try files.add(path: run.path, compressed: run.gzip, now: Ingestor.now())
        }
        let fileID = run.checkpoint.id

        let startOffset = reader.offset
        let totalBytes = run.size
        let queue = BatchQueue(reusing: spareBatches)
        spareBatches = []
        // A regular plain file may still be being written: its last line without a newline waits.
        let growing = !run.gzip && run.path != "-" && totalBytes != nil || run.follow
        let producer = LineProducer(reader: reader, format: fixedFormat, classifier: options.classifier,
                                    queue: queue, sealInterval: options.commitInterval / 2,
                                    namespace: fromPath?.namespace ?? options.namespace, pod: fromPath?.pod ?? options.pod,
                                    deliverUnterminated: !growing, follow: run.follow)
        producer.start()
        defer {
            queue.cancel()
            producer.wait()
            spareBatches = queue.takeAll()
        }

        var linesSinceCommit = 0
        var lastCommit = Date()
        // A transaction is also committed once it outgrows the page cache (see `cacheSpills`): on 2 M lines,
        // a third fewer pages written and re-read than at the line count alone.
        var spillsAtBegin = database.cacheSpills
        var lastProgress = Date()
        let started = Date()
        let linesAtStart = run.linesRead
        var readError: Error?
        // Counted into `summary` once committed: a failed commit (a full disk) reports only what was stored.
        var uncommitted = IngestSummary()
        while true {
            let batch = queue.receive()
            defer { queue.recycle(batch) }
            try writer.write(batch, fileID: fileID, input: run.path)
            for reject in batch.rejects { try insertReject(reject, fileID: fileID, path: run.path) }
            addPodServices(of: batch)
            run.counts.add(batch.counts)
            run.linesRead += batch.lines
            linesSinceCommit += Int(batch.lines)
            uncommitted.add(batch)
            if let name = batch.layout { layout = name }
            if let error = batch.error { readError = error }
            // A new input with no complete line yet (its first line or CRI record still being written) is not
            // recorded: the transaction is rolled back, instead of adding an ingested_files row per read.
            if let (bytes, lines, tail) = batch.checkpoint, !(batch.final && run.isNew && bytes == 0),
               batch.final || linesSinceCommit >= options.batchLines || Date().timeIntervalSince(lastCommit) > options.commitInterval
               || database.cacheSpills > spillsAtBegin || writer.summaries.wantsFlush {
                run.checkpoint.bytes = bytes
                run.checkpoint.lines = lines
                let headLength = Int(min(Int64(run.head.count), bytes))
                run.checkpoint.headLength = headLength
                run.checkpoint.headHash = run.head.withUnsafeBytes { ContentHash.of(UnsafeRawBufferPointer(rebasing: $0[0..<headLength])) }
                run.checkpoint.tailLength = tail.count
                run.checkpoint.tailHash = ContentHash.of(tail)
                try files.save(run.checkpoint, counts: run.counts, path: run.path, layout: layout, now: Ingestor.now())
                try savePodServices()
                // A followed file's sums are written at each read; a batch ingest writes them at its end, or
                // earlier once a table is full.
                if (batch.final && run.follow) || writer.summaries.wantsFlush { try writer.summaries.flush() }
                try database.execute("COMMIT")
                checkpointer?.committed()
                summary.addCounts(uncommitted)
                uncommitted = IngestSummary()
                if batch.final {
                    open = false
                } else {
                    try database.execute("BEGIN IMMEDIATE")
                }
                linesSinceCommit = 0
                lastCommit = Date()
                spillsAtBegin = database.cacheSpills
            }
            if let onProgress, Date().timeIntervalSince(lastProgress) > 0.25 {
                lastProgress = Date()
                let elapsed = max(lastProgress.timeIntervalSince(started), 0.001)
                let bytes = (batch.checkpoint?.bytes ?? startOffset) - startOffset
                onProgress(IngestProgress(path: run.path, bytes: bytes, lines: run.linesRead - linesAtStart,
                                          linesPerSecond: Double(run.linesRead - linesAtStart) / elapsed,
                                          bytesPerSecond: Double(bytes) / elapsed, totalBytes: totalBytes.map { $0 - startOffset }))
            }
            if batch.final {
                summary.bytes += (batch.checkpoint?.bytes ?? startOffset) - startOffset
                if batch.heldBytes > 0 { summary.heldLines += 1 }
                break
            }
        }
        if let readError { throw readError }
    }

    /// Sums a batch's counts into those the next commit writes. The hash of a pod's address and SNI names the
    /// pair, as it does in the batch (`LineProducer` makes one key per hash).
    private func addPodServices(of batch: RowBatch) {
        for (hash, entry) in batch.podServices {
            if let index = podServiceSums.index(forKey: hash) {
                podServiceSums.values[index].count.add(entry.count)
            } else {
                podServiceSums[hash] = entry
            }
        }
    }

    /// Writes the summed counts (inside the transaction about to commit).
    private func savePodServices() throws {
        for (_, entry) in podServiceSums { try savePodService(entry.key, entry.count) }
        podServiceSums.removeAll(keepingCapacity: true)
    }

    private func savePodService(_ key: PodServiceKey, _ count: PodServiceCount) throws {
        let s = podServiceStatement
        s.bind(1, key.ip)
        s.bind(2, key.service)
        s.bind(3, count.namespace)
        s.bind(4, count.calls)
        s.bind(5, count.firstTs)
        s.bind(6, count.lastTs)
        try s.run()
        s.reset()
    }

    private func insertReject(_ reject: (line: Int64, reason: String, excerpt: [UInt8]), fileID: Int64, path: String) throws {
        let s = rejectStatement
        s.bind(1, fileID)
        s.bind(2, path)
        s.bind(3, reject.line)
        s.bind(4, reject.reason)
        s.bind(5, blob: reject.excerpt)
        try s.run()
        s.reset()
    }

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1_000_000) }
}
