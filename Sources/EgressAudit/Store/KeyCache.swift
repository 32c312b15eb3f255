#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A bounded map from byte strings to database ids, in unsafe buffers (no `String`, no allocation
/// per lookup). When full it forgets everything and starts again, so memory stays flat; callers fall
/// back to the database on a miss.
final class KeyCache {
    private let slotCount: Int
    private let hashes: UnsafeMutablePointer<UInt64>   // 0 = empty slot
    private let ids: UnsafeMutablePointer<Int64>
    private let offsets: UnsafeMutablePointer<Int32>
    private let lengths: UnsafeMutablePointer<Int32>
    private let arena: UnsafeMutablePointer<UInt8>
    private let arenaCapacity: Int
    private var arenaUsed = 0
    private var entries = 0
    /// Keys longer than this are never cached (they are rare and would crowd the arena).
    let longestKey: Int

    init(slots: Int, arenaBytes: Int, longestKey: Int = 4096) {
        precondition(slots > 0 && slots & (slots - 1) == 0, "slots must be a power of two")
        slotCount = slots
        hashes = .allocate(capacity: slots)
        ids = .allocate(capacity: slots)
        offsets = .allocate(capacity: slots)
        lengths = .allocate(capacity: slots)
        arena = .allocate(capacity: arenaBytes)
        arenaCapacity = arenaBytes
        self.longestKey = longestKey
        hashes.initialize(repeating: 0, count: slots)
    }

    deinit {
        hashes.deallocate(); ids.deallocate(); offsets.deallocate(); lengths.deallocate(); arena.deallocate()
    }

    func clear() {
        hashes.update(repeating: 0, count: slotCount)
        arenaUsed = 0
        entries = 0
    }

    /// The id stored for these bytes, if cached. `hash` must be `ByteHash.hash(p, n)`.
    @inline(__always) func find(_ p: UnsafePointer<UInt8>, _ n: Int, hash h: UInt64) -> Int64? {
        let mask = slotCount - 1
        var slot = Int(truncatingIfNeeded: h) & mask
        while hashes[slot] != 0 {
            if hashes[slot] == h && Int(lengths[slot]) == n && memcmp(arena + Int(offsets[slot]), p, n) == 0 {
                return ids[slot]
            }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// Remembers `id` for these bytes (after a miss).
    func insert(_ p: UnsafePointer<UInt8>, _ n: Int, hash h: UInt64, id: Int64) {
        guard n <= longestKey else { return }
        if entries * 4 >= slotCount * 3 || arenaUsed + n > arenaCapacity { clear() }
        let mask = slotCount - 1
        var slot = Int(truncatingIfNeeded: h) & mask
        while hashes[slot] != 0 { slot = (slot + 1) & mask }
        hashes[slot] = h
        ids[slot] = id
        offsets[slot] = Int32(arenaUsed)
        lengths[slot] = Int32(n)
        (arena + arenaUsed).update(from: p, count: n)
        arenaUsed += n
        entries += 1
    }
}
