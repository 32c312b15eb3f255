import CSQLite

/// A prepared statement. Binding takes byte slices directly (`SQLITE_STATIC`): the caller steps
/// before the bytes change, which every writer here does.
public final class SQLiteStatement {
    let handle: OpaquePointer
    unowned let database: SQLiteDatabase

    init(_ handle: OpaquePointer, database: SQLiteDatabase) {
        self.handle = handle
        self.database = database
    }

    deinit { sqlite3_finalize(handle) }

    @inline(__always) public func bind(_ index: Int32, _ slice: ByteSlice) {
        if let s = slice.start {
            sqlite3_bind_text(handle, index, UnsafeRawPointer(s).assumingMemoryBound(to: CChar.self), Int32(slice.count), sqliteStatic)
        } else {
            sqlite3_bind_null(handle, index)
        }
    }

    @inline(__always) public func bind(_ index: Int32, _ value: Int64?) {
        if let value { sqlite3_bind_int64(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    public func bind(_ index: Int32, _ text: String?) {
        if let text { sqlite3_bind_text(handle, index, text, -1, sqliteTransient) } else { sqlite3_bind_null(handle, index) }
    }

    public func bind(_ index: Int32, blob bytes: [UInt8]) {
        bytes.withUnsafeBytes { p in
            _ = sqlite3_bind_blob(handle, index, p.baseAddress, Int32(p.count), sqliteTransient)
        }
    }

    /// Binds a Swift value by its runtime type (for reports and ad-hoc parameters).
    public func bind(_ index: Int32, value: SQLValue) {
        switch value {
        case .null: sqlite3_bind_null(handle, index)
        case .integer(let v): sqlite3_bind_int64(handle, index, v)
        case .real(let v): sqlite3_bind_double(handle, index, v)
        case .text(let v): sqlite3_bind_text(handle, index, v, -1, sqliteTransient)
        }
    }

    /// Advances; true when a row is available.
    @inline(__always) @discardableResult
    public func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        throw database.error(rc, "query failed")
    }

    /// Runs a statement that returns no rows, then resets it for the next binding.
    @inline(__always) public func run() throws {
        let rc = sqlite3_step(handle)
        sqlite3_reset(handle)
        if rc != SQLITE_DONE && rc != SQLITE_ROW { throw database.error(rc, "write failed") }
    }

    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    public var columnCount: Int32 { sqlite3_column_count(handle) }
    public func columnName(_ i: Int32) -> String { String(cString: sqlite3_column_name(handle, i)) }
    public func int64(_ i: Int32) -> Int64 { sqlite3_column_int64(handle, i) }
    public func isNull(_ i: Int32) -> Bool { sqlite3_column_type(handle, i) == SQLITE_NULL }
    public func text(_ i: Int32) -> String? {
        guard let p = sqlite3_column_text(handle, i) else { return nil }
        let n = Int(sqlite3_column_bytes(handle, i))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    /// The column as a typed value.
    public func value(_ i: Int32) -> SQLValue {
        switch sqlite3_column_type(handle, i) {
        case SQLITE_NULL: return .null
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(handle, i))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, i))
        default: return .text(text(i) ?? "")
        }
    }

    /// Whether the statement only reads (used to refuse writes in `sql`).
    public var isReadOnly: Bool { sqlite3_stmt_readonly(handle) != 0 }
}

/// A value read from or bound to SQL.
public enum SQLValue: Equatable, Sendable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
}

/// The index of a named parameter (`:name`, `@name` or `$name`), 0 when absent.
func sqlite3ParameterIndex(_ statement: SQLiteStatement, _ name: String) -> Int32 {
    for prefix in [":", "@", "$"] {
        let index = sqlite3_bind_parameter_index(statement.handle, prefix + name)
        if index > 0 { return index }
    }
    return 0
}
