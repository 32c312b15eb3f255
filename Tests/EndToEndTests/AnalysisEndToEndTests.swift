#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

// End-to-end: `suggest`, `unused` and `analyze` of the built `egress-audit` binary on `sample-logs/` and
// `sample-logs/entries/`. Expected values come from sample-logs/README.md (the story of each file, the
// counts table and the entries table).

// MARK: - Running the binary

fileprivate enum AnalysisCLI {
    static var samples: String { EgressAuditCLI.samples }
    static var entries: String { samples + "/entries" }
    static var allEntries: String { entries + "/serviceentries.yaml" }
    static var httpbinEntry: String { entries + "/httpbin-ext.yaml" }
    static var binary: String { EgressAuditCLI.binary }

    typealias Output = EgressAuditCLI.Output

    /// Runs the binary with `arguments` in `folder`, optionally feeding a file on standard input.
    static func run(_ arguments: [String], stdinFile: String? = nil, in folder: ScratchFolder) throws -> Output {
        try EgressAuditCLI.run(arguments, stdinFile: stdinFile, in: folder.path)
    }

    /// A fresh database with all of `sample-logs/` ingested.
    static func ingestedDatabase(in folder: ScratchFolder) throws -> String {
        let db = folder.path + "/audit.db"
        let output = try run(["ingest", "--db", db, samples], in: folder)
        try #require(output.status == 0, "ingest failed (\(output.status)): \(output.stderr)")
        return db
    }

    /// Runs a command that prints JSON and decodes its object.
    static func json(_ arguments: [String], expectStatus: Int32 = 0, stdinFile: String? = nil, in folder: ScratchFolder) throws -> [String: Any] {
        let output = try run(arguments, stdinFile: stdinFile, in: folder)
        #expect(output.status == expectStatus, "\(arguments.joined(separator: " ")) exited \(output.status): \(output.stderr)")
        let parsed = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8))
        return try #require(parsed as? [String: Any], "not a JSON object: \(output.stdout)")
    }
}

fileprivate func objects(_ value: Any?) throws -> [[String: Any]] {
    try #require(value as? [[String: Any]], "not an array of objects: \(String(describing: value))")
}

fileprivate func keys(_ object: [String: Any]) -> Set<String> { Set(object.keys) }

/// `"ns/name host port"` of an unused item (`-` for null).
fileprivate func unusedLine(_ item: [String: Any]) -> String {
    let host = item["host"] as? String ?? "-"
    let port = (item["port"] as? Int).map(String.init) ?? "-"
    return "\(item["entry"] as? String ?? "?") \(host) \(port)"
}

// MARK: - Tests

@Suite("suggest / unused / analyze end to end")
struct AnalysisEndToEndTests {
    // The tutorial's day: the sample's frontend log (same namespace, an older ALLOW_ANY mesh) is from the day before.
    static let storyDay = "2026-11-23T00:00:00Z"

    @Test("the seed story: the blocked httpbin.org:443 calls give one create for httpbin.org")
    func seedStory() throws {
        let folder = try ScratchFolder("egress-analysis-e2e")
        let db = try AnalysisCLI.ingestedDatabase(in: folder)
        let report = try AnalysisCLI.json(["suggest", "--db", db, "--namespace", "challengeistio", "--since", Self.storyDay,
                                           "--format", "json"], in: folder)
        #expect(keys(report) == ["window", "suggestions", "entry_problems"])
        let window = try #require(report["window"] as? [String: Any])
        #expect(keys(window) == ["since", "until"])
        #expect(window["since"] as? String == "2026-11-23T00:00:00.000Z")
        #expect(window["until"] is NSNull)
        let suggestions = try objects(report["suggestions"])
        try #require(suggestions.count == 1, "\(suggestions)")
        let s = suggestions[0]
        #expect(keys(s) == ["action", "host", "addresses", "ports", "entry", "namespaces", "calls", "first_seen", "last_seen",
                            "reasons", "evidence", "yaml"])
        #expect(s["action"] as? String == "create")
        #expect(s["host"] as? String == "httpbin.org")
        #expect(s["addresses"] as? [String] == [])
        let ports = try objects(s["ports"])
        #expect(ports.count == 1)
        #expect(ports.first?["number"] as? Int == 443)
        #expect(ports.first?["protocol"] as? String == "TLS")
        #expect(ports.first.map(keys) == ["number", "protocol"])
        #expect(s["entry"] is NSNull)
        #expect(s["namespaces"] as? [String] == ["challengeistio"])
        // README: the backend's file has 43 blocked and 45 allowed outbound lines, all to httpbin.org.
        #expect(s["calls"] as? Int == 88)
        #expect(s["reasons"] as? [String] == ["blocked", "allowed"])
        #expect(s["first_seen"] as? String == "2026-11-23T09:04:17.508Z")
        #expect(s["last_seen"] as? String == "2026-11-23T10:57:24.472Z")
        // Every blocked IP was named from the allowed lines' SNI.
        let evidence = try #require(s["evidence"] as? [String])
        #expect(evidence.count == 4)
        for ip in ["3.230.204.70", "34.227.213.82", "54.204.25.22", "52.206.94.34"] {
            #expect(evidence.contains { $0.hasPrefix("\(ip) carried SNI httpbin.org in ") }, "no evidence for \(ip): \(evidence)")
        }
        let yaml = try #require(s["yaml"] as? String)
        #expect(yaml.hasPrefix("# egress-audit: create for httpbin.org:443\n# calls: 88 (blocked 43, allowed 45), "))
        #expect(yaml.hasSuffix("""
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata:
              name: httpbin-org
              namespace: challengeistio
            spec:
              hosts:
              - httpbin.org
              exportTo:
              - challengeistio
              location: MESH_EXTERNAL
              ports:
              - number: 443
                name: tls-443
                protocol: TLS
              resolution: DNS

            """))
    }

    @Test("the seed story before 10:00: only the blocked calls, and the window says so")
    func seedStoryWindow() throws {
        let folder = try ScratchFolder("egress-analysis-e2e")
        let db = try AnalysisCLI.ingestedDatabase(in: folder)
        let report = try AnalysisCLI.json(["suggest", "--db", db, "--namespace", "challengeistio", "--since", Self.storyDay,
                                           "--until", "2026-11-23T10:00:00Z", "--format", "json"], in: folder)
        let window = try #require(report["window"] as? [String: Any])
        #expect(window["since"] as? String == "2026-11-23T00:00:00.000Z")
        #expect(window["until"] as? String == "2026-11-23T10:00:00.000Z")
        let suggestions = try objects(report["suggestions"])
        try #require(suggestions.count == 1)
        #expect(suggestions[0]["host"] as? String == "httpbin.org")
        #expect(suggestions[0]["calls"] as? Int == 43)
        #expect(suggestions[0]["reasons"] as? [String] == ["blocked"])
        #expect((try objects(suggestions[0]["ports"])).first?["protocol"] as? String == "TLS")
    }

    @Test("with httpbin-ext applied nothing is missing in challengeistio and httpbin-ext is used")
    func httpbinExtApplied() throws {
        let folder = try ScratchFolder("egress-analysis-e2e")
        let db = try AnalysisCLI.ingestedDatabase(in: folder)
        let suggest = try AnalysisCLI.json(["suggest", "--db", db, "--namespace", "challengeistio", "--since", Self.storyDay,
                                            "--entries", AnalysisCLI.httpbinEntry, "--fail-on-missing", "--format", "json"],
                                           expectStatus: 0, in: folder)
        #expect(try objects(suggest["suggestions"]).isEmpty)
        #expect(try objects(suggest["entry_problems"]).isEmpty, "the VirtualService in the file is skipped silently")

        let unused = try AnalysisCLI.json(["unused", "--db", db, "--entries", AnalysisCLI.httpbinEntry, "--fail-on-unused", "--format", "json"],
                                          expectStatus: 0, in: folder)
        #expect(try objects(unused["unused"]).isEmpty)
        let entries = try objects(unused["entries"])
        try #require(entries.count == 1)
        #expect(entries[0]["entry"] as? String == "challengeistio/httpbin-ext")
        #expect(entries[0]["calls"] as? Int == 88)
        #expect(entries[0]["namespaces"] as? [String] == ["challengeistio"])
        #expect(entries[0]["last_seen"] as? String == "2026-11-23T10:57:24.472Z")
        let hostPorts = try objects(entries[0]["host_ports"])
        #expect(hostPorts.count == 1)
        #expect(hostPorts.first?["host"] as? String == "httpbin.org")
        #expect(hostPorts.first?["port"] as? Int == 443)
        #expect(hostPorts.first?["calls"] as? Int == 88)
        #expect(hostPorts.first?["matched_by"] as? [String] == ["cluster", "host"])
    }

    @Test("with every sample entry: the unused ones, and the CI exit codes")
    func unusedWithAllEntries() throws {
        let folder = try ScratchFolder("egress-analysis-e2e")
        let db = try AnalysisCLI.ingestedDatabase(in: folder)
        let report = try AnalysisCLI.json(["unused", "--db", db, "--entries", AnalysisCLI.allEntries, "--format", "json"], in: folder)
        #expect(keys(report) == ["window", "coverage", "entries", "unused", "entry_problems"])
        #expect(try objects(report["entry_problems"]).isEmpty)

        let unused = try objects(report["unused"])
        #expect(unused.map(unusedLine) == ["legacy/legacy-ftp - -", "payments/datadog - -", "bookinfo/github api.github.com 80"])
        for item in unused {
            #expect(keys(item).isSuperset(of: ["entry", "host", "port", "last_seen"]), "\(item)")
            #expect(item["last_seen"] is NSNull)
        }
        #expect(unused.last?["entry_last_seen"] as? String == "2026-11-23T09:58:02.377Z")

        let entries = try objects(report["entries"])
        var calls: [String: Int] = [:]
        for e in entries { calls[e["entry"] as? String ?? "?"] = e["calls"] as? Int }
        #expect(calls == ["bookinfo/github": 21, "challengeistio/httpbin-ext": 88, "istio-system/cnn": 12, "legacy/googleapis": 45,
                          "legacy/legacy-ftp": 0, "payments/datadog": 0, "payments/stripe": 38, "warehouse/amazonaws-wildcard": 35])

        let coverage = try #require(report["coverage"] as? [String: Any])
        #expect(keys(coverage) == ["first_call", "last_call", "hours", "calls", "files", "lines", "namespaces"])
        #expect(coverage["first_call"] as? String == "2026-11-22T08:01:38.124Z")
        #expect(coverage["last_call"] as? String == "2026-11-23T10:57:24.472Z")
        #expect(coverage["hours"] as? Double == 26.93)
        // README: 554 outbound access lines (196 + 19 + 85 + 254) in 7 files of 973 physical lines.
        #expect(coverage["calls"] as? Int == 554)
        #expect(coverage["files"] as? Int == 7)
        #expect(coverage["lines"] as? Int == 973)

        let gate = try AnalysisCLI.run(["unused", "--db", db, "--entries", AnalysisCLI.allEntries, "--fail-on-unused"], in: folder)
        #expect(gate.status == 2, "\(gate.stderr)")
        #expect(gate.stdout.contains("legacy/legacy-ftp"))
        let missing = try AnalysisCLI.run(["suggest", "--db", db, "--entries", AnalysisCLI.allEntries, "--fail-on-missing"], in: folder)
        #expect(missing.status == 2, "\(missing.stderr)")
        #expect(missing.stdout.hasPrefix("# egress-audit: "))
        let none = try AnalysisCLI.run(["suggest", "--db", db, "--entries", AnalysisCLI.allEntries, "--namespace", "bookinfo", "--fail-on-missing"],
                                       in: folder)
        #expect(none.status == 0, "\(none.stderr)")
        #expect(none.stdout == "")
    }

    @Test("suggest with every sample entry: the JSON contract of each action")
    func suggestContract() throws {
        let folder = try ScratchFolder("egress-analysis-e2e")
        let db = try AnalysisCLI.ingestedDatabase(in: folder)
        let report = try AnalysisCLI.json(["suggest", "--db", db, "--entries", AnalysisCLI.allEntries, "--format", "json"], in: folder)
        let suggestions = try objects(report["suggestions"])
        #expect(suggestions.count == 12)
        for s in suggestions {
            #expect(keys(s) == ["action", "host", "addresses", "ports", "entry", "namespaces", "calls", "first_seen", "last_seen",
                                "reasons", "evidence", "yaml"])
        }
        // The plain-HTTP S3 calls are the only ones an entry names (the *.amazonaws.com wildcard, 443 only).
        let addPort = try #require(suggestions.first { $0["action"] as? String == "add-port" })
        #expect(addPort["entry"] as? String == "warehouse/amazonaws-wildcard")
        #expect(addPort["host"] as? String == "s3.amazonaws.com")
        #expect(addPort["calls"] as? Int == 19)
        #expect(addPort["reasons"] as? [String] == ["blocked", "passthrough"])
        #expect((try objects(addPort["ports"])).map { "\($0["number"] as? Int ?? 0)/\($0["protocol"] as? String ?? "")" } == ["80/HTTP"])
        #expect((addPort["yaml"] as? String)?.contains("  - \"*.amazonaws.com\"\n") == true)
        // Unnamed IPs keep their address.
        let ips = suggestions.filter { $0["host"] is NSNull }.compactMap { ($0["addresses"] as? [String])?.first }
        #expect(Set(ips) == ["34.149.87.45/32", "35.190.60.146/32", "151.101.1.195/32", "35.186.247.156/32", "34.120.195.249/32",
                             "13.69.65.22/32", "51.144.56.112/32", "13.69.65.23/32"])
        let hosts = suggestions.compactMap { $0["action"] as? String == "create" ? $0["host"] as? String : nil }
        #expect(Set(hosts) == ["repo.maven.apache.org", "hooks.slack.com", "api.ipify.org"])
    }

    @Test("round trip: the YAML suggest prints, given back with the entries, leaves nothing missing")
    func roundTrip() throws {
        let folder = try ScratchFolder("egress-analysis-e2e")
        let db = try AnalysisCLI.ingestedDatabase(in: folder)

        // No entries: every outbound call becomes a suggestion; apply them all next to the real entries.
        let fresh = try AnalysisCLI.run(["suggest", "--db", db], in: folder)
        try #require(fresh.status == 0, "\(fresh.stderr)")
        let freshFile = folder.path + "/fresh.yaml"
        try fresh.stdout.write(toFile: freshFile, atomically: true, encoding: .utf8)
        let a = try AnalysisCLI.json(["suggest", "--db", db, "--entries", AnalysisCLI.allEntries, freshFile, "--fail-on-missing",
                                      "--format", "json"], expectStatus: 0, in: folder)
        #expect(try objects(a["suggestions"]).isEmpty)
        #expect(try objects(a["entry_problems"]).isEmpty)
        // The fresh YAML alone, read from standard input, covers everything too.
        let b = try AnalysisCLI.json(["suggest", "--db", db, "--entries", "-", "--fail-on-missing", "--format", "json"],
                                     expectStatus: 0, stdinFile: freshFile, in: folder)
        #expect(try objects(b["suggestions"]).isEmpty)
        #expect(try objects(b["entry_problems"]).isEmpty)

        // Against the real entries: the what-if of applying the proposed changes.
        let missing = try AnalysisCLI.run(["suggest", "--db", db, "--entries", AnalysisCLI.allEntries], in: folder)
        try #require(missing.status == 0, "\(missing.stderr)")
        let proposed = folder.path + "/proposed.yaml"
        try missing.stdout.write(toFile: proposed, atomically: true, encoding: .utf8)
        let c = try AnalysisCLI.json(["suggest", "--db", db, "--entries", AnalysisCLI.allEntries, "-", "--fail-on-missing", "--format", "json"],
                                     expectStatus: 0, stdinFile: proposed, in: folder)
        #expect(try objects(c["suggestions"]).isEmpty)
        #expect(try objects(c["entry_problems"]).isEmpty)
    }

    @Test("callers the logs do not name get their namespace from inbound mTLS evidence, and the suggestion says why")
    func callerNamespaceFromInboundSNI() throws {
        let folder = try ScratchFolder("egress-analysis-e2e")
        let db = try AnalysisCLI.ingestedDatabase(in: folder)
        // payments-checkout.jsonl names no pod or namespace; its pod 10.244.2.31 received mTLS calls for checkout.payments.
        let report = try AnalysisCLI.json(["suggest", "--db", db, "--namespace", "payments", "--format", "json"], in: folder)
        let slack = try #require(try objects(report["suggestions"]).first { $0["host"] as? String == "hooks.slack.com" })
        #expect(slack["namespaces"] as? [String] == ["payments"])
        #expect((slack["evidence"] as? [String])?.contains(
            "pod 10.244.2.31 received 37 mTLS calls for checkout.payments.svc.cluster.local (inbound SNI)") == true)
        #expect((slack["yaml"] as? String)?.contains("  namespace: payments\n") == true)
    }

    @Test("--api-version writes new entries for older meshes; a version outside networking.istio.io is refused")
    func apiVersion() throws {
        let folder = try ScratchFolder("egress-analysis-e2e")
        let db = try AnalysisCLI.ingestedDatabase(in: folder)
        let report = try AnalysisCLI.json(["suggest", "--db", db, "--namespace", "challengeistio", "--since", Self.storyDay,
                                           "--api-version", "networking.istio.io/v1beta1", "--format", "json"], in: folder)
        let yaml = try #require(try objects(report["suggestions"]).first?["yaml"] as? String)
        #expect(yaml.contains("\napiVersion: networking.istio.io/v1beta1\nkind: ServiceEntry\n"))
        let bad = try AnalysisCLI.run(["suggest", "--db", db, "--api-version", "v2"], in: folder)
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("--api-version 'v2'"))
    }

    @Test("analyze: ingest and report in one go")
    func analyze() throws {
        let folder = try ScratchFolder("egress-analysis-e2e")
        let db = folder.path + "/analyze.db"
        let output = try AnalysisCLI.run(["analyze", AnalysisCLI.samples, "--entries", AnalysisCLI.allEntries, "--db", db], in: folder)
        #expect(output.status == 0, "\(output.stderr)")
        let out = output.stdout
        #expect(out.hasPrefix("== Read\n"))
        #expect(out.contains("  outbound calls  554: allowed 196, passthrough 19, blocked 85, internal 254\n"))
        #expect(out.contains("\n== Missing ServiceEntries: 12 (against 8 entries from 1 file)\n"))
        #expect(out.contains("\n== Unused ServiceEntries: 2 whole, 1 host/port\n"))
        #expect(out.contains("\ncoverage: 2026-11-22T08:01:38.124Z to 2026-11-23T10:57:24.472Z (26.9 hours), 554 calls from 7 inputs, "
                             + "973 lines; namespaces seen: bookinfo, challengeistio, legacy, payments, warehouse\n"))
        #expect(out.contains("# egress-audit: add-port warehouse/amazonaws-wildcard for s3.amazonaws.com:80\n"))
        // Sections in order.
        let read = try #require(out.range(of: "== Read"))
        let missing = try #require(out.range(of: "== Missing ServiceEntries"))
        let unused = try #require(out.range(of: "== Unused ServiceEntries"))
        #expect(read.lowerBound < missing.lowerBound && missing.lowerBound < unused.lowerBound)
        // Run again: nothing new is read, the report is the same from "== Missing" on.
        let again = try AnalysisCLI.run(["analyze", AnalysisCLI.samples, "--entries", AnalysisCLI.allEntries, "--db", db], in: folder)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout[again.stdout.range(of: "== Missing")!.lowerBound...] == out[missing.lowerBound...])
    }
}
