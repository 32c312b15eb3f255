import ArgumentParser
import EgressAudit

/// How logs are read: the access-log format and the caller when the logs do not name it
/// (`ingest`, `tail`, `analyze`).
struct SourceOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("A preset (istio-1.23, istio-1.9, istio-1.8, istio-1.3, istio-1.2, istio-1.1, envoy), json, or an Envoy format string. Default: detected per line.", valueName: "format"))
    var logFormat: String?

    @Option(name: .long, help: ArgumentHelp("Namespace of the calling workload, when neither the log wrapper nor the path says.", valueName: "ns"))
    var namespace: String?

    @Option(name: .long, help: ArgumentHelp("Pod of the calling workload, when neither the log wrapper nor the path says.", valueName: "pod"))
    var pod: String?

    @Option(name: .long, help: ArgumentHelp("An in-mesh host that is an egress gateway (services named *egressgateway* are known).", valueName: "host"))
    var egressGateway: [String] = []

    func validate() throws {
        if let logFormat {
            do { _ = try FormatPresets.resolve(logFormat) } catch { throw ValidationError("\(error)") }
        }
    }

    func ingestOptions(clusterDomain: String, commitInterval: Double = 2) -> IngestOptions {
        IngestOptions(logFormat: logFormat,
                      classifier: ClassifierConfig(clusterDomain: clusterDomain, egressGatewayHosts: egressGateway),
                      namespace: namespace, pod: pod, commitInterval: commitInterval)
    }
}

/// `--cluster-domain`: hosts under `.svc.<domain>` are in-mesh.
struct ClusterDomainOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Kubernetes cluster domain: hosts under .svc.<domain> are in-mesh.", valueName: "domain"))
    var clusterDomain: String = "cluster.local"
}
