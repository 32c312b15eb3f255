/// One change that would let uncovered calls out: a new ServiceEntry, a port added to an existing one,
/// or an existing one exported to more namespaces. Encoded as the `suggest --format json` contract.
public struct Suggestion: Equatable, Sendable, Encodable {
    public enum Action: String, Sendable, Encodable {
        case create
        case addPort = "add-port"
        case export
    }

    public struct PortNeed: Equatable, Hashable, Sendable, Encodable {
        public var number: Int
        /// `HTTP`, `TLS` or `TCP`.
        public var `protocol`: String
    }

    public var action: Action
    /// The destination host it covers, or nil for an IP nobody named.
    public var host: String?
    /// `ip/32` (or `/128`) for an unnamed IP; empty otherwise.
    public var addresses: [String]
    /// The ports it newly covers.
    public var ports: [PortNeed]
    /// `namespace/name` of the entry changed (add-port, export).
    public var entry: String?
    /// Calling namespaces (known ones).
    public var namespaces: [String]
    /// Calling pods (known ones), for the evidence comments.
    public var pods: [String]
    public var calls: Int
    public var firstSeen: String?
    public var lastSeen: String?
    /// Verdicts of the calls it covers: `blocked`, `passthrough`, `allowed`.
    public var reasons: [String]
    /// Why hosts were named, wildcards formed, namespaces attributed.
    public var evidence: [String]
    /// The ServiceEntry to apply.
    public var serviceEntry: ServiceEntry
    /// The document as YAML (with its evidence comments).
    public var yaml: String

    enum CodingKeys: String, CodingKey {
        case action, host, addresses, ports, entry, namespaces, calls, reasons, evidence, yaml
        case firstSeen = "first_seen", lastSeen = "last_seen"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(action, forKey: .action)
        try c.encode(host, forKey: .host)
        try c.encode(addresses, forKey: .addresses)
        try c.encode(ports, forKey: .ports)
        try c.encode(entry, forKey: .entry)
        try c.encode(namespaces, forKey: .namespaces)
        try c.encode(calls, forKey: .calls)
        try c.encode(firstSeen, forKey: .firstSeen)
        try c.encode(lastSeen, forKey: .lastSeen)
        try c.encode(reasons, forKey: .reasons)
        try c.encode(evidence, forKey: .evidence)
        try c.encode(yaml, forKey: .yaml)
    }
}
