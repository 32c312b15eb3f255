/// Finds the layout of each access line: the one that matched the previous line is tried first,
/// then every other known layout, so a file is detected from its first access line and a proxy
/// upgraded mid-file (a new layout from one line on) is followed.
public final class LayoutDetector {
    private let formats: [LineFormat]
    /// `formats[current]` when it is one of the two kinds egress-audit makes: the per-line call borrows it
    /// (`_withUnsafeGuaranteedRef`; `formats` keeps it alive) and is dispatched statically. Through the protocol,
    /// even `unowned(unsafe)`, it was retained and released around every line's parse.
    private var currentText: Unmanaged<TextFormat>?
    private var currentJSON: Unmanaged<JSONFormat>?
    /// When a user named the format, no other is tried.
    private let fixed: Bool
    private let json: JSONFormat?

    /// Tries every preset and JSON.
    public init() {
        let json = JSONFormat()
        self.formats = FormatPresets.compiled() + [json]
        self.json = json
        self.fixed = false
        select(0)
    }

    /// Uses only `format`.
    public init(fixed format: LineFormat) {
        self.formats = [format]
        self.json = format as? JSONFormat
        self.fixed = true
        select(0)
    }

    /// Makes `formats[index]` the one tried first.
    private func select(_ index: Int) {
        current = index
        currentText = (formats[index] as? TextFormat).map { .passUnretained($0) }
        currentJSON = (formats[index] as? JSONFormat).map { .passUnretained($0) }
    }

    /// The layout that matched last.
    public var currentName: String { formats[current].name }

    /// Which of its layouts matched last: changes exactly when `currentName` does.
    public private(set) var current = 0

    /// Parses `line`; returns the matching format, or nil with the reason in `reason`.
    public func parse(_ line: ByteSlice, into record: AccessRecord, reason: inout String) -> LineFormat? {
        matches(line, into: record, reason: &reason) ? formats[current] : nil
    }

    /// Parses `line` as `parse` does, without handing out the format (the per-line path: no reference counting).
    @inline(__always)
    func matches(_ line: ByteSlice, into record: AccessRecord, reason: inout String) -> Bool {
        let parsed = if let t = currentText { t._withUnsafeGuaranteedRef { $0.parse(line, into: record) } }
            else if let j = currentJSON { j._withUnsafeGuaranteedRef { $0.parse(line, into: record) } }
            else { formats[current].parse(line, into: record) }
        if parsed { return true }
        return matchesAnother(line, into: record, reason: &reason)
    }

    private func matchesAnother(_ line: ByteSlice, into record: AccessRecord, reason: inout String) -> Bool {
        let isJSON = line.count > 0 && line[0] == UInt8(ascii: "{")
        if fixed {
            if let json, isJSON { reason = json.scan(line, into: record) ?? "not an access line" }
            else { reason = "does not match the log format \(currentName)" }
            return false
        }
        for index in formats.indices where index != current {
            // JSON lines only match JSON; text lines never do.
            if isJSON != (formats[index] is JSONFormat) { continue }
            if formats[index].parse(line, into: record) {
                select(index)
                return true
            }
        }
        if isJSON, let json { reason = json.scan(line, into: record) ?? "not an access line" }
        else { reason = "matches no known access-log layout (pass --log-format if the proxy uses a custom one)" }
        return false
    }
}
