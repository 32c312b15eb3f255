/// Istio's host matching (`host.Name.Matches`): exact, or by a leading wildcard: `*.foo.com` matches
/// `a.b.foo.com` but never `foo.com`; `*` matches everything.
public enum HostPattern {
    public static func matches(_ pattern: String, _ host: String) -> Bool {
        let p = pattern.lowercased()
        let h = host.lowercased()
        if p == "*" { return true }
        if p.hasPrefix("*") {
            let suffix = p.dropFirst()  // ".foo.com"
            return h.count > suffix.count && h.hasSuffix(suffix)
        }
        return p == h
    }

    public static func isWildcard(_ pattern: String) -> Bool { pattern.hasPrefix("*") }
}
