import Foundation

/// Text renderings of suggestions and entry usage for people (tables via `TableFormatter`).
public enum AnalysisText {
    /// One row per suggestion: what to do, for which destination, why.
    public static func suggestionsTable(_ suggestions: [Suggestion], width: Int?) -> String {
        var out = ""
        let table = TableFormatter(write: { out += $0 }, width: width)
        table.begin(columns: ["action", "destination", "ports", "entry", "namespaces", "calls", "reasons"])
        for s in suggestions {
            table.row([.text(s.action.rawValue), .text(s.host ?? s.addresses.joined(separator: ",")),
                       .text(s.ports.map { "\($0.number)/\($0.protocol)" }.joined(separator: ",")),
                       s.entry.map { .text($0) } ?? .null, .text(s.namespaces.joined(separator: ",")),
                       .integer(Int64(s.calls)), .text(s.reasons.joined(separator: ","))])
        }
        table.end()
        return out
    }

    /// Unused entries and host × ports.
    public static func unusedTable(_ items: [UnusedItem], width: Int?) -> String {
        var out = ""
        let table = TableFormatter(write: { out += $0 }, width: width)
        table.begin(columns: ["entry", "host", "port", "unused", "entry last used"])
        for i in items {
            table.row([.text(i.entry), i.host.map { .text($0) } ?? .null, i.port.map { .integer(Int64($0)) } ?? .null,
                       .text(i.host == nil ? "whole entry" : "this host and port"), i.entryLastSeen.map { .text($0) } ?? .null])
        }
        table.end()
        return out
    }

    /// The coverage sentence every unused report carries.
    public static func coverage(_ c: Coverage) -> String {
        guard let first = c.firstCall, let last = c.lastCall else {
            return "coverage: no calls in the window; nothing can be called unused\n"
        }
        var s = "coverage: \(Timestamp.iso8601(micros: first)) to \(Timestamp.iso8601(micros: last))"
        s += String(format: " (%.1f hours), %d calls from %d input%@, %lld lines; namespaces seen: %@\n",
                    c.hours, c.calls, c.files, c.files == 1 ? "" : "s", c.lines, c.namespaces.isEmpty ? "none" : c.namespaces.joined(separator: ", "))
        if c.hours < 24 * 7 {
            s += "warning: less than 7 days of logs; an entry used weekly (batch jobs, certificate renewals) can look unused\n"
        }
        return s
    }
}
