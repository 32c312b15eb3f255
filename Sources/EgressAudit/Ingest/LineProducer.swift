import Foundation

/// The parsing side of ingest, run on its own thread for one input: lines → wrappers → access lines →
/// classification → `RowBatch`es for the writer. Knows nothing of SQLite.
final class LineProducer: @unchecked Sendable {
    private let reader: LineReader
    private let detector: LayoutDetector
    private let unwrapper = LineUnwrapper()
    private let classifier: Classifier
    private let storage = AccessRecordStorage()
    private let queue: BatchQueue
    /// Longest time a batch waits for more lines before it is handed over (follow mode latency).
    private let sealInterval: Double
    private let finished = NSCondition()
    private var done = false

    init(reader: LineReader, format: LineFormat?, classifier: ClassifierConfig, queue: BatchQueue, sealInterval: Double) {
        self.reader = reader
        self.detector = format.map { LayoutDetector(fixed: $0) } ?? LayoutDetector()
        self.classifier = Classifier(config: classifier)
        self.queue = queue
        self.sealInterval = sealInterval
    }

    /// Starts the thread.
    func start() {
        let thread = Thread { self.run() }
        thread.name = "egress-audit.parse"
        thread.start()
    }

    /// Waits until the thread has ended.
    func wait() {
        finished.lock()
        while !done { finished.wait() }
        finished.unlock()
    }

    private func run() {
        defer {
            finished.lock(); done = true; finished.broadcast(); finished.unlock()
        }
        guard var batch = queue.takeEmpty() else { return }
        let record = storage.record
        var previousEnd = reader.offset
        // The last line's raw bytes (with its newline), copied into the tail when the buffer may move.
        var lastLine: UnsafePointer<UInt8>?
        var lastLineLength = 0
        var tailPending = false
        var tail: [UInt8] = []
        tail.reserveCapacity(Ingestor.tailSize)
        var tailValid = true
        func copyTail() {
            guard tailPending, let p = lastLine else { return }
            let keep = min(lastLineLength, Ingestor.tailSize)
            tail.removeAll(keepingCapacity: true)
            tail.append(contentsOf: UnsafeBufferPointer(start: p + (lastLineLength - keep), count: keep))
            tailPending = false
        }
        reader.beforeRefill = copyTail
        var lastSeal = Date()
        var readError: Error?
        do {
            try reader.forEachLine { line in
                batch.lines += 1
                let rawLength = Int(line.endOffset - previousEnd)
                previousEnd = line.endOffset
                let text = ByteSlice(start: line.bytes.baseAddress, count: line.bytes.count)
                if line.overlong {
                    batch.rejects.append((line.number, "line longer than \(reader.maxLineLength) bytes; its first \(Ingestor.excerptSize) bytes are kept",
                                          text.prefix(Ingestor.excerptSize).bytes))
                    batch.counts.rejected += 1
                    tailValid = false
                    tailPending = false
                    return true
                }
                handle(text, line: line.number, batch: batch, record: record)
                lastLine = line.bytes.baseAddress
                lastLineLength = rawLength
                tailPending = true
                tailValid = true
                if !unwrapper.holdsPartial
                    && (batch.isFull || batch.lines >= 65_536 || (batch.lines & 255 == 0 && Date().timeIntervalSince(lastSeal) > sealInterval)) {
                    copyTail()
                    batch.checkpoint = (line.endOffset, line.number, tail)
                    queue.send(batch)
                    lastSeal = Date()
                    guard let next = queue.takeEmpty() else { return false }
                    batch = next
                }
                return true
            }
        } catch {
            readError = error
        }
        reader.beforeRefill = nil
        if queue.isCancelled { return }
        copyTail()
        if let partial = unwrapper.takePartial() {
            batch.rejects.append((reader.nextLineNumber - 1,
                                  "partial container record (CRI 'P' or split Docker record) whose final part never came before the end of the input",
                                  Array(partial.prefix(Ingestor.excerptSize))))
            batch.counts.rejected += 1
        }
        batch.checkpoint = (reader.offset, reader.nextLineNumber - 1, tailValid ? tail : [])
        batch.error = readError
        batch.final = true
        queue.send(batch)
    }

    /// One line through wrappers, parsing and classification, into the batch.
    @inline(__always)
    private func handle(_ text: ByteSlice, line: Int64, batch: RowBatch, record: AccessRecord) {
        guard case .line(let u) = unwrapper.unwrap(text) else { return }
        if OtherLine.matches(u.payload) {
            batch.counts.otherLines += 1
            return
        }
        var reason = ""
        guard let format = detector.parse(u.payload, into: record, reason: &reason) else {
            if reason == "JSON object without access-log keys" || !Self.isProxyContainer(u.container) {
                batch.counts.otherLines += 1
            } else {
                batch.rejects.append((line, reason, text.prefix(Ingestor.excerptSize).bytes))
                batch.counts.rejected += 1
            }
            return
        }
        if batch.layout == nil || batch.layout! != format.name { batch.layout = format.name }
        batch.counts.accessLines += 1
        let c = classifier.classify(record)
        switch c.direction {
        case .inbound:
            batch.counts.inbound += 1
        case .unrouted:
            batch.counts.unrouted += 1
        case .outbound:
            let ts = Timestamp.microseconds(record[.startTime])
            let row = batch.appendRow()
            batch.set(row, .ts, ts)
            batch.set(row, .verdict, Int64(c.verdict.rawValue))
            batch.set(row, .proto, Int64(c.proto.rawValue))
            batch.set(row, .destPort, c.destPort >= 0 ? c.destPort : nil)
            batch.set(row, .responseCode, record[.responseCode].integerValue)
            batch.set(row, .bytesReceived, record[.bytesReceived].integerValue)
            batch.set(row, .bytesSent, record[.bytesSent].integerValue)
            batch.set(row, .duration, record[.duration].integerValue)
            batch.set(row, .line, line)
            batch.set(row, .destHost, c.destHost)
            batch.set(row, .destIP, c.destIP)
            batch.set(row, .cluster, c.cluster)
            batch.set(row, .route, record[.routeName])
            batch.set(row, .flags, record[.responseFlags])
            batch.set(row, .details, record[.responseCodeDetails])
            batch.set(row, .method, record[.method])
            batch.set(row, .path, record[.path])
            batch.set(row, .authority, record[.authority])
            batch.set(row, .sni, c.sni)
            batch.set(row, .upstreamHost, record[.upstreamHost])
            batch.set(row, .userAgent, record[.userAgent])
            batch.set(row, .forwardedFor, record[.forwardedFor])
            batch.set(row, .sourceIP, c.sourceIP)
            batch.set(row, .namespace, u.namespace)
            batch.set(row, .pod, u.pod)
            batch.counts.calls += 1
            batch.verdicts[c.verdict] += 1
            if let ts {
                if batch.counts.firstTs.map({ ts < $0 }) ?? true { batch.counts.firstTs = ts }
                if batch.counts.lastTs.map({ ts > $0 }) ?? true { batch.counts.lastTs = ts }
            }
        }
    }

    /// Lines from a container known not to be a proxy that are no access line are not errors.
    static func isProxyContainer(_ name: ByteSlice) -> Bool {
        guard let s = name.string?.lowercased() else { return true }
        return s.contains("proxy") || s.contains("envoy") || s.contains("gateway")
    }
}
