#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads Istio cluster names: `outbound|<port>|<subset>|<host>` (built by `BuildSubsetKey`),
/// `inbound|…`, and the special clusters.
public struct ClusterName {
    public var port: Int64
    public var subset: ByteSlice
    public var host: ByteSlice

    /// Parses an `outbound|port|subset|host` name; nil for anything else.
    public static func outbound(_ s: ByteSlice) -> ClusterName? {
        guard s.hasPrefix("outbound|"), let p = s.start else { return nil }
        let rest = s.dropFirst(9)
        guard let bar1 = rest.firstIndex(of: UInt8(ascii: "|")) else { return nil }
        let afterPort = rest.dropFirst(bar1 + 1)
        guard let bar2 = afterPort.firstIndex(of: UInt8(ascii: "|")) else { return nil }
        _ = p
        return ClusterName(port: rest.prefix(bar1).integerValue ?? -1,
                           subset: afterPort.prefix(bar2),
                           host: afterPort.dropFirst(bar2 + 1))
    }

    /// Removes one trailing `;` (Istio 1.23–1.24 `alt_stat_name` showing through `%UPSTREAM_CLUSTER%`).
    public static func normalized(_ s: ByteSlice) -> ByteSlice {
        guard s.count > 0, s[s.count - 1] == UInt8(ascii: ";") else { return s }
        let t = s.prefix(s.count - 1)
        return t.count == 0 ? .absent : t
    }
}
