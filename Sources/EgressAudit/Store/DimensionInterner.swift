/// Maps dimension keys (see `ShapeKey`) to row ids of `call_shapes` or `callers`: a cache probe per
/// call, and on a miss the key's values are interned into `strings` and the row inserted.
final class DimensionInterner {
    private let strings: StringInterner
    private let select: SQLiteStatement
    private let insert: SQLiteStatement
    private var cache: KeyCache
    /// `cache.forgets` when the table was seen empty under the writer lock still held (`noteTable`; `forgetTable`
    /// when it is let go). While they match, this writer added every row the table has and the cache still holds
    /// them all, so a key the cache does not know is new: it is inserted without a lookup (about a third of the
    /// cost of a new shape).
    private var completeAt: Int?
    private let table: String

    private let numberColumns: Int
    private let textColumns: Int

    /// `call_shapes`: four numbers, then texts in `ShapeKey.Text` order.
    static func shapes(_ database: SQLiteDatabase, strings: StringInterner) throws -> DimensionInterner {
        try DimensionInterner(database: database, strings: strings, table: "call_shapes",
                              numbers: ["verdict", "protocol", "dest_port", "response_code"],
                              texts: ["dest_host", "dest_ip", "upstream_cluster", "route_name", "response_flags",
                                      "response_code_details", "method", "authority", "sni"],
                              cache: KeyCache(slots: 1 << 12, arenaBytes: 512 << 10, maxSlots: 1 << 16, maxArenaBytes: 4 << 20,
                                              longestKey: 16 << 10))
    }

    /// `callers`: texts in `ShapeKey.CallerText` order.
    static func callers(_ database: SQLiteDatabase, strings: StringInterner) throws -> DimensionInterner {
        try DimensionInterner(database: database, strings: strings, table: "callers", numbers: [],
                              texts: ["source_namespace", "source_pod", "source_ip"],
                              cache: KeyCache(slots: 1 << 12, arenaBytes: 256 << 10, maxSlots: 1 << 15, maxArenaBytes: 2 << 20,
                                              longestKey: 1024))
    }

    private init(database: SQLiteDatabase, strings: StringInterner, table: String, numbers: [String], texts: [String],
                 cache: consuming KeyCache) throws {
        self.strings = strings
        self.cache = cache
        self.table = table
        numberColumns = numbers.count
        textColumns = texts.count
        let columns = numbers + texts
        // NULL-safe equality on every column: the hash only narrows the search.
        select = try database.prepare("SELECT id FROM \(table) WHERE key_hash = ?1 AND "
            + columns.enumerated().map { "\($1) IS ?\($0 + 2)" }.joined(separator: " AND "))
        insert = try database.prepare("INSERT INTO \(table) (key_hash, " + columns.joined(separator: ", ") + ") VALUES ("
            + (1...(columns.count + 1)).map { "?\($0)" }.joined(separator: ", ") + ")")
    }

    func clearCache() { cache.clear() }

    /// Call after taking the writer lock: notes whether the table is empty (another writer may have added rows
    /// while the lock was free).
    func noteTable(_ database: SQLiteDatabase) throws {
        completeAt = nil
        if try database.scalar("SELECT NOT EXISTS (SELECT 1 FROM \(table))") == 1 {
            cache.clear()   // (ids of rows the table does not have; none in practice)
            completeAt = cache.forgets
        }
    }

    /// Call before letting the writer lock go: from then on another writer may add rows.
    func forgetTable() { completeAt = nil }

    /// The id of the shape `key` (hashed with `ByteHash`), adding it if new.
    @inline(__always) func id(_ key: ByteSlice, hash: UInt64) throws -> Int64 {
        let p = key.start!
        if let id = cache.find(p, key.count, hash: hash) { return id }
        let id = try lookupOrInsert(key)
        cache.insert(p, key.count, hash: hash, id: id)
        return id
    }

    private func lookupOrInsert(_ key: ByteSlice) throws -> Int64 {
        guard let d = ShapeKey.decode(key, texts: textColumns) else {
            throw SQLiteError(code: 0, message: "internal error: malformed call shape", path: insert.database.path, context: "ingest")
        }
        var ids: [Int64?] = []
        ids.reserveCapacity(d.texts.count)
        for text in d.texts { ids.append(try strings.id(text)) }
        let numbers: [Int64?] = [d.verdict, d.proto, d.destPort, d.responseCode]
        let stored = Int64(bitPattern: ByteHash.stored(key.start!, key.count))
        let mayExist = completeAt != cache.forgets
        for s in mayExist ? [select, insert] : [insert] {
            s.bind(1, stored)
            for k in 0..<numberColumns { s.bind(Int32(2 + k), numbers[k]) }
            for (index, id) in ids.enumerated() { s.bind(Int32(2 + numberColumns + index), id) }
        }
        if mayExist {
            defer { select.reset() }
            if try select.step() { return select.int64(0) }
        }
        try insert.run()
        return insert.database.lastInsertRowID
    }
}
