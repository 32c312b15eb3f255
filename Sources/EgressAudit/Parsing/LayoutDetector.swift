/// Finds the layout of each access line: the one that matched the previous line is tried first,
/// then every other known layout, so a file is detected from its first access line and a proxy
/// upgraded mid-file (a new layout from one line on) is followed.
public final class LayoutDetector {
    private let formats: [LineFormat]
    private var current = 0
    /// `formats[current]`, kept apart so the common case touches no array; `formats` keeps it alive, so reading
    /// it for every line costs no reference counting.
    private unowned(unsafe) var currentFormat: LineFormat
    /// When a user named the format, no other is tried.
    private let fixed: Bool
    private let json: JSONFormat?

    /// Tries every preset and JSON.
    public init() {
        let json = JSONFormat()
        self.formats = FormatPresets.compiled() + [json]
        self.currentFormat = formats[0]
        self.json = json
        self.fixed = false
    }

    /// Uses only `format`.
    public init(fixed format: LineFormat) {
        self.formats = [format]
        self.currentFormat = format
        self.json = format as? JSONFormat
        self.fixed = true
    }

    /// The layout that matched last.
    public var currentName: String { currentFormat.name }

    /// Parses `line`; returns the matching format, or nil with the reason in `reason`.
    public func parse(_ line: ByteSlice, into record: AccessRecord, reason: inout String) -> LineFormat? {
        if currentFormat.parse(line, into: record) { return currentFormat }
        let isJSON = line.count > 0 && line[0] == UInt8(ascii: "{")
        if fixed {
            if let json, isJSON { reason = json.scan(line, into: record) ?? "not an access line" }
            else { reason = "does not match the log format \(currentFormat.name)" }
            return nil
        }
        for index in formats.indices where index != current {
            // JSON lines only match JSON; text lines never do.
            if isJSON != (formats[index] is JSONFormat) { continue }
            if formats[index].parse(line, into: record) {
                current = index
                currentFormat = formats[index]
                return currentFormat
            }
        }
        if isJSON, let json { reason = json.scan(line, into: record) ?? "not an access line" }
        else { reason = "matches no known access-log layout (pass --log-format if the proxy uses a custom one)" }
        return nil
    }
}
