/// The container-log envelope a line arrived in.
public enum WrapperKind: String, CaseIterable, Sendable {
    case plain
    case cri
    case dockerJSON = "docker-json"
    case kubectlPrefix = "kubectl-prefix"
    case kubectlTimestamps = "kubectl-timestamps"
    case shipperRecord = "shipper-record"
}
