import ArgumentParser
import EgressAudit
import Foundation

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Run a canned SQL report by name (without a name: list them).",
        discussion: """
            Reports are the files of queries/ (shipped in the binary); --queries DIR adds a folder's .sql files \
            (same header format) or overrides a built-in of the same name. Parameters are bound, never spliced \
            into the SQL. Example: egress-audit report blocked-destinations --since 7d --relative-to-data --format markdown
            """
    )

    @OptionGroup var database: DatabaseOption

    @Argument(help: "The report to run; omit it to list the reports.")
    var name: String?

    @Option(name: .long, help: ArgumentHelp("A parameter of the report, name=value (repeatable).", valueName: "name=value"))
    var param: [String] = []

    @Option(name: .long, help: ArgumentHelp("Sets the report's since parameter: RFC 3339 or a duration (2h, 7d).", valueName: "time"))
    var since: String?

    @Option(name: .long, help: ArgumentHelp("Sets the report's until parameter.", valueName: "time"))
    var until: String?

    @Option(name: .long, help: ArgumentHelp("Sets the report's namespace parameter.", valueName: "ns"))
    var namespace: String?

    @Flag(name: .long, help: "Durations count back from the newest call in the database, not from now (for exported logs).")
    var relativeToData = false

    @Option(name: .long, help: ArgumentHelp("A folder of .sql reports to add (or to override built-ins).", valueName: "dir"))
    var queries: String?

    @Option(name: .long, help: "table, csv, json or markdown.")
    var format: ResultFormat = .table

    func run() throws {
        do {
            var catalog = ReportCatalog.builtIn()
            if let queries { try catalog.add(folder: queries) }
            guard let name else {
                let formatter = format.formatter(write: Terminal.out, width: Terminal.width)
                formatter.begin(columns: ["report", "title", "parameters"])
                for r in catalog.reports {
                    formatter.row([.text(r.name), .text(r.title), .text(r.parameters.map(\.name).joined(separator: ", "))])
                }
                formatter.end()
                return
            }
            let report = try catalog.report(named: name)
            var given: [String: String] = [:]
            for p in param {
                guard let eq = p.firstIndex(of: "=") else {
                    throw ReportError.badArgument("--param '\(p)': write name=value")
                }
                given[String(p[..<eq])] = String(p[p.index(after: eq)...])
            }
            if let since { given["since"] = since }
            if let until { given["until"] = until }
            if let namespace { given["namespace"] = namespace }
            let runner = try QueryRunner(databasePath: database.path)
            var now = Int64(Date().timeIntervalSince1970 * 1_000_000)
            if relativeToData, let newest = try CallGroupQuery(database: runner.database).newestCall() { now = newest }
            let bindings = try ReportCatalog.bindings(for: report, given: given, now: now)
            try runner.run(report, parameters: bindings, into: format.formatter(write: Terminal.out, width: Terminal.width))
        } catch {
            Terminal.err("egress-audit: \(error)\n")
            throw ExitCode(1)
        }
    }
}
