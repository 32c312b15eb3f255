/// A GitHub-flavoured Markdown pipe table (for tickets and pull requests): `|` escaped, numbers right-aligned.
public final class MarkdownFormatter: RowFormatter {
    private let write: (String) -> Void
    private var columns: [String] = []
    private var numeric: [Bool] = []
    private var rows: [[SQLValue]] = []

    public init(write: @escaping (String) -> Void) { self.write = write }

    public func begin(columns: [String]) { self.columns = columns }
    public func row(_ values: [SQLValue]) { rows.append(values) }

    public func end() {
        numeric = columns.indices.map { i in !rows.isEmpty && rows.allSatisfy { row in
            switch row[i] { case .integer, .real, .null: return true; case .text: return false }
        } }
        var out = "| " + columns.map(Self.cell).joined(separator: " | ") + " |\n"
        out += "|" + numeric.map { $0 ? " ---: |" : " --- |" }.joined() + "\n"
        for row in rows { out += "| " + row.map { Self.cell($0.displayText) }.joined(separator: " | ") + " |\n" }
        write(out)
    }

    static func cell(_ s: String) -> String {
        s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
