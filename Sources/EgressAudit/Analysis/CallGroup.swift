/// Outbound calls that share everything ServiceEntry analysis looks at: what was called, how it went,
/// and who called. Read from the database with `CallGroupQuery`; the analysis works on these values.
public struct CallGroup: Equatable, Sendable {
    public var verdict: Verdict
    public var proto: CallProtocol
    /// The host the lines named (cluster host, SNI or authority), lower-case.
    public var destHost: String?
    public var destIP: String?
    public var destPort: Int?
    public var cluster: String?
    public var sni: String?
    public var authority: String?
    public var namespace: String?
    public var pod: String?
    public var sourceIP: String?
    public var calls: Int
    /// How `namespace` was found when the logs did not say (see `Evidence.namespace(ofPodIP:served:)`).
    public var namespaceEvidence: String?
    /// Epoch microseconds.
    public var firstSeen: Int64?
    public var lastSeen: Int64?

    public init(verdict: Verdict, proto: CallProtocol, destHost: String?, destIP: String?, destPort: Int?, cluster: String? = nil,
                sni: String? = nil, authority: String? = nil, namespace: String?, pod: String? = nil, sourceIP: String? = nil,
                calls: Int, firstSeen: Int64? = nil, lastSeen: Int64? = nil) {
        self.verdict = verdict
        self.proto = proto
        self.destHost = destHost
        self.destIP = destIP
        self.destPort = destPort
        self.cluster = cluster
        self.sni = sni
        self.authority = authority
        self.namespace = namespace
        self.pod = pod
        self.sourceIP = sourceIP
        self.calls = calls
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
    }

    /// The `outbound|port|subset|host` cluster's host, if the call went through one.
    public var clusterHost: String? {
        guard let cluster, cluster.hasPrefix("outbound|") else { return nil }
        let parts = cluster.split(separator: "|", maxSplits: 3, omittingEmptySubsequences: false)
        return parts.count == 4 ? String(parts[3]) : nil
    }

    /// The `outbound|port|subset|host` cluster's port.
    public var clusterPort: Int? {
        guard let cluster, cluster.hasPrefix("outbound|") else { return nil }
        let parts = cluster.split(separator: "|", maxSplits: 3, omittingEmptySubsequences: false)
        return parts.count == 4 ? Int(parts[1]) : nil
    }
}
