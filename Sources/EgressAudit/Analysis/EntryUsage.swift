/// How the calls in a window used one ServiceEntry, per host × port. Encoded in `unused --format json`.
public struct EntryUsage: Equatable, Sendable, Encodable {
    public struct HostPort: Equatable, Sendable, Encodable {
        public var host: String
        public var port: Int
        public var `protocol`: String?
        public var calls: Int
        public var lastSeen: String?
        public var namespaces: [String]
        /// How the calls matched: `cluster`, `host`, `address`.
        public var matchedBy: [String]

        enum CodingKeys: String, CodingKey {
            case host, port, `protocol`, calls, namespaces
            case lastSeen = "last_seen", matchedBy = "matched_by"
        }
    }

    public var entry: String
    public var source: String
    public var calls: Int
    public var lastSeen: String?
    public var namespaces: [String]
    public var hostPorts: [HostPort]

    enum CodingKeys: String, CodingKey {
        case entry, source, calls, namespaces
        case lastSeen = "last_seen", hostPorts = "host_ports"
    }
}

/// One line of the `unused` list: a whole entry (host and port nil) or one host × port of a used entry.
public struct UnusedItem: Equatable, Sendable, Encodable {
    public var entry: String
    public var host: String?
    public var port: Int?
    public var `protocol`: String?
    /// When the entry as a whole was last used (nil for a whole unused entry).
    public var entryLastSeen: String?
    public var lastSeen: String?
    public var source: String

    enum CodingKeys: String, CodingKey {
        case entry, host, port, `protocol`, source
        case lastSeen = "last_seen", entryLastSeen = "entry_last_seen"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(entry, forKey: .entry)
        try c.encode(host, forKey: .host)
        try c.encode(port, forKey: .port)
        try c.encode(`protocol`, forKey: .protocol)
        try c.encode(lastSeen, forKey: .lastSeen)
        try c.encode(entryLastSeen, forKey: .entryLastSeen)
        try c.encode(source, forKey: .source)
    }
}

/// Finds, for every entry and host × port, the calls that used it: through its cluster name
/// (`outbound|port|…|host`), an SNI or `:authority` its hosts match (egress gateway routes included), or a
/// destination IP in its addresses. Any verdict counts: a blocked call an entry would cover shows it is needed.
public struct UsageAnalyzer {
    public init() {}

    /// `evidence`: the calls that may name IP-only destinations (all of the database, beyond the window); nil means `groups`.
    public func usage(groups: [CallGroup], entries: [ServiceEntry], evidence evidenceGroups: [CallGroup]? = nil) -> [EntryUsage] {
        let evidence = Evidence(groups: evidenceGroups ?? groups, entries: entries)
        // Named destinations for IP-only calls, computed once.
        var names: [String: String] = [:]
        for g in groups where g.destHost == nil {
            if let ip = g.destIP, names[ip] == nil, case let .named(host, _) = evidence.name(ip) { names[ip] = host }
        }
        return entries.map { e in
            var perKey: [String: (calls: Int, last: Int64?, namespaces: Set<String>, by: Set<String>)] = [:]
            var total = 0
            var last: Int64?
            var namespaces = Set<String>()
            for g in groups where g.verdict != .internal {
                guard let port = g.destPort ?? g.clusterPort, e.port(port) != nil || g.clusterPort.map({ e.port($0) != nil }) == true else { continue }
                var matched: (host: String, port: Int, by: String)?
                if let clusterHost = g.clusterHost, let clusterPort = g.clusterPort, e.hosts.contains(clusterHost), e.port(clusterPort) != nil {
                    let real = g.destHost.flatMap { e.host(matching: $0) } ?? clusterHost
                    matched = (real, clusterPort, "cluster")
                } else if e.isExported(to: g.namespace), e.port(port) != nil {
                    // An IP named only by evidence matches by address first: the entry's own addresses may be that evidence.
                    if let host = g.destHost, let pattern = e.host(matching: host) {
                        matched = (pattern, port, "host")
                    } else if let ip = g.destIP, e.addressContains(ip) {
                        matched = (e.hosts.first ?? ip, port, "address")
                    } else if g.destHost == nil, let host = g.destIP.flatMap({ names[$0] }), let pattern = e.host(matching: host) {
                        matched = (pattern, port, "host")
                    }
                }
                guard let m = matched else { continue }
                let key = "\(m.host)\u{0}\(m.port)"
                var u = perKey[key] ?? (0, nil, [], [])
                u.calls += g.calls
                if let l = g.lastSeen, u.last.map({ l > $0 }) ?? true { u.last = l }
                if let ns = g.namespace { u.namespaces.insert(ns) }
                u.by.insert(m.by)
                perKey[key] = u
                total += g.calls
                if let l = g.lastSeen, last.map({ l > $0 }) ?? true { last = l }
                if let ns = g.namespace { namespaces.insert(ns) }
            }
            var hostPorts: [EntryUsage.HostPort] = []
            for host in e.hosts {
                for p in e.ports {
                    let u = perKey["\(host)\u{0}\(p.number)"]
                    hostPorts.append(EntryUsage.HostPort(host: host, port: p.number, protocol: p.protocol, calls: u?.calls ?? 0,
                                                         lastSeen: u?.last.map { Timestamp.iso8601(micros: $0) },
                                                         namespaces: (u?.namespaces ?? []).sorted(), matchedBy: (u?.by ?? []).sorted()))
                }
            }
            return EntryUsage(entry: e.id, source: e.source, calls: total, lastSeen: last.map { Timestamp.iso8601(micros: $0) },
                              namespaces: namespaces.sorted(), hostPorts: hostPorts)
        }
    }

    /// Whole entries nothing used, then host × ports of used entries that nothing used.
    public func unused(_ usage: [EntryUsage]) -> [UnusedItem] {
        var whole: [UnusedItem] = []
        var partial: [UnusedItem] = []
        for u in usage {
            if u.calls == 0 {
                whole.append(UnusedItem(entry: u.entry, host: nil, port: nil, protocol: nil, entryLastSeen: nil, lastSeen: nil, source: u.source))
                continue
            }
            for hp in u.hostPorts where hp.calls == 0 {
                partial.append(UnusedItem(entry: u.entry, host: hp.host, port: hp.port, protocol: hp.protocol,
                                          entryLastSeen: u.lastSeen, lastSeen: nil, source: u.source))
            }
        }
        return whole + partial
    }
}
