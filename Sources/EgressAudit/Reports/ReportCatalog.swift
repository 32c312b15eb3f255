import Foundation

/// The reports available: the ones shipped in the binary (`queries/*.sql`), plus or overridden by the
/// `.sql` files of a user's folder (`--queries DIR`).
public struct ReportCatalog: Sendable {
    public private(set) var reports: [Report]

    /// The built-in reports.
    public static func builtIn() -> ReportCatalog {
        // The shipped files are tested; a header error in them is a programming error.
        ReportCatalog(reports: CannedQueries.files.map { try! Report(text: $0.text, fileName: $0.name, source: "built-in") })
    }

    /// Adds the `.sql` files of `folder`; a report with a built-in's name replaces it.
    public mutating func add(folder: String) throws {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder) } catch {
            throw ReportError.badArgument("\(folder): cannot list the folder of reports (\(error.localizedDescription))")
        }
        for file in names.sorted() where file.hasSuffix(".sql") {
            let path = (folder as NSString).appendingPathComponent(file)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ReportError.badArgument("\(path): cannot be read")
            }
            let report = try Report(text: String(decoding: data, as: UTF8.self), fileName: file, source: path)
            reports.removeAll { $0.name == report.name }
            reports.append(report)
        }
        reports.sort { $0.name < $1.name }
    }

    public func report(named name: String) throws -> Report {
        guard let r = reports.first(where: { $0.name == name }) else {
            throw ReportError.unknownReport(name: name, known: reports.map(\.name))
        }
        return r
    }

    /// Values to bind for `report`: `given` (name → text) over the defaults; times converted to epoch
    /// microseconds relative to `now`; integers (canonical: `42`, not `007`) as integers; everything else as text.
    public static func bindings(for report: Report, given: [String: String], now: Int64) throws -> [String: SQLValue] {
        let known = Set(report.parameters.map(\.name))
        for name in given.keys where !known.contains(name) {
            throw ReportError.unknownParameter(report: report.name, name: name, known: report.parameters.map(\.name))
        }
        var out: [String: SQLValue] = [:]
        for p in report.parameters {
            guard let text = given[p.name] ?? p.defaultValue, !text.isEmpty else { out[p.name] = .null; continue }
            if p.isTime {
                guard let micros = TimeWindow.parse(text, now: now) else {
                    throw ReportError.badParameter(report: report.name, name: p.name, value: text,
                                                   reason: "give RFC 3339 (2026-11-23T10:00:00Z) or a duration such as 90m, 2h, 7d")
                }
                out[p.name] = .integer(micros)
            } else if let i = Int64(text), String(i) == text {
                // Only the canonical form: `007` stays text (a namespace may be named so).
                out[p.name] = .integer(i)
            } else {
                out[p.name] = .text(text)
            }
        }
        return out
    }
}
