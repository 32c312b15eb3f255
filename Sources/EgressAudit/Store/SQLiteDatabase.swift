import CSQLite
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `SQLITE_STATIC`: SQLite reads the bound bytes during `step` only; the caller keeps them alive.
let sqliteStatic: sqlite3_destructor_type? = nil
/// `SQLITE_TRANSIENT`: SQLite copies the bytes at bind time.
let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A thin owner of one sqlite3 connection: the raw C API, no `String` on the write path.
public final class SQLiteDatabase {
    public let path: String
    let handle: OpaquePointer

    /// Process-wide settings, applied once before the first connection.
    private static let configured: Int32 = egress_audit_sqlite_configure()

    /// Opens (and for writing, creates with mode 0600) the database at `path`.
    public init(path: String, readOnly: Bool = false) throws {
        _ = SQLiteDatabase.configured
        self.path = path
        if !readOnly && path != ":memory:" && access(path, F_OK) != 0 {
            // Logs hold internal addresses and request paths: the file is private from birth.
            let fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0o600)
            if fd >= 0 { close(fd) }
        }
        var db: OpaquePointer?
        let flags = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        let rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: rc, message: message, path: path, context: "cannot open the database")
        }
        handle = db
        // SQLite's math functions, for `sql` and reports (see egress_audit_sqlite.h).
        egress_audit_register_math_functions(db)
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, 10_000)
    }

    deinit { sqlite3_close_v2(handle) }

    /// Runs one or more statements that return no rows.
    public func execute(_ sql: String) throws {
        var errmsg: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errmsg)
        if rc != SQLITE_OK {
            let message = errmsg.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(errmsg)
            throw SQLiteError(code: rc, message: message + writeFailureHint(rc), path: path, context: "statement failed")
        }
    }

    /// Compiles one statement.
    public func prepare(_ sql: String) throws -> SQLiteStatement {
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else {
            throw SQLiteError(code: rc, message: String(cString: sqlite3_errmsg(handle)), path: path, context: "cannot prepare SQL")
        }
        return SQLiteStatement(stmt, database: self)
    }

    /// The first column of the first row of a query, as an integer.
    public func scalar(_ sql: String) throws -> Int64? {
        let stmt = try prepare(sql)
        return try stmt.step() ? stmt.int64(0) : nil
    }

    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    /// Rows the last INSERT, UPDATE or DELETE changed.
    public var changes: Int32 { sqlite3_changes(handle) }

    /// Dirty pages this connection has written out before a commit because its page cache was full, since it
    /// opened. In WAL mode a page written early and changed again later in the same transaction is written
    /// again, and the commit then re-reads every frame after it to redo the log's checksums.
    var cacheSpills: Int64 {
        var current: Int32 = 0, highest: Int32 = 0
        sqlite3_db_status(handle, SQLITE_DBSTATUS_CACHE_SPILL, &current, &highest, 0)
        return Int64(current)
    }

    func error(_ rc: Int32, _ context: String) -> SQLiteError {
        SQLiteError(code: rc, message: String(cString: sqlite3_errmsg(handle)) + writeFailureHint(rc), path: path, context: context)
    }

    /// What to do when writing failed: SQLite's "disk I/O error" alone does not tell a full disk from a
    /// broken one, and SQLITE_FULL's own hint does not say the earlier rows are safe. Empty for other failures.
    private func writeFailureHint(_ rc: Int32) -> String {
        if rc & 0xFF == SQLITE_CANTOPEN && access(path, F_OK) == 0 {
            return " (the database exists: can this user write \(path)-wal and \(path)-shm beside it?)"
        }
        // SQLITE_IOERR | (3 << 8) is SQLITE_IOERR_WRITE (a macro Swift does not import).
        guard rc == SQLITE_IOERR | (3 << 8) || rc & 0xFF == SQLITE_FULL else { return "" }
        let errno = sqlite3_system_errno(handle)
        let cause = errno != 0 ? String(cString: strerror(errno)) + ": " : ""
        return " (\(cause)writing the database failed: is the disk or a quota full, or a file-size limit (ulimit -f) reached? "
            + "The transaction was rolled back; the rows committed before it are kept: make room, then run the same command "
            + "again to go on from there)"
    }
}
