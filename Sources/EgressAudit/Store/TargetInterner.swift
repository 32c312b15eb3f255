/// Maps a call's destination and outcome — verdict, protocol, port, host, IP, cluster and response flags, the
/// columns the reports group by — to a `call_targets` row, the key of the summaries. A shape also holds the
/// response code, method, authority and the rest, which multiply rows without changing any report; a target
/// leaves them out, so a caller that reaches one destination has a handful of summary rows, not hundreds.
///
/// Absent values are stored as 0 (strings ids start at 1) and a missing port as -1, so the UNIQUE constraint
/// sees them as equal and SQL can map shapes to targets with plain equality (`joinSQL`).
final class TargetInterner {
    struct Key: Hashable {
        var verdict: Int64
        var proto: Int64
        var port: Int64
        var host: Int64
        var ip: Int64
        var cluster: Int64
        var flags: Int64
    }

    /// A cache of the ids, emptied when it reaches `maxCached` so memory stays flat on inputs with more targets
    /// (a scan of many addresses): a target not found here is looked up in the table.
    private var ids: [Key: Int64] = [:]
    static let maxCached = 1 << 13
    private let insert: SQLiteStatement
    private let select: SQLiteStatement

    init(database: SQLiteDatabase) throws {
        insert = try database.prepare("""
            INSERT INTO call_targets (verdict, protocol, dest_port, dest_host, dest_ip, upstream_cluster, response_flags)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING
            """)
        select = try database.prepare("""
            SELECT id FROM call_targets WHERE verdict = ?1 AND protocol = ?2 AND dest_port = ?3 AND dest_host = ?4
                AND dest_ip = ?5 AND upstream_cluster = ?6 AND response_flags = ?7
            """)
    }

    /// The id of `key`'s target, adding it if new.
    func id(_ key: Key) throws -> Int64 {
        if let id = ids[key] { return id }
        if ids.count >= TargetInterner.maxCached { ids.removeAll(keepingCapacity: true) }
        bind(key, to: insert)
        try insert.run()
        insert.reset()
        if insert.database.changes == 1 {   // a new target: its id without a lookup
            let id = insert.database.lastInsertRowID
            ids[key] = id
            return id
        }
        defer { select.reset() }
        bind(key, to: select)
        guard try select.step() else {
            throw SQLiteError(code: 0, message: "internal error: call target not stored", path: select.database.path, context: "ingest")
        }
        let id = select.int64(0)
        ids[key] = id
        return id
    }

    /// Binds `key`'s columns to parameters 1–7, in the order of `insert` and `select`.
    private func bind(_ key: Key, to s: SQLiteStatement) {
        s.bind(1, key.verdict); s.bind(2, key.proto); s.bind(3, key.port); s.bind(4, key.host)
        s.bind(5, key.ip); s.bind(6, key.cluster); s.bind(7, key.flags)
    }

    /// Forgets cached ids (after a rollback they may not exist any more).
    func clearCache() { ids.removeAll(keepingCapacity: true) }

    /// SQL joining `call_shapes s` to its target `tg`.
    static let joinSQL = """
        JOIN call_targets tg ON tg.verdict = s.verdict AND tg.protocol = s.protocol AND tg.dest_port = coalesce(s.dest_port, -1)
            AND tg.dest_host = coalesce(s.dest_host, 0) AND tg.dest_ip = coalesce(s.dest_ip, 0)
            AND tg.upstream_cluster = coalesce(s.upstream_cluster, 0) AND tg.response_flags = coalesce(s.response_flags, 0)
        """

    /// SQL adding the targets of every shape of a call leaving the mesh that has none yet.
    static let fillSQL = """
        INSERT INTO call_targets (verdict, protocol, dest_port, dest_host, dest_ip, upstream_cluster, response_flags)
        SELECT DISTINCT verdict, protocol, coalesce(dest_port, -1), coalesce(dest_host, 0), coalesce(dest_ip, 0),
               coalesce(upstream_cluster, 0), coalesce(response_flags, 0)
        FROM call_shapes WHERE verdict != 3
        ON CONFLICT DO NOTHING
        """
}
