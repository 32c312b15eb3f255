/// Settings of the classification rules.
public struct ClassifierConfig: Sendable {
    /// The Kubernetes cluster domain: hosts under `.svc.<domain>` are in-mesh.
    public var clusterDomain: String
    /// Extra in-mesh hosts of egress gateways (besides any service named `*egressgateway*` / `*egress-gateway*`).
    public var egressGatewayHosts: [String]

    public init(clusterDomain: String = "cluster.local", egressGatewayHosts: [String] = []) {
        self.clusterDomain = clusterDomain
        self.egressGatewayHosts = egressGatewayHosts
    }
}
