#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits the address forms Envoy prints: `1.2.3.4:443`, `[2001:db8::1]:443`, a bare IP, a path.
public enum Endpoint {
    /// The address without its port, and the port (-1 when there is none).
    public static func split(_ s: ByteSlice) -> (host: ByteSlice, port: Int64) {
        guard let p = s.start, s.count > 0 else { return (.absent, -1) }
        if p[0] == UInt8(ascii: "[") {
            guard let close = s.firstIndex(of: UInt8(ascii: "]")) else { return (s, -1) }
            let host = ByteSlice(start: p + 1, count: close - 1)
            if close + 1 < s.count && p[close + 1] == UInt8(ascii: ":") {
                return (host, s.dropFirst(close + 2).integerValue ?? -1)
            }
            return (host, -1)
        }
        // One pass, a word at a time (three addresses a line): the first colon, then whether there is another.
        let colon = ByteScan.first(UInt8(ascii: ":"), mask: 0, in: p, from: 0, to: s.count)
        guard colon < s.count else { return (s, -1) }
        // More than one colon without brackets: an IPv6 address with no port.
        if ByteScan.first(UInt8(ascii: ":"), mask: 0, in: p, from: colon + 1, to: s.count) < s.count { return (s, -1) }
        guard let port = s.dropFirst(colon + 1).integerValue, colon + 1 < s.count else { return (s, -1) }
        return (s.prefix(colon), port)
    }

    /// True for an IPv4 or IPv6 literal (which names no host).
    public static func isIPLiteral(_ s: ByteSlice) -> Bool {
        guard let p = s.start, s.count > 0 else { return false }
        var colons = 0, dots = 0, hexLetters = 0
        for i in 0..<s.count {
            let c = p[i]
            switch c {
            case UInt8(ascii: ":"): colons += 1
            case UInt8(ascii: "."): dots += 1
            case 48...57: break
            case 65...70, 97...102: hexLetters += 1
            default: return false
            }
        }
        if colons >= 2 { return true }
        return colons == 0 && hexLetters == 0 && dots == 3
    }
}
