#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

// End-to-end: the built `egress-audit` binary, run as a subprocess on `sample-logs/`.
// Expected numbers come from sample-logs/README.md ("Expected counts"), which the generator computed
// independently of this code.

// MARK: - Locations and running the binary

fileprivate enum E2E {
    static var root: String { EgressAuditCLI.root }
    static var samples: String { EgressAuditCLI.samples }
    static var binary: String { EgressAuditCLI.binary }

    typealias Output = EgressAuditCLI.Output

    /// Runs the binary with `arguments`, optionally feeding a file on standard input.
    static func run(_ arguments: [String], stdinFile: String? = nil, in folder: ScratchFolder) throws -> Output {
        try EgressAuditCLI.run(arguments, stdinFile: stdinFile, in: folder.path)
    }

    /// `ingest --format json` and its decoded summary.
    static func ingest(_ paths: [String], db: String, extra: [String] = [], stdinFile: String? = nil, in folder: ScratchFolder,
                       expectStatus: Int32 = 0) throws -> (Summary, Output) {
        let output = try run(["ingest", "--db", db, "--format", "json"] + extra + paths, stdinFile: stdinFile, in: folder)
        #expect(output.status == expectStatus, "ingest exited \(output.status): \(output.stderr)")
        let summary = try JSONDecoder().decode(Summary.self, from: Data(output.stdout.utf8))
        return (summary, output)
    }

    /// `sql --format json` rows as dictionaries.
    static func sql(_ query: String, db: String, in folder: ScratchFolder) throws -> [[String: Any]] {
        let output = try run(["sql", "--db", db, "--format", "json", query], in: folder)
        try #require(output.status == 0, "sql failed (\(output.status)): \(output.stderr)")
        let parsed = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8))
        return try #require(parsed as? [[String: Any]], "not an array of objects: \(output.stdout)")
    }

    static func int(_ query: String, db: String, in folder: ScratchFolder) throws -> Int {
        let rows = try sql(query, db: db, in: folder)
        try #require(rows.count == 1 && rows[0].count == 1, "expected one value from \(query): \(rows)")
        return try #require(rows[0].values.first as? Int, "not an integer: \(rows)")
    }

    static func strings(_ query: String, column: String, db: String, in folder: ScratchFolder) throws -> [String?] {
        try sql(query, db: db, in: folder).map { $0[column] as? String }
    }
}

/// The JSON summary of `ingest --format json` (a public contract: every key must be there).
fileprivate struct Summary: Decodable {
    struct Outbound: Decodable, Equatable {
        var allowed: Int
        var passthrough: Int
        var blocked: Int
        var `internal`: Int
        var total: Int { allowed + passthrough + blocked + `internal` }
    }
    var files: Int
    var unchangedFiles: Int
    var resumedFiles: Int
    var bytes: Int
    var lines: Int
    var accessLines: Int
    var outbound: Outbound
    var inbound: Int
    var unrouted: Int
    var otherLines: Int
    var rejected: Int
    var seconds: Double
    var errors: [String]

    enum CodingKeys: String, CodingKey {
        case files, unchangedFiles = "unchanged_files", resumedFiles = "resumed_files", bytes, lines
        case accessLines = "access_lines", outbound, inbound, unrouted, otherLines = "other_lines", rejected, seconds, errors
    }
}

/// One row of sample-logs/README.md's "Expected counts" table.
fileprivate struct ExpectedFile {
    var file: String
    var physical: Int
    var records: Int
    var access: Int
    var inbound: Int
    var allowed: Int
    var passthrough: Int
    var blocked: Int
    var `internal`: Int
    var agent: Int
    var nonProxy: Int
}

fileprivate let challengePod = "jscalcbackend-egress-v1-7c9d8f6b5d-q4x2m"
fileprivate let challengeFile = "var/log/pods/challengeistio_jscalcbackend-egress-v1-7c9d8f6b5d-q4x2m_0f6c2a1e-5b7d-4e3a-9c1f-2d8e4b6a7c90/istio-proxy/0.log"

fileprivate let expectedFiles: [ExpectedFile] = [
    ExpectedFile(file: challengeFile,
                 physical: 217, records: 215, access: 177, inbound: 89, allowed: 45, passthrough: 0, blocked: 43, internal: 0, agent: 38, nonProxy: 0),
    ExpectedFile(file: "kubectl/challengeistio-frontend.log",
                 physical: 218, records: 218, access: 177, inbound: 94, allowed: 0, passthrough: 10, blocked: 0, internal: 73, agent: 41, nonProxy: 0),
    ExpectedFile(file: "json/payments-checkout.jsonl",
                 physical: 168, records: 168, access: 167, inbound: 37, allowed: 37, passthrough: 0, blocked: 19, internal: 74, agent: 1, nonProxy: 0),
    ExpectedFile(file: "json/legacy-billing.jsonl",
                 physical: 4, records: 4, access: 3, inbound: 0, allowed: 1, passthrough: 1, blocked: 0, internal: 1, agent: 1, nonProxy: 0),
    ExpectedFile(file: "gzip/istio-1.8-legacy.log.gz",
                 physical: 154, records: 154, access: 152, inbound: 45, allowed: 57, passthrough: 0, blocked: 5, internal: 45, agent: 2, nonProxy: 0),
    ExpectedFile(file: "var/log/containers/reviews-v2-7d9f8c6b5-abcde_bookinfo_istio-proxy-472bcdd82df3951563e5b8df9163b634b37a74157603a33829da15f9c800fef9.log",
                 physical: 149, records: 149, access: 143, inbound: 61, allowed: 21, passthrough: 0, blocked: 0, internal: 61, agent: 6, nonProxy: 0),
    ExpectedFile(file: "fluent-bit/istio-proxy-2026-11-23.jsonl",
                 physical: 63, records: 63, access: 61, inbound: 0, allowed: 35, passthrough: 8, blocked: 18, internal: 0, agent: 1, nonProxy: 1),
]

/// Decompressed size of a gzip file, by the system's gzip (every member).
fileprivate func inflatedSize(_ path: String) throws -> Int {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["gzip", "-dc", path]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    try #require(process.terminationStatus == 0)
    return data.count
}

/// A minimal RFC 4180 reader: records of fields; fails the test on a bare LF or a malformed quote.
fileprivate func parseCSV(_ bytes: [UInt8]) -> [[String]] {
    var records: [[String]] = []
    var record: [String] = []
    var field: [UInt8] = []
    var i = 0
    var quoted = false
    var fieldStarted = false
    while i < bytes.count {
        let c = bytes[i]
        if quoted {
            if c == 0x22 {
                if i + 1 < bytes.count && bytes[i + 1] == 0x22 { field.append(0x22); i += 2; continue }
                quoted = false
                i += 1
                if i < bytes.count && bytes[i] != 0x2C && bytes[i] != 0x0D {
                    Issue.record("CSV: text after a closing quote at byte \(i)")
                }
                continue
            }
            field.append(c)
            i += 1
            continue
        }
        switch c {
        case 0x22 where !fieldStarted && field.isEmpty:
            quoted = true
            fieldStarted = true
            i += 1
        case 0x2C:
            record.append(String(decoding: field, as: UTF8.self))
            field = []
            fieldStarted = false
            i += 1
        case 0x0D:
            if i + 1 < bytes.count && bytes[i + 1] == 0x0A {
                record.append(String(decoding: field, as: UTF8.self))
                records.append(record)
                record = []
                field = []
                fieldStarted = false
                i += 2
            } else {
                Issue.record("CSV: CR without LF at byte \(i)")
                i += 1
            }
        case 0x0A:
            Issue.record("CSV: bare LF (records must end in CRLF) at byte \(i)")
            i += 1
        default:
            field.append(c)
            fieldStarted = true
            i += 1
        }
    }
    if !field.isEmpty || !record.isEmpty { Issue.record("CSV: the last record does not end in CRLF") }
    return records
}

// MARK: - Tests

@Suite("sample-logs end to end")
struct SampleLogsEndToEndTests {
    @Test("ingest of the whole folder: the JSON summary matches the README's totals")
    func summaryTotals() throws {
        let folder = try ScratchFolder("egress-e2e")
        let (s, output) = try E2E.ingest([E2E.samples], db: folder.db, in: folder)
        #expect(s.errors == [])
        // The seven logs; README.md and the ServiceEntry YAML in entries/ are passed over by the folder walk.
        #expect(s.files == expectedFiles.count)
        #expect(s.unchangedFiles == 0)
        #expect(s.resumedFiles == 0)
        #expect(s.lines == 973)
        #expect(s.accessLines == 880)
        #expect(s.inbound == 326)
        #expect(s.outbound == Summary.Outbound(allowed: 196, passthrough: 19, blocked: 85, internal: 254))
        #expect(s.unrouted == 0)
        #expect(s.otherLines == 90 + 1)
        #expect(s.rejected == 0)
        // The table's rows add up to its total row.
        #expect(expectedFiles.map(\.physical).reduce(0, +) == 973)
        #expect(expectedFiles.map(\.access).reduce(0, +) == 880)
        #expect(expectedFiles.map { $0.agent + $0.nonProxy }.reduce(0, +) == 91)
        var bytes = 0
        for f in expectedFiles {
            let path = E2E.samples + "/" + f.file
            bytes += f.file.hasSuffix(".gz") ? try inflatedSize(path) : try Data(contentsOf: URL(fileURLWithPath: path)).count
        }
        #expect(s.bytes == bytes)
        #expect(s.seconds > 0 && s.seconds < 30)
        #expect(output.stderr.isEmpty, "no errors, and no progress line when stderr is not a terminal: \(output.stderr)")
        #expect(try E2E.int("SELECT count(*) FROM calls", db: folder.db, in: folder) == 196 + 19 + 85 + 254)
        #expect(try E2E.int("SELECT count(*) FROM ingested_files", db: folder.db, in: folder) == expectedFiles.count)
    }

    @Test("files named on the command line are read even when a folder walk would pass them over")
    func namedDocumentIsRead() throws {
        let folder = try ScratchFolder("egress-e2e")
        let (s, _) = try E2E.ingest([E2E.samples + "/entries/httpbin-ext.yaml"], db: folder.db, in: folder)
        #expect(s.files == 1)
        #expect(s.lines == 34)
        #expect(s.accessLines == 0)
        #expect(s.rejected + s.otherLines == 34)
    }

    @Test("per file: verdict counts, lines, access, inbound and other lines match the README table; no log line is rejected")
    func perFileCounts() throws {
        let folder = try ScratchFolder("egress-e2e")
        _ = try E2E.ingest([E2E.samples], db: folder.db, in: folder)
        let prefix = E2E.samples + "/"

        var verdicts: [String: [String: Int]] = [:]
        for row in try E2E.sql("SELECT log_file, verdict, count(*) AS n FROM calls GROUP BY 1, 2", db: folder.db, in: folder) {
            let file = String((row["log_file"] as? String ?? "").dropFirst(prefix.count))
            verdicts[file, default: [:]][row["verdict"] as? String ?? "?"] = row["n"] as? Int
        }
        var files: [String: [String: Any]] = [:]
        for row in try E2E.sql("SELECT path, lines, access_lines, inbound, unrouted, calls, other_lines, rejected, compressed FROM ingested_files",
                               db: folder.db, in: folder) {
            files[String((row["path"] as? String ?? "").dropFirst(prefix.count))] = row
        }
        for f in expectedFiles {
            let v = verdicts[f.file] ?? [:]
            #expect(v["allowed"] ?? 0 == f.allowed, "\(f.file) allowed")
            #expect(v["passthrough"] ?? 0 == f.passthrough, "\(f.file) passthrough")
            #expect(v["blocked"] ?? 0 == f.blocked, "\(f.file) blocked")
            #expect(v["internal"] ?? 0 == f.internal, "\(f.file) internal")
            #expect(Set(v.keys).isSubset(of: ["allowed", "passthrough", "blocked", "internal"]))
            let row = try #require(files[f.file], "\(f.file) not in ingested_files")
            #expect(row["lines"] as? Int == f.physical, "\(f.file) lines")
            #expect(row["access_lines"] as? Int == f.access, "\(f.file) access")
            #expect(row["inbound"] as? Int == f.inbound, "\(f.file) inbound")
            #expect(row["unrouted"] as? Int == 0, "\(f.file) unrouted")
            #expect(row["calls"] as? Int == f.allowed + f.passthrough + f.blocked + f.internal, "\(f.file) calls")
            #expect(row["other_lines"] as? Int == f.agent + f.nonProxy, "\(f.file) other lines")
            #expect(row["rejected"] as? Int == 0, "\(f.file) rejected")
            #expect(row["compressed"] as? Int == (f.file.hasSuffix(".gz") ? 1 : 0), "\(f.file) compressed")
            #expect(f.access == f.inbound + f.allowed + f.passthrough + f.blocked + f.internal)
        }
        let logFiles = expectedFiles.map { "'" + prefix + $0.file + "'" }.joined(separator: ", ")
        #expect(try E2E.int("SELECT count(*) FROM rejects WHERE log_file IN (\(logFiles))", db: folder.db, in: folder) == 0)
    }

    @Test("the seed story: blocked IP-only TLS calls before 10:00, then allowed httpbin.org with SNI")
    func seedStory() throws {
        let folder = try ScratchFolder("egress-e2e")
        _ = try E2E.ingest([E2E.samples], db: folder.db, in: folder)
        let pod = "source_namespace = 'challengeistio' AND source_pod = '\(challengePod)'"
        let ips: Set<String> = ["3.230.204.70", "34.227.213.82", "54.204.25.22", "52.206.94.34"]

        #expect(try E2E.int("SELECT count(*) FROM calls WHERE \(pod)", db: folder.db, in: folder) == 88)
        #expect(try E2E.int("SELECT count(*) FROM calls WHERE \(pod) AND verdict NOT IN ('blocked', 'allowed')", db: folder.db, in: folder) == 0)

        let blocked = try E2E.sql("""
            SELECT ts, dest_host, dest_ip, dest_port, sni, protocol, upstream_cluster, response_flags, response_code
            FROM calls WHERE \(pod) AND verdict = 'blocked' ORDER BY ts
            """, db: folder.db, in: folder)
        #expect(blocked.count == 43)
        for row in blocked {
            let ts = row["ts"] as? String ?? ""
            #expect(ts >= "2026-11-23T09:00:00.000Z" && ts < "2026-11-23T10:00:00.000Z", "\(row)")
            #expect(row["dest_host"] is NSNull, "a blocked call names only an IP: \(row)")
            #expect(row["sni"] is NSNull, "\(row)")
            #expect(ips.contains(row["dest_ip"] as? String ?? ""), "\(row)")
            #expect(row["dest_port"] as? Int == 443, "\(row)")
            #expect(row["upstream_cluster"] as? String == "BlackHoleCluster", "\(row)")
            #expect(row["response_flags"] as? String == "UH", "\(row)")
            #expect(row["response_code"] as? Int == 0, "\(row)")
            // A TCP-proxied TLS connection without an SNI in the line: nothing in it says TLS.
            #expect(row["protocol"] as? String == "tcp", "\(row)")
        }
        #expect(blocked.first?["ts"] as? String == "2026-11-23T09:04:17.508Z")

        let allowed = try E2E.sql("""
            SELECT ts, dest_host, dest_ip, dest_port, sni, protocol, upstream_cluster FROM calls
            WHERE \(pod) AND verdict = 'allowed' ORDER BY ts
            """, db: folder.db, in: folder)
        #expect(allowed.count == 45)
        for row in allowed {
            let ts = row["ts"] as? String ?? ""
            #expect(ts >= "2026-11-23T10:00:41.000Z" && ts < "2026-11-23T11:00:00.000Z", "\(row)")
            #expect(row["dest_host"] as? String == "httpbin.org", "\(row)")
            #expect(row["dest_port"] as? Int == 443, "\(row)")
            #expect(row["sni"] as? String == "httpbin.org", "\(row)")
            #expect(row["protocol"] as? String == "tls", "\(row)")
            #expect(row["upstream_cluster"] as? String == "outbound|443||httpbin.org", "\(row)")
            #expect(ips.contains(row["dest_ip"] as? String ?? ""), "\(row)")
        }
        #expect(allowed.first?["ts"] as? String == "2026-11-23T10:00:41.659Z")
        // Every blocked IP was later dialed as httpbin.org: the evidence to name it.
        let blockedIPs = Set(blocked.compactMap { $0["dest_ip"] as? String })
        let allowedIPs = Set(allowed.compactMap { $0["dest_ip"] as? String })
        #expect(blockedIPs == ips)
        #expect(blockedIPs.isSubset(of: allowedIPs))
    }

    @Test("ts is ISO 8601 UTC with milliseconds, and agrees with ts_us")
    func timestampFormat() throws {
        let folder = try ScratchFolder("egress-e2e")
        _ = try E2E.ingest([E2E.samples], db: folder.db, in: folder)
        let all = try E2E.sql("SELECT ts, ts_us FROM calls", db: folder.db, in: folder)
        #expect(all.count == 554)
        let pattern = try Regex(#"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"#)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        for row in all {
            let ts = try #require(row["ts"] as? String, "a call without a time: \(row)")
            #expect(ts.wholeMatch(of: pattern) != nil, "\(ts)")
            let us = try #require(row["ts_us"] as? Int)
            let date = try #require(formatter.date(from: ts))
            #expect(Int((date.timeIntervalSince1970 * 1000).rounded()) == us / 1000, "\(ts) vs \(us)")
        }
        // Exact renderings of known lines: a CRI text line, a gzip text line, a JSON line.
        #expect(try E2E.strings("SELECT ts FROM calls WHERE log_file LIKE '%payments-checkout.jsonl' ORDER BY log_line LIMIT 1",
                                column: "ts", db: folder.db, in: folder) == ["2026-11-23T09:01:20.237Z"])
    }

    @Test("the calls view has the documented columns")
    func callsViewColumns() throws {
        let folder = try ScratchFolder("egress-e2e")
        _ = try E2E.ingest([E2E.samples + "/json/legacy-billing.jsonl"], db: folder.db, in: folder)
        let names = try E2E.strings("SELECT name FROM pragma_table_info('calls')", column: "name", db: folder.db, in: folder).compactMap { $0 }
        let required = ["ts", "verdict", "dest_host", "dest_ip", "dest_port", "protocol", "upstream_cluster", "route_name",
                        "response_code", "response_flags", "method", "path", "authority", "sni", "bytes_received", "bytes_sent",
                        "duration_ms", "source_namespace", "source_pod", "source_ip", "log_file", "log_line"]
        for column in required { #expect(names.contains(column), "calls has no column \(column): \(names)") }
        // SELECT * gives the same names.
        let row = try #require(try E2E.sql("SELECT * FROM calls LIMIT 1", db: folder.db, in: folder).first)
        #expect(Set(row.keys) == Set(names))
    }

    @Test("ingesting the folder a second time adds nothing and reports every file unchanged")
    func secondIngest() throws {
        let folder = try ScratchFolder("egress-e2e")
        let (first, _) = try E2E.ingest([E2E.samples], db: folder.db, in: folder)
        let calls = try E2E.int("SELECT count(*) FROM calls", db: folder.db, in: folder)
        let rejects = try E2E.int("SELECT count(*) FROM rejects", db: folder.db, in: folder)
        let (s, _) = try E2E.ingest([E2E.samples], db: folder.db, in: folder)
        #expect(s.errors == [])
        #expect(s.files == first.files)
        #expect(s.unchangedFiles == first.files)
        #expect(s.resumedFiles == 0)
        #expect(s.lines == 0)
        #expect(s.bytes == 0)
        #expect(s.accessLines == 0)
        #expect(s.outbound == Summary.Outbound(allowed: 0, passthrough: 0, blocked: 0, internal: 0))
        #expect(s.inbound == 0)
        #expect(s.otherLines == 0)
        #expect(s.rejected == 0)
        #expect(try E2E.int("SELECT count(*) FROM calls", db: folder.db, in: folder) == calls)
        #expect(try E2E.int("SELECT count(*) FROM rejects", db: folder.db, in: folder) == rejects)
        #expect(try E2E.int("SELECT count(*) FROM ingested_files", db: folder.db, in: folder) == first.files)
    }

    @Test("sql refuses statements that change the database, with a non-zero exit and a message", arguments: [
        "DROP TABLE calls", "DROP TABLE call_facts", "DELETE FROM call_facts", "INSERT INTO strings(value) VALUES ('x')",
        "UPDATE ingested_files SET lines = 0",
    ])
    func sqlRefusesWrites(statement: String) throws {
        let folder = try ScratchFolder("egress-e2e")
        _ = try E2E.ingest([E2E.samples + "/json/legacy-billing.jsonl"], db: folder.db, in: folder)
        let output = try E2E.run(["sql", "--db", folder.db, statement], in: folder)
        #expect(output.status != 0)
        #expect(output.stderr.hasPrefix("egress-audit: "), "\(output.stderr)")
        #expect(output.stderr.count > "egress-audit: ".count + 10)
        #expect(output.stdout.isEmpty)
        #expect(try E2E.int("SELECT count(*) FROM calls", db: folder.db, in: folder) == 3)
        #expect(try E2E.int("SELECT count(*) FROM ingested_files WHERE lines = 4", db: folder.db, in: folder) == 1)
    }

    @Test("sql on a missing database exits non-zero, tells to run ingest, and creates nothing")
    func sqlMissingDatabase() throws {
        let folder = try ScratchFolder("egress-e2e")
        let missing = folder.path + "/nothing-here.db"
        let output = try E2E.run(["sql", "--db", missing, "SELECT 1"], in: folder)
        #expect(output.status != 0)
        #expect(output.stderr.contains(missing), "\(output.stderr)")
        #expect(output.stderr.contains("ingest"), "\(output.stderr)")
        #expect(!FileManager.default.fileExists(atPath: missing))
    }

    @Test("a nonexistent input makes ingest exit 1 naming it, while the other inputs are still ingested")
    func missingInput() throws {
        let folder = try ScratchFolder("egress-e2e")
        let missing = folder.path + "/no/such/istio-proxy.log"
        let output = try E2E.run(["ingest", "--db", folder.db, missing, E2E.samples + "/json/legacy-billing.jsonl"], in: folder)
        #expect(output.status == 1)
        #expect(output.stderr.contains(missing), "\(output.stderr)")
        #expect(try E2E.int("SELECT count(*) FROM calls", db: folder.db, in: folder) == 3)
    }

    @Test("an unreadable input makes ingest exit 1 naming it, while the other inputs are still ingested")
    func unreadableInput() throws {
        let folder = try ScratchFolder("egress-e2e")
        var unreadable = folder.path + "/secret.log"
        try Data("x\n".utf8).write(to: URL(fileURLWithPath: unreadable))
        chmod(unreadable, 0)
        defer { chmod(unreadable, 0o600) }
        let probe = open(unreadable, O_RDONLY)
        if probe >= 0 {
            // Running as root: permissions do not stop reads. A file that opens but cannot be read does:
            // reading /proc/self/mem at offset 0 fails with EIO.
            close(probe)
            try #require(FileManager.default.fileExists(atPath: "/proc/self/mem"), "no way to make an unreadable file here")
            unreadable = "/proc/self/mem"
        }
        let (s, output) = try E2E.ingest([unreadable, E2E.samples + "/json/legacy-billing.jsonl"], db: folder.db, in: folder, expectStatus: 1)
        #expect(output.stderr.contains(unreadable), "\(output.stderr)")
        #expect(s.errors.count == 1)
        #expect(s.errors.first?.contains(unreadable) == true)
        #expect(s.outbound.total == 3)
        #expect(try E2E.int("SELECT count(*) FROM calls", db: folder.db, in: folder) == 3)
    }

    @Test("ingest from standard input (-) works, and the same input again adds nothing")
    func standardInput() throws {
        let folder = try ScratchFolder("egress-e2e")
        let file = E2E.samples + "/json/payments-checkout.jsonl"
        let (s, _) = try E2E.ingest(["-"], db: folder.db, extra: ["--namespace", "payments", "--pod", "checkout-6b8d7f9c4-z9w8v"],
                                    stdinFile: file, in: folder)
        #expect(s.errors == [])
        #expect(s.files == 1)
        #expect(s.lines == 168)
        #expect(s.accessLines == 167)
        #expect(s.inbound == 37)
        #expect(s.outbound == Summary.Outbound(allowed: 37, passthrough: 0, blocked: 19, internal: 74))
        #expect(s.otherLines == 1)
        #expect(s.rejected == 0)
        let sources = try E2E.sql("SELECT DISTINCT source_namespace, source_pod, log_file FROM calls", db: folder.db, in: folder)
        #expect(sources.count == 1)
        #expect(sources.first?["source_namespace"] as? String == "payments")
        #expect(sources.first?["source_pod"] as? String == "checkout-6b8d7f9c4-z9w8v")
        #expect(sources.first?["log_file"] as? String == "-")

        let (again, _) = try E2E.ingest(["-"], db: folder.db, stdinFile: file, in: folder)
        #expect(again.unchangedFiles == 1)
        #expect(again.outbound.total == 0)
        // The same content as a file: known already.
        let (asFile, _) = try E2E.ingest([file], db: folder.db, in: folder)
        #expect(asFile.unchangedFiles == 1)
        #expect(try E2E.int("SELECT count(*) FROM calls", db: folder.db, in: folder) == 130)
    }

    @Test("gzip on standard input is inflated")
    func gzipOnStandardInput() throws {
        let folder = try ScratchFolder("egress-e2e")
        let (s, _) = try E2E.ingest(["-"], db: folder.db, stdinFile: E2E.samples + "/gzip/istio-1.8-legacy.log.gz", in: folder)
        #expect(s.lines == 154)
        #expect(s.accessLines == 152)
        #expect(s.outbound == Summary.Outbound(allowed: 57, passthrough: 0, blocked: 5, internal: 45))
    }

    @Test("--format csv is RFC 4180: a header row, CRLF record ends, quoting of commas, quotes and line breaks")
    func csvFormat() throws {
        let folder = try ScratchFolder("egress-e2e")
        _ = try E2E.ingest([E2E.samples + "/kubectl/challengeistio-frontend.log"], db: folder.db, in: folder)
        let literal = try E2E.run(["sql", "--db", folder.db, "--format", "csv",
                                   #"SELECT 'a,b' AS x, 'say "hi"' AS y, NULL AS z, 42 AS n, 'l1' || char(10) || 'l2' AS m, 'plain' AS p"#],
                                  in: folder)
        #expect(literal.status == 0, "\(literal.stderr)")
        #expect(literal.stdout == "x,y,z,n,m,p\r\n\"a,b\",\"say \"\"hi\"\"\",,42,\"l1\nl2\",plain\r\n")

        // A real query: parse the CSV and compare it with the JSON output of the same query.
        let query = "SELECT log_line, ts, user_agent, path, response_code FROM calls WHERE user_agent LIKE '%,%' ORDER BY log_line"
        let csv = try E2E.run(["sql", "--db", folder.db, "--format", "csv", query], in: folder)
        #expect(csv.status == 0)
        let records = parseCSV(csv.stdoutBytes)
        let json = try E2E.sql(query, db: folder.db, in: folder)
        #expect(!json.isEmpty)
        try #require(records.count == json.count + 1)
        #expect(records[0] == ["log_line", "ts", "user_agent", "path", "response_code"])
        for (record, row) in zip(records.dropFirst(), json) {
            #expect(record == [String(row["log_line"] as? Int ?? -1), row["ts"] as? String ?? "", row["user_agent"] as? String ?? "",
                               row["path"] as? String ?? "", (row["response_code"] as? Int).map(String.init) ?? ""])
        }
        // The commas in user agents forced quoting.
        #expect(csv.stdout.contains(",\"Mozilla/5.0 ("))
    }
}
