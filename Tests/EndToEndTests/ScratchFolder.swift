#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A temporary folder for one test, removed with it; its real path (mkdtemp) and mode 0755, so a child run
/// under another user can reach it.
final class ScratchFolder {
    let path: String
    init(_ prefix: String) throws {
        var template = Array((NSTemporaryDirectory() + "/\(prefix)-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        let real = realpath(made, nil)
        path = real.map { String(cString: $0) } ?? String(cString: made)
        free(real)
        chmod(path, 0o755)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }
    /// Where a test keeps its database unless it needs several.
    var db: String { path + "/audit.db" }

    /// One integer from `sql --format csv`, or nil when the query fails.
    func scalar(_ query: String, db: String) throws -> Int? {
        let output = try EgressAuditCLI.run(["sql", "--db", db, "--format", "csv", query], in: path)
        guard output.status == 0 else { return nil }
        let rows = output.stdout.split(whereSeparator: \.isNewline)
        return rows.count == 2 ? Int(rows[1].trimmingCharacters(in: .whitespaces)) : nil
    }

    /// `PRAGMA integrity_check` through `sql` (read-only): "ok" for a sound database.
    func integrity(db: String) throws -> String {
        let output = try EgressAuditCLI.run(["sql", "--db", db, "--format", "csv", "PRAGMA integrity_check"], in: path)
        return output.stdout.split(whereSeparator: \.isNewline).dropFirst().joined(separator: " ") + output.stderr
    }
}
