/// Maps repeated values (hosts, clusters, namespaces…) to ids in the `strings` table through a
/// bounded `KeyCache`: no `String`, no allocation per lookup, flat memory.
final class StringInterner {
    private let select: SQLiteStatement
    private let insert: SQLiteStatement
    /// Starts small (most inputs have a few thousand distinct values), grows to `maxSlots` as values come.
    private var cache = KeyCache(slots: 1 << 12, arenaBytes: 256 << 10, maxSlots: 1 << 15, maxArenaBytes: 2 << 20, longestKey: 1024)

    init(database: SQLiteDatabase) throws {
        select = try database.prepare("SELECT id FROM strings WHERE value = ?1")
        insert = try database.prepare("INSERT INTO strings(value) VALUES (?1)")
    }

    /// Starts looking a value up ahead of its `id` call (see `KeyCache.prefetchSlot`).
    @inline(__always) func prefetchSlot(hash: UInt64) { cache.prefetchSlot(hash: hash) }

    /// The second step, some calls later (see `KeyCache.prefetchKey`): the likely id, or nil.
    @discardableResult @inline(__always) func prefetchKey(hash: UInt64) -> Int64? { cache.prefetchKey(hash: hash) }

    /// Forgets cached ids (after a rollback they may not exist any more).
    func clearCache() { cache.clear() }

    /// Call after taking the writer lock: while `strings` was empty then, new values skip the lookup
    /// (`KeyCache.standForTable`).
    func noteTable(_ database: SQLiteDatabase) throws {
        cache.standForTable(empty: try database.scalar("SELECT NOT EXISTS (SELECT 1 FROM strings)") == 1)
    }

    /// Call before letting the writer lock go: from then on another writer may add rows.
    func forgetTable() { cache.standForTable(empty: false) }

    /// The id of `value`, adding it to `strings` if new; nil for an absent value.
    @inline(__always) func id(_ value: ByteSlice) throws -> Int64? {
        guard let p = value.start else { return nil }
        return try id(value, hash: ByteHash.hash(p, value.count))
    }

    /// As `id(_:)`, with the value's `ByteHash` already computed (by the parsing thread).
    @inline(__always) func id(_ value: ByteSlice, hash h: UInt64) throws -> Int64? {
        guard let p = value.start else { return nil }
        if let id = cache.find(p, value.count, hash: h) { return id }
        let id = try lookupOrInsert(value)
        cache.insert(p, value.count, hash: h, id: id)
        return id
    }

    private func lookupOrInsert(_ value: ByteSlice) throws -> Int64 {
        if !cache.holdsWholeTable {
            select.bind(1, value)
            defer { select.reset() }
            if try select.step() { return select.int64(0) }
        }
        insert.bind(1, value)
        try insert.run()
        return insert.database.lastInsertRowID
    }
}
