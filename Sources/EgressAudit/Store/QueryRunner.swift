#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs read-only SQL on a database opened read-only, streaming rows to a formatter.
public final class QueryRunner {
    public let database: SQLiteDatabase

    /// Opens `databasePath` read-only; a missing file is an error that says how to make one.
    public init(databasePath: String) throws {
        guard access(databasePath, F_OK) == 0 else {
            throw QueryError.noDatabase(path: databasePath)
        }
        database = try SQLiteDatabase(path: databasePath, readOnly: true)
    }

    /// Runs `report` with `parameters` (see `ReportCatalog.bindings`). When the report takes `since`/`until`
    /// and they are set, the summary views are first restricted to that window (`SummaryWindow`).
    public func run(_ report: Report, parameters: [String: SQLValue], into formatter: RowFormatter) throws {
        func time(_ name: String) -> Int64? {
            guard report.parameters.contains(where: { $0.name == name }), case .integer(let v)? = parameters[name] else { return nil }
            return v
        }
        // The views reports read came with schema 4; a database no ingest has opened since is older.
        let version = try database.scalar("PRAGMA user_version") ?? 0
        guard version >= Schema.migrations.count else {
            throw QueryError.olderSchema(path: database.path, version: Int(version), needed: Schema.migrations.count)
        }
        try SummaryWindow.apply(to: database, since: time("since"), until: time("until"))
        try run(report.sql, parameters: parameters, into: formatter)
    }

    /// Runs `sql` (one statement), binding `parameters` by name (`:since`) or position.
    public func run(_ sql: String, parameters: [String: SQLValue] = [:], into formatter: RowFormatter) throws {
        let statement = try database.prepare(sql)
        guard statement.isReadOnly else { throw QueryError.writeRefused(sql: sql) }
        for (name, value) in parameters {
            let index = sqlite3ParameterIndex(statement, name)
            if index > 0 { statement.bind(index, value: value) }
        }
        let count = statement.columnCount
        formatter.begin(columns: (0..<count).map { statement.columnName($0) })
        while try statement.step() {
            formatter.row((0..<count).map { statement.value($0) })
        }
        formatter.end()
    }
}

/// Why a query was not run.
public enum QueryError: Error, CustomStringConvertible, Equatable {
    case noDatabase(path: String)
    case writeRefused(sql: String)
    case olderSchema(path: String, version: Int, needed: Int)

    public var description: String {
        switch self {
        case let .noDatabase(path):
            return "\(path): no database here; create one with: egress-audit ingest --db \(path) <logs>"
        case let .olderSchema(path, version, needed):
            return "\(path): written by an older egress-audit (schema \(version); reports need \(needed)); upgrade it in place, "
                + "keeping every row, with: egress-audit ingest --db \(path) /dev/null"
        case .writeRefused:
            return "sql runs read-only queries (SELECT, WITH, PRAGMA reads); this statement would change the database"
        }
    }
}
