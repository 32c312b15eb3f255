/// Parsed, classified calls handed from the parsing thread to the writer thread: fixed-size row
/// records in one buffer, their bytes in one arena. Reused, so a run allocates a handful of these.
final class RowBatch: @unchecked Sendable {
    /// Integer columns of a row.
    enum Int64Column: Int, CaseIterable {
        case ts, bytesReceived, bytesSent, duration, line, shapeHash, callerHash, upstreamHostHash, userAgentHash
    }
    /// Byte columns of a row: the shape and caller keys (see `ShapeKey`), and the values that vary per call.
    enum TextColumn: Int, CaseIterable {
        case shapeKey, callerKey, path, forwardedFor, upstreamHost, userAgent
    }
    /// Marks a NULL integer.
    static let null = Int64.min
    static let intColumns = 9
    static let textColumns = 6
    static let stride = intColumns + textColumns

    private(set) var rows: UnsafeMutablePointer<Int64>
    private var rowCapacity: Int
    private(set) var count = 0
    private(set) var arena: UnsafeMutablePointer<UInt8>
    private var arenaCapacity: Int
    private(set) var arenaUsed = 0

    /// Lines handled in this batch, by what they were.
    var counts = FileCounts()
    var verdicts = VerdictCounts()
    var lines: Int64 = 0
    var rejects: [(line: Int64, reason: String, excerpt: [UInt8])] = []
    /// The last layout matched, when one matched in this batch.
    var layout: String?
    /// Where the content stands after this batch, when that is a safe resume point.
    var checkpoint: (bytes: Int64, lines: Int64, tail: [UInt8])?
    /// Inbound mTLS evidence: pod IP → service it answered for (see `Schema`, migration 2), keyed by a
    /// hash of the line's pod address and SNI so counting costs no `String` per line.
    var podServices: [UInt64: (key: PodServiceKey, count: PodServiceCount)] = [:]
    /// Set on the last batch of an input.
    var final = false
    /// On the last batch: bytes of an unterminated last line left for a later run.
    var heldBytes = 0
    /// A read error met after the rows in this batch (e.g. a truncated gzip).
    var error: Error?

    init(rows: Int = 8192, arenaBytes: Int = 2 << 20) {
        precondition(Int64Column.allCases.count == RowBatch.intColumns && TextColumn.allCases.count == RowBatch.textColumns)
        rowCapacity = rows
        self.rows = .allocate(capacity: rows * RowBatch.stride)
        arenaCapacity = arenaBytes
        arena = .allocate(capacity: arenaBytes)
    }

    deinit {
        rows.deallocate()
        arena.deallocate()
    }

    /// What the batch held at a point it may have to go back to (see `mark` and `rewind`).
    struct Mark {
        var count: Int
        var counts: FileCounts
        var verdicts: VerdictCounts
        var rejects: Int
        var podServices: [UInt64: (key: PodServiceKey, count: PodServiceCount)]
    }

    /// Where the batch stands now: taken when a container record's first part arrives, the point reading resumes
    /// from if its last part never does.
    func mark() -> Mark {
        Mark(count: count, counts: counts, verdicts: verdicts, rejects: rejects.count, podServices: podServices)
    }

    /// Drops what was added after `mark` (rows, counts, rejects, inbound evidence): those lines are read again
    /// from the mark's checkpoint by the next run, so keeping them would store them twice.
    func rewind(to mark: Mark) {
        count = mark.count
        counts = mark.counts
        verdicts = mark.verdicts
        rejects.removeLast(rejects.count - mark.rejects)
        podServices = mark.podServices
    }

    /// Empties the batch for reuse.
    func reset() {
        count = 0
        arenaUsed = 0
        counts = FileCounts()
        verdicts = VerdictCounts()
        lines = 0
        rejects.removeAll(keepingCapacity: true)
        layout = nil
        checkpoint = nil
        final = false
        podServices.removeAll(keepingCapacity: true)
        heldBytes = 0
        error = nil
    }

    var isFull: Bool { count >= rowCapacity || arenaUsed >= arenaCapacity - (64 << 10) }

    /// Starts a row; returns its record. A batch is full at `rows` rows, but the parser cannot hand it over while
    /// a container record's first part waits for its last (the batch's checkpoint must come before it), so it grows.
    @inline(__always) func appendRow() -> UnsafeMutablePointer<Int64> {
        if count == rowCapacity { growRows() }
        let row = rows + count * RowBatch.stride
        count += 1
        return row
    }

    private func growRows() {
        let grown = UnsafeMutablePointer<Int64>.allocate(capacity: rowCapacity * 2 * RowBatch.stride)
        grown.update(from: rows, count: count * RowBatch.stride)
        rows.deallocate()
        rows = grown
        rowCapacity *= 2
    }

    @inline(__always) func set(_ row: UnsafeMutablePointer<Int64>, _ column: Int64Column, _ value: Int64?) {
        row[column.rawValue] = value ?? RowBatch.null
    }

    /// Copies `slice` into the arena and stores its reference (offset << 32 | length + 1; 0 = absent).
    @inline(__always) func set(_ row: UnsafeMutablePointer<Int64>, _ column: TextColumn, _ slice: ByteSlice) {
        let slot = RowBatch.intColumns + column.rawValue
        guard let s = slice.start else { row[slot] = 0; return }
        let start = arenaUsed
        appendBytes(s, slice.count)
        row[slot] = Int64(start) << 32 | Int64(slice.count + 1)
    }

    /// Copies `slice` into the arena like `set`, and stores its hash in `hashColumn` (for the writer's cache).
    @inline(__always) func set(_ row: UnsafeMutablePointer<Int64>, _ column: TextColumn, _ slice: ByteSlice, hash hashColumn: Int64Column) {
        set(row, column, slice)
        row[hashColumn.rawValue] = slice.start.map { Int64(bitPattern: ByteHash.hash($0, slice.count)) } ?? 0
    }

    /// Writes a dimension key (see `ShapeKey`) into the arena and stores it with its hash.
    @inline(__always) func setKey(_ row: UnsafeMutablePointer<Int64>, _ column: TextColumn, hash hashColumn: Int64Column,
                                  verdict: UInt8, proto: UInt8, destPort: Int64?, responseCode: Int64?,
                                  texts: UnsafeBufferPointer<ByteSlice>) {
        var needed = ShapeKey.headerSize
        for t in texts { needed &+= t.start == nil ? 4 : 4 &+ t.count }
        ensure(needed)
        // One write cursor in a register, `arenaUsed` set once: stores through the arena could alias this object's
        // fields as far as the compiler knows, so updating the field per value cost a load and a store each.
        let start = arenaUsed
        var w = UnsafeMutableRawPointer(arena + start)
        w.storeBytes(of: verdict, as: UInt8.self)
        w.storeBytes(of: proto, toByteOffset: 1, as: UInt8.self)
        w.storeBytes(of: (destPort ?? Int64.min).littleEndian, toByteOffset: 2, as: Int64.self)
        w.storeBytes(of: (responseCode ?? Int64.min).littleEndian, toByteOffset: 10, as: Int64.self)
        w += ShapeKey.headerSize
        for t in texts {
            if let p = t.start {
                w.storeBytes(of: UInt32(truncatingIfNeeded: t.count).littleEndian, as: UInt32.self)
                (w + 4).copyMemory(from: p, byteCount: t.count)
                w += 4 &+ t.count
            } else {
                w.storeBytes(of: ShapeKey.absentLength.littleEndian, as: UInt32.self)
                w += 4
            }
        }
        arenaUsed = start &+ needed
        row[RowBatch.intColumns + column.rawValue] = Int64(start) << 32 | Int64(needed + 1)
        row[hashColumn.rawValue] = Int64(bitPattern: ByteHash.hash(arena + start, needed))
    }

    /// The bytes of a column of row `index` (pointing into the arena).
    @inline(__always) func text(_ index: Int, _ column: TextColumn) -> ByteSlice {
        let packed = rows[index * RowBatch.stride + RowBatch.intColumns + column.rawValue]
        if packed == 0 { return .absent }
        return ByteSlice(start: UnsafePointer(arena + Int(packed >> 32)), count: Int(packed & 0xFFFF_FFFF) - 1)
    }

    @inline(__always) func hash(_ index: Int, _ column: Int64Column) -> UInt64 {
        UInt64(bitPattern: rows[index * RowBatch.stride + column.rawValue])
    }

    @inline(__always) func int(_ index: Int, _ column: Int64Column) -> Int64? {
        let v = rows[index * RowBatch.stride + column.rawValue]
        return v == RowBatch.null ? nil : v
    }

    @inline(__always) private func appendBytes(_ p: UnsafePointer<UInt8>, _ n: Int) {
        ensure(n)
        (arena + arenaUsed).update(from: p, count: n)
        arenaUsed += n
    }

    @inline(__always) private func ensure(_ n: Int) {
        if arenaUsed + n > arenaCapacity { growArena(to: arenaUsed + n) }
    }

    private func growArena(to needed: Int) {
        let capacity = max(arenaCapacity * 2, needed + 4096)
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        grown.update(from: arena, count: arenaUsed)
        arena.deallocate()
        arena = grown
        arenaCapacity = capacity
    }
}

/// A pod IP and the service host an inbound line's SNI named.
struct PodServiceKey: Hashable {
    var ip: String
    var service: String
}

struct PodServiceCount {
    var namespace: String
    var calls: Int64
    var firstTs: Int64?
    var lastTs: Int64?

    /// Counts one more line at `ts`.
    @inline(__always) mutating func add(_ ts: Int64?) {
        calls += 1
        if let ts {
            lastTs = max(lastTs ?? ts, ts)
            firstTs = min(firstTs ?? ts, ts)
        }
    }

    /// Adds the lines `other` counted (for the same pod and service).
    mutating func add(_ other: PodServiceCount) {
        calls += other.calls
        if let first = other.firstTs { firstTs = min(firstTs ?? first, first) }
        if let last = other.lastTs { lastTs = max(lastTs ?? last, last) }
    }
}
