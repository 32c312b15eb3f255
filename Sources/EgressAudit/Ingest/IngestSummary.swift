/// Calls stored by verdict.
public struct VerdictCounts: Codable, Equatable, Sendable {
    public var allowed: Int64 = 0
    public var passthrough: Int64 = 0
    public var blocked: Int64 = 0
    public var `internal`: Int64 = 0

    public init() {}

    public subscript(v: Verdict) -> Int64 {
        get {
            switch v {
            case .allowed: return allowed
            case .passthrough: return passthrough
            case .blocked: return blocked
            case .internal: return `internal`
            }
        }
        set {
            switch v {
            case .allowed: allowed = newValue
            case .passthrough: passthrough = newValue
            case .blocked: blocked = newValue
            case .internal: `internal` = newValue
            }
        }
    }

    public var total: Int64 { allowed + passthrough + blocked + `internal` }
}

/// What one `ingest` run did. Printed on stderr for people, as JSON on stdout with `--format json`
/// (a public contract: README, "ingest --format json").
public struct IngestSummary: Codable, Equatable, Sendable {
    /// Inputs opened.
    public var files = 0
    /// Inputs whose content was already ingested whole (nothing new).
    public var unchangedFiles = 0
    /// Inputs that resumed after an earlier checkpoint (new lines only).
    public var resumedFiles = 0
    /// Content bytes read (decompressed; skipped, already-ingested bytes not counted).
    public var bytes: Int64 = 0
    public var lines: Int64 = 0
    public var accessLines: Int64 = 0
    public var outbound = VerdictCounts()
    public var inbound: Int64 = 0
    public var unrouted: Int64 = 0
    public var otherLines: Int64 = 0
    public var rejected: Int64 = 0
    /// Lines of followed files that were there before `tail` started and were not read (it follows from the end).
    public var skippedLines: Int64 = 0
    /// Inputs whose last line had no newline yet: it was left for the next run (it may still be being written).
    public var heldLines = 0
    public var seconds: Double = 0
    /// Problems met, one message per input (the run went on with the others).
    public var errors: [String] = []

    public init() {}

    public var linesPerSecond: Double { seconds > 0 ? Double(lines) / seconds : 0 }
    public var megabytesPerSecond: Double { seconds > 0 ? Double(bytes) / 1_000_000 / seconds : 0 }

    enum CodingKeys: String, CodingKey {
        case files, unchangedFiles = "unchanged_files", resumedFiles = "resumed_files", bytes, lines
        case accessLines = "access_lines", outbound, inbound, unrouted, otherLines = "other_lines", rejected
        case heldLines = "held_lines", skippedLines = "skipped_lines"
        case seconds, errors
    }
}

/// A snapshot for the progress line.
public struct IngestProgress: Sendable {
    public var path: String
    public var bytes: Int64
    public var lines: Int64
    public var linesPerSecond: Double
    /// Content bytes per second so far.
    public var bytesPerSecond: Double
    /// Known for plain files only: the input size.
    public var totalBytes: Int64?

    /// Seconds left at the current rate, when the size is known.
    public var secondsLeft: Double? {
        guard let total = totalBytes, bytesPerSecond > 0, total >= bytes else { return nil }
        return Double(total - bytes) / bytesPerSecond
    }
}

extension FileCounts {
    mutating func add(_ o: FileCounts) {
        accessLines += o.accessLines; calls += o.calls; inbound += o.inbound; unrouted += o.unrouted
        otherLines += o.otherLines; rejected += o.rejected
        if let t = o.firstTs, firstTs.map({ t < $0 }) ?? true { firstTs = t }
        if let t = o.lastTs, lastTs.map({ t > $0 }) ?? true { lastTs = t }
    }
}

extension IngestSummary {
    mutating func add(_ batch: RowBatch) {
        lines += batch.lines
        accessLines += batch.counts.accessLines
        inbound += batch.counts.inbound
        unrouted += batch.counts.unrouted
        otherLines += batch.counts.otherLines
        rejected += batch.counts.rejected
        for v in Verdict.allCases { outbound[v] += batch.verdicts[v] }
    }

    /// Adds the line and call counts of `other` (what one commit stored).
    mutating func addCounts(_ other: IngestSummary) {
        lines += other.lines
        accessLines += other.accessLines
        inbound += other.inbound
        unrouted += other.unrouted
        otherLines += other.otherLines
        rejected += other.rejected
        for v in Verdict.allCases { outbound[v] += other.outbound[v] }
    }
}
