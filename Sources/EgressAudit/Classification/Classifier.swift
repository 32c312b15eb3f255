#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where an access line belongs.
public enum LineDirection: Sendable {
    /// An outbound call, stored in `calls`.
    case outbound
    /// A call this proxy received: counted, not stored.
    case inbound
    /// An outbound line that reached no cluster and is no block (e.g. the client left first): counted.
    case unrouted
}

/// The facts egress-audit stores about one outbound call, derived from an `AccessRecord`.
/// Slices point into the record or the classifier's scratch (lower-cased copies).
public struct Classification {
    public var direction: LineDirection = .outbound
    public var verdict: Verdict = .allowed
    public var proto: CallProtocol = .tcp
    /// The host the line names: ServiceEntry host from the cluster, else SNI, else `:authority` without its port.
    public var destHost: ByteSlice = .absent
    /// The original destination (`%DOWNSTREAM_LOCAL_ADDRESS%`), without its port.
    public var destIP: ByteSlice = .absent
    public var destPort: Int64 = -1
    /// The cluster with one trailing `;` removed.
    public var cluster: ByteSlice = .absent
    /// The SNI without Envoy's `invalid:` prefix, lower-cased.
    public var sni: ByteSlice = .absent
    /// The calling pod's address (`%DOWNSTREAM_REMOTE_ADDRESS%`) without its port.
    public var sourceIP: ByteSlice = .absent
}

/// Applies the classification rules (README, "How calls are classified") to parsed lines.
/// Pure apart from a reusable scratch buffer for lower-casing.
public final class Classifier {
    public let config: ClassifierConfig
    private let meshSuffix: [UInt8]
    private let gatewayHosts: [[UInt8]]
    private var scratch: UnsafeMutablePointer<UInt8>
    private var scratchCapacity = 4096
    private var scratchUsed = 0

    public init(config: ClassifierConfig = ClassifierConfig()) {
        self.config = config
        self.meshSuffix = Array((".svc." + config.clusterDomain.lowercased()).utf8)
        self.gatewayHosts = config.egressGatewayHosts.map { Array($0.lowercased().utf8) }
        self.scratch = .allocate(capacity: scratchCapacity)
    }

    deinit { scratch.deallocate() }

    /// Classifies one parsed line.
    public func classify(_ r: AccessRecord) -> Classification {
        scratchUsed = 0
        // Lower-cased copies never move during a line: room for all of them is made first.
        reserve(r[.serverName].count + r[.authority].count + r[.upstreamCluster].count)
        var c = Classification()
        let cluster = ClusterName.normalized(r[.upstreamCluster])
        c.cluster = cluster
        var sni = r[.serverName]
        if sni.hasPrefix("invalid:") { sni = sni.dropFirst(8) }
        c.sni = lowercased(sni)
        let route = r[.routeName]
        let flags = r[.responseFlags]
        let details = r[.responseCodeDetails]
        let code = r[.responseCode].integerValue ?? 0

        // Direction: only a sidecar's outbound lines are egress.
        if cluster.hasPrefix("inbound|") || cluster.hasPrefix("InboundPassthroughCluster")
            || r[.upstreamLocalAddress].hasPrefix("127.0.0.6:") || r[.upstreamLocalAddress].hasPrefix("127.0.0.1:")
            || sni.hasPrefix("outbound_.") {
            c.direction = .inbound
            return c
        }
        let (dip, dport) = Endpoint.split(r[.downstreamLocalAddress])
        c.destIP = dip
        c.destPort = dport
        c.sourceIP = Endpoint.split(r[.downstreamRemoteAddress]).host
        c.proto = (r[.method].isAbsent && r[.proto].isAbsent) ? (c.sni.isAbsent ? .tcp : .tls) : .http

        // The host named by SNI, else by :authority (an IP literal names none).
        var namedHost = c.sni
        if namedHost.isAbsent {
            let authorityHost = Endpoint.split(r[.authority]).host
            if !authorityHost.isAbsent && !Endpoint.isIPLiteral(authorityHost) { namedHost = lowercased(authorityHost) }
        }

        if cluster.equals("BlackHoleCluster") || route.equals("block_all")
            || (code == 403 && details.hasPrefix("rbac_access_denied")) {
            c.verdict = .blocked
            c.destHost = namedHost
            return c
        }
        if cluster.equals("PassthroughCluster") || route.equals("allow_any")
            || cluster.equals("AllowAnyDynamicDNSCluster") || route.equals("allow_any_dynamic_dns") {
            c.verdict = .passthrough
            c.destHost = namedHost
            return c
        }
        if let name = ClusterName.outbound(cluster) {
            let host = lowercased(name.host)
            if isInMesh(host) {
                if isEgressGateway(host) {
                    c.verdict = .allowed
                    c.destHost = isInMesh(namedHost) ? .absent : namedHost
                } else {
                    c.verdict = .internal
                    c.destHost = host
                }
            } else {
                c.verdict = .allowed
                // A wildcard entry's cluster keeps the `*`: the real host is in the SNI or authority.
                c.destHost = host.hasPrefix("*") ? namedHost : host
            }
            return c
        }
        if cluster.isAbsent {
            // No cluster: Istio's own refusals, by era (block_all reply without route name before 1.6,
            // 404 NR before 1.2, JSON BlackHole lines with a null cluster), else a call that never left.
            let noUpstream = r[.upstreamHost].isAbsent
            if (code == 502 && noUpstream && (details.isAbsent || details.equals("direct_response")) && flags.isAbsent)
                || contains(flags, "NR")
                || (contains(flags, "UH") && code == 0 && noUpstream) {
                c.verdict = .blocked
                c.destHost = namedHost
                return c
            }
            c.direction = .unrouted
            return c
        }
        // A cluster of another shape (custom egress proxies): trust what the line names.
        c.verdict = isInMesh(namedHost) ? .internal : .allowed
        c.destHost = namedHost
        return c
    }

    private func isInMesh(_ host: ByteSlice) -> Bool {
        guard let p = host.start, host.count >= meshSuffix.count else { return false }
        return meshSuffix.withUnsafeBufferPointer { s in
            memcmp(p + (host.count - s.count), s.baseAddress!, s.count) == 0
        }
    }

    private func isEgressGateway(_ host: ByteSlice) -> Bool {
        guard let p = host.start else { return false }
        for g in gatewayHosts where g.count == host.count && g.withUnsafeBufferPointer({ memcmp($0.baseAddress!, p, host.count) == 0 }) {
            return true
        }
        let label = host.prefix(host.firstIndex(of: UInt8(ascii: ".")) ?? host.count)
        return contains(label, "egressgateway") || contains(label, "egress-gateway")
    }

    /// Whether a comma-separated flag list or a label contains `token` as a substring.
    private func contains(_ s: ByteSlice, _ token: StaticString) -> Bool {
        guard let p = s.start, s.count >= token.utf8CodeUnitCount else { return false }
        let n = token.utf8CodeUnitCount
        var i = 0
        while i + n <= s.count {
            if memcmp(p + i, token.utf8Start, n) == 0 {
                // For flags, a whole token: "UH" must not match inside "UHX".
                let before = i == 0 || p[i - 1] == UInt8(ascii: ",")
                let after = i + n == s.count || p[i + n] == UInt8(ascii: ",")
                if before && after { return true }
                if token.utf8CodeUnitCount > 3 { return true }
            }
            i += 1
        }
        return false
    }

    private func reserve(_ count: Int) {
        guard count > scratchCapacity else { return }
        scratch.deallocate()
        scratchCapacity = count + 4096
        scratch = .allocate(capacity: scratchCapacity)
    }

    /// Whether any of the `n` bytes at `p` is an ASCII capital, eight bytes a step: per byte, `0xDA - (b & 0x7F)`
    /// keeps its high bit for `b & 0x7F` below `[`, `(b & 0x7F) + 0x3F` gets it from `A` up, and `~b` drops
    /// bytes above 0x7F; no step borrows or carries into the next byte.
    @inline(__always) static func hasUpperCase(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let raw = UnsafeRawPointer(p)
        var i = 0
        while i &+ 8 <= n {
            let x = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let low = x & (ones &* 0x7F)
            if ((ones &* 0xDA) &- low) & ~x & (low &+ ones &* 0x3F) & (ones &* 0x80) != 0 { return true }
            i &+= 8
        }
        while i < n {
            if p[i] &- 65 < 26 { return true }
            i &+= 1
        }
        return false
    }

    /// The slice in lower case: itself when it already is, else a copy in scratch.
    private func lowercased(_ s: ByteSlice) -> ByteSlice {
        guard let p = s.start else { return s }
        if !Classifier.hasUpperCase(p, s.count) { return s }
        let out = scratch + scratchUsed
        for i in 0..<s.count { let b = p[i]; out[i] = b &- 65 < 26 ? b | 0x20 : b }
        scratchUsed += s.count
        return ByteSlice(start: UnsafePointer(out), count: s.count)
    }
}
