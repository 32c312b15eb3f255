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
}
