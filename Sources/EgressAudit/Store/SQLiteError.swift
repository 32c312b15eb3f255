import CSQLite

/// A database failure, with the file and what to do about the common ones.
public struct SQLiteError: Error, CustomStringConvertible {
    public var code: Int32
    public var message: String
    public var path: String
    public var context: String

    public var description: String {
        var hint = ""
        switch code & 0xFF {
        case SQLITE_FULL: hint = "; the disk is full: free space and run the same command again (nothing was half-written)"
        case SQLITE_READONLY: hint = "; the database is read-only here: check its permissions or pass another --db"
        case SQLITE_BUSY, SQLITE_LOCKED: hint = "; another egress-audit process holds the database: wait for it or use another --db"
        case SQLITE_CORRUPT, SQLITE_NOTADB: hint = "; this file is not an egress-audit database (or is damaged): pass another --db"
        case SQLITE_CANTOPEN: hint = "; check that the folder exists and is writable"
        default: break
        }
        return "\(path): \(context): \(message)\(hint)"
    }
}
