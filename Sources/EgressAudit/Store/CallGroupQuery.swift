/// Reads outbound calls aggregated into `CallGroup`s (internal calls excluded unless asked), and the
/// facts about the ingested logs an analysis reports as its coverage.
public struct CallGroupQuery {
    public let database: SQLiteDatabase

    public init(database: SQLiteDatabase) { self.database = database }

    /// Calls in `window`, grouped by shape and caller; `includeInternal` adds in-mesh calls.
    public func groups(in window: TimeWindow, includeInternal: Bool = false) throws -> [CallGroup] {
        let statement = try database.prepare("""
            WITH g AS (
                SELECT shape_id, caller_id, count(*) AS n, min(ts) AS first_ts, max(ts) AS last_ts
                FROM call_facts
                WHERE (?1 IS NULL OR ts >= ?1) AND (?2 IS NULL OR ts < ?2)
                GROUP BY shape_id, caller_id
            )
            SELECT s.verdict, s.protocol, h.value, dip.value, s.dest_port, uc.value, sn.value, a.value,
                   ns.value, pod.value, sip.value, g.n, g.first_ts, g.last_ts
            FROM g
            JOIN call_shapes s ON s.id = g.shape_id
            JOIN callers w ON w.id = g.caller_id
            LEFT JOIN strings h ON h.id = s.dest_host
            LEFT JOIN strings dip ON dip.id = s.dest_ip
            LEFT JOIN strings uc ON uc.id = s.upstream_cluster
            LEFT JOIN strings sn ON sn.id = s.sni
            LEFT JOIN strings a ON a.id = s.authority
            LEFT JOIN strings ns ON ns.id = w.source_namespace
            LEFT JOIN strings pod ON pod.id = w.source_pod
            LEFT JOIN strings sip ON sip.id = w.source_ip
            WHERE ?3 OR s.verdict != 3
            """)
        statement.bind(1, window.since)
        statement.bind(2, window.until)
        statement.bind(3, Int64(includeInternal ? 1 : 0))
        var out: [CallGroup] = []
        while try statement.step() {
            let s = statement
            out.append(CallGroup(
                verdict: Verdict(rawValue: Int(s.int64(0))) ?? .allowed,
                proto: CallProtocol(rawValue: Int(s.int64(1))) ?? .tcp,
                destHost: s.text(2), destIP: s.text(3), destPort: s.isNull(4) ? nil : Int(s.int64(4)),
                cluster: s.text(5), sni: s.text(6), authority: s.text(7),
                namespace: s.text(8), pod: s.text(9), sourceIP: s.text(10),
                calls: Int(s.int64(11)), firstSeen: s.isNull(12) ? nil : s.int64(12), lastSeen: s.isNull(13) ? nil : s.int64(13)))
        }
        return out
    }

    /// In-mesh calls whose endpoint (`upstream_host`) was this pod address: the cluster hosts they went to.
    /// Used to tell the namespace of a caller known only by its IP.
    public func servicesServedBy(ip: String) throws -> [String: Int] {
        let statement = try database.prepare("""
            SELECT uc.value, count(*) FROM call_facts c
            JOIN strings uh ON uh.id = c.upstream_host
            JOIN call_shapes s ON s.id = c.shape_id
            JOIN strings uc ON uc.id = s.upstream_cluster
            WHERE s.verdict = 3 AND (uh.value = ?1 OR uh.value LIKE ?2 ESCAPE '\\')
            GROUP BY 1
            """)
        statement.bind(1, ip)
        statement.bind(2, ip.replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + ":%")
        var out: [String: Int] = [:]
        while try statement.step() {
            if let cluster = statement.text(0) { out[cluster] = Int(statement.int64(1)) }
        }
        return out
    }

    /// Services this pod IP answered for in inbound lines (Istio mTLS SNI): service host → (namespace, calls).
    public func servicesAnswered(ip: String) throws -> [String: (namespace: String, calls: Int)] {
        let statement = try database.prepare("SELECT service, namespace, calls FROM pod_services WHERE ip = ?1")
        statement.bind(1, ip)
        var out: [String: (String, Int)] = [:]
        while try statement.step() {
            if let service = statement.text(0), let ns = statement.text(1) { out[service] = (ns, Int(statement.int64(2))) }
        }
        return out
    }

    /// What the database holds for `window`: its span, inputs, lines and calling namespaces.
    public func coverage(in window: TimeWindow) throws -> Coverage {
        var c = Coverage()
        let span = try database.prepare("SELECT min(ts), max(ts), count(*) FROM call_facts WHERE (?1 IS NULL OR ts >= ?1) AND (?2 IS NULL OR ts < ?2)")
        span.bind(1, window.since)
        span.bind(2, window.until)
        if try span.step() {
            c.firstCall = span.isNull(0) ? nil : span.int64(0)
            c.lastCall = span.isNull(1) ? nil : span.int64(1)
            c.calls = Int(span.int64(2))
        }
        let files = try database.prepare("SELECT count(*), coalesce(sum(lines), 0) FROM ingested_files")
        if try files.step() {
            c.files = Int(files.int64(0))
            c.lines = files.int64(1)
        }
        let namespaces = try database.prepare("""
            SELECT DISTINCT ns.value FROM callers w JOIN strings ns ON ns.id = w.source_namespace ORDER BY 1
            """)
        while try namespaces.step() { if let n = namespaces.text(0) { c.namespaces.append(n) } }
        return c
    }
}

/// The logs behind an analysis, so nobody deletes a ServiceEntry on one hour of logs.
public struct Coverage: Equatable, Sendable {
    public var firstCall: Int64?
    public var lastCall: Int64?
    /// Outbound calls (internal ones included) in the window.
    public var calls = 0
    public var files = 0
    public var lines: Int64 = 0
    public var namespaces: [String] = []
    public init() {}

    /// Hours between the first and last call.
    public var hours: Double {
        guard let f = firstCall, let l = lastCall else { return 0 }
        return Double(l - f) / 3_600_000_000
    }
}

extension CallGroupQuery {
    /// Blocked destinations (`host:port` or `ip:port`) of calls stored after row `afterID`, and the newest row id.
    public func blockedDestinations(afterID: Int64) throws -> (destinations: [String], lastID: Int64) {
        let last = try database.scalar("SELECT coalesce(max(id), 0) FROM call_facts") ?? 0
        let statement = try database.prepare("""
            SELECT coalesce(dest_host, dest_ip, '?') || ':' || coalesce(dest_port, '?') FROM calls
            WHERE id > ?1 AND id <= ?2 AND verdict = 'blocked' GROUP BY 1 ORDER BY 1
            """)
        statement.bind(1, afterID)
        statement.bind(2, last)
        var out: [String] = []
        while try statement.step() { if let d = statement.text(0) { out.append(d) } }
        return (out, last)
    }
}

extension CallGroupQuery {
    /// The start of the newest call, epoch microseconds (the "now" of `--relative-to-data`). Read from each
    /// input's span, committed with its calls, instead of from every call (call_facts has no index on time).
    public func newestCall() throws -> Int64? {
        try database.scalar("SELECT max(last_ts) FROM ingested_files")
    }
}
