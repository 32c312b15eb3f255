/// Maps dimension keys (see `ShapeKey`) to row ids of `call_shapes` or `callers`: a cache probe per
/// call, and on a miss the key's values are interned into `strings` and the row inserted.
final class DimensionInterner {
    private let strings: StringInterner
    private let select: SQLiteStatement
    private let insert: SQLiteStatement
    private var cache: KeyCache
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
                              cache: KeyCache(slots: 1 << 12, arenaBytes: 256 << 10, maxSlots: 1 << 14, maxArenaBytes: 1 << 20,
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

    /// Starts looking a key up ahead of its `id` call (see `KeyCache.prefetchSlot`).
    @inline(__always) func prefetchSlot(hash: UInt64) { cache.prefetchSlot(hash: hash) }

    /// The second step, some calls later (see `KeyCache.prefetchKey`): the likely id, or nil.
    @discardableResult @inline(__always) func prefetchKey(hash: UInt64) -> Int64? { cache.prefetchKey(hash: hash) }

    func clearCache() { cache.clear() }

    /// Call after taking the writer lock (another writer may have added rows while it was free): while the table
    /// was empty then, new keys are inserted without a lookup (`KeyCache.standForTable`; a third of the cost of a
    /// new shape).
    func noteTable(_ database: SQLiteDatabase) throws {
        cache.standForTable(empty: try database.scalar("SELECT NOT EXISTS (SELECT 1 FROM \(table))") == 1)
    }

    /// Call before letting the writer lock go: from then on another writer may add rows.
    func forgetTable() { cache.standForTable(empty: false) }

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
        let mayExist = !cache.holdsWholeTable
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
