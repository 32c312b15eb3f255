#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard streams and terminal facts for the frontend.
enum Terminal {
    /// Buffered streams of their own (C's `stdout` is a shared mutable global to Swift 6); `exit` flushes them.
    nonisolated(unsafe) private static let standardOutput = fdopen(1, "w")
    nonisolated(unsafe) private static let standardError = fdopen(2, "w")

    static func out(_ s: String) { fputs(s, standardOutput) }
    static func err(_ s: String) { fputs(s, standardError); fflush(standardError) }
    static func flush() { fflush(standardOutput) }
    static var stderrIsTerminal: Bool { isatty(2) != 0 }
    static var stdoutIsTerminal: Bool { isatty(1) != 0 }

    /// What an ingest says when another writer holds `database`: once, whether it waits while opening the
    /// database or before writing.
    static func waitNotice(database: String) -> () -> Void {
        final class Once { var told = false }
        let once = Once()
        return {
            if !once.told { err("egress-audit: another ingest or tail is writing to \(database); waiting for it\n") }
            once.told = true
        }
    }

    /// The terminal's width, or nil when stdout is not a terminal.
    static var width: Int? {
        guard stdoutIsTerminal else { return nil }
        var size = winsize()
        guard ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 100 }
        return Int(size.ws_col)
    }
}

enum Environment {
    static func value(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
}

/// Numbers for people: 1,234,567.
func grouped(_ n: Int64) -> String {
    let s = String(n.magnitude)
    var out = ""
    for (i, c) in s.reversed().enumerated() {
        if i > 0 && i % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return (n < 0 ? "-" : "") + String(out.reversed())
}
