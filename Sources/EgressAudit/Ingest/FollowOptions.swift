/// How `Follower` follows.
public struct FollowOptions: Sendable {
    /// Files, folders, or globs (`/var/log/containers/*istio-proxy*.log`); re-evaluated on every wake-up.
    public var patterns: [String]
    /// Read files present at start from their beginning (default: from their end, unless already known).
    public var fromStart: Bool
    /// Longest wait between two reads, in seconds (inotify wakes it earlier).
    public var interval: Double
    /// How long a file that moved away or was deleted is still drained before its descriptor is closed.
    public var drainGrace: Double
    /// Poll only, without inotify (network filesystems, where inotify sees no changes).
    public var pollOnly: Bool

    public init(patterns: [String], fromStart: Bool = false, interval: Double = 0.5, drainGrace: Double = 5, pollOnly: Bool = false) {
        self.pollOnly = pollOnly
        self.patterns = patterns
        self.fromStart = fromStart
        self.interval = interval
        self.drainGrace = drainGrace
    }
}
