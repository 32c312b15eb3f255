/// Answers "which entries cover this call" with Istio's matching (reference §5): the host exactly or by a
/// leading wildcard, or the destination IP inside `addresses`/`status.addresses`; the port among the
/// entry's ports; and `exportTo` including the caller's namespace when it is known.
public struct EntryIndex: Sendable {
    public let entries: [ServiceEntry]

    public init(_ entries: [ServiceEntry]) { self.entries = entries }

    /// Entries that would let this call out.
    public func covering(host: String?, ip: String?, port: Int?, namespace: String?) -> [ServiceEntry] {
        entries.filter { e in
            guard let port, e.port(port) != nil, e.isExported(to: namespace) else { return false }
            if let host, e.host(matching: host) != nil { return true }
            if let ip, e.addressContains(ip) { return true }
            return false
        }
    }

    /// Entries that name this destination (by host or address), whatever their ports and scope.
    public func naming(host: String?, ip: String?) -> [ServiceEntry] {
        entries.filter { e in
            if let host, e.host(matching: host) != nil { return true }
            if let ip, e.addressContains(ip) { return true }
            return false
        }
    }
}
