#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// Where the package and the built binary are, and how end-to-end tests run it: as a user would, from a
/// folder of the test's own, with `$EGRESS_AUDIT_DB` unset, output captured through files (a pipe could
/// fill up while the test waits).
enum EgressAuditCLI {
    /// The package root: this file is <root>/Tests/EndToEndTests/EgressAuditCLI.swift.
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static var binary: String { root + "/.build/debug/egress-audit" }
    static var samples: String { root + "/sample-logs" }

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
        var stdoutBytes: [UInt8]
    }

    /// Fails the test with what to do when the binary has not been built.
    static func requireBinary(sourceLocation: SourceLocation = #_sourceLocation) throws {
        try #require(FileManager.default.isExecutableFile(atPath: binary),
                     "\(binary) does not exist: build it first with `swift build --product egress-audit`",
                     sourceLocation: sourceLocation)
    }

    /// Runs the binary (or `executable`) with `arguments` in `folder` to its end, optionally feeding a file on
    /// standard input.
    static func run(_ arguments: [String], executable: String? = nil, stdinFile: String? = nil, in folder: String) throws -> Output {
        if executable == nil { try requireBinary() }
        let outPath = folder + "/stdout-\(UUID().uuidString)"
        let errPath = folder + "/stderr-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { unlink(outPath); unlink(errPath) }
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable ?? binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "EGRESS_AUDIT_DB")
        process.environment = environment
        process.standardOutput = out
        process.standardError = err
        process.standardInput = try stdinFile.map { try FileHandle(forReadingFrom: URL(fileURLWithPath: $0)) } ?? FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        let stdout = try Data(contentsOf: URL(fileURLWithPath: outPath))
        let stderr = try Data(contentsOf: URL(fileURLWithPath: errPath))
        return Output(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self), stdoutBytes: [UInt8](stdout))
    }
}
