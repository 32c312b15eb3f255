/// Output formats for row results (`sql`, reports).
public enum ResultFormat: String, CaseIterable, Sendable {
    case table, csv, json, markdown

    /// A formatter writing to `write`.
    public func formatter(write: @escaping (String) -> Void, width: Int? = nil) -> RowFormatter {
        switch self {
        case .table: return TableFormatter(write: write, width: width)
        case .csv: return CSVFormatter(write: write)
        case .json: return JSONRowsFormatter(write: write)
        case .markdown: return MarkdownFormatter(write: write)
        }
    }
}

/// Receives a result row by row; CSV and JSON stream, the table buffers to align columns.
public protocol RowFormatter: AnyObject {
    func begin(columns: [String])
    func row(_ values: [SQLValue])
    func end()
}

extension SQLValue {
    /// The value as people read it (NULL shows as empty).
    public var displayText: String {
        switch self {
        case .null: return ""
        case .integer(let v): return String(v)
        case .real(let v): return String(v)
        case .text(let v): return v
        }
    }
}
