/// Numbers the distinct keys the parsing thread meets — call shapes, callers, and the strings stored per call
/// (upstream hosts, user agents) — 1, 2, 3… in the order first met, so the writer turns a key into its
/// database id with an array index (`NumberedIDs`) instead of a hash probe and a key compare. That moves the
/// lookups, which miss the caches on large inputs, from the writer to the parser; `LineProducer` numbers a
/// batch only while the writer is the slower thread.
///
/// Memory stays bounded: a table that fills gives number 0 (the writer then looks the key up itself), and
/// before the next batch every table starts over under a new epoch, which the batch carries so the writer
/// forgets the numbers of the old one; a batch never mixes epochs. The ingestor lends one numbering to the
/// parsing thread of each input in turn, so the numbers (and the writer's ids for them) carry over from file
/// to file.
struct KeyNumbering: ~Copyable {
    /// One table of numbers.
    struct Table: ~Copyable {
        private var cache: KeyCache
        private var next: Int64 = 1
        /// A key found no room since the last `reset`.
        private(set) var isFull = false

        init(slots: Int, arenaBytes: Int, longestKey: Int) {
            cache = KeyCache(slots: slots, arenaBytes: arenaBytes, longestKey: longestKey)
        }

        /// The number of the key `p[0..<n]` (with its `ByteHash`), numbering it if new; 0 when there is no room
        /// or the key is too long to keep.
        @inline(__always) mutating func number(_ p: UnsafePointer<UInt8>, _ n: Int, hash: UInt64) -> Int64 {
            if let number = cache.find(p, n, hash: hash) { return number }
            guard n <= cache.longestKey else { return 0 }
            guard cache.hasRoom(forKeyOf: n) else {
                isFull = true
                return 0
            }
            let number = next
            next += 1
            cache.insert(p, n, hash: hash, id: number)
            return number
        }

        mutating func reset() {
            cache.clear()
            next = 1
            isFull = false
        }
    }

    /// How much each table holds: slots (a power of two; three quarters usable) and bytes of keys.
    struct Capacity: Sendable {
        var shapes: (slots: Int, bytes: Int)
        var callers: (slots: Int, bytes: Int)
        var strings: (slots: Int, bytes: Int)

        /// 49 k shapes, 3 k callers, 24 k strings: about 2.4 MiB of slots (zeroed at start) and up to 6.25 MiB
        /// of keys (touched as they are used).
        static let standard = Capacity(shapes: (1 << 16, 4 << 20), callers: (1 << 12, 256 << 10), strings: (1 << 15, 2 << 20))
    }

    var shapes: Table
    var callers: Table
    var strings: Table

    /// Changes whenever the tables start over; numbers from different epochs are unrelated.
    private(set) var epoch: Int

    /// `serial` tells apart the numberings one writer sees: their epochs never meet (`serial << 32 | restarts`).
    init(serial: Int, capacity: Capacity = .standard) {
        epoch = serial << 32
        shapes = Table(slots: capacity.shapes.slots, arenaBytes: capacity.shapes.bytes, longestKey: 16 << 10)
        callers = Table(slots: capacity.callers.slots, arenaBytes: capacity.callers.bytes, longestKey: 1024)
        strings = Table(slots: capacity.strings.slots, arenaBytes: capacity.strings.bytes, longestKey: 1024)
    }

    /// Call before filling a batch: starts every table over if one is full, and returns the epoch to stamp
    /// on the batch.
    mutating func prepareBatch() -> Int {
        if shapes.isFull || callers.isFull || strings.isFull {
            shapes.reset()
            callers.reset()
            strings.reset()
            epoch += 1
        }
        return epoch
    }
}
