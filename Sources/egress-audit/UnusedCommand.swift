import ArgumentParser
import EgressAudit

struct UnusedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unused",
        abstract: "List ServiceEntries, and hosts and ports inside them, that no call in the database used.",
        discussion: "The report states the time span, inputs and namespaces it rests on: judge before deleting."
    )

    @OptionGroup var database: DatabaseOption
    @OptionGroup var entries: EntriesOptions
    @OptionGroup var window: WindowOptions
    @OptionGroup var cluster: ClusterDomainOption

    @Option(name: .long, help: "table or json (the contract, with every entry's usage).")
    var format: UnusedFormat = .table

    @Flag(name: .long, help: "Exit 2 when something is unused (for CI gates).")
    var failOnUnused = false

    enum UnusedFormat: String, ExpressibleByArgument { case table, json }

    func run() throws {
        let loaded = entries.load()
        let analysis = try loadAnalysis(database.path, window, clusterDomain: cluster.clusterDomain)
        let report = UnusedReport(window: analysis.window, coverage: analysis.coverage,
                                  usage: analysis.usage(entries: loaded.entries), entryProblems: loaded.problems)
        switch format {
        case .json:
            try printJSON(report)
        case .table:
            Terminal.out(AnalysisText.coverage(analysis.coverage))
            Terminal.out(AnalysisText.unusedTable(report.unused, width: Terminal.width))
        }
        if failOnUnused && !report.unused.isEmpty { throw ExitCode(2) }
    }
}
