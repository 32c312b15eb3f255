import CSQLite

/// Inserts outbound calls with one prepared statement, binding straight from the batch arena:
/// the hot path of ingest. Each call row holds its shape id and the values that vary per call; calls leaving
/// the mesh are also summed for the report summaries (`summaries`, flushed by the ingestor at commits).
final class CallWriter {
    private let insert: SQLiteStatement
    let strings: StringInterner
    let shapes: DimensionInterner
    let callers: DimensionInterner
    let summaries: SummaryWriter
    let targets: TargetInterner

    /// What the summaries need of a shape, by shape id: read once from its key.
    private struct ShapeFacts {
        var known = false
        var verdict: Int64 = 0
        /// Its `call_targets` row (calls leaving the mesh only).
        var target: Int64 = 0
        /// The strings id of its host, else of its IP, else 0 (the duration histogram's destination).
        var destination: Int64 = 0
        var port: Int64?
    }
    private var shapeFacts: [ShapeFacts] = []

    init(database: SQLiteDatabase, summaryFlushEntries: Int = SummaryWriter.defaultFlushEntries) throws {
        strings = try StringInterner(database: database)
        shapes = try DimensionInterner.shapes(database, strings: strings)
        callers = try DimensionInterner.callers(database, strings: strings)
        summaries = try SummaryWriter(database: database, flushEntries: summaryFlushEntries)
        targets = try TargetInterner(database: database)
        insert = try database.prepare("""
            INSERT INTO call_facts (ts, shape_id, path, x_forwarded_for, bytes_received, bytes_sent, duration_ms, file_id, log_line,
                                    caller_id, upstream_host, user_agent)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
            """)
    }

    /// Forgets cached ids (after a rollback they may not exist any more).
    func clearCaches() {
        strings.clearCache()
        shapes.clearCache()
        callers.clearCache()
        shapeFacts.removeAll(keepingCapacity: true)
        targets.clearCache()
        summaries.discard()
    }

    /// Writes row `i` of `batch`.
    @inline(__always)
    func write(_ b: RowBatch, _ i: Int, fileID: Int64) throws {
        let s = insert
        let ts = b.int(i, .ts)
        let shapeKey = b.text(i, .shapeKey)
        let shape = try shapes.id(shapeKey, hash: b.hash(i, .shapeHash))
        let caller = try callers.id(b.text(i, .callerKey), hash: b.hash(i, .callerHash))
        let bytesReceived = b.int(i, .bytesReceived), bytesSent = b.int(i, .bytesSent), duration = b.int(i, .duration)
        s.bind(1, ts)
        s.bind(2, shape)
        s.bind(3, b.text(i, .path))
        s.bind(4, b.text(i, .forwardedFor))
        s.bind(5, bytesReceived)
        s.bind(6, bytesSent)
        s.bind(7, duration)
        s.bind(8, fileID)
        s.bind(9, b.int(i, .line))
        s.bind(10, caller)
        s.bind(11, try strings.id(b.text(i, .upstreamHost), hash: b.hash(i, .upstreamHostHash)))
        s.bind(12, try strings.id(b.text(i, .userAgent), hash: b.hash(i, .userAgentHash)))
        // Before the insert: facts(of:) may insert a target, which would move last_insert_rowid.
        let facts = try self.facts(of: shape, key: shapeKey)
        try s.run()
        if facts.verdict != Int64(Verdict.internal.rawValue) {
            let histogram = facts.verdict <= Int64(Verdict.passthrough.rawValue) ? facts.destination : nil
            let id = s.database.lastInsertRowID
            summaries.add(id: id, ts: ts, verdict: facts.verdict, target: facts.target, caller: caller,
                          bytesReceived: bytesReceived, bytesSent: bytesSent, duration: duration,
                          histogram: histogram, port: facts.port)
        }
    }

    /// The summary facts of shape `id`, decoding `key` the first time it is seen.
    @inline(__always) private func facts(of id: Int64, key: ByteSlice) throws -> ShapeFacts {
        let index = Int(id)
        if index < shapeFacts.count, shapeFacts[index].known { return shapeFacts[index] }
        guard let d = ShapeKey.decode(key, texts: ShapeKey.Text.allCases.count) else {
            throw SQLiteError(code: 0, message: "internal error: malformed call shape", path: insert.database.path, context: "ingest")
        }
        func text(_ field: ShapeKey.Text) throws -> Int64 { try strings.id(d.texts[field.rawValue]) ?? 0 }
        let host = try text(.destHost), ip = try text(.destIP)
        var facts = ShapeFacts(known: true, verdict: d.verdict, destination: host != 0 ? host : ip, port: d.destPort)
        if d.verdict != Int64(Verdict.internal.rawValue) {
            facts.target = try targets.id(.init(verdict: d.verdict, proto: d.proto, port: d.destPort ?? -1, host: host, ip: ip,
                                                cluster: text(.cluster), flags: text(.flags)))
        }
        if index >= shapeFacts.count {
            shapeFacts.append(contentsOf: repeatElement(ShapeFacts(), count: max(index + 1 - shapeFacts.count, shapeFacts.count)))
        }
        shapeFacts[index] = facts
        return facts
    }
}

extension SQLiteStatement {
    /// Binds bytes as a BLOB (`SQLITE_STATIC`: the caller steps before they change).
    @inline(__always) func bind(_ index: Int32, blob slice: ByteSlice) {
        if let p = slice.start {
            sqlite3_bind_blob(handle, index, p, Int32(slice.count), sqliteStatic)
        } else {
            sqlite3_bind_null(handle, index)
        }
    }
}
