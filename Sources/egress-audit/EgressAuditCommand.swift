import ArgumentParser
import EgressAudit
#if canImport(Glibc)
import Glibc
#endif

@main
struct EgressAuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "egress-audit",
        abstract: "Find the external hosts your Istio workloads really call, from sidecar access logs.",
        discussion: """
            Exit codes: 0 success; 1 an input or the database could not be used (the message names it); \
            2 a --fail-on-* gate found something; 64 the command line was wrong.
            """,
        version: "0.1.0",
        subcommands: [AnalyzeCommand.self, IngestCommand.self, TailCommand.self, SuggestCommand.self, UnusedCommand.self, ReportCommand.self, SQLCommand.self]
    )

    static func main() {
        // Past a file-size limit (`ulimit -f`) a write would kill the process with SIGXFSZ, mid-transaction and
        // without a word. Ignored, the write fails instead: SQLite reports it, the transaction rolls back, and
        // the error names the database.
        signal(SIGXFSZ, SIG_IGN)
        main(nil)
    }
}

/// `--db FILE`, defaulting to $EGRESS_AUDIT_DB, then ./egress-audit.db.
struct DatabaseOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("SQLite database file (default: $EGRESS_AUDIT_DB, else ./egress-audit.db).", valueName: "file"))
    var db: String?

    var path: String {
        if let db { return db }
        if let env = Environment.value("EGRESS_AUDIT_DB"), !env.isEmpty { return env }
        return "egress-audit.db"
    }
}
