import ArgumentParser
import EgressAudit
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Set by SIGINT/SIGTERM; the follower checks it between reads.
nonisolated(unsafe) private var stopRequested: sig_atomic_t = 0

struct TailCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Follow live proxy logs into the database; survives rotation, never counts a line twice.",
        discussion: """
            PATH is a file, a folder or a glob in quotes ('/var/log/containers/*istio-proxy*.log'); files that \
            appear later are picked up. Files there at start are followed from their end (--from-start reads \
            them whole); a file ingested before resumes at its checkpoint. Rename-and-create, copytruncate and \
            symlink retargeting are followed; a rotated copy ingested later adds only what was not read. \
            SIGINT/SIGTERM commit, print the summary and exit 0. One tail per database.
            """
    )

    @OptionGroup var database: DatabaseOption

    @Argument(help: ArgumentHelp("Files, folders or quoted globs to follow.", valueName: "path"))
    var paths: [String]

    @Flag(name: .long, help: "Read files present at start from their beginning.")
    var fromStart = false

    @Option(name: .long, help: ArgumentHelp("Longest time between reads and commits, in milliseconds.", valueName: "ms"))
    var interval: Int = 500

    @Flag(name: .long, help: "Poll every interval instead of waiting on inotify (for network filesystems).")
    var poll = false

    @Option(name: .long, help: ArgumentHelp("Print a one-line running summary to stderr this often (30s, 5m, 1h).", valueName: "duration"))
    var summaryEvery: String?

    @OptionGroup var source: SourceOptions
    @OptionGroup var cluster: ClusterDomainOption

    func validate() throws {
        guard interval >= 10 && interval <= 60_000 else { throw ValidationError("--interval must be 10 to 60000 ms") }
        if let summaryEvery, Self.seconds(summaryEvery) == nil {
            throw ValidationError("--summary-every '\(summaryEvery)': give a duration such as 30s, 5m or 1h")
        }
    }

    static func seconds(_ text: String) -> Double? {
        guard let unit = text.last, let value = Double(text.dropLast()), value > 0 else { return nil }
        switch unit {
        case "s": return value
        case "m": return value * 60
        case "h": return value * 3600
        default: return nil
        }
    }

    func run() throws {
        // One follower per database: a second one would read the same files into it.
        let lockPath = database.path + ".tail.lock"
        let lock = open(lockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard lock >= 0 else {
            Terminal.err("egress-audit: \(lockPath): cannot create the lock file (\(String(cString: strerror(errno))))\n")
            throw ExitCode(1)
        }
        if flock(lock, LOCK_EX | LOCK_NB) != 0 {
            let holder = (try? String(contentsOfFile: lockPath, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
            Terminal.err("egress-audit: another egress-audit tail (pid \(holder)) is following into \(database.path); stop it or pass another --db\n")
            throw ExitCode(1)
        }
        ftruncate(lock, 0)
        let pid = "\(getpid())\n"
        _ = pid.withCString { write(lock, $0, strlen($0)) }

        let ingestor: Ingestor
        do {
            ingestor = try Ingestor(databasePath: database.path,
                                    options: source.ingestOptions(clusterDomain: cluster.clusterDomain, commitInterval: Double(interval) / 1000),
                                    onWait: Terminal.waitNotice(database: database.path))
        } catch {
            Terminal.err("egress-audit: \(error)\n")
            throw ExitCode(1)
        }
        signal(SIGINT) { _ in stopRequested = 1 }
        signal(SIGTERM) { _ in stopRequested = 1 }
        // A blocked signal mask is inherited: a parent that started us with these blocked (a Foundation
        // `Process` launched from a Dispatch thread does) would otherwise leave SIGTERM pending forever.
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        sigaddset(&stopSignals, SIGINT)
        sigaddset(&stopSignals, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &stopSignals, nil)

        let follower = Follower(ingestor: ingestor, options: FollowOptions(
            patterns: paths, fromStart: fromStart, interval: Double(interval) / 1000, pollOnly: poll))
        let every = summaryEvery.flatMap(Self.seconds)
        var lastSummary = Date()
        var previous = ingestor.summary
        var lastID: Int64 = 0
        var seenBlocked = Set<String>()
        let query = CallGroupQuery(database: ingestor.database)
        if every != nil, let (_, id) = try? query.blockedDestinations(afterID: Int64.max) { lastID = id }
        var reportedErrors = 0
        follower.run(shouldStop: { stopRequested != 0 }, afterCycle: {
            for error in follower.errors.dropFirst(reportedErrors) { Terminal.err("egress-audit: \(error)\n") }
            reportedErrors = follower.errors.count
            guard let every, Date().timeIntervalSince(lastSummary) >= every else { return }
            lastSummary = Date()
            let now = ingestor.summary
            var line = "tail: +\(grouped(now.lines - previous.lines)) lines"
            var newBlocked: [String] = []
            if let (destinations, id) = try? query.blockedDestinations(afterID: lastID) {
                lastID = id
                newBlocked = destinations.filter { seenBlocked.insert($0).inserted }
            }
            if !newBlocked.isEmpty {
                line += "; new blocked: " + newBlocked.prefix(5).joined(separator: ", ") + (newBlocked.count > 5 ? " and \(newBlocked.count - 5) more" : "")
            }
            let d = { (v: Verdict) in grouped(now.outbound[v] - previous.outbound[v]) }
            line += "; blocked +\(d(.blocked)), passthrough +\(d(.passthrough)), allowed +\(d(.allowed)), internal +\(d(.internal)); following \(follower.followedCount) file\(follower.followedCount == 1 ? "" : "s")\n"
            Terminal.err(line)
            previous = now
        })
        var summary = ingestor.summary
        summary.seconds = 0
        Terminal.err(SummaryText.render(summary, database: database.path))
        if summary.skippedLines > 0 {
            Terminal.err("  skipped         \(grouped(summary.skippedLines)) lines already in the files at start (use --from-start to read them)\n")
        }
    }
}
