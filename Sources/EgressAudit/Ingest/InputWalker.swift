import Foundation

/// Expands what the user named into input files: a file as is, a folder walked recursively in name
/// order, `-` for standard input. In folders, hidden entries and files that are documentation or
/// manifests rather than logs (`.md`, `.yaml`, `.yml`, `.py`, `.sh`) are passed over.
public enum InputWalker {
    /// Extensions a folder walk passes over (a file named on the command line is always read).
    public static let skippedExtensions: Set<String> = ["md", "yaml", "yml", "py", "sh"]

    public static func files(at path: String) throws -> [String] {
        if path == "-" { return ["-"] }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InputError.notFound(path: path)
        }
        guard isDirectory.boolValue else { return [path] }
        var found: [String] = []
        try walk(path, into: &found, depth: 0)
        return found
    }

    private static func walk(_ folder: String, into found: inout [String], depth: Int) throws {
        guard depth < 32 else { return }  // a symlink loop ends here
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder) } catch {
            throw InputError.cannotOpen(path: folder, reason: "cannot list the folder")
        }
        for name in names.sorted() where !name.hasPrefix(".") {
            let child = folder.hasSuffix("/") ? folder + name : folder + "/" + name
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: child, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                try walk(child, into: &found, depth: depth + 1)
            } else if let dot = name.lastIndex(of: "."), skippedExtensions.contains(name[name.index(after: dot)...].lowercased()) {
                continue
            } else {
                found.append(child)
            }
        }
    }
}
