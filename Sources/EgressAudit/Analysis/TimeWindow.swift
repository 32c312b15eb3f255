import Foundation

/// The span of calls an analysis looks at (`--since`, `--until`), in epoch microseconds; nil ends are open.
public struct TimeWindow: Equatable, Sendable {
    public var since: Int64?
    public var until: Int64?

    public init(since: Int64? = nil, until: Int64? = nil) {
        self.since = since
        self.until = until
    }

    /// Reads RFC 3339 (`2026-11-23T10:00:00Z`) or a duration before `now`: `90s`, `30m`, `2h`, `7d`, `2w`,
    /// or spelled out, optionally negative (`-7 days`, `12 hours`).
    public static func parse(_ text: String, now: Int64 = Int64(Date().timeIntervalSince1970 * 1_000_000)) -> Int64? {
        var copy = text
        if let micros = copy.withUTF8({ Timestamp.microseconds(ByteSlice(start: $0.baseAddress, count: $0.count)) }),
           text.contains("-") || text.contains("T") {
            return micros
        }
        var compact = text.trimmingCharacters(in: .whitespaces)
        if compact.hasPrefix("-") { compact.removeFirst() }
        for (word, letter) in [("seconds", "s"), ("second", "s"), ("minutes", "m"), ("minute", "m"), ("hours", "h"), ("hour", "h"),
                               ("days", "d"), ("day", "d"), ("weeks", "w"), ("week", "w")] where compact.hasSuffix(word) {
            compact = compact.dropLast(word.count).trimmingCharacters(in: .whitespaces) + letter
            break
        }
        guard let unit = compact.last, let amount = Int64(compact.dropLast()), amount >= 0 else { return nil }
        let seconds: Int64
        switch unit {
        case "s": seconds = 1
        case "m": seconds = 60
        case "h": seconds = 3600
        case "d": seconds = 86_400
        case "w": seconds = 604_800
        default: return nil
        }
        return now - amount * seconds * 1_000_000
    }
}
