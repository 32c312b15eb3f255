import CPrefetch
import CSQLite

/// Inserts outbound calls with one prepared statement, binding straight from the batch arena:
/// the hot path of ingest. Each call row holds its shape id and the values that vary per call; calls leaving
/// the mesh are also summed for the report summaries (`summaries`, flushed by the ingestor at commits).
final class CallWriter {
    private let insert: GroupedStatement
    private let database: SQLiteDatabase
    let strings: StringInterner
    let shapes: DimensionInterner
    let callers: DimensionInterner
    let summaries: SummaryWriter
    let targets: TargetInterner

    /// What the summaries need of a shape: decoded from its key when it is not in `shapeFacts`.
    private struct ShapeFacts {
        /// The shape these facts are of (0: none yet).
        var id: Int64 = 0
        var verdict: Int64 = 0
        /// Its `call_targets` row (calls leaving the mesh only).
        var target: Int64 = 0
        /// The strings id of its host, else of its IP, else 0 (the duration histogram's destination).
        var destination: Int64 = 0
        var port: Int64?
    }
    /// Shape id → facts, direct-mapped on the id's low bits: ids are handed out in order, so the most recent
    /// `factSlots` shapes never collide, and memory stays the same however many shapes an input has (an older
    /// shape met again is decoded again, from the key its call carries).
    private var shapeFacts = [ShapeFacts](repeating: ShapeFacts(), count: CallWriter.factSlots)
    static let factSlots = 1 << 15

    init(database: SQLiteDatabase, summaryFlushEntries: Int = SummaryWriter.defaultFlushEntries) throws {
        self.database = database
        strings = try StringInterner(database: database)
        shapes = try DimensionInterner.shapes(database, strings: strings)
        callers = try DimensionInterner.callers(database, strings: strings)
        summaries = try SummaryWriter(database: database, flushEntries: summaryFlushEntries)
        targets = try TargetInterner(database: database)
        insert = try GroupedStatement(database: database, rows: CallWriter.rowsPerInsert, columns: 11) { values in """
            INSERT INTO call_facts (ts, shape_id, caller_id, upstream_host, user_agent, path, x_forwarded_for, bytes_received,
                                    bytes_sent, duration_ms, line_ref)
            VALUES \(values)
            """ }
    }

    /// Call after taking the writer lock: lets the interners skip lookups of new keys in tables that were empty.
    func beginWriting() throws {
        try strings.noteTable(database)
        try shapes.noteTable(database)
        try callers.noteTable(database)
    }

    /// Call before letting the writer lock go (another writer may then add rows): every new key is looked up.
    func endWriting() {
        strings.forgetTable()
        shapes.forgetTable()
        callers.forgetTable()
    }

    /// Forgets cached ids (after a rollback they may not exist any more).
    func clearCaches() {
        strings.clearCache()
        shapes.clearCache()
        callers.clearCache()
        for i in shapeFacts.indices { shapeFacts[i].id = 0 }
        targets.clearCache()
        summaries.discard()
    }

    /// Calls per statement run (see `GroupedStatement`): 16 took a third off SQLite's cost per call here, and 64
    /// another 2.5 % of the writer's instructions (a run's start and halt cost ~2,700, now ~40 a call).
    static let rowsPerInsert = 64

    /// What a row needs for the summaries once it is inserted (its id is known only then); `keys` is nil for
    /// an in-mesh call, which is not summed.
    private struct Pending {
        var keys: SummaryWriter.Keys?
        var ts: Int64?
        var bytesReceived: Int64?
        var bytesSent: Int64?
        var duration: Int64?
    }
    private var pending: [Pending] = []

    /// Writes every row of `batch`, read from input `fileID` (`ingested_files`), named `input` in error messages.
    func write(_ b: RowBatch, fileID: Int64, input: String) throws {
        pending.removeAll(keepingCapacity: true)
        try insert.write(b.count, bind: { s, at, i in
            lookAhead(b, from: i)
            try bind(b, i, to: s, at: at, fileID: fileID, input: input)
        }, ran: { rows, last in
            // Ids are read after the run: binding may insert strings, shapes or targets, which moves
            // last_insert_rowid. The rows of one run get consecutive ids (INTEGER PRIMARY KEY: max + 1 each).
            for (r, p) in pending.enumerated() {
                guard let keys = p.keys else { continue }
                summaries.add(id: last - Int64(rows.count - 1 - r), keys, ts: p.ts, bytesReceived: p.bytesReceived,
                              bytesSent: p.bytesSent, duration: p.duration)
            }
            pending.removeAll(keepingCapacity: true)
        })
    }

    /// Rows ahead of the one being bound whose cache slots start loading (`far`), and whose keys start loading once
    /// their slots are in (`near`), for the two lookups that outgrow the CPU caches: the call's shape (tens of
    /// thousands of keys of ~150 bytes) and its upstream host. Met in random order, each call otherwise waited for
    /// a slot and then a key from memory, one after the other. Measured: see README, Speed.
    private static let far = 16, near = 8

    /// Starts the loads that binding rows `i + near` and `i + far` will need (see `far`).
    @inline(__always) private func lookAhead(_ b: RowBatch, from i: Int) {
        let far = i &+ CallWriter.far, near = i &+ CallWriter.near
        if far < b.count {
            shapes.prefetchSlot(hash: b.hash(far, .shapeHash))
            strings.prefetchSlot(hash: b.hash(far, .upstreamHostHash))
        }
        if near < b.count {
            shapes.prefetchKey(hash: b.hash(near, .shapeHash))
            strings.prefetchKey(hash: b.hash(near, .upstreamHostHash))
        }
    }

    /// Binds row `i` of `b`, read from input `fileID`, to parameters `base + 1 ... base + 11` of `s` and notes what
    /// its sums need.
    @inline(__always)
    private func bind(_ b: RowBatch, _ i: Int, to s: SQLiteStatement, at base: Int32, fileID: Int64, input: String) throws {
        let ts = b.int(i, .ts)
        let shapeKey = b.text(i, .shapeKey)
        let shape = try shapes.id(shapeKey, hash: b.hash(i, .shapeHash))
        let caller = try callers.id(b.text(i, .callerKey), hash: b.hash(i, .callerHash))
        let bytesReceived = b.int(i, .bytesReceived), bytesSent = b.int(i, .bytesSent), duration = b.int(i, .duration)
        let line = b.int(i, .line) ?? 0
        guard let lineRef = Schema.lineRef(fileID: fileID, line: line) else { throw outOfRange(line: line, fileID: fileID, input: input) }
        s.bind(base + 1, ts)
        s.bind(base + 2, shape)
        s.bind(base + 3, caller)
        s.bind(base + 4, try strings.id(b.text(i, .upstreamHost), hash: b.hash(i, .upstreamHostHash)))
        s.bind(base + 5, try strings.id(b.text(i, .userAgent), hash: b.hash(i, .userAgentHash)))
        s.bind(base + 6, b.text(i, .path))
        s.bind(base + 7, b.text(i, .forwardedFor))
        s.bind(base + 8, bytesReceived)
        s.bind(base + 9, bytesSent)
        s.bind(base + 10, duration)
        s.bind(base + 11, lineRef)
        let facts = try facts(of: shape, key: shapeKey)
        var keys: SummaryWriter.Keys?
        if facts.verdict != Int64(Verdict.internal.rawValue) {
            let histogram = facts.verdict <= Int64(Verdict.passthrough.rawValue) ? facts.destination : nil
            let k = SummaryWriter.keys(ts: ts, verdict: facts.verdict, target: facts.target, caller: caller, duration: duration,
                                       histogram: histogram, port: facts.port)
            summaries.prefetch(k)   // updated after the run, once the row has its id
            keys = k
        }
        pending.append(Pending(keys: keys, ts: ts, bytesReceived: bytesReceived, bytesSent: bytesSent, duration: duration))
    }

    /// Why a call cannot be stored: its line or input is past what `line_ref` holds (see `Schema.lineRef`). Out of
    /// line, so the message's making stays off the per-call path.
    @inline(never) private func outOfRange(line: Int64, fileID: Int64, input: String) -> SQLiteError {
        SQLiteError(code: 0, message: "line \(line) of \(input) (input \(fileID) of this database) is past what one database holds: "
                        + "2^\(Schema.lineBits) - 1 lines an input, 2^\(63 - Schema.lineBits) - 1 inputs",
                    path: database.path, context: "cannot store the call; split the input or ingest into a new database (--db)")
    }

    /// The summary facts of shape `id`, decoding `key` when they are not at hand.
    @inline(__always) private func facts(of id: Int64, key: ByteSlice) throws -> ShapeFacts {
        let slot = Int(truncatingIfNeeded: id) & (CallWriter.factSlots - 1)
        if shapeFacts[slot].id == id { return shapeFacts[slot] }
        let facts = try decodeFacts(of: id, key: key)
        shapeFacts[slot] = facts
        return facts
    }

    /// The summary facts of shape `id` read from its `key` (interning its target). Out of line: it runs when a
    /// shape is first met, or met again after newer shapes took its slot.
    @inline(never) private func decodeFacts(of id: Int64, key: ByteSlice) throws -> ShapeFacts {
        guard let d = ShapeKey.decode(key, texts: ShapeKey.Text.allCases.count) else {
            throw SQLiteError(code: 0, message: "internal error: malformed call shape", path: database.path, context: "ingest")
        }
        func text(_ field: ShapeKey.Text) throws -> Int64 { try strings.id(d.texts[field.rawValue]) ?? 0 }
        let host = try text(.destHost), ip = try text(.destIP)
        var facts = ShapeFacts(id: id, verdict: d.verdict, destination: host != 0 ? host : ip, port: d.destPort)
        if d.verdict != Int64(Verdict.internal.rawValue) {
            facts.target = try targets.id(.init(verdict: d.verdict, proto: d.proto, port: d.destPort ?? -1, host: host, ip: ip,
                                                cluster: text(.cluster), flags: text(.flags)))
        }
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
