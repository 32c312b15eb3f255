/// Recognises the non-access lines that share an `istio-proxy` container's output: pilot-agent lines
/// (`<ts>\tinfo\txdsproxy\t…`, `FLAG:` lines), Envoy's own log (`[2024-01-01 10:00:00.000][15][warning]…`),
/// and blank lines. JSON agent lines are told apart later, by their keys.
public enum OtherLine {
    public static func matches(_ line: ByteSlice) -> Bool {
        guard let p = line.start, line.count > 0 else { return true }
        var i = 0
        while i < line.count && (p[i] == 0x20 || p[i] == 0x09) { i += 1 }
        if i == line.count { return true }
        // pilot-agent / zap: an RFC 3339 timestamp then a tab.
        if p[0] &- 48 < 10 && line.count > 20 && p[4] == UInt8(ascii: "-") {
            let limit = min(line.count, 40)
            var j = 10
            while j < limit && p[j] != 0x20 && p[j] != 0x09 { j += 1 }
            if j < limit && p[j] == 0x09 { return true }
        }
        // Envoy application log: "[YYYY-MM-DD HH:MM:SS.mmm][".
        if p[0] == UInt8(ascii: "[") && line.count > 25 && p[5] == UInt8(ascii: "-") && p[11] == 0x20 { return true }
        // Agent lines printed without a timestamp.
        if line.hasPrefix("info\t") || line.hasPrefix("warn\t") || line.hasPrefix("error\t") || line.hasPrefix("debug\t") { return true }
        return false
    }
}
