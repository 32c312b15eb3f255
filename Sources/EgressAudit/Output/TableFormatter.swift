import Foundation

/// An aligned text table for people: numbers right-aligned, long cells shortened to fit `width`.
public final class TableFormatter: RowFormatter {
    private let write: (String) -> Void
    private let width: Int?
    private var columns: [String] = []
    private var rows: [[SQLValue]] = []
    /// Rows kept before the rest are only counted (a table is for reading, not for millions of rows).
    public static let rowLimit = 10_000
    private var dropped = 0

    public init(write: @escaping (String) -> Void, width: Int? = nil) {
        self.write = write
        self.width = width
    }

    public func begin(columns: [String]) { self.columns = columns }

    public func row(_ values: [SQLValue]) {
        if rows.count < Self.rowLimit { rows.append(values) } else { dropped += 1 }
    }

    public func end() {
        let cells = rows.map { $0.map { clean($0.displayText) } }
        var widths = columns.map(\.count)
        for row in cells { for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) } }
        if let width { widths = fit(widths, into: width) }
        let numeric = columns.indices.map { i in rows.contains { if case .integer = $0[i] { return true }; if case .real = $0[i] { return true }; return false } }
        func line(_ values: [String], header: Bool) -> String {
            values.enumerated().map { i, v in
                let t = shorten(v, widths[i])
                let pad = String(repeating: " ", count: max(0, widths[i] - t.count))
                return (numeric[i] && !header) ? pad + t : t + pad
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        var out = line(columns, header: true) + "\n"
        out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        for row in cells { out += line(row, header: false) + "\n" }
        if dropped > 0 { out += "… \(dropped) more rows (use --format csv or json for all)\n" }
        out += "(\(rows.count + dropped) row\(rows.count + dropped == 1 ? "" : "s"))\n"
        write(out)
    }

    private func clean(_ s: String) -> String {
        s.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\t", with: " ")
    }

    /// Shrinks the widest columns until the row fits.
    private func fit(_ widths: [Int], into total: Int) -> [Int] {
        var w = widths
        let separators = max(0, w.count - 1) * 2
        while w.reduce(0, +) + separators > total {
            guard let i = w.indices.max(by: { w[$0] < w[$1] }), w[i] > 8 else { break }
            w[i] -= 1
        }
        return w
    }

    private func shorten(_ s: String, _ width: Int) -> String {
        guard s.count > width else { return s }
        return String(s.prefix(max(0, width - 1))) + "…"
    }
}
