import Foundation

/// A canned SQL report: a `.sql` file whose header comments give its name, title, description and
/// parameters, written against the documented views only, so users can copy one to write their own.
///
/// ```sql
/// -- name: blocked-destinations
/// -- title: Blocked destinations
/// -- description: …
/// -- param: since = : only calls from this time on
/// SELECT … FROM call_summary WHERE verdict = 'blocked' …
/// ```
/// Parameters are bound by name (`:since`), never spliced into the text. An empty default is NULL. `since` and
/// `until` also restrict the summary views to that window for the run (`QueryRunner.run(_:parameters:into:)`).
public struct Report: Equatable, Sendable {
    public struct Parameter: Equatable, Sendable {
        public var name: String
        /// The default value, nil for none (NULL).
        public var defaultValue: String?
        public var help: String

        /// `since` and `until` take times: RFC 3339 or a duration (`7d`) before now or before the newest call.
        public var isTime: Bool { name == "since" || name == "until" }
    }

    public var name: String
    public var title: String
    public var description: String
    public var parameters: [Parameter]
    public var sql: String
    /// Where it came from (`built-in` or a file path).
    public var source: String

    /// Reads a report file; `fileName` gives the name when the header has none.
    public init(text: String, fileName: String, source: String) throws {
        var name: String?
        var title = ""
        var description = ""
        var parameters: [Parameter] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("--") else {
                if trimmed.isEmpty { continue }
                break
            }
            let body = trimmed.dropFirst(2).trimmingCharacters(in: .whitespaces)
            guard let colon = body.firstIndex(of: ":") else { continue }
            let key = body[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = body[body.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch key {
            case "name": name = value
            case "title": title = value
            case "description": description = value
            case "param":
                // `name = default : help`
                guard let equals = value.firstIndex(of: "=") else {
                    throw ReportError.badHeader(source: source, line: String(line), reason: "a param line reads `-- param: name = default : help`")
                }
                let pname = value[..<equals].trimmingCharacters(in: .whitespaces)
                let rest = value[value.index(after: equals)...]
                // The help starts at the first `:` that is not between two digits, so a default time
                // (`2026-11-23T10:00:00Z`) keeps its colons.
                let chars = Array(rest)
                let split = chars.indices.first { i in
                    chars[i] == ":" && !(i > 0 && i + 1 < chars.count && chars[i - 1].isNumber && chars[i + 1].isNumber)
                }
                let def = String(chars[..<(split ?? chars.count)]).trimmingCharacters(in: .whitespaces)
                let help = split.map { String(chars[($0 + 1)...]).trimmingCharacters(in: .whitespaces) } ?? ""
                guard !pname.isEmpty, pname.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                    throw ReportError.badHeader(source: source, line: String(line), reason: "parameter names are letters, digits and _")
                }
                parameters.append(Parameter(name: pname, defaultValue: def.isEmpty ? nil : def, help: help))
            default: continue
            }
        }
        let base = fileName.hasSuffix(".sql") ? String(fileName.dropLast(4)) : fileName
        self.name = name ?? base
        self.title = title.isEmpty ? self.name : title
        self.description = description
        self.parameters = parameters
        self.sql = text
        self.source = source
    }
}

/// Why a report could not be run, with the valid choices.
public enum ReportError: Error, Equatable, CustomStringConvertible {
    case unknownReport(name: String, known: [String])
    case unknownParameter(report: String, name: String, known: [String])
    case badParameter(report: String, name: String, value: String, reason: String)
    case badHeader(source: String, line: String, reason: String)
    case badArgument(String)

    public var description: String {
        switch self {
        case let .unknownReport(name, known):
            return "no report named '\(name)'; the reports are: \(known.joined(separator: ", ")) (egress-audit report lists them)"
        case let .unknownParameter(report, name, known):
            return "report \(report) has no parameter '\(name)'; its parameters are: \(known.isEmpty ? "none" : known.joined(separator: ", "))"
        case let .badParameter(report, name, value, reason):
            return "report \(report): parameter \(name) = '\(value)': \(reason)"
        case let .badHeader(source, line, reason):
            return "\(source): header line '\(line)': \(reason)"
        case let .badArgument(text):
            return text
        }
    }
}
