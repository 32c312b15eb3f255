import CSQLite
import Foundation

/// Copies committed pages from the write-ahead log into the database file on a thread and connection of its
/// own, so the ingest's writer does not stop for it after every commit.
///
/// With SQLite's automatic checkpoint, the connection that commits copies the log into the database right away:
/// about 30 ms after each commit of 250,000 lines here, during which the parsing thread, its few batches filled,
/// waits too (about 0.3 s of a 2 M-line run). Instead, this class takes over the writer's commit hook (which turns
/// the automatic checkpoint off) and, after each commit, asks its thread for a PASSIVE checkpoint, which never
/// blocks writers or readers.
///
/// SQLite starts the log over only when a transaction begins with every frame copied, which a writer that begins
/// its next transaction right after committing never sees. So once the log holds `restartFrames` frames, the
/// writer copies what is left itself right after that commit (usually only that commit's frames; the thread has
/// done the rest) and its next transaction starts the log from the beginning: the log stays under about 64 MiB.
/// Closing the last connection checkpoints whatever is left, as before.
///
/// Call `committed()` on the writer's thread after each commit, and `stop()` before letting go of it (the thread
/// holds it until then).
final class Checkpointer: @unchecked Sendable {
    /// Log frames (pages) after which the writer finishes the copy itself: 64 MiB at 4 KiB pages.
    static let defaultRestartFrames: Int32 = 16_384
    let restartFrames: Int32

    private let writer: SQLiteDatabase
    private var database: SQLiteDatabase?
    private let condition = NSCondition()
    private var requested = false
    private var stopped = false
    private var running = false
    /// Frames in the log after the writer's last commit (set by its commit hook, on the writer's thread).
    private var framesInLog: Int32 = 0

    /// Opens a second connection to `writer`'s database and hooks the writer's commits.
    init(writer: SQLiteDatabase, restartFrames: Int32 = Checkpointer.defaultRestartFrames) throws {
        self.writer = writer
        self.restartFrames = restartFrames
        let database = try SQLiteDatabase(path: writer.path)
        // A connection learns that the database has a log when it first reads it; until then a checkpoint does
        // nothing.
        _ = try database.scalar("SELECT count(*) FROM sqlite_schema")
        self.database = database
        sqlite3_wal_hook(writer.handle, { context, _, _, frames in
            Unmanaged<Checkpointer>.fromOpaque(context!).takeUnretainedValue().framesInLog = frames
            return SQLITE_OK
        }, Unmanaged.passUnretained(self).toOpaque())
        let thread = Thread { [self] in run() }
        thread.name = "egress-audit.checkpoint"
        running = true
        thread.start()
    }

    /// After a commit of the writer: copies the log here when it is long, else asks the thread to.
    func committed() {
        if framesInLog >= restartFrames {
            // Busy (the thread is copying): it is tried again after the next commit.
            if sqlite3_wal_checkpoint_v2(writer.handle, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil) == SQLITE_OK {
                framesInLog = 0
            }
            return
        }
        condition.lock()
        requested = true
        condition.signal()
        condition.unlock()
    }

    /// Gives the writer back its automatic checkpoint, ends the thread after the copy in progress and closes its
    /// connection; waits for both.
    func stop() {
        sqlite3_wal_hook(writer.handle, nil, nil)
        sqlite3_wal_autocheckpoint(writer.handle, 1000)
        condition.lock()
        stopped = true
        condition.broadcast()
        while running { condition.wait() }
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while !requested && !stopped { condition.wait() }
            if stopped {
                database = nil
                running = false
                condition.broadcast()
                condition.unlock()
                return
            }
            requested = false
            condition.unlock()
            // Busy or locked only means another connection is using the log: the next request tries again.
            if let handle = database?.handle {
                _ = sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
            }
        }
    }
}
