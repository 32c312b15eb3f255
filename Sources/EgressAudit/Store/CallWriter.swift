import CSQLite

/// Inserts outbound calls with one prepared statement, binding straight from the batch arena:
/// the hot path of ingest. Each call row holds its shape id and the values that vary per call.
final class CallWriter {
    private let insert: SQLiteStatement
    let strings: StringInterner
    let shapes: DimensionInterner
    let callers: DimensionInterner

    init(database: SQLiteDatabase) throws {
        strings = try StringInterner(database: database)
        shapes = try DimensionInterner.shapes(database, strings: strings)
        callers = try DimensionInterner.callers(database, strings: strings)
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
    }

    /// Writes row `i` of `batch`.
    @inline(__always)
    func write(_ b: RowBatch, _ i: Int, fileID: Int64) throws {
        let s = insert
        s.bind(1, b.int(i, .ts))
        s.bind(2, try shapes.id(b.text(i, .shapeKey), hash: b.hash(i, .shapeHash)))
        s.bind(3, b.text(i, .path))
        s.bind(4, b.text(i, .forwardedFor))
        s.bind(5, b.int(i, .bytesReceived))
        s.bind(6, b.int(i, .bytesSent))
        s.bind(7, b.int(i, .duration))
        s.bind(8, fileID)
        s.bind(9, b.int(i, .line))
        s.bind(10, try callers.id(b.text(i, .callerKey), hash: b.hash(i, .callerHash)))
        s.bind(11, try strings.id(b.text(i, .upstreamHost), hash: b.hash(i, .upstreamHostHash)))
        s.bind(12, try strings.id(b.text(i, .userAgent), hash: b.hash(i, .userAgentHash)))
        try s.run()
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
