/// What `suggest`, `unused` and `analyze` work on: the calls of a window read from a database (callers
/// with no namespace attributed from evidence where possible) and its coverage.
public struct EgressAnalysis: Sendable {
    public var window: TimeWindow
    public var groups: [CallGroup]
    public var coverage: Coverage
    /// Every call in the database, whatever the window: the evidence that names IP-only destinations (an IP
    /// blocked before 10:00 is named by the SNI it carried after). Nil means `groups`.
    public var evidenceGroups: [CallGroup]?

    public init(window: TimeWindow, groups: [CallGroup], coverage: Coverage, evidenceGroups: [CallGroup]? = nil) {
        self.window = window
        self.groups = groups
        self.coverage = coverage
        self.evidenceGroups = evidenceGroups
    }

    /// Reads `databasePath` (read-only).
    public static func load(databasePath: String, window: TimeWindow, clusterDomain: String = "cluster.local") throws -> EgressAnalysis {
        let runner = try QueryRunner(databasePath: databasePath)
        let query = CallGroupQuery(database: runner.database)
        var groups = try query.groups(in: window)
        var attributed: [String: (String, String)?] = [:]
        for i in groups.indices where groups[i].namespace == nil {
            guard let ip = groups[i].sourceIP else { continue }
            if attributed[ip] == nil {
                attributed[ip] = Evidence.namespace(ofPodIP: ip, served: try query.servicesServedBy(ip: ip),
                                                    answered: try query.servicesAnswered(ip: ip), clusterDomain: clusterDomain)
            }
            if let (ns, because) = attributed[ip] ?? nil {
                groups[i].namespace = ns
                groups[i].namespaceEvidence = because
            }
        }
        let everything = window.since == nil && window.until == nil ? nil : try query.groups(in: TimeWindow())
        var coverage = try query.coverage(in: window)
        // Namespaces attributed from evidence count as seen too.
        coverage.namespaces = Array(Set(coverage.namespaces).union(groups.compactMap(\.namespace))).sorted()
        return EgressAnalysis(window: window, groups: groups, coverage: coverage, evidenceGroups: everything)
    }

    public func suggestions(entries: [ServiceEntry], options: SuggestOptions) -> [Suggestion] {
        SuggestionBuilder(options: options).suggestions(groups: groups, entries: entries, evidence: evidenceGroups)
    }

    public func usage(entries: [ServiceEntry]) -> [EntryUsage] {
        UsageAnalyzer().usage(groups: groups, entries: entries, evidence: evidenceGroups)
    }
}

/// `suggest --format json`: the public contract (README, "suggest").
public struct SuggestReport: Encodable, Sendable {
    public var window: WindowJSON
    public var suggestions: [Suggestion]
    public var entryProblems: [EntryProblem]

    public init(window: TimeWindow, suggestions: [Suggestion], entryProblems: [EntryProblem]) {
        self.window = WindowJSON(window)
        self.suggestions = suggestions
        self.entryProblems = entryProblems
    }

    enum CodingKeys: String, CodingKey { case window, suggestions, entryProblems = "entry_problems" }
}

/// `unused --format json`: the public contract (README, "unused").
public struct UnusedReport: Encodable, Sendable {
    public var window: WindowJSON
    public var coverage: CoverageJSON
    public var entries: [EntryUsage]
    public var unused: [UnusedItem]
    public var entryProblems: [EntryProblem]

    public init(window: TimeWindow, coverage: Coverage, usage: [EntryUsage], entryProblems: [EntryProblem]) {
        self.window = WindowJSON(window)
        self.coverage = CoverageJSON(coverage)
        self.entries = usage
        self.unused = UsageAnalyzer().unused(usage)
        self.entryProblems = entryProblems
    }

    enum CodingKeys: String, CodingKey { case window, coverage, entries, unused, entryProblems = "entry_problems" }
}

public struct WindowJSON: Encodable, Sendable {
    public var since: String?
    public var until: String?

    public init(_ w: TimeWindow) {
        since = w.since.map { Timestamp.iso8601(micros: $0) }
        until = w.until.map { Timestamp.iso8601(micros: $0) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(since, forKey: .since)
        try c.encode(until, forKey: .until)
    }

    enum CodingKeys: String, CodingKey { case since, until }
}

public struct CoverageJSON: Encodable, Sendable {
    public var firstCall: String?
    public var lastCall: String?
    public var hours: Double
    public var calls: Int
    public var files: Int
    public var lines: Int64
    public var namespaces: [String]

    public init(_ c: Coverage) {
        firstCall = c.firstCall.map { Timestamp.iso8601(micros: $0) }
        lastCall = c.lastCall.map { Timestamp.iso8601(micros: $0) }
        hours = (c.hours * 100).rounded() / 100
        calls = c.calls
        files = c.files
        lines = c.lines
        namespaces = c.namespaces
    }

    public func encode(to encoder: Encoder) throws {
        var k = encoder.container(keyedBy: CodingKeys.self)
        try k.encode(firstCall, forKey: .firstCall)
        try k.encode(lastCall, forKey: .lastCall)
        try k.encode(hours, forKey: .hours)
        try k.encode(calls, forKey: .calls)
        try k.encode(files, forKey: .files)
        try k.encode(lines, forKey: .lines)
        try k.encode(namespaces, forKey: .namespaces)
    }

    enum CodingKeys: String, CodingKey {
        case hours, calls, files, lines, namespaces
        case firstCall = "first_call", lastCall = "last_call"
    }
}
