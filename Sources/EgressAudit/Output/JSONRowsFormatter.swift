/// One JSON array of objects (column name → value; NULL as `null`, integers as numbers), streamed.
public final class JSONRowsFormatter: RowFormatter {
    private let write: (String) -> Void
    private var columns: [String] = []
    private var first = true

    public init(write: @escaping (String) -> Void) { self.write = write }

    public func begin(columns: [String]) {
        self.columns = columns.map(JSONText.quote)
        write("[")
    }

    public func row(_ values: [SQLValue]) {
        var out = first ? "\n  {" : ",\n  {"
        first = false
        for (i, value) in values.enumerated() {
            if i > 0 { out += ", " }
            out += columns[i] + ": " + JSONText.value(value)
        }
        write(out + "}")
    }

    public func end() { write(first ? "]\n" : "\n]\n") }
}

/// JSON text for strings and values (no Foundation: exact and fast).
public enum JSONText {
    public static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20:
                let hex = String(c.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    public static func value(_ v: SQLValue) -> String {
        switch v {
        case .null: return "null"
        case .integer(let i): return String(i)
        case .real(let d): return d.isFinite ? String(d) : "null"
        case .text(let s): return quote(s)
        }
    }
}
