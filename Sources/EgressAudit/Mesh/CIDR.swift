/// An IPv4 or IPv6 prefix (`10.0.0.0/8`, `2001:db8::/32`, or a bare address as a /32 or /128).
public struct CIDR: Equatable, Sendable {
    public let bytes: [UInt8]
    public let prefix: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let first = parts.first, let address = CIDR.parse(String(first)) else { return nil }
        let bits = address.count * 8
        if parts.count == 2 {
            guard parts[1].allSatisfy(\.isASCIIDigit), let p = Int(parts[1]), (0...bits).contains(p) else { return nil }
            prefix = p
        } else {
            prefix = bits
        }
        bytes = address
    }

    /// Whether `ip` (an address, no port) is inside the prefix.
    public func contains(_ ip: String) -> Bool {
        guard let other = CIDR.parse(ip), other.count == bytes.count else { return false }
        var remaining = prefix
        for i in 0..<bytes.count where remaining > 0 {
            let take = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - take))
            if bytes[i] & mask != other[i] & mask { return false }
            remaining -= take
        }
        return true
    }

    /// Parses an IPv4 dotted quad or an IPv6 address (with `::`, optionally bracketed) into bytes.
    public static func parse(_ text: String) -> [UInt8]? {
        var s = text
        if s.hasPrefix("[") && s.hasSuffix("]") { s = String(s.dropFirst().dropLast()) }
        if !s.contains(":") {
            let parts = s.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 4 else { return nil }
            var out: [UInt8] = []
            for part in parts {
                guard part.allSatisfy(\.isASCIIDigit), let v = UInt8(part) else { return nil }
                out.append(v)
            }
            return out
        }
        // IPv6; an embedded IPv4 tail (`::ffff:1.2.3.4`) becomes two hex groups.
        if let lastColon = s.lastIndex(of: ":"), s[s.index(after: lastColon)...].contains(".") {
            guard let v4 = parse(String(s[s.index(after: lastColon)...])), v4.count == 4 else { return nil }
            let high = String(UInt16(v4[0]) << 8 | UInt16(v4[1]), radix: 16)
            let low = String(UInt16(v4[2]) << 8 | UInt16(v4[3]), radix: 16)
            s = String(s[...lastColon]) + high + ":" + low
        }
        let halves = s.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt16]? {
            if part.isEmpty { return [] }
            var out: [UInt16] = []
            for g in part.split(separator: ":", omittingEmptySubsequences: false) {
                guard !g.isEmpty, g.count <= 4, g.allSatisfy(\.isHexDigit), let v = UInt16(g, radix: 16) else { return nil }
                out.append(v)
            }
            return out
        }
        guard let head = groups(halves[0]) else { return nil }
        var all = head
        let wanted = 8
        if halves.count == 2 {
            guard let back = groups(halves[1]), head.count + back.count < wanted else { return nil }
            all += Array(repeating: 0, count: wanted - head.count - back.count) + back
        }
        guard all.count == wanted else { return nil }
        var out: [UInt8] = []
        for g in all { out.append(UInt8(g >> 8)); out.append(UInt8(g & 0xFF)) }
        return out
    }
}

private extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
