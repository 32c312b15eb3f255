#if canImport(Glibc)
import Glibc
#endif

/// One writer at a time per database (`<db>.ingest.lock`, an advisory `flock`): two `ingest` runs, or an
/// `ingest` and a `tail` cycle, never read the same new content at once, so nothing is stored twice. The lock
/// goes with the process (a `kill -9` releases it).
public final class WriterLock {
    private let descriptor: Int32
    public let path: String

    public init(databasePath: String) throws {
        path = databasePath + ".ingest.lock"
        descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw InputError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
    }

    deinit { close(descriptor) }

    /// Takes the lock, waiting for another writer; `waiting` is called once if it has to wait.
    public func lock(waiting: () -> Void = {}) {
        if flock(descriptor, LOCK_EX | LOCK_NB) == 0 { return }
        waiting()
        while flock(descriptor, LOCK_EX) != 0 && errno == EINTR {}
    }

    public func unlock() { flock(descriptor, LOCK_UN) }
}
