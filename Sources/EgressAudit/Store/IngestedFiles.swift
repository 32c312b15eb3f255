/// What is known of one input's content: its identity and how far it was read.
public struct FileCheckpoint: Equatable, Sendable {
    public var id: Int64
    public var headLength: Int
    public var headHash: UInt64
    public var tailLength: Int
    public var tailHash: UInt64
    /// Content bytes consumed (decompressed): where reading resumes.
    public var bytes: Int64
    /// Lines consumed.
    public var lines: Int64
}

/// Running counts for one input, stored with its checkpoint.
public struct FileCounts: Equatable, Sendable, Codable {
    public var accessLines: Int64 = 0
    public var calls: Int64 = 0
    public var inbound: Int64 = 0
    public var unrouted: Int64 = 0
    public var otherLines: Int64 = 0
    public var rejected: Int64 = 0
    public var firstTs: Int64?
    public var lastTs: Int64?
    public init() {}
}

/// The `ingested_files` table: content identity and checkpoints for exactly-once ingest.
final class IngestedFiles {
    private let database: SQLiteDatabase
    private let headLengths: SQLiteStatement
    private let byHead: SQLiteStatement
    private let create: SQLiteStatement
    private let update: SQLiteStatement
    private let history: SQLiteStatement
    private let historyHeadLengths: SQLiteStatement
    private let historyByHead: SQLiteStatement

    init(database: SQLiteDatabase) throws {
        self.database = database
        headLengths = try database.prepare("SELECT DISTINCT head_len FROM ingested_files WHERE head_len > 0 AND head_len <= ?1")
        byHead = try database.prepare("""
            SELECT id, head_len, head_hash, tail_len, tail_hash, bytes, lines, access_lines, calls, inbound, unrouted,
                   other_lines, rejected, first_ts, last_ts
            FROM ingested_files WHERE head_len = ?1 AND head_hash = ?2 ORDER BY bytes DESC
            """)
        create = try database.prepare("""
            INSERT INTO ingested_files (path, head_len, head_hash, tail_len, tail_hash, bytes, lines, compressed, layout,
                                        first_ingested_at, last_ingested_at)
            VALUES (?1, 0, 0, 0, 0, 0, 0, ?2, NULL, ?3, ?3)
            """)
        history = try database.prepare("""
            INSERT OR REPLACE INTO file_checkpoints (file_id, bytes, lines, head_len, head_hash, tail_len, tail_hash)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
            """)
        historyHeadLengths = try database.prepare(
            "SELECT DISTINCT head_len FROM file_checkpoints WHERE head_len > 0 AND head_len <= ?1 AND bytes <= ?2")
        historyByHead = try database.prepare("""
            SELECT c.bytes, c.tail_len, c.tail_hash, f.bytes FROM file_checkpoints c JOIN ingested_files f ON f.id = c.file_id
            WHERE c.head_len = ?1 AND c.head_hash = ?2 AND c.bytes <= ?3 ORDER BY c.bytes DESC
            """)
        update = try database.prepare("""
            UPDATE ingested_files SET path = ?2, head_len = ?3, head_hash = ?4, tail_len = ?5, tail_hash = ?6, bytes = ?7,
                lines = ?8, layout = coalesce(?9, layout), access_lines = ?10, calls = ?11, inbound = ?12, unrouted = ?13,
                other_lines = ?14, rejected = ?15, first_ts = ?16, last_ts = ?17, last_ingested_at = ?18
            WHERE id = ?1
            """)
    }

    /// Known inputs whose first bytes equal the start of `head`, longest read first.
    func candidates(head: UnsafeRawBufferPointer) throws -> [(FileCheckpoint, FileCounts)] {
        var lengths: [Int] = []
        headLengths.bind(1, Int64(head.count))
        while try headLengths.step() { lengths.append(Int(headLengths.int64(0))) }
        headLengths.reset()
        var found: [(FileCheckpoint, FileCounts)] = []
        for length in lengths {
            let hash = ContentHash.of(UnsafeRawBufferPointer(rebasing: head[0..<length]))
            byHead.bind(1, Int64(length))
            byHead.bind(2, Int64(bitPattern: hash))
            while try byHead.step() {
                let s = byHead
                let checkpoint = FileCheckpoint(id: s.int64(0), headLength: Int(s.int64(1)), headHash: UInt64(bitPattern: s.int64(2)),
                                                tailLength: Int(s.int64(3)), tailHash: UInt64(bitPattern: s.int64(4)),
                                                bytes: s.int64(5), lines: s.int64(6))
                var counts = FileCounts()
                counts.accessLines = s.int64(7); counts.calls = s.int64(8); counts.inbound = s.int64(9)
                counts.unrouted = s.int64(10); counts.otherLines = s.int64(11); counts.rejected = s.int64(12)
                counts.firstTs = s.isNull(13) ? nil : s.int64(13)
                counts.lastTs = s.isNull(14) ? nil : s.int64(14)
                found.append((checkpoint, counts))
            }
            byHead.reset()
        }
        return found.sorted { $0.0.bytes > $1.0.bytes }
    }

    /// Adds a new input; its identity is written with its first checkpoint.
    func add(path: String, compressed: Bool, now: Int64) throws -> Int64 {
        create.bind(1, path)
        create.bind(2, Int64(compressed ? 1 : 0))
        create.bind(3, now)
        try create.run()
        create.reset()
        return database.lastInsertRowID
    }

    /// Records a checkpoint; called inside the transaction that holds the rows it covers.
    func save(_ c: FileCheckpoint, counts: FileCounts, path: String, layout: String?, now: Int64) throws {
        let u = update
        u.bind(1, c.id)
        u.bind(2, path)
        u.bind(3, Int64(c.headLength))
        u.bind(4, Int64(bitPattern: c.headHash))
        u.bind(5, Int64(c.tailLength))
        u.bind(6, Int64(bitPattern: c.tailHash))
        u.bind(7, c.bytes)
        u.bind(8, c.lines)
        u.bind(9, layout)
        u.bind(10, counts.accessLines)
        u.bind(11, counts.calls)
        u.bind(12, counts.inbound)
        u.bind(13, counts.unrouted)
        u.bind(14, counts.otherLines)
        u.bind(15, counts.rejected)
        u.bind(16, counts.firstTs)
        u.bind(17, counts.lastTs)
        u.bind(18, now)
        try u.run()
        u.reset()
        guard c.bytes > 0 else { return }
        let h = history
        h.bind(1, c.id)
        h.bind(2, c.bytes)
        h.bind(3, c.lines)
        h.bind(4, Int64(c.headLength))
        h.bind(5, Int64(bitPattern: c.headHash))
        h.bind(6, Int64(c.tailLength))
        h.bind(7, Int64(bitPattern: c.tailHash))
        try h.run()
        h.reset()
    }

    /// Checkpoints of known inputs that a content of `size` bytes starting with `head` could have passed
    /// through (same head, offset within `size`), newest offset first, with how far their input was read.
    func pastCheckpoints(head: UnsafeRawBufferPointer, size: Int64) throws -> [(bytes: Int64, tailLength: Int, tailHash: UInt64, readTo: Int64)] {
        var lengths: [Int] = []
        historyHeadLengths.bind(1, Int64(head.count))
        historyHeadLengths.bind(2, size)
        while try historyHeadLengths.step() { lengths.append(Int(historyHeadLengths.int64(0))) }
        historyHeadLengths.reset()
        var found: [(Int64, Int, UInt64, Int64)] = []
        for length in lengths {
            historyByHead.bind(1, Int64(length))
            historyByHead.bind(2, Int64(bitPattern: ContentHash.of(UnsafeRawBufferPointer(rebasing: head[0..<length]))))
            historyByHead.bind(3, size)
            while try historyByHead.step() {
                let s = historyByHead
                found.append((s.int64(0), Int(s.int64(1)), UInt64(bitPattern: s.int64(2)), s.int64(3)))
            }
            historyByHead.reset()
        }
        return found.sorted { $0.0 > $1.0 }
    }
}
