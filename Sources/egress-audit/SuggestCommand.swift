import ArgumentParser
import EgressAudit

struct SuggestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suggest",
        abstract: "Print the ServiceEntries missing for the calls in the database, as YAML to apply.",
        discussion: """
            Judges every outbound call (blocked, passthrough, and allowed ones too) against the entries given \
            with --entries, so a candidate set (the current entries plus a proposed file) shows what would \
            still break. Each document is headed by comments with its evidence.
            """
    )

    @OptionGroup var database: DatabaseOption
    @OptionGroup var entries: EntriesOptions
    @OptionGroup var window: WindowOptions
    @OptionGroup var cluster: ClusterDomainOption

    @Option(name: .long, help: ArgumentHelp("Only calls from this namespace.", valueName: "ns"))
    var namespace: String?

    @Option(name: .long, help: "yaml (kubectl apply -f -), json (the contract), or table.")
    var format: SuggestFormat = .yaml

    @Option(name: .long, help: ArgumentHelp("Propose *.domain when at least N distinct hosts under it were seen (default: never).", valueName: "N"))
    var wildcardMin: Int?

    @Option(name: .long, help: ArgumentHelp("apiVersion of new entries: networking.istio.io/v1 (Istio 1.22+) or v1beta1 (1.5+).", valueName: "version"))
    var apiVersion: String = "networking.istio.io/v1"

    @Flag(name: .long, help: "Exit 2 when something is missing (for CI gates).")
    var failOnMissing = false

    enum SuggestFormat: String, ExpressibleByArgument { case yaml, json, table }

    func validate() throws {
        guard apiVersion.hasPrefix("networking.istio.io/") else {
            throw ValidationError("--api-version '\(apiVersion)': give networking.istio.io/v1, v1beta1 or v1alpha3")
        }
    }

    func run() throws {
        let loaded = entries.load()
        let analysis = try loadAnalysis(database.path, window, clusterDomain: cluster.clusterDomain)
        let suggestions = analysis.suggestions(entries: loaded.entries, options: SuggestOptions(
            defaultNamespace: entries.defaultNamespace, wildcardMinimum: wildcardMin, namespace: namespace, apiVersion: apiVersion))
        switch format {
        case .yaml:
            if suggestions.isEmpty {
                Terminal.err("egress-audit: nothing missing: \(loaded.entries.count) entr\(loaded.entries.count == 1 ? "y covers" : "ies cover") every outbound call in the window\n")
            } else {
                Terminal.out(ServiceEntryYAML.stream(suggestions.map(\.yaml)))
            }
        case .json:
            try printJSON(SuggestReport(window: analysis.window, suggestions: suggestions, entryProblems: loaded.problems))
        case .table:
            Terminal.out(AnalysisText.suggestionsTable(suggestions, width: Terminal.width))
        }
        if failOnMissing && !suggestions.isEmpty { throw ExitCode(2) }
    }
}
