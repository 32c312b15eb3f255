/// The workload a log file belongs to, read from kubelet's on-node path layouts:
/// `/var/log/pods/<ns>_<pod>_<uid>/<container>/<n>.log` and
/// `/var/log/containers/<pod>_<ns>_<container>-<container id>.log` (rotated and gzipped names too).
public struct SourceFromPath: Equatable, Sendable {
    public var namespace: String
    public var pod: String
    public var container: String?

    public init(namespace: String, pod: String, container: String?) {
        self.namespace = namespace
        self.pod = pod
        self.container = container
    }

    /// Parses `path`; nil when it follows neither layout.
    public static func parse(_ path: String) -> SourceFromPath? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard let file = parts.last else { return nil }
        // /var/log/pods/<ns>_<pod>_<uid>/<container>/<restart>.log[.<rotation>][.gz]
        if parts.count >= 3 {
            let podDir = parts[parts.count - 3]
            let container = parts[parts.count - 2]
            let fields = podDir.split(separator: "_", omittingEmptySubsequences: false)
            if fields.count == 3, file.first?.isNumber == true, file.contains(".log"),
               !fields[0].isEmpty, !fields[1].isEmpty, !fields[2].isEmpty,
               parts.count < 4 || parts[parts.count - 4] == "pods" || isUID(String(fields[2])) {
                return SourceFromPath(namespace: String(fields[0]), pod: String(fields[1]), container: container)
            }
        }
        // <pod>_<ns>_<container>-<64 hex>.log
        guard let logRange = file.range(of: ".log") else { return nil }
        let stem = String(file[..<logRange.lowerBound])
        let fields = stem.split(separator: "_", omittingEmptySubsequences: false)
        guard fields.count == 3, let dash = fields[2].lastIndex(of: "-") else { return nil }
        let id = fields[2][fields[2].index(after: dash)...]
        guard id.count == 64, id.allSatisfy({ $0.isHexDigit }), !fields[0].isEmpty, !fields[1].isEmpty else { return nil }
        return SourceFromPath(namespace: String(fields[1]), pod: String(fields[0]), container: String(fields[2][..<dash]))
    }

    private static func isUID(_ s: String) -> Bool {
        s.count == 36 && s.filter { $0 == "-" }.count == 4
    }
}
