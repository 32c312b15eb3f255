import CPrefetch

/// An open-addressing hash table from a two-number key to a value, for summing calls in memory between
/// flushes: one multiply-mix and, nearly always, one probe per call, no allocation per call. Keys and values
/// sit together, so a probe touches one cache line: these tables outgrow the caches, and a miss per array
/// per call cost more than the sums themselves.
///
/// A key whose second number is `Int64.min` marks an empty slot, so that value cannot be used there (the
/// summaries' second numbers are ids and packed non-negative values). It grows when three quarters full, so it never drops an entry; `removeAll` keeps its capacity.
final class AccumulatorTable<Value> {
    struct Key: Equatable {
        var a: Int64
        var b: Int64
    }

    private struct Entry {
        var key: Key
        var value: Value
    }

    private static var vacant: Key { Key(a: 0, b: .min) }

    private var entries: UnsafeMutablePointer<Entry>
    private var size: Int
    private(set) var count = 0
    private let empty: Value

    init(capacity: Int = 4096, empty: Value) {
        var size = 16
        while size * 3 < capacity * 4 { size <<= 1 }
        self.size = size
        self.empty = empty
        entries = .allocate(capacity: size)
        entries.initialize(repeating: Entry(key: Self.vacant, value: empty), count: size)
    }

    deinit {
        entries.deinitialize(count: size)
        entries.deallocate()
    }

    /// Entries it holds before it has to grow.
    var capacity: Int { size / 4 * 3 }

    @inline(__always) private static func hash(_ k: Key) -> Int {
        var h = UInt64(bitPattern: k.a) &* 0x9E37_79B9_7F4A_7C15
        h = (h ^ UInt64(bitPattern: k.b)) &* 0xC2B2_AE3D_27D4_EB4F
        return Int(truncatingIfNeeded: h ^ (h >> 31))
    }

    /// Adds `key` if absent (with the empty value) and changes its value.
    @inline(__always) func update(_ key: Key, _ change: (inout Value) -> Void) {
        precondition(key.b != Int64.min, "Int64.min marks an empty slot")
        let mask = size - 1
        var i = Self.hash(key) & mask
        while entries[i].key.b != Int64.min {
            if entries[i].key == key {
                change(&entries[i].value)
                return
            }
            i = (i + 1) & mask
        }
        if count >= capacity {
            grow()
            update(key, change)
            return
        }
        entries[i].key = key
        entries[i].value = empty
        count += 1
        change(&entries[i].value)
    }

    /// Starts loading the slot where `update(key)` will look first.
    @inline(__always) func prefetch(_ key: Key) {
        egress_audit_prefetch(entries + (Self.hash(key) & (size - 1)))
    }

    /// Calls `body` for every entry.
    func forEach(_ body: (Key, Value) throws -> Void) rethrows {
        for i in 0..<size where entries[i].key.b != Int64.min { try body(entries[i].key, entries[i].value) }
    }

    /// The slots of every entry in key order (`a`, then `b`); read them with `entry(at:)`. Writing sums sorted
    /// appends to a B-tree's right edge instead of touching its pages at random.
    func sortedSlots() -> [Int32] {
        var slots: [Int32] = []
        slots.reserveCapacity(count)
        for i in 0..<size where entries[i].key.b != Int64.min { slots.append(Int32(i)) }
        let entries = self.entries
        slots.sort { x, y in
            let l = entries[Int(x)].key, r = entries[Int(y)].key
            return l.a != r.a ? l.a < r.a : l.b < r.b
        }
        return slots
    }

    /// The entry in `slot` (from `sortedSlots`).
    @inline(__always) func entry(at slot: Int32) -> (key: Key, value: Value) {
        (entries[Int(slot)].key, entries[Int(slot)].value)
    }

    func removeAll() {
        guard count > 0 else { return }
        for i in 0..<size { entries[i].key = Self.vacant }
        count = 0
    }

    private func grow() {
        let old = entries, oldSize = size
        size *= 2
        entries = .allocate(capacity: size)
        entries.initialize(repeating: Entry(key: Self.vacant, value: empty), count: size)
        count = 0
        for i in 0..<oldSize where old[i].key.b != Int64.min {
            let value = old[i].value
            update(old[i].key) { $0 = value }
        }
        old.deinitialize(count: oldSize)
        old.deallocate()
    }
}
