#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A temporary folder for one test (mkdtemp), removed when the value goes away.
final class TestFolder {
    let path: String

    init(_ prefix: String = "egress-tests") throws {
        let template = NSTemporaryDirectory() + "/\(prefix)-XXXXXX"
        var bytes = Array(template.utf8CString)
        guard let made = mkdtemp(&bytes) else { throw CocoaError(.fileWriteUnknown) }
        path = String(cString: made)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// A path inside the folder; intermediate folders are created.
    func file(_ name: String) -> String {
        let full = path + "/" + name
        try? FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        return full
    }

    /// Writes `text` to `name` inside the folder.
    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: file(name), atomically: true, encoding: .utf8)
    }

    /// Where a test keeps its database unless it needs several.
    var db: String { path + "/audit.db" }
}
