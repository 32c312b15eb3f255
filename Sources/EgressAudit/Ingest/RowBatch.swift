/// Parsed, classified calls handed from the parsing thread to the writer thread: fixed-size row
/// records in one buffer, their text in one arena. Reused, so a run allocates a handful of these.
final class RowBatch: @unchecked Sendable {
    /// Integer columns of a row.
    enum Int64Column: Int, CaseIterable {
        case ts, verdict, proto, destPort, responseCode, bytesReceived, bytesSent, duration, line
    }
    /// Text columns of a row (bound as TEXT or interned into `strings`).
    enum TextColumn: Int, CaseIterable {
        case destHost, destIP, cluster, route, flags, details, method, path, authority, sni, upstreamHost,
             userAgent, forwardedFor, sourceIP, namespace, pod
    }
    /// Marks a NULL integer.
    static let null = Int64.min
    static let intColumns = 9
    static let stride = intColumns + 16

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
    /// The last layout matched, when it changed in this batch.
    var layout: String?
    /// Where the content stands after this batch, when that is a safe resume point.
    var checkpoint: (bytes: Int64, lines: Int64, tail: [UInt8])?
    /// Set on the last batch of an input.
    var final = false
    /// A read error met after the rows in this batch (e.g. a truncated gzip).
    var error: Error?
    var tailBuffer: [UInt8] = []

    init(rows: Int = 8192, arenaBytes: Int = 1 << 20) {
        rowCapacity = rows
        self.rows = .allocate(capacity: rows * RowBatch.stride)
        arenaCapacity = arenaBytes
        arena = .allocate(capacity: arenaBytes)
    }

    deinit {
        rows.deallocate()
        arena.deallocate()
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
        error = nil
    }

    var isFull: Bool { count >= rowCapacity || arenaUsed >= arenaCapacity - 4096 }

    /// Starts a row; returns its record (integer columns first, then packed text references).
    @inline(__always) func appendRow() -> UnsafeMutablePointer<Int64> {
        let row = rows + count * RowBatch.stride
        count += 1
        return row
    }

    @inline(__always) func set(_ row: UnsafeMutablePointer<Int64>, _ column: Int64Column, _ value: Int64?) {
        row[column.rawValue] = value ?? RowBatch.null
    }

    /// Copies `slice` into the arena and stores its reference (offset << 32 | length + 1; 0 = absent).
    @inline(__always) func set(_ row: UnsafeMutablePointer<Int64>, _ column: TextColumn, _ slice: ByteSlice) {
        let slot = RowBatch.intColumns + column.rawValue
        guard let s = slice.start else { row[slot] = 0; return }
        let n = slice.count
        if arenaUsed + n > arenaCapacity { growArena(to: arenaUsed + n) }
        (arena + arenaUsed).update(from: s, count: n)
        row[slot] = Int64(arenaUsed) << 32 | Int64(n + 1)
        arenaUsed += n
    }

    /// The text of a column of row `index` (pointing into the arena).
    @inline(__always) func text(_ index: Int, _ column: TextColumn) -> ByteSlice {
        let packed = rows[index * RowBatch.stride + RowBatch.intColumns + column.rawValue]
        if packed == 0 { return .absent }
        return ByteSlice(start: UnsafePointer(arena + Int(packed >> 32)), count: Int(packed & 0xFFFF_FFFF) - 1)
    }

    @inline(__always) func int(_ index: Int, _ column: Int64Column) -> Int64? {
        let v = rows[index * RowBatch.stride + column.rawValue]
        return v == RowBatch.null ? nil : v
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
