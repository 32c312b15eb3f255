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
    /// The shape values of the current call (reused: no allocation per line).
    private let shape = UnsafeMutableBufferPointer<ByteSlice>.allocate(capacity: ShapeKey.Text.allCases.count)
    private let caller = UnsafeMutableBufferPointer<ByteSlice>.allocate(capacity: ShapeKey.CallerText.allCases.count)
    /// The source named by the path or the command line, for lines whose wrapper names none.
    private let fileNamespace: ByteSlice
    private let filePod: ByteSlice
    private let ownedSource: [UnsafeMutablePointer<UInt8>]
    /// The layout that matched the last access line (`LayoutDetector.current`; its name goes into the batch
    /// when it changes), -1 before the first.
    private var lastLayout = -1
    /// (pod IP, SNI) pairs met, by hash: inbound evidence is counted without making strings per line.
    private var podServiceKeys: [UInt64: (key: PodServiceKey, namespace: String)] = [:]
    /// The last minute read and its seconds (see `Timestamp.MinuteCache`).
    private var minutes = Timestamp.MinuteCache()
    /// `.svc.<cluster domain>`.
    private let meshSuffix: String

    /// Whether a last line without a newline is read (a complete stream) or held for a later run (a
    /// regular file that may still be being written).
    private let deliverUnterminated: Bool
    /// Following a live file: a CRI `P` record without its `F` at the end waits (the checkpoint stays
    /// before it) instead of being rejected.
    private let follow: Bool

    init(reader: LineReader, format: LineFormat?, classifier: ClassifierConfig, queue: BatchQueue, sealInterval: Double,
         namespace: String?, pod: String?, deliverUnterminated: Bool, follow: Bool) {
        self.deliverUnterminated = deliverUnterminated
        self.follow = follow
        self.meshSuffix = ".svc." + classifier.clusterDomain.lowercased()
        func copy(_ s: String?) -> (ByteSlice, UnsafeMutablePointer<UInt8>?) {
            guard let s else { return (.absent, nil) }
            let bytes = Array(s.utf8)
            let p = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, bytes.count))
            p.initialize(from: bytes, count: bytes.count)
            return (ByteSlice(start: p, count: bytes.count), p)
        }
        let (ns, nsp) = copy(namespace)
        let (pd, pdp) = copy(pod)
        fileNamespace = ns
        filePod = pd
        shape.initialize(repeating: .absent)
        caller.initialize(repeating: .absent)
        ownedSource = [nsp, pdp].compactMap { $0 }
        self.reader = reader
        self.detector = format.map { LayoutDetector(fixed: $0) } ?? LayoutDetector()
        self.classifier = Classifier(config: classifier)
        self.queue = queue
        self.sealInterval = sealInterval
    }

    deinit {
        for p in ownedSource { p.deallocate() }
        shape.deallocate()
        caller.deallocate()
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
        // `batch`, borrowed for each line's `handle` without reference counting (read from the variable the
        // closure below shares, it was retained and released around every line); `batch` keeps it alive.
        var filling = Unmanaged.passUnretained(batch)
        let record = storage.record
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
        // In follow mode, and for a plain file that may grow: the last point before a partial record started,
        // where reading can resume.
        var safe: (bytes: Int64, lines: Int64, tail: [UInt8]) = (reader.offset, reader.nextLineNumber - 1, [])
        var safeLinesInBatch: Int64 = 0
        // The batch as it was when the partial record now held began (it cannot be handed over while one is held).
        var safeMark: RowBatch.Mark?
        var lineStart = reader.offset
        do {
            try reader.forEachLine(deliverUnterminated: deliverUnterminated) { line in
                if follow && !unwrapper.holdsPartial {
                    copyTail()
                    safe = (lineStart, line.number - 1, tail)
                    safeLinesInBatch = batch.lines
                }
                let start = lineStart
                lineStart = line.endOffset
                batch.lines += 1
                let text = ByteSlice(start: line.bytes.baseAddress, count: line.bytes.count)
                if line.overlong {
                    batch.rejects.append((line.number, "line longer than \(reader.maxLineLength) bytes; its first \(Ingestor.excerptSize) bytes are kept",
                                          text.prefix(Ingestor.excerptSize).bytes))
                    batch.counts.rejected += 1
                    tailValid = false
                    tailPending = false
                    return true
                }
                let wasHolding = unwrapper.holdsPartial
                filling._withUnsafeGuaranteedRef { handle(text, line: line.number, batch: $0, record: record) }
                if !wasHolding && unwrapper.holdsPartial && (follow || !deliverUnterminated) {
                    // A record's first part, in an input that may still grow: if its last part is not there by the
                    // end, the next run resumes before it (as for a last line without newline), and what the lines
                    // after it added is dropped. The part itself added nothing to the batch: marked now, it stands
                    // where the safe point does (in follow mode set before every line).
                    safeMark = batch.mark()
                    if !follow {
                        copyTail()
                        safe = (start, line.number - 1, tail)
                        safeLinesInBatch = batch.lines - 1
                    }
                }
                // This line's raw bytes (text, then `\r\n` or `\n`) lie together in the reader's buffer. Not
                // `endOffset` minus the previous one: after an overlong line that span holds its skipped rest.
                lastLine = line.bytes.baseAddress
                lastLineLength = line.bytes.count
                    + (line.unterminated ? 0 : (line.bytes.baseAddress?[line.bytes.count] == 0x0D ? 2 : 1))
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
                    filling = Unmanaged.passUnretained(next)
                    batch.layout = lastLayout >= 0 ? detector.currentName : nil
                }
                return true
            }
        } catch {
            readError = error
        }
        reader.beforeRefill = nil
        if queue.isCancelled { return }
        copyTail()
        if (follow || !deliverUnterminated) && unwrapper.holdsPartial {
            // The record is still being written: resume at its first part next time.
            _ = unwrapper.takePartial()
            // Lines after its first part are read again from `safe` next time: drop what they added.
            if let safeMark { batch.rewind(to: safeMark) }
            batch.lines = safeLinesInBatch
            batch.checkpoint = safe
            if !follow { batch.heldBytes = Int(max(1, reader.offset - safe.bytes)) }
            batch.error = readError
            batch.final = true
            queue.send(batch)
            return
        }
        if let partial = unwrapper.takePartial() {
            batch.rejects.append((reader.nextLineNumber - 1,
                                  "partial container record (CRI 'P' or split Docker record) whose final part never came before the end of the input",
                                  Array(partial.prefix(Ingestor.excerptSize))))
            batch.counts.rejected += 1
        }
        batch.heldBytes = reader.pendingByteCount
        batch.checkpoint = (reader.offset, reader.nextLineNumber - 1, tailValid ? tail : [])
        batch.error = readError
        batch.final = true
        queue.send(batch)
    }

    /// One line through wrappers, parsing and classification, into the batch.
    @inline(__always)
    private func handle(_ text: ByteSlice, line: Int64, batch: RowBatch, record: AccessRecord) {
        guard case .line(var u) = unwrapper.unwrap(text) else { return }
        if OtherLine.matches(u.payload) {
            batch.counts.otherLines += 1
            return
        }
        var reason = ""
        var parsed = detector.matches(u.payload, into: record, reason: &reason)
        let isJSON = u.payload.count > 0 && u.payload[0] == UInt8(ascii: "{")
        if !parsed && isJSON && unwrapper.jsonLinesAreAccess && u.wrapper == .plain {
            // Not an access record: maybe an envelope after all (the check was skipped).
            guard case .line(let again) = unwrapper.unwrap(text, envelopes: true) else { return }
            u = again
            parsed = detector.matches(u.payload, into: record, reason: &reason)
        } else if parsed && isJSON && u.wrapper == .plain {
            unwrapper.jsonLinesAreAccess = true
        }
        guard parsed else {
            if reason == "JSON object without access-log keys" || !Self.isProxyContainer(u.container) {
                batch.counts.otherLines += 1
            } else {
                batch.rejects.append((line, reason, text.prefix(Ingestor.excerptSize).bytes))
                batch.counts.rejected += 1
            }
            return
        }
        if detector.current != lastLayout {
            lastLayout = detector.current
            batch.layout = detector.currentName
        }
        batch.counts.accessLines += 1
        let c = classifier.classify(record)
        switch c.direction {
        case .inbound:
            batch.counts.inbound += 1
            notePodService(c, record, batch)
        case .unrouted:
            batch.counts.unrouted += 1
        case .outbound:
            let ts = Timestamp.microseconds(record[.startTime], cache: &minutes)
            let row = batch.appendRow()
            batch.set(row, .ts, ts)
            batch.set(row, .bytesReceived, record[.bytesReceived].integerValue)
            batch.set(row, .bytesSent, record[.bytesSent].integerValue)
            batch.set(row, .duration, record[.duration].integerValue)
            batch.set(row, .line, line)
            batch.set(row, .path, record[.path])
            batch.set(row, .forwardedFor, record[.forwardedFor])
            shape[ShapeKey.Text.destHost.rawValue] = c.destHost
            shape[ShapeKey.Text.destIP.rawValue] = c.destIP
            shape[ShapeKey.Text.cluster.rawValue] = c.cluster
            shape[ShapeKey.Text.route.rawValue] = record[.routeName]
            shape[ShapeKey.Text.flags.rawValue] = record[.responseFlags]
            shape[ShapeKey.Text.details.rawValue] = record[.responseCodeDetails]
            shape[ShapeKey.Text.method.rawValue] = record[.method]
            shape[ShapeKey.Text.authority.rawValue] = record[.authority]
            shape[ShapeKey.Text.sni.rawValue] = c.sni
            batch.set(row, .upstreamHost, record[.upstreamHost], hash: .upstreamHostHash)
            batch.set(row, .userAgent, record[.userAgent], hash: .userAgentHash)
            caller[ShapeKey.CallerText.namespace.rawValue] = u.namespace.isAbsent ? fileNamespace : u.namespace
            caller[ShapeKey.CallerText.pod.rawValue] = u.pod.isAbsent ? filePod : u.pod
            caller[ShapeKey.CallerText.sourceIP.rawValue] = c.sourceIP
            batch.setKey(row, .callerKey, hash: .callerHash, verdict: 0, proto: 0, destPort: nil, responseCode: nil,
                         texts: UnsafeBufferPointer(caller))
            batch.setKey(row, .shapeKey, hash: .shapeHash, verdict: UInt8(c.verdict.rawValue), proto: UInt8(c.proto.rawValue),
                         destPort: c.destPort >= 0 ? c.destPort : nil, responseCode: record[.responseCode].integerValue,
                         texts: UnsafeBufferPointer(shape))
            batch.counts.calls += 1
            batch.verdicts[c.verdict] += 1
            if let ts {
                if batch.counts.firstTs.map({ ts < $0 }) ?? true { batch.counts.firstTs = ts }
                if batch.counts.lastTs.map({ ts > $0 }) ?? true { batch.counts.lastTs = ts }
            }
        }
    }

    /// Remembers which service the receiving pod answered for, from the Istio mTLS SNI of an inbound line.
    /// Strings are made once per distinct (pod, SNI) in a batch: inbound lines are many, pairs few.
    private func notePodService(_ c: Classification, _ record: AccessRecord, _ batch: RowBatch) {
        guard c.sni.hasPrefix("outbound_."), let sniBytes = c.sni.start else { return }
        let ip = Endpoint.split(record[.downstreamLocalAddress]).host
        guard let ipBytes = ip.start else { return }
        let hash = ByteHash.hash(sniBytes, c.sni.count) &+ ByteHash.hash(ipBytes, ip.count) &* 31
        let ts = Timestamp.microseconds(record[.startTime], cache: &minutes)
        if let index = batch.podServices.index(forKey: hash) {
            // One lookup, changed in place (no copy of the names).
            batch.podServices.values[index].count.add(ts)
            return
        }
        // First time in this batch: name the pair (outbound_.<port>_.<subset>_.<service host>).
        let key: PodServiceKey
        let namespace: String
        if let known = podServiceKeys[hash] {
            key = known.key
            namespace = known.namespace
        } else {
            guard let sni = c.sni.string, let ipText = ip.string else { return }
            let parts = sni.components(separatedBy: "_.")
            guard parts.count >= 4, let host = parts.last, host.hasSuffix(meshSuffix) else { return }
            let labels = host.dropLast(meshSuffix.count).split(separator: ".")
            guard labels.count == 2 else { return }
            key = PodServiceKey(ip: ipText, service: host)
            namespace = String(labels[1])
            podServiceKeys[hash] = (key, namespace)
        }
        batch.podServices[hash] = (key, PodServiceCount(namespace: namespace, calls: 1, firstTs: ts, lastTs: ts))
    }

    /// Lines from a container known not to be a proxy that are no access line are not errors.
    static func isProxyContainer(_ name: ByteSlice) -> Bool {
        guard let s = name.string?.lowercased() else { return true }
        return s.contains("proxy") || s.contains("envoy") || s.contains("gateway")
    }
}
