/// An Istio `ServiceEntry` (`networking.istio.io` `v1alpha3`, `v1beta1` or `v1`, identical schema), with
/// every field of the API that matching or reporting needs.
public struct ServiceEntry: Equatable, Sendable, Codable {
    public struct Port: Equatable, Hashable, Sendable, Codable {
        public var number: Int
        /// As written (`HTTPS`, `tls`…); compare through `protocolFamily`.
        public var `protocol`: String?
        public var name: String?
        public var targetPort: Int?

        public init(number: Int, protocol: String?, name: String?, targetPort: Int? = nil) {
            self.number = number
            self.protocol = `protocol`
            self.name = name
            self.targetPort = targetPort
        }
    }

    public struct Endpoint: Equatable, Sendable, Codable {
        public var address: String?
        public var ports: [String: Int]
        public var labels: [String: String]
    }

    public var apiVersion: String
    public var name: String
    /// The entry's namespace (`--default-namespace` when the document has none).
    public var namespace: String
    public var hosts: [String]
    /// VIPs or CIDR prefixes.
    public var addresses: [String]
    public var ports: [Port]
    public var location: String?
    public var resolution: String?
    public var endpoints: [Endpoint]
    public var workloadSelector: [String: String]?
    /// Empty means exported to all namespaces (or to `--default-export-to`, applied by the loader).
    public var exportTo: [String]
    public var subjectAltNames: [String]
    /// Auto-allocated VIPs from `status.addresses[].value`.
    public var statusAddresses: [String]
    /// Where it was read: file and 1-based document index (and item index inside a `kind: List`).
    public var source: String

    /// `namespace/name`.
    public var id: String { "\(namespace)/\(name)" }

    public init(apiVersion: String = "networking.istio.io/v1", name: String, namespace: String, hosts: [String],
                addresses: [String] = [], ports: [Port], location: String? = "MESH_EXTERNAL", resolution: String? = nil,
                endpoints: [Endpoint] = [], workloadSelector: [String: String]? = nil, exportTo: [String] = [],
                subjectAltNames: [String] = [], statusAddresses: [String] = [], source: String = "") {
        self.apiVersion = apiVersion
        self.name = name
        self.namespace = namespace
        self.hosts = hosts
        self.addresses = addresses
        self.ports = ports
        self.location = location
        self.resolution = resolution
        self.endpoints = endpoints
        self.workloadSelector = workloadSelector
        self.exportTo = exportTo
        self.subjectAltNames = subjectAltNames
        self.statusAddresses = statusAddresses
        self.source = source
    }

    /// Whether a workload in `namespace` sees this entry (`exportTo`: `*` all, `.` own namespace, names).
    /// An unknown caller namespace is given the benefit of the doubt.
    public func isExported(to namespace: String?) -> Bool {
        guard let namespace else { return true }
        if exportTo.isEmpty { return true }
        for scope in exportTo {
            if scope == "*" { return true }
            if scope == "." && namespace == self.namespace { return true }
            if scope == namespace { return true }
        }
        return false
    }

    /// The entry's port with this number, if any.
    public func port(_ number: Int) -> Port? { ports.first { $0.number == number } }

    /// The first host that matches `host` (exactly or by a leading wildcard).
    public func host(matching host: String) -> String? { hosts.first { HostPattern.matches($0, host) } }

    /// Whether `ip` falls in `addresses` or the auto-allocated `status.addresses`.
    public func addressContains(_ ip: String) -> Bool {
        (addresses + statusAddresses).contains { CIDR($0)?.contains(ip) ?? false }
    }
}

/// How Istio treats a port protocol (`protocol.Parse`, case-insensitive).
public enum ProtocolFamily: String, Sendable {
    case http, tls, tcp

    public init(_ name: String?) {
        switch name?.uppercased() {
        case "HTTP", "HTTP2", "HTTP_PROXY", "GRPC", "GRPC-WEB": self = .http
        case "HTTPS", "TLS": self = .tls
        default: self = .tcp
        }
    }
}
