/// Names IP-only destinations (blocked and passthrough TLS/TCP lines carry only the original destination
/// IP) from evidence in the data, never by guessing: other calls that paired the same IP with an SNI,
/// `:authority` or ServiceEntry host, and entries' `addresses` / auto-allocated `status.addresses`.
public struct Evidence: Sendable {
    /// What is known of one IP.
    public enum Naming: Equatable, Sendable {
        /// One host, with the sentence that says why.
        case named(host: String, because: String)
        /// Several hosts were seen with this IP (a CDN, a shared front): it stays an IP.
        case conflicting(hosts: [String], because: String)
        case unknown
    }

    /// Hosts seen with each destination IP: host → (calls, how it was named).
    private var hostsByIP: [String: [String: (calls: Int, via: Set<String>)]] = [:]
    private var entryHostsByIP: [String: Set<String>] = [:]
    private let entries: [ServiceEntry]

    public init(groups: [CallGroup], entries: [ServiceEntry]) {
        self.entries = entries
        for g in groups where g.verdict != .internal {
            guard let ip = g.destIP, let host = g.destHost, !HostPattern.isWildcard(host) else { continue }
            let via: String
            if let sni = g.sni, sni == host { via = "SNI" }
            else if g.clusterHost == host { via = "ServiceEntry cluster" }
            else { via = ":authority" }
            var entry = hostsByIP[ip, default: [:]][host] ?? (0, [])
            entry.calls += g.calls
            entry.via.insert(via)
            hostsByIP[ip, default: [:]][host] = entry
        }
    }

    /// What the data says `ip` is.
    public func name(_ ip: String) -> Naming {
        var hosts = hostsByIP[ip] ?? [:]
        var fromEntries: [String] = []
        for e in entries where e.hosts.count == 1 && !HostPattern.isWildcard(e.hosts[0]) && e.addressContains(ip) {
            fromEntries.append("\(e.hosts[0]) (addresses of \(e.id))")
            if hosts[e.hosts[0]] == nil { hosts[e.hosts[0]] = (0, ["ServiceEntry addresses of \(e.id)"]) }
        }
        if hosts.isEmpty { return .unknown }
        let sorted = hosts.keys.sorted()
        if sorted.count > 1 {
            let detail = sorted.map { "\($0) (\(hosts[$0]!.calls) calls)" }.joined(separator: ", ")
            return .conflicting(hosts: sorted, because: "\(ip) was seen with several hosts: \(detail); kept as an IP")
        }
        let host = sorted[0]
        let info = hosts[host]!
        let how = info.via.sorted().joined(separator: " and ")
        let because = info.calls > 0
            ? "\(ip) carried \(how) \(host) in \(info.calls) other call\(info.calls == 1 ? "" : "s")"
            : "\(ip) is in the \(how)"
        return .named(host: host, because: because)
    }

    /// The namespace of a caller known only by its pod IP, from in-mesh calls whose endpoint was that IP:
    /// `served` maps their clusters (`outbound|80||svc.ns.svc.cluster.local`) to call counts.
    public static func namespace(ofPodIP ip: String, served: [String: Int],
                                 answered: [String: (namespace: String, calls: Int)] = [:],
                                 clusterDomain: String = "cluster.local") -> (String, String)? {
        var namespaces: [String: Int] = [:]
        var inbound = 0
        var outbound = 0
        let suffix = ".svc." + clusterDomain
        for (cluster, calls) in served {
            guard let host = cluster.split(separator: "|", maxSplits: 3, omittingEmptySubsequences: false).last,
                  host.hasSuffix(suffix) else { continue }
            let labels = host.dropLast(suffix.count).split(separator: ".")
            guard labels.count == 2 else { continue }
            namespaces[String(labels[1]), default: 0] += calls
            outbound += calls
        }
        for (_, answer) in answered {
            namespaces[answer.namespace, default: 0] += answer.calls
            inbound += answer.calls
        }
        guard namespaces.count == 1, let (ns, _) = namespaces.first else { return nil }
        var how: [String] = []
        if inbound > 0 {
            let services = answered.keys.sorted().joined(separator: ", ")
            how.append("received \(inbound) mTLS call\(inbound == 1 ? "" : "s") for \(services) (inbound SNI)")
        }
        if outbound > 0 { how.append("answered \(outbound) in-mesh call\(outbound == 1 ? "" : "s") to services of namespace \(ns)") }
        return (ns, "pod \(ip) " + how.joined(separator: " and "))
    }

}
