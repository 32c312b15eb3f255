/// An open-addressing hash table from a two-number key to a value, for summing calls in memory between
/// flushes: one multiply-mix and, nearly always, one or two probes per call, no allocation per call.
///
/// It grows when three quarters full, so it never drops an entry; `removeAll` keeps its capacity.
final class AccumulatorTable<Value> {
    struct Key: Equatable {
        var a: Int64
        var b: Int64
    }

    private var keys: [Key]
    private var values: [Value]
    private var used: [Bool]
    private(set) var count = 0
    private var mask: Int
    private let empty: Value

    init(capacity: Int = 4096, empty: Value) {
        var size = 16
        while size * 3 < capacity * 4 { size <<= 1 }
        self.empty = empty
        keys = Array(repeating: Key(a: 0, b: 0), count: size)
        values = Array(repeating: empty, count: size)
        used = Array(repeating: false, count: size)
        mask = size - 1
    }

    /// Entries it holds before it has to grow.
    var capacity: Int { keys.count / 4 * 3 }

    @inline(__always) private static func hash(_ k: Key) -> Int {
        var h = UInt64(bitPattern: k.a) &* 0x9E37_79B9_7F4A_7C15
        h = (h ^ UInt64(bitPattern: k.b)) &* 0xC2B2_AE3D_27D4_EB4F
        return Int(truncatingIfNeeded: h ^ (h >> 31))
    }

    /// The slot holding `key`, added with the empty value if absent.
    @inline(__always) func slot(_ key: Key) -> Int {
        var i = Self.hash(key) & mask
        while used[i] {
            if keys[i] == key { return i }
            i = (i + 1) & mask
        }
        if count >= capacity {
            grow()
            return slot(key)
        }
        used[i] = true
        keys[i] = key
        values[i] = empty
        count += 1
        return i
    }

    /// Changes the value in slot `i`.
    @inline(__always) func update(_ i: Int, _ change: (inout Value) -> Void) {
        change(&values[i])
    }

    /// Calls `body` for every entry.
    func forEach(_ body: (Key, Value) throws -> Void) rethrows {
        for i in 0..<keys.count where used[i] { try body(keys[i], values[i]) }
    }

    func removeAll() {
        guard count > 0 else { return }
        for i in 0..<used.count { used[i] = false }
        count = 0
    }

    private func grow() {
        let oldKeys = keys, oldValues = values, oldUsed = used
        let size = keys.count * 2
        keys = Array(repeating: Key(a: 0, b: 0), count: size)
        values = Array(repeating: empty, count: size)
        used = Array(repeating: false, count: size)
        mask = size - 1
        count = 0
        for i in 0..<oldKeys.count where oldUsed[i] {
            let s = slot(oldKeys[i])
            values[s] = oldValues[i]
        }
    }
}
