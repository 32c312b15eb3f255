#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Follows live log files into the database (`egress-audit tail`).
///
/// Files are followed by inode through an open descriptor, so a file renamed or deleted by rotation is
/// drained to its end before it is let go, and the new file at the path is read from its start. Every
/// read goes through `Ingestor.ingest(descriptor:path:)`: content identity and checkpoints make a
/// `copytruncate` (the file shrinks: new content), a rotated copy ingested later, or a restart after
/// `kill -9` add each line exactly once. inotify wakes the loop on Linux; the interval bounds the wait.
public final class Follower {
    private struct Tracked {
        var path: String
        var descriptor: Int32
        var size: Int64
        var modified: timespec
        /// Set when the path no longer leads to this file: drained until then, then closed.
        var goneSince: Date?
    }

    private struct Key: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    public let ingestor: Ingestor
    public let options: FollowOptions
    private var tracked: [Key: Tracked] = [:]
    private var inotify: Int32 = -1
    private var watched: Set<String> = []
    private var firstScan = true
    /// Problems met while following (a file that could not be read), each once; the loop goes on.
    public private(set) var errors: [String] = []
    private var errorsSeen = Set<String>()
    /// Distinct problems remembered at most (days of following keep memory flat).
    private let errorLimit = 1000

    private func report(_ message: String) {
        guard errorsSeen.count < errorLimit, errorsSeen.insert(message).inserted else { return }
        errors.append(message)
    }

    public init(ingestor: Ingestor, options: FollowOptions) {
        self.ingestor = ingestor
        self.options = options
        #if os(Linux)
        if !options.pollOnly { inotify = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC)) }
        #endif
    }

    deinit {
        for t in tracked.values { close(t.descriptor) }
        if inotify >= 0 { close(inotify) }
    }

    /// Files currently followed (open descriptors).
    public var followedCount: Int { tracked.count }

    /// Follows until `shouldStop` returns true (checked at least every interval). `afterCycle` runs after
    /// each read of the files (for running summaries).
    public func run(shouldStop: () -> Bool, afterCycle: () -> Void = {}) {
        while !shouldStop() {
            cycle()
            afterCycle()
            if shouldStop() { break }
            wait()
        }
        // A last read, so nothing written before the stop is left behind.
        cycle()
        afterCycle()
    }

    /// One pass: find files, read what is new in each, let go of drained ones.
    public func cycle() {
        do { try ingestor.whileWriting(waiting: {}) { readChanged() } } catch { report("\(error)") }
    }

    /// The pass itself, holding the writer lock.
    private func readChanged() {
        discover()
        let now = Date()
        for (key, var t) in tracked {
            var st = stat()
            guard fstat(t.descriptor, &st) == 0 else { continue }
            let size = Int64(st.st_size)
            let changed = size != t.size || st.st_mtim.tv_sec != t.modified.tv_sec || st.st_mtim.tv_nsec != t.modified.tv_nsec
            if changed {
                do { try ingestor.ingest(descriptor: t.descriptor, path: t.path) } catch { report("\(t.path): \(error)") }
                t.size = size
                t.modified = st.st_mtim
                if t.goneSince != nil { t.goneSince = now }  // still being written: keep draining
            }
            // Let go of a file that moved away or was deleted once it stopped changing for a while.
            if let gone = t.goneSince, now.timeIntervalSince(gone) >= options.drainGrace {
                close(t.descriptor)
                tracked[key] = nil
                continue
            }
            tracked[key] = t
        }
        firstScan = false
    }

    /// Finds the files the patterns name now; starts following new ones, marks those whose path moved on.
    private func discover() {
        var present: [Key: String] = [:]
        for path in expand() where !ingestor.isOwnFile(path) {
            var st = stat()
            guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { continue }
            let key = Key(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
            if present[key] == nil { present[key] = path }
        }
        for (key, path) in present {
            if var t = tracked[key] {
                t.path = path
                t.goneSince = nil
                tracked[key] = t
                continue
            }
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { report("\(path): cannot open (\(String(cString: strerror(errno))))"); continue }
            var st = stat()
            fstat(fd, &st)
            // Files there at start are followed from their end, unless their content is known already.
            if firstScan && !options.fromStart {
                do { try ingestor.markAsRead(descriptor: fd, path: path) } catch { report("\(path): \(error)") }
            }
            // A zero time forces the first read (new files are read from their start).
            tracked[key] = Tracked(path: path, descriptor: fd, size: -1, modified: timespec(), goneSince: nil)
            watch((path as NSString).deletingLastPathComponent)
            if let real = realpath(path, nil) {
                watch((String(cString: real) as NSString).deletingLastPathComponent)
                free(real)
            }
        }
        for (key, t) in tracked where present[key] == nil && t.goneSince == nil {
            tracked[key]?.goneSince = Date()
        }
    }

    /// The regular files the patterns name: files as given, folders walked, globs expanded.
    private func expand() -> [String] {
        var out: [String] = []
        for pattern in options.patterns {
            if pattern.contains("*") || pattern.contains("?") || pattern.contains("[") {
                var g = glob_t()
                defer { globfree(&g) }
                if glob(pattern, 0, nil, &g) == 0 {
                    for i in 0..<Int(g.gl_pathc) { if let p = g.gl_pathv[i] { out.append(String(cString: p)) } }
                }
                watch(Follower.fixedPrefix(of: pattern))
            } else if let files = try? InputWalker.files(at: pattern) {
                out += files
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: pattern, isDirectory: &isDirectory) {
                    watch(isDirectory.boolValue ? pattern : (pattern as NSString).deletingLastPathComponent)
                }
            }
        }
        return out
    }

    /// The folder part of a glob before its first wildcard (watched for new files).
    static func fixedPrefix(of pattern: String) -> String {
        let upToWildcard = pattern.prefix { $0 != "*" && $0 != "?" && $0 != "[" }
        guard let slash = upToWildcard.lastIndex(of: "/") else { return "." }
        return String(upToWildcard[..<slash]).isEmpty ? "/" : String(upToWildcard[..<slash])
    }

    private func watch(_ folder: String) {
        #if os(Linux)
        let dir = folder.isEmpty ? "." : folder
        guard inotify >= 0, !watched.contains(dir) else { return }
        let mask = UInt32(IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CLOSE_WRITE | IN_ATTRIB)
        if inotify_add_watch(inotify, dir, mask) >= 0 { watched.insert(dir) }
        #endif
    }

    /// Sleeps until a watched folder changes or the interval passes.
    private func wait() {
        let timeout = Int32(options.interval * 1000)
        guard inotify >= 0 else { usleep(UInt32(timeout) * 1000); return }
        var pfd = pollfd(fd: inotify, events: Int16(POLLIN), revents: 0)
        if poll(&pfd, 1, timeout) > 0 {
            // Drain the events: any change means "look again"; a short pause lets writers finish a burst.
            var buffer = [UInt8](repeating: 0, count: 64 << 10)
            while read(inotify, &buffer, buffer.count) > 0 {}
            usleep(20_000)
        }
    }
}
