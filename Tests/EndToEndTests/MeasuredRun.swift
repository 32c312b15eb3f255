#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// Runs a command to its end as `EgressAuditCLI.run` does, and measures it: the child's own peak resident
/// memory and its wall-clock time. For the bounded-memory and bounded-time guarantees of hostile inputs.
///
/// The memory comes from a small Python parent that forks and execs the command and reads `wait4`'s rusage:
/// spawned straight from the test process, the child's `ru_maxrss` would start at the test process's own
/// size (posix_spawn's vfork shares its memory until exec, and Linux keeps that high-water mark), which is
/// large while many tests run at once.
struct MeasuredRun {
    var status: Int32
    /// The signal that ended the process, or nil when it exited.
    var signal: Int32?
    var stdout: String
    var stderr: String
    /// Peak resident set size in MB.
    var peakMB: Double
    var seconds: Double

    /// `executable` (default: the built binary) with `arguments`, stdout and stderr to files in `folder`,
    /// standard input from /dev/null, `$EGRESS_AUDIT_DB` unset.
    static func run(_ arguments: [String], executable: String? = nil, in folder: String) throws -> MeasuredRun {
        if executable == nil { try EgressAuditCLI.requireBinary() }
        let program = executable ?? EgressAuditCLI.binary
        let outPath = folder + "/measured-out-\(UUID().uuidString)"
        let errPath = folder + "/measured-err-\(UUID().uuidString)"
        defer { unlink(outPath); unlink(errPath) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

        let usagePath = folder + "/measured-usage-\(UUID().uuidString)"
        defer { unlink(usagePath) }
        let wrapper = """
            import os, sys
            pid = os.fork()
            if pid == 0:
                os.execv(sys.argv[2], sys.argv[2:])
            _, status, usage = os.wait4(pid, 0)
            open(sys.argv[1], "w").write("%d %d" % (status, usage.ru_maxrss))
            """
        let python = "/usr/bin/python3"
        let argv = ([python, "-c", wrapper, usagePath, program] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        let env = ProcessInfo.processInfo.environment.filter { $0.key != "EGRESS_AUDIT_DB" }
            .map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in env { free(p) } }

        let start = Date()
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, python, &actions, nil, argv, env)
        try #require(rc == 0, "cannot start \(python) to measure \(program): \(String(cString: strerror(rc)))")
        var wrapperStatus: Int32 = 0
        while waitpid(pid, &wrapperStatus, 0) < 0 && errno == EINTR {}
        let seconds = Date().timeIntervalSince(start)
        let measured = ((try? String(contentsOfFile: usagePath, encoding: .utf8)) ?? "").split(separator: " ").compactMap { Int64($0) }
        try #require(measured.count == 2, "the measuring parent (python3) did not report; it exited with \(wrapperStatus)")
        let status = Int32(measured[0]), peakKB = measured[1]
        let exited = status & 0x7F == 0
        return MeasuredRun(status: exited ? (status >> 8) & 0xFF : -1, signal: exited ? nil : status & 0x7F,
                           stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                           stderr: String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: errPath))) ?? Data(), as: UTF8.self),
                           peakMB: Double(peakKB) / 1024, seconds: seconds)
    }
}

/// Real-shaped Istio 1.9+ text lines, each unique (timestamp, ports, request id), as proxies print them:
/// BlackHoleCluster TLS, an allowed TLS call, a block_all 502 and an in-mesh call in turn, and every
/// thousandth line (index 3 mod 1000) a line no layout reads, kept in `rejects`.
enum CorpusLines {
    static func line(_ n: Int) -> String {
        let ms = n * 7 + 250
        let ts = String(format: "2026-11-23T%02d:%02d:%02d.%03dZ", 9 + ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000)
        let port = 20_000 + n % 40_000
        switch n % 4 {
        case 0:
            return "[\(ts)] \"- - -\" 0 UH - - \"-\" 0 0 0 - \"-\" \"-\" \"-\" \"-\" \"-\" BlackHoleCluster - 54.204.25.\(n % 250 + 1):443 10.244.1.17:\(port) - -"
        case 1:
            return "[\(ts)] \"- - -\" 0 - - - \"-\" \(600 + n % 300) 5000 120 - \"-\" \"-\" \"-\" \"-\" \"93.184.216.34:443\" outbound|443||api.example.com 10.244.1.17:\(30_000 + n % 30_000) 93.184.216.34:443 10.244.1.17:\(port) api.example.com -"
        case 2:
            return "[\(ts)] \"POST /v1/orders/\(n) HTTP/1.1\" 502 - direct_response - \"-\" 187 0 0 - \"-\" \"python-requests/2.31.0\" \"7f3c9b1e-4c2d-8a6f-\(String(format: "%012d", n))\" \"payments.partner.example\" \"-\" - - 240.240.0.\(n % 250 + 1):80 10.244.1.17:\(port) - block_all"
        default:
            if n % 1000 == 3 { return "\(ts) truncated by a log shipper \(n)" }
            return "[\(ts)] \"GET /status/\(n) HTTP/1.1\" 200 - via_upstream - \"-\" 0 135 4 4 \"-\" \"curl/7.73.0-DEV\" \"84961386-6d84-929d-98bd-\(String(format: "%012d", n))\" \"httpbin:8000\" \"10.44.1.27:80\" outbound|8000||httpbin.foo.svc.cluster.local 10.44.1.23:37652 10.0.45.184:8000 10.44.1.23:\(port) - default"
        }
    }

    /// Lines `range`, newline-terminated, written to `path`.
    static func write(_ range: Range<Int>, to path: String) throws {
        var text = ""
        text.reserveCapacity(range.count * 240)
        for n in range { text += line(n); text += "\n" }
        try text.write(toFile: path, atomically: false, encoding: .utf8)
    }

    /// How many lines of `range` are rejects (the rest are calls).
    static func rejects(in range: Range<Int>) -> Int { range.filter { $0 % 4 == 3 && $0 % 1000 == 3 }.count }
}
