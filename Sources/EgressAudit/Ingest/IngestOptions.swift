/// How `Ingestor` reads and classifies.
public struct IngestOptions: Sendable {
    /// `--log-format`: a preset name, `json`, a JSON format or an Envoy format string; nil detects per file.
    public var logFormat: String?
    public var classifier: ClassifierConfig
    /// `--namespace` / `--pod`: the source when neither the wrapper nor the path names it.
    public var namespace: String?
    public var pod: String?
    /// Lines per transaction (rows and their file's checkpoint commit together).
    public var batchLines: Int
    /// Longest time between commits, in seconds.
    public var commitInterval: Double
    /// Entries a summary table holds before its sums are written, with a commit at the end of the batch that
    /// filled it (memory against upserts).
    var summaryFlushEntries = SummaryWriter.defaultFlushEntries
    /// The writer connection's page cache in KiB (tests make it small to fill it). A transaction that outgrows
    /// it is committed at the next batch (see `SQLiteDatabase.cacheSpills`). 4 MB rather than 8 took 4 MiB off
    /// peak RSS at the same instruction count (2 M lines): ingest appends, and the lookups' pages stay cached.
    var pageCacheKiB = 4000

    public init(logFormat: String? = nil, classifier: ClassifierConfig = ClassifierConfig(),
                namespace: String? = nil, pod: String? = nil, batchLines: Int = 250_000, commitInterval: Double = 2) {
        self.logFormat = logFormat
        self.classifier = classifier
        self.namespace = namespace
        self.pod = pod
        self.batchLines = batchLines
        self.commitInterval = commitInterval
    }
}
