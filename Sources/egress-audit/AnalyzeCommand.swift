import ArgumentParser
import EgressAudit

struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Ingest logs, then report: what was read, verdicts, missing ServiceEntries (YAML), unused ones.",
        discussion: "The one-shot form of ingest + suggest + unused. Reuses the database: logs read before are not read again."
    )

    @OptionGroup var database: DatabaseOption

    @Argument(help: ArgumentHelp("Log files, folders or - for standard input.", valueName: "path"))
    var paths: [String]

    @OptionGroup var entries: EntriesOptions
    @OptionGroup var window: WindowOptions

    @OptionGroup var source: SourceOptions
    @OptionGroup var cluster: ClusterDomainOption

    @Option(name: .long, help: ArgumentHelp("Propose *.domain when at least N distinct hosts under it were seen.", valueName: "N"))
    var wildcardMin: Int?

    @Option(name: .long, help: ArgumentHelp("apiVersion of new entries: networking.istio.io/v1 (Istio 1.22+) or v1beta1 (1.5+).", valueName: "version"))
    var apiVersion: String = "networking.istio.io/v1"

    func validate() throws {
        guard apiVersion.hasPrefix("networking.istio.io/") else {
            throw ValidationError("--api-version '\(apiVersion)': give networking.istio.io/v1, v1beta1 or v1alpha3")
        }
    }

    func run() throws {
        let ingestor: Ingestor
        do {
            ingestor = try Ingestor(databasePath: database.path, options: source.ingestOptions(clusterDomain: cluster.clusterDomain),
                                    onWait: Terminal.waitNotice(database: database.path))
        } catch {
            Terminal.err("egress-audit: \(error)\n")
            throw ExitCode(1)
        }
        let summary = ingestor.ingest(paths: paths)
        for error in summary.errors { Terminal.err("egress-audit: \(error)\n") }
        let loaded = entries.load()
        let analysis = try loadAnalysis(database.path, window, clusterDomain: cluster.clusterDomain)
        let suggestions = analysis.suggestions(entries: loaded.entries, options: SuggestOptions(
            defaultNamespace: entries.defaultNamespace, wildcardMinimum: wildcardMin, apiVersion: apiVersion))
        let usage = analysis.usage(entries: loaded.entries)
        let unused = UsageAnalyzer().unused(usage)
        let width = Terminal.width

        var out = "== Read\n" + SummaryText.render(summary, database: database.path).replacingOccurrences(of: "egress-audit: ", with: "")
        out += "\n== Missing ServiceEntries: \(suggestions.count) (against \(loaded.entries.count) entr\(loaded.entries.count == 1 ? "y" : "ies") from \(loaded.files.count) file\(loaded.files.count == 1 ? "" : "s"))\n"
        if !suggestions.isEmpty {
            out += AnalysisText.suggestionsTable(suggestions, width: width) + "\n"
            out += ServiceEntryYAML.stream(suggestions.map(\.yaml))
        }
        out += "\n== Unused ServiceEntries: \(unused.filter { $0.host == nil }.count) whole, \(unused.filter { $0.host != nil }.count) host/port\n"
        out += AnalysisText.coverage(analysis.coverage)
        if !unused.isEmpty { out += AnalysisText.unusedTable(unused, width: width) }
        Terminal.out(out)
        if !summary.errors.isEmpty { throw ExitCode(1) }
    }
}
