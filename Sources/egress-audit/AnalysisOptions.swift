import ArgumentParser
import EgressAudit
import Foundation

/// `--entries` and how entries without a namespace or exportTo are read.
struct EntriesOptions: ParsableArguments {
    @Option(name: .long, parsing: .upToNextOption,
            help: ArgumentHelp("ServiceEntry files or folders (YAML, kind: List, JSON), or - for stdin.", valueName: "path"))
    var entries: [String] = []

    @Option(name: .long, help: ArgumentHelp("Namespace of entries that name none, and of new entries whose callers are in several namespaces.", valueName: "ns"))
    var defaultNamespace: String = "default"

    @Option(name: .long, help: ArgumentHelp("exportTo of entries that set none (MeshConfig defaultServiceExportTo; default: all).", valueName: "scope"))
    var defaultExportTo: [String] = []

    func load() -> LoadedEntries {
        let loaded = ServiceEntryLoader(defaultNamespace: defaultNamespace, defaultExportTo: defaultExportTo).load(paths: entries)
        for problem in loaded.problems { Terminal.err("egress-audit: entry skipped: \(problem)\n") }
        return loaded
    }
}

/// `--since` / `--until`.
struct WindowOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Only calls from this time on: RFC 3339 or a duration before now (2h, 7d).", valueName: "time"))
    var since: String?

    @Option(name: .long, help: ArgumentHelp("Only calls before this time: RFC 3339 or a duration before now.", valueName: "time"))
    var until: String?

    @Flag(name: .long, help: "Durations count back from the newest call in the database, not from now (for exported logs).")
    var relativeToData = false


    func validate() throws {
        for (name, value) in [("--since", since), ("--until", until)] {
            if let value, TimeWindow.parse(value) == nil {
                throw ValidationError("\(name) '\(value)': give RFC 3339 (2026-11-23T10:00:00Z) or a duration such as 90m, 2h, 7d")
            }
        }
    }

    /// The window, durations counted back from `now`.
    func window(now: Int64) -> TimeWindow {
        TimeWindow(since: since.flatMap { TimeWindow.parse($0, now: now) }, until: until.flatMap { TimeWindow.parse($0, now: now) })
    }
}

/// Pretty JSON for the documented contracts.
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    Terminal.out(String(decoding: try encoder.encode(value), as: UTF8.self) + "\n")
}

/// Loads the calls, or prints why not and exits 1.
func loadAnalysis(_ db: String, _ window: WindowOptions, clusterDomain: String) throws -> EgressAnalysis {
    do {
        var now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        if window.relativeToData, let newest = try CallGroupQuery(database: QueryRunner(databasePath: db).database).newestCall() {
            now = newest
        }
        return try EgressAnalysis.load(databasePath: db, window: window.window(now: now), clusterDomain: clusterDomain)
    } catch {
        Terminal.err("egress-audit: \(error)\n")
        throw ExitCode(1)
    }
}
