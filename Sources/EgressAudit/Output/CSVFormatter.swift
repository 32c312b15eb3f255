import Foundation

/// RFC 4180 CSV: a header row, CRLF line ends, fields quoted when they hold `,`, `"`, CR or LF.
public final class CSVFormatter: RowFormatter {
    private let write: (String) -> Void

    public init(write: @escaping (String) -> Void) { self.write = write }

    public func begin(columns: [String]) { write(columns.map(Self.field).joined(separator: ",") + "\r\n") }
    public func row(_ values: [SQLValue]) { write(values.map { Self.field($0.displayText) }.joined(separator: ",") + "\r\n") }
    public func end() {}

    static func field(_ s: String) -> String {
        // Bytes, not Characters: a grapheme walk per cell dominated large outputs.
        guard s.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
