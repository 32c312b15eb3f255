#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Maps repeated values (hosts, clusters, namespaces…) to ids in the `strings` table, with a bounded
/// in-memory cache keyed by bytes: no `String`, no allocation per lookup, flat memory.
final class StringInterner {
    private let select: SQLiteStatement
    private let insert: SQLiteStatement
    private let slotCount: Int
    private let hashes: UnsafeMutablePointer<UInt64>   // 0 = empty slot
    private let ids: UnsafeMutablePointer<Int64>
    private let offsets: UnsafeMutablePointer<Int32>
    private let lengths: UnsafeMutablePointer<Int32>
    private let arena: UnsafeMutablePointer<UInt8>
    private let arenaCapacity: Int
    private var arenaUsed = 0
    private var entries = 0

    init(database: SQLiteDatabase, slots: Int = 1 << 16, arenaBytes: Int = 4 << 20) throws {
        select = try database.prepare("SELECT id FROM strings WHERE value = ?1")
        insert = try database.prepare("INSERT INTO strings(value) VALUES (?1)")
        slotCount = slots
        hashes = .allocate(capacity: slots)
        ids = .allocate(capacity: slots)
        offsets = .allocate(capacity: slots)
        lengths = .allocate(capacity: slots)
        arena = .allocate(capacity: arenaBytes)
        arenaCapacity = arenaBytes
        hashes.initialize(repeating: 0, count: slots)
    }

    deinit {
        hashes.deallocate(); ids.deallocate(); offsets.deallocate(); lengths.deallocate(); arena.deallocate()
    }

    /// Forgets cached ids (after a rollback they may not exist any more).
    func clearCache() {
        hashes.update(repeating: 0, count: slotCount)
        arenaUsed = 0
        entries = 0
    }

    /// The id of `value`, adding it to `strings` if new; nil for an absent value.
    @inline(__always) func id(_ value: ByteSlice) throws -> Int64? {
        guard let p = value.start else { return nil }
        let n = value.count
        var h = StringInterner.hash(p, n)
        if h == 0 { h = 1 }
        let mask = slotCount - 1
        var slot = Int(truncatingIfNeeded: h) & mask
        while hashes[slot] != 0 {
            if hashes[slot] == h && Int(lengths[slot]) == n && memcmp(arena + Int(offsets[slot]), p, n) == 0 {
                return ids[slot]
            }
            slot = (slot + 1) & mask
        }
        let id = try lookupOrInsert(value)
        if n <= 1024 {
            if entries * 4 >= slotCount * 3 || arenaUsed + n > arenaCapacity {
                clearCache()
                slot = Int(truncatingIfNeeded: h) & mask
            }
            hashes[slot] = h
            ids[slot] = id
            offsets[slot] = Int32(arenaUsed)
            lengths[slot] = Int32(n)
            (arena + arenaUsed).update(from: p, count: n)
            arenaUsed += n
            entries += 1
        }
        return id
    }

    /// A multiply-rotate hash over 8-byte words: a few cycles per word, not per byte.
    @inline(__always) static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        let k: UInt64 = 0x9E37_79B9_7F4A_7C15
        var h = UInt64(truncatingIfNeeded: n) &* k
        var i = 0
        let raw = UnsafeRawPointer(p)
        while i + 8 <= n {
            let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = ((h ^ w) &* k)
            h ^= h >> 29
            i += 8
        }
        var last: UInt64 = 0
        var shift: UInt64 = 0
        while i < n { last |= UInt64(p[i]) << shift; shift += 8; i += 1 }
        h = (h ^ last) &* k
        return h ^ (h >> 32)
    }

    private func lookupOrInsert(_ value: ByteSlice) throws -> Int64 {
        select.bind(1, value)
        defer { select.reset() }
        if try select.step() { return select.int64(0) }
        insert.bind(1, value)
        try insert.run()
        return insert.database.lastInsertRowID
    }
}
