import CPrefetch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A bounded map from byte strings to database ids, in unsafe buffers (no `String`, no allocation
/// per lookup). When full it grows, up to its limits (see `init`); past them it forgets everything and starts
/// again, so memory stays flat; callers fall back to the database on a miss.
///
/// A slot holds the hash, id and where the key's bytes sit in the arena, together (24 bytes): a probe
/// usually reads one cache line, then the key (these tables outgrow the caches).
///
/// A non-copyable value, not a class: the writer calls it for every call, and a value stored in its owner costs
/// no reference counting per call. It frees its memory when its owner goes.
struct KeyCache: ~Copyable {
    private struct Slot {
        var hash: UInt64   // 0 = empty
        var id: Int64
        var offset: Int32
        var length: Int32
    }

    private var slotCount: Int
    private var slots: UnsafeMutablePointer<Slot>
    private var arena: UnsafeMutablePointer<UInt8>
    private var arenaCapacity: Int
    private var arenaUsed = 0
    private var entries = 0
    private let maxSlots: Int
    private let maxArenaBytes: Int
    /// Keys longer than this are never cached (they are rare and would crowd the arena).
    let longestKey: Int
    /// Counts the times this cache dropped what it was given (cleared, or a key not kept): while it stays the
    /// same, every key inserted is still here.
    private var forgets = 0
    /// `forgets` when the cache was made to stand for its whole table (`standForTable`).
    private var wholeTableAt: Int?

    /// Whether a miss means the key is in no row of the table behind this cache: the table was empty when
    /// `standForTable(empty: true)` was called, its owner has added every row since, and the cache has dropped none.
    var holdsWholeTable: Bool { wholeTableAt == forgets }

    /// `empty`: the table behind the cache has no rows and only the cache's owner adds them from now on (it holds
    /// the writer lock), so the cache starts over and stands for the whole table while it drops nothing. Not
    /// `empty` (or the lock let go): a miss says nothing of the table.
    mutating func standForTable(empty: Bool) {
        wholeTableAt = nil
        if empty {
            clear()
            wholeTableAt = forgets
        }
    }

    /// Starts with `slots` (a power of two) and `arenaBytes` of keys; when full it doubles what is short, up to
    /// `maxSlots` and `maxArenaBytes` (by default it does not grow), and past those starts over.
    init(slots: Int, arenaBytes: Int, maxSlots: Int? = nil, maxArenaBytes: Int? = nil, longestKey: Int = 4096) {
        precondition(slots > 0 && slots & (slots - 1) == 0, "slots must be a power of two")
        slotCount = slots
        self.slots = KeyCache.emptySlots(slots)
        arena = .allocate(capacity: arenaBytes)
        arenaCapacity = arenaBytes
        self.maxSlots = max(slots, maxSlots ?? slots)
        self.maxArenaBytes = max(arenaBytes, maxArenaBytes ?? arenaBytes)
        self.longestKey = longestKey
    }

    deinit {
        free(slots)
        arena.deallocate()
    }

    /// `count` empty slots (all bits zero: hash 0 marks an empty slot). From `calloc`, so large tables come as
    /// untouched zero pages: a table that grew for a large input and is little used
    /// costs address space, not resident memory.
    private static func emptySlots(_ count: Int) -> UnsafeMutablePointer<Slot> {
        guard let raw = calloc(count, MemoryLayout<Slot>.stride) else { fatalError("out of memory for \(count) cache slots") }
        return raw.bindMemory(to: Slot.self, capacity: count)
    }

    mutating func clear() {
        for i in 0..<slotCount { slots[i].hash = 0 }
        arenaUsed = 0
        entries = 0
        forgets += 1
    }

    /// The id stored for these bytes, if cached. `hash` must be `ByteHash.hash(p, n)`.
    @inline(__always) func find(_ p: UnsafePointer<UInt8>, _ n: Int, hash h: UInt64) -> Int64? {
        let mask = slotCount - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while slots[i].hash != 0 {
            if slots[i].hash == h && Int(slots[i].length) == n && memcmp(arena + Int(slots[i].offset), p, n) == 0 {
                return slots[i].id
            }
            i = (i + 1) & mask
        }
        return nil
    }

    /// Starts loading the slot `find` probes first for `hash`, without waiting for it: the first step of looking
    /// a key up ahead of time (see `prefetchKey`).
    @inline(__always) func prefetchSlot(hash h: UInt64) {
        egress_audit_prefetch(slots + (Int(truncatingIfNeeded: h) & (slotCount - 1)))
    }

    /// The second step, once the slot has had time to load: when the entry there has this hash, starts loading
    /// every cache line of its key's bytes (what `find` compares; a call shape is ~150 bytes, three lines) and
    /// returns its id, what `find` will most likely answer; else nil. It only reads and prefetches.
    @discardableResult
    @inline(__always) func prefetchKey(hash h: UInt64) -> Int64? {
        let slot = slots[Int(truncatingIfNeeded: h) & (slotCount - 1)]
        guard slot.hash == h, slot.hash != 0 else { return nil }
        let key = arena + Int(slot.offset)
        var line = 0
        while line < Int(slot.length) {
            egress_audit_prefetch(key + line)
            line &+= 64
        }
        egress_audit_prefetch(key + max(Int(slot.length) - 1, 0))   // keys need not start on a line: the last may be one more
        return slot.id
    }

    /// Whether a key of `n` bytes can be inserted without the cache starting over.
    @inline(__always) func hasRoom(forKeyOf n: Int) -> Bool {
        (entries + 1) * 4 < slotCount * 3 && arenaUsed + n <= arenaCapacity
    }

    /// Remembers `id` for these bytes (after a miss).
    mutating func insert(_ p: UnsafePointer<UInt8>, _ n: Int, hash h: UInt64, id: Int64) {
        guard n <= longestKey else { forgets += 1; return }
        if !hasRoom(forKeyOf: n) { makeRoom(forKeyOf: n) }
        guard arenaUsed + n <= arenaCapacity else { forgets += 1; return }   // a key larger than the whole arena is not kept
        let mask = slotCount - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while slots[i].hash != 0 { i = (i + 1) & mask }
        slots[i] = Slot(hash: h, id: id, offset: Int32(arenaUsed), length: Int32(n))
        (arena + arenaUsed).update(from: p, count: n)
        arenaUsed += n
        entries += 1
    }

    /// Grows what is full, or starts over when it may not grow.
    private mutating func makeRoom(forKeyOf n: Int) {
        // The two halves of `hasRoom`.
        let slotsFull = (entries + 1) * 4 >= slotCount * 3
        let arenaFull = arenaUsed + n > arenaCapacity
        if (slotsFull && slotCount >= maxSlots) || (arenaFull && arenaCapacity >= maxArenaBytes) {
            clear()
            return
        }
        if arenaFull {
            var capacity = arenaCapacity
            while arenaUsed + n > capacity { capacity *= 2 }
            capacity = min(capacity, maxArenaBytes)
            guard arenaUsed + n <= capacity else { clear(); return }
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
            grown.update(from: arena, count: arenaUsed)
            arena.deallocate()
            arena = grown
            arenaCapacity = capacity
        }
        if slotsFull {
            let old = slots, oldCount = slotCount
            slotCount *= 2
            slots = KeyCache.emptySlots(slotCount)
            let mask = slotCount - 1
            for j in 0..<oldCount where old[j].hash != 0 {
                var i = Int(truncatingIfNeeded: old[j].hash) & mask
                while slots[i].hash != 0 { i = (i + 1) & mask }
                slots[i] = old[j]
            }
            free(old)
        }
    }
}
