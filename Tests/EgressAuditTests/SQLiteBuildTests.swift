import Testing
@testable import EgressAudit

/// The SQLite compiled in (Sources/CSQLite) is the one ingest was measured with: a recent release, with the
/// lookaside allocator, not the system's build. A change of the dependency that brought back a build without them
/// would slow every insert (README, Speed) without failing anything else.
struct SQLiteBuildTests {
    private func compileOptions(_ database: SQLiteDatabase) throws -> [String] {
        let statement = try database.prepare("PRAGMA compile_options")
        var options: [String] = []
        while try statement.step() { options.append(statement.text(0) ?? "") }
        return options
    }

    @Test("the SQLite in use is 3.54 or later, with lookaside and without memory statistics")
    func builtIn() throws {
        let database = try SQLiteDatabase(path: ":memory:")
        let query = try database.prepare("SELECT sqlite_version()")
        #expect(try query.step())
        let version = try #require(query.text(0))
        let parts = version.split(separator: ".").compactMap { Int($0) }
        #expect(parts.count >= 2 && (parts[0], parts[1]) >= (3, 54), "SQLite \(version)")
        let options = try compileOptions(database)
        #expect(options.contains("THREADSAFE=1"))
        #expect(!options.contains("OMIT_LOOKASIDE"))
        #expect(options.contains("DEFAULT_MEMSTATUS=0"), "\(options)")
    }

    @Test("SQLite's math functions are there and answer as SQLite's own: integers kept by floor, NULL for NULL, text or a domain error")
    func mathFunctions() throws {
        let database = try SQLiteDatabase(path: ":memory:")
        let query = try database.prepare("""
            SELECT floor(1.5), floor(3), typeof(floor(3)), ceil(1.2), ceiling(-1.2), trunc(-1.7), log(100), log(2, 8), log10(1000),
                   log2(8), ln(exp(1)), pow(2, 10), power(3, 2), sqrt(16), mod(7, 3), round(pi(), 5), degrees(pi()), radians(180) = pi(),
                   ln(-1) IS NULL, sqrt(-1) IS NULL, floor('x') IS NULL, floor(NULL) IS NULL, floor('2.5')
            """)
        #expect(try query.step())
        let values = (0..<query.columnCount).map { query.value($0) }
        #expect(values == [.real(1), .integer(3), .text("integer"), .real(2), .real(-1), .real(-1), .real(2), .real(3), .real(3),
                           .real(3), .real(1), .real(1024), .real(9), .real(4), .real(1), .real(3.14159), .real(180), .integer(1),
                           .integer(1), .integer(1), .integer(1), .integer(1), .real(2)])
    }
}
