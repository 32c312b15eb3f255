/// What happened to an outbound call, as stored in the `calls` view's `verdict` column.
public enum Verdict: Int, CaseIterable, Sendable, Codable {
    /// Left the mesh through a ServiceEntry cluster or an egress gateway.
    case allowed = 0
    /// Left unregistered through `PassthroughCluster` (ALLOW_ANY): breaks under REGISTRY_ONLY.
    case passthrough = 1
    /// Refused for want of a ServiceEntry (`BlackHoleCluster`, `block_all`, pre-1.2 `404 NR`).
    case blocked = 2
    /// A call to a Kubernetes service inside the mesh; never needs a ServiceEntry.
    case `internal` = 3

    public var name: String {
        switch self {
        case .allowed: return "allowed"
        case .passthrough: return "passthrough"
        case .blocked: return "blocked"
        case .internal: return "internal"
        }
    }
}

/// The transport of a call as the line shows it: HTTP when the proxy parsed HTTP, TLS when it saw an SNI.
public enum CallProtocol: Int, CaseIterable, Sendable {
    case http = 0
    case tls = 1
    case tcp = 2

    public var name: String {
        switch self {
        case .http: return "http"
        case .tls: return "tls"
        case .tcp: return "tcp"
        }
    }
}
