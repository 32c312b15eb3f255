import ArgumentParser
import EgressAudit
import Foundation

struct SQLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sql",
        abstract: "Run a read-only SQL query against the database (the calls view, rejects, ingested_files).",
        discussion: "Example: egress-audit sql \"SELECT dest_host, dest_port, count(*) FROM calls WHERE verdict = 'blocked' GROUP BY 1, 2\""
    )

    @OptionGroup var database: DatabaseOption

    @Option(name: .long, help: "Output: table (for people), csv (RFC 4180) or json (an array of objects).")
    var format: ResultFormat = .table

    @Argument(help: "The query.")
    var query: String

    func run() throws {
        do {
            let runner = try QueryRunner(databasePath: database.path)
            let formatter = format.formatter(write: Terminal.out, width: Terminal.width)
            try runner.run(query, into: formatter)
        } catch {
            Terminal.err("egress-audit: \(error)\n")
            throw ExitCode(1)
        }
    }
}

extension ResultFormat: ExpressibleByArgument {}
