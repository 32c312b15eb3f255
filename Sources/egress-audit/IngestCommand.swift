import ArgumentParser
import EgressAudit
import Foundation

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Read access logs (files, folders, - for stdin; plain or gzip) into the database.",
        discussion: """
            Each input is identified by its content, so ingesting the same logs again, a renamed copy or a gzip \
            of them adds nothing, and a file that grew adds only its new lines. A summary goes to stderr; \
            with --format json it is printed as JSON on stdout.
            """
    )

    @OptionGroup var database: DatabaseOption

    @Argument(help: ArgumentHelp("Log files, folders (read recursively) or - for standard input.", valueName: "path"))
    var paths: [String]

    @OptionGroup var source: SourceOptions
    @OptionGroup var cluster: ClusterDomainOption

    @Option(name: .long, help: "Summary format: text (stderr) or json (stdout).")
    var format: SummaryFormat = .text

    enum SummaryFormat: String, ExpressibleByArgument { case text, json }

    func run() throws {
        let options = source.ingestOptions(clusterDomain: cluster.clusterDomain)
        let ingestor: Ingestor
        do { ingestor = try Ingestor(databasePath: database.path, options: options, onWait: Terminal.waitNotice(database: database.path)) } catch {
            Terminal.err("egress-audit: \(error)\n")
            throw ExitCode(1)
        }
        let progress = Terminal.stderrIsTerminal
        if progress {
            ingestor.onProgress = { p in
                var line = "\r\u{1B}[2K\(p.path): \(grouped(p.bytes / 1_000_000)) MB, \(grouped(p.lines)) lines, \(grouped(Int64(p.linesPerSecond))) lines/s"
                if let total = p.totalBytes, total > 0 {
                    line += String(format: ", %.0f%%", Double(p.bytes) / Double(total) * 100)
                }
                if let left = p.secondsLeft { line += String(format: ", %.0f s left", left.rounded(.up)) }
                Terminal.err(line)
            }
        }
        let summary = ingestor.ingest(paths: paths)
        if progress { Terminal.err("\r\u{1B}[2K") }
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data = try encoder.encode(summary)
            Terminal.out(String(decoding: data, as: UTF8.self) + "\n")
        case .text:
            Terminal.err(SummaryText.render(summary, database: database.path))
        }
        for error in summary.errors { Terminal.err("egress-audit: \(error)\n") }
        if !summary.errors.isEmpty { throw ExitCode(1) }
    }
}

enum SummaryText {
    static func render(_ s: IngestSummary, database: String) -> String {
        var out = "egress-audit: read \(s.files) input\(s.files == 1 ? "" : "s")"
        var notes: [String] = []
        if s.unchangedFiles > 0 { notes.append("\(s.unchangedFiles) already ingested") }
        if s.resumedFiles > 0 { notes.append("\(s.resumedFiles) resumed") }
        if !notes.isEmpty { out += " (" + notes.joined(separator: ", ") + ")" }
        out += String(format: ", %@ lines, %.1f MB in %.2f s (%.1f MB/s, %@ lines/s) into %@\n",
                      grouped(s.lines), Double(s.bytes) / 1_000_000, s.seconds, s.megabytesPerSecond,
                      grouped(Int64(s.linesPerSecond)), database)
        let o = s.outbound
        out += "  outbound calls  \(grouped(o.total)): allowed \(grouped(o.allowed)), passthrough \(grouped(o.passthrough)), blocked \(grouped(o.blocked)), internal \(grouped(o.internal))\n"
        out += "  inbound         \(grouped(s.inbound))\n"
        if s.unrouted > 0 { out += "  unrouted        \(grouped(s.unrouted)) (outbound lines that reached no cluster and were not blocked)\n" }
        out += "  other lines     \(grouped(s.otherLines)) (proxy agent output, non-proxy containers)\n"
        if s.heldLines > 0 {
            out += "  held back       \(s.heldLines) last line\(s.heldLines == 1 ? "" : "s") without a newline (still being written?): read once complete\n"
        }
        out += "  rejected        \(grouped(s.rejected))"
        if s.rejected > 0 { out += " (see: egress-audit sql \"SELECT log_file, log_line, reason FROM rejects\")" }
        return out + "\n"
    }
}
