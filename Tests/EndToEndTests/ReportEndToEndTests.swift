import Foundation
import Testing

// End-to-end: `egress-audit report` of the built binary on a database of all of `sample-logs/`.
// Each golden below was generated from the binary and then read against sample-logs/README.md (the counts
// table and each file's story); the comments over each one say what was checked.

// MARK: - Running the binary

fileprivate enum ReportCLI {
    static var root: String { EgressAuditCLI.root }
    static var samples: String { EgressAuditCLI.samples }
    static var binary: String { EgressAuditCLI.binary }

    typealias Output = EgressAuditCLI.Output

    /// Runs the binary with `arguments` in `folder`.
    static func run(_ arguments: [String], in folder: ScratchFolder) throws -> Output {
        try EgressAuditCLI.run(arguments, in: folder.path)
    }

    /// A fresh database in `folder` with `paths` (default: all of `sample-logs/`) ingested.
    static func database(in folder: ScratchFolder, paths: [String]? = nil, extra: [String] = []) throws -> String {
        let db = folder.path + "/audit.db"
        let output = try run(["ingest", "--db", db] + extra + (paths ?? [samples]), in: folder)
        try #require(output.status == 0, "ingest failed (\(output.status)): \(output.stderr)")
        return db
    }

    /// `report` with `arguments` on `db`; the exit status must be 0 and stderr empty.
    static func report(_ arguments: [String], db: String, in folder: ScratchFolder) throws -> String {
        let output = try run(["report"] + arguments + ["--db", db], in: folder)
        #expect(output.status == 0, "report \(arguments.joined(separator: " ")) exited \(output.status): \(output.stderr)")
        #expect(output.stderr == "")
        // Only ingest-coverage shows paths: make them independent of where the repository is.
        return output.stdout.replacingOccurrences(of: samples + "/", with: "sample-logs/")
    }
}

fileprivate extension ScratchFolder {
    /// Writes a file into a subfolder, creating it; returns the subfolder.
    func write(_ name: String, _ text: String, under sub: String = "queries") throws -> String {
        let dir = path + "/" + sub
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
        return dir
    }
}

/// Lines of a multi-line literal as CSV records (CRLF after every line).
fileprivate func crlf(_ text: String) -> String {
    text.split(separator: "\n", omittingEmptySubsequences: false).map { $0 + "\r\n" }.joined()
}

/// The twelve built-in reports.
fileprivate let reportNames = [
    "blocked-by-workload", "blocked-destinations", "egress-gateways", "error-flags", "hourly-timeline", "ingest-coverage",
    "ip-only-destinations", "new-destinations", "passthrough-destinations", "slowest-destinations", "top-talkers",
    "workload-inventory",
]

// MARK: - Goldens

/// One report run and its expected CSV (lines without the CRLF).
fileprivate struct Golden: Sendable, CustomTestStringConvertible {
    var report: String
    var arguments: [String] = []
    var csv: String
    var testDescription: String { ([report] + arguments).joined(separator: " ") }
}

fileprivate let goldens: [Golden] = [
    // Blocked total 85 = README (43 challengeistio + 19 payments + 5 legacy + 18 warehouse); callers without a pod
    // name show by source IP (10.244.2.31 payments, 10.244.3.14 legacy), not merged into one "(unknown)" row.
    // challengeistio tried the 4 httpbin IPs; payments 2 IPs + hooks.slack.com; warehouse s3 + 2 IPs; legacy maven.
    Golden(report: "blocked-by-workload", csv: """
        namespace,workload,blocked_calls,destinations,last_seen
        challengeistio,jscalcbackend-egress-v1-7c9d8f6b5d-q4x2m,43,4,2026-11-23T09:59:09.910Z
        (unknown),10.244.2.31,19,3,2026-11-23T09:31:46.151Z
        warehouse,inventory-5c7d8b9f6-m3n4p,18,3,2026-11-23T10:03:54.257Z
        (unknown),10.244.3.14,5,1,2026-11-23T09:05:30.416Z
        """),
    // The four httpbin IPs on 443 with 14/11/9/9 calls (= 43, all before the 10:00 ServiceEntry); s3 over HTTP
    // after the 09:50 switch (11); the payments SDK IPs (8 + 5) and Slack (6) = 19; maven 5; warehouse TLS IPs 5 + 2.
    // Sum 85. Namespaces are empty where only the file name says them (payments, legacy).
    Golden(report: "blocked-destinations", csv: """
        destination,port,calls,namespaces,first_seen,last_seen
        52.206.94.34,443,14,challengeistio,2026-11-23T09:05:35.243Z,2026-11-23T09:59:09.910Z
        3.230.204.70,443,11,challengeistio,2026-11-23T09:10:37.960Z,2026-11-23T09:57:28.200Z
        s3.amazonaws.com,80,11,warehouse,2026-11-23T09:50:26.088Z,2026-11-23T10:03:41.257Z
        34.227.213.82,443,9,challengeistio,2026-11-23T09:27:15.759Z,2026-11-23T09:51:47.457Z
        54.204.25.22,443,9,challengeistio,2026-11-23T09:04:17.508Z,2026-11-23T09:56:19.669Z
        34.120.195.249,443,8,,2026-11-23T09:03:33.860Z,2026-11-23T09:29:20.809Z
        hooks.slack.com,80,6,,2026-11-23T09:02:25.129Z,2026-11-23T09:27:37.583Z
        34.149.87.45,443,5,warehouse,2026-11-23T09:51:46.779Z,2026-11-23T10:01:37.507Z
        35.186.247.156,443,5,,2026-11-23T09:01:22.235Z,2026-11-23T09:31:46.151Z
        repo.maven.apache.org,80,5,,2026-11-23T09:04:32.292Z,2026-11-23T09:05:30.416Z
        35.190.60.146,443,2,warehouse,2026-11-23T09:55:35.278Z,2026-11-23T10:03:54.257Z
        """),
    // legacy's CNN news through istio-egressgateway: TLS on 443 (SNI edition.cnn.com) and one plain-HTTP
    // GET /politics on 80 (authority edition.cnn.com).
    Golden(report: "egress-gateways", csv: """
        gateway_cluster,destination,port,calls,namespaces,last_seen
        outbound|443||istio-egressgateway.istio-system.svc.cluster.local,edition.cnn.com,443,11,,2026-11-23T09:37:32.958Z
        outbound|80||istio-egressgateway.istio-system.svc.cluster.local,edition.cnn.com,80,1,,2026-11-23T09:07:04.518Z
        """),
    // UH on BlackHoleCluster / null-cluster lines: 43 challengeistio + 13 payments + 7 warehouse = 63 over 8 IPs.
    // The 22 `block_all` 502s carry no flag, and the UF,URX failures are in-mesh (internal), so not listed.
    Golden(report: "error-flags", csv: """
        flags,meaning,verdict,calls,destinations,last_seen
        UH,no healthy upstream (BlackHoleCluster: blocked),blocked,63,8,2026-11-23T10:03:54.257Z
        """),
    // The frontend's day before (10 passthrough); the tutorial's day: blocked until the fixes, httpbin allowed
    // from 10:00:41. Totals 85 / 19 / 196 as in the README.
    Golden(report: "hourly-timeline", csv: """
        hour,blocked,passthrough,allowed
        2026-11-22T08:00Z,0,10,0
        2026-11-23T09:00Z,80,9,144
        2026-11-23T10:00Z,5,0,52
        """),
    // The README's counts table: physical lines, access lines, calls (= allowed + passthrough + blocked + internal),
    // inbound, other lines (agent + non-proxy), no rejects.
    Golden(report: "ingest-coverage", csv: """
        file,layout,lines,access_lines,calls,inbound,other_lines,rejected,first_call,last_call
        sample-logs/fluent-bit/istio-proxy-2026-11-23.jsonl,istio-1.9,63,61,61,0,2,0,2026-11-23T09:40:40Z,2026-11-23T10:04:36Z
        sample-logs/gzip/istio-1.8-legacy.log.gz,istio-1.8,154,152,107,45,2,0,2026-11-23T09:01:58Z,2026-11-23T09:39:33Z
        sample-logs/json/legacy-billing.jsonl,json,4,3,3,0,1,0,2026-11-23T09:02:11Z,2026-11-23T09:02:19Z
        sample-logs/json/payments-checkout.jsonl,json,168,167,130,37,1,0,2026-11-23T09:01:20Z,2026-11-23T09:31:46Z
        sample-logs/kubectl/challengeistio-frontend.log,istio-1.3,218,177,83,94,41,0,2026-11-22T08:01:38Z,2026-11-22T08:52:58Z
        sample-logs/var/log/containers/reviews-v2-7d9f8c6b5-abcde_bookinfo_istio-proxy-472bcdd82df3951563e5b8df9163b634b37a74157603a33829da15f9c800fef9.log,istio-1.9,149,143,82,61,6,0,2026-11-23T09:30:36Z,2026-11-23T09:58:02Z
        sample-logs/var/log/pods/challengeistio_jscalcbackend-egress-v1-7c9d8f6b5d-q4x2m_0f6c2a1e-5b7d-4e3a-9c1f-2d8e4b6a7c90/istio-proxy/0.log,istio-1.9,217,177,88,89,38,0,2026-11-23T09:04:17Z,2026-11-23T10:57:24Z
        """),
    // The four blocked httpbin IPs are named httpbin.org by the allowed lines that dialed them; the other blocked
    // IPs (payments SDK, warehouse TLS client) and the passthrough ones (telemetry exporter, billing) have no name.
    Golden(report: "ip-only-destinations", csv: """
        ip,port,verdicts,calls,named_by_other_calls
        52.206.94.34,443,blocked,14,httpbin.org
        3.230.204.70,443,blocked,11,httpbin.org
        34.227.213.82,443,blocked,9,httpbin.org
        54.204.25.22,443,blocked,9,httpbin.org
        34.120.195.249,443,blocked,8,
        34.149.87.45,443,blocked,5,
        35.186.247.156,443,blocked,5,
        13.69.65.22,443,passthrough,4,
        51.144.56.112,443,passthrough,3,
        35.190.60.146,443,blocked,2,
        13.69.65.23,443,passthrough,1,
        151.101.1.195,443,passthrough,1,
        """),
    // The newest call is 10:57:24.472; an hour before it only httpbin.org is new (first allowed at 10:00:41).
    Golden(report: "new-destinations", arguments: ["--since", "1h", "--relative-to-data"], csv: """
        destination,port,verdicts,calls,namespaces,first_seen
        httpbin.org,443,allowed,45,challengeistio,2026-11-23T10:00:41.659Z
        """),
    // Passthrough 19 = frontend 10 (telemetry IPs 4 + 3 + 1, api.ipify.org 2) + billing 1 + warehouse s3 8 (before 09:50).
    Golden(report: "passthrough-destinations", csv: """
        destination,port,protocol,calls,namespaces,first_seen,last_seen
        s3.amazonaws.com,80,http,8,warehouse,2026-11-23T09:41:44.800Z,2026-11-23T09:48:36.341Z
        13.69.65.22,443,tcp,4,,2026-11-22T08:04:22.611Z,2026-11-22T08:42:14.345Z
        51.144.56.112,443,tcp,3,,2026-11-22T08:11:33.693Z,2026-11-22T08:35:45.248Z
        api.ipify.org,80,http,2,,2026-11-22T08:03:23.577Z,2026-11-22T08:13:35.980Z
        13.69.65.23,443,tcp,1,,2026-11-22T08:47:12.377Z,2026-11-22T08:47:12.377Z
        151.101.1.195,443,tcp,1,,2026-11-23T09:02:19.950Z,2026-11-23T09:02:19.950Z
        """),
    // Allowed + passthrough calls (215 in all); percentiles by nearest rank over the duration histogram (16
    // buckets per doubling above 32 ms, each read as its middle, never above the exact max): the exact values,
    // checked independently in Python, are sqs 20445/20813, cnn 1445/2327, stripe 645/914, googleapis 346/638,
    // s3 333/511, github 310/426, httpbin 289/421, 51.144.56.112 245/259, 13.69.65.22 143/218, sns 95/156 —
    // each within 3 %. sqs long-polls (~20 s) first. api.stripe.com: 37 payments + 1 billing.
    Golden(report: "slowest-destinations", csv: """
        destination,port,calls,p50_ms,p95_ms,max_ms
        sqs.eu-west-1.amazonaws.com,443,18,19968,20813,20813
        edition.cnn.com,443,11,1440,2327,2327
        api.stripe.com,443,38,656,912,939
        www.googleapis.com,443,45,344,624,701
        s3.amazonaws.com,80,8,328,504,511
        api.github.com,443,21,312,424,450
        httpbin.org,443,45,296,424,446
        51.144.56.112,443,3,244,259,259
        13.69.65.22,443,4,140,218,218
        13.69.65.23,443,1,211,211,211
        sns.eu-west-1.amazonaws.com,443,17,94,156,156
        api.ipify.org,80,2,78,86,86
        151.101.1.195,443,1,63,63,63
        edition.cnn.com,80,1,38,38,38
        """),
    // 15 workload × destination pairs (under the default limit of 20); CNN news downloads lead.
    Golden(report: "top-talkers", csv: """
        namespace,workload,destination,port,calls,bytes_received,bytes_sent,bytes_total
        (unknown),10.244.3.14,edition.cnn.com,443,11,9381,9834419,9843800
        (unknown),10.244.3.14,www.googleapis.com,443,45,623607,293319,916926
        warehouse,inventory-5c7d8b9f6-m3n4p,s3.amazonaws.com,80,8,358101,0,358101
        (unknown),10.244.2.31,api.stripe.com,443,37,83514,255134,338648
        challengeistio,jscalcbackend-egress-v1-7c9d8f6b5d-q4x2m,httpbin.org,443,45,32796,248484,281280
        warehouse,inventory-5c7d8b9f6-m3n4p,sqs.eu-west-1.amazonaws.com,443,18,54823,126731,181554
        warehouse,inventory-5c7d8b9f6-m3n4p,sns.eu-west-1.amazonaws.com,443,17,48778,126496,175274
        bookinfo,reviews-v2-7d9f8c6b5-abcde,api.github.com,443,21,19432,132888,152320
        (unknown),calcfrontend-v1-5f7b9c8d4-h7k2n,13.69.65.22,443,4,11430,14966,26396
        (unknown),calcfrontend-v1-5f7b9c8d4-h7k2n,51.144.56.112,443,3,7232,14427,21659
        (unknown),calcfrontend-v1-5f7b9c8d4-h7k2n,13.69.65.23,443,1,3448,5163,8611
        (unknown),10.244.3.51,api.stripe.com,443,1,1893,6120,8013
        (unknown),10.244.3.51,151.101.1.195,443,1,2279,3059,5338
        (unknown),calcfrontend-v1-5f7b9c8d4-h7k2n,api.ipify.org,80,2,0,48,48
        (unknown),10.244.3.14,edition.cnn.com,80,1,0,0,0
        """),
    // Every external destination of each workload by verdict; warehouse's s3 shows both verdicts (ALLOW_ANY, then
    // REGISTRY_ONLY); the calls add up to 196 + 19 + 85 = 300.
    Golden(report: "workload-inventory", csv: """
        namespace,workload,destination,port,verdict,calls,last_seen
        (unknown),10.244.2.31,34.120.195.249,443,blocked,8,2026-11-23T09:29:20.809Z
        (unknown),10.244.2.31,35.186.247.156,443,blocked,5,2026-11-23T09:31:46.151Z
        (unknown),10.244.2.31,api.stripe.com,443,allowed,37,2026-11-23T09:31:39.160Z
        (unknown),10.244.2.31,hooks.slack.com,80,blocked,6,2026-11-23T09:27:37.583Z
        (unknown),10.244.3.14,edition.cnn.com,80,allowed,1,2026-11-23T09:07:04.518Z
        (unknown),10.244.3.14,edition.cnn.com,443,allowed,11,2026-11-23T09:37:32.958Z
        (unknown),10.244.3.14,repo.maven.apache.org,80,blocked,5,2026-11-23T09:05:30.416Z
        (unknown),10.244.3.14,www.googleapis.com,443,allowed,45,2026-11-23T09:39:33.861Z
        (unknown),10.244.3.51,151.101.1.195,443,passthrough,1,2026-11-23T09:02:19.950Z
        (unknown),10.244.3.51,api.stripe.com,443,allowed,1,2026-11-23T09:02:11.402Z
        (unknown),calcfrontend-v1-5f7b9c8d4-h7k2n,13.69.65.22,443,passthrough,4,2026-11-22T08:42:14.345Z
        (unknown),calcfrontend-v1-5f7b9c8d4-h7k2n,13.69.65.23,443,passthrough,1,2026-11-22T08:47:12.377Z
        (unknown),calcfrontend-v1-5f7b9c8d4-h7k2n,51.144.56.112,443,passthrough,3,2026-11-22T08:35:45.248Z
        (unknown),calcfrontend-v1-5f7b9c8d4-h7k2n,api.ipify.org,80,passthrough,2,2026-11-22T08:13:35.980Z
        bookinfo,reviews-v2-7d9f8c6b5-abcde,api.github.com,443,allowed,21,2026-11-23T09:58:02.377Z
        challengeistio,jscalcbackend-egress-v1-7c9d8f6b5d-q4x2m,3.230.204.70,443,blocked,11,2026-11-23T09:57:28.200Z
        challengeistio,jscalcbackend-egress-v1-7c9d8f6b5d-q4x2m,34.227.213.82,443,blocked,9,2026-11-23T09:51:47.457Z
        challengeistio,jscalcbackend-egress-v1-7c9d8f6b5d-q4x2m,52.206.94.34,443,blocked,14,2026-11-23T09:59:09.910Z
        challengeistio,jscalcbackend-egress-v1-7c9d8f6b5d-q4x2m,54.204.25.22,443,blocked,9,2026-11-23T09:56:19.669Z
        challengeistio,jscalcbackend-egress-v1-7c9d8f6b5d-q4x2m,httpbin.org,443,allowed,45,2026-11-23T10:57:24.472Z
        warehouse,inventory-5c7d8b9f6-m3n4p,34.149.87.45,443,blocked,5,2026-11-23T10:01:37.507Z
        warehouse,inventory-5c7d8b9f6-m3n4p,35.190.60.146,443,blocked,2,2026-11-23T10:03:54.257Z
        warehouse,inventory-5c7d8b9f6-m3n4p,s3.amazonaws.com,80,blocked,11,2026-11-23T10:03:41.257Z
        warehouse,inventory-5c7d8b9f6-m3n4p,s3.amazonaws.com,80,passthrough,8,2026-11-23T09:48:36.341Z
        warehouse,inventory-5c7d8b9f6-m3n4p,sns.eu-west-1.amazonaws.com,443,allowed,17,2026-11-23T10:03:39.257Z
        warehouse,inventory-5c7d8b9f6-m3n4p,sqs.eu-west-1.amazonaws.com,443,allowed,18,2026-11-23T10:04:36.504Z
        """),
]

// MARK: - Tests

@Suite("report end to end")
struct ReportEndToEndTests {
    @Test("the goldens cover the twelve reports")
    func goldensCoverEveryReport() {
        #expect(goldens.map(\.report) == reportNames)
    }

    @Test("each report on the sample-logs database, as CSV, matches its golden", arguments: goldens)
    fileprivate func golden(_ golden: Golden) throws {
        let folder = try ScratchFolder("egress-report-e2e")
        let db = try ReportCLI.database(in: folder)
        let out = try ReportCLI.report([golden.report] + golden.arguments + ["--format", "csv"], db: db, in: folder)
        #expect(out == crlf(golden.csv))
    }

    @Test("report without a name lists the twelve reports with title and parameters")
    func listing() throws {
        let folder = try ScratchFolder("egress-report-e2e")
        let db = try ReportCLI.database(in: folder)
        let out = try ReportCLI.report(["--format", "csv"], db: db, in: folder)
        #expect(out == crlf("""
            report,title,parameters
            blocked-by-workload,Blocked calls by namespace and workload,"since, until, namespace"
            blocked-destinations,Blocked destinations,"since, until, namespace"
            egress-gateways,Egress through gateways,"since, until"
            error-flags,Error flags of external calls,"since, until"
            hourly-timeline,Hourly timeline by verdict,"since, until, namespace"
            ingest-coverage,Ingest coverage per file,
            ip-only-destinations,IP-only destinations and the evidence naming them,"since, until"
            new-destinations,New external destinations,"since, namespace"
            passthrough-destinations,Passthrough destinations (what breaks under REGISTRY_ONLY),"since, until, namespace"
            slowest-destinations,"Slowest external destinations (p50, p95 duration)","since, until, min_calls"
            top-talkers,"Top talkers to external hosts, by bytes","since, until, limit"
            workload-inventory,Egress inventory per workload,"since, until, namespace"
            """))
        // The default table: a header, a rule, twelve rows and the count.
        let table = try ReportCLI.report([], db: db, in: folder).split(separator: "\n")
        #expect(table.count == 15)
        #expect(table.first?.hasPrefix("report  ") == true)
        #expect(table.last == "(12 rows)")
        #expect(table.dropFirst(2).prefix(12).map { String($0.split(separator: " ")[0]) } == reportNames)
    }

    @Test("every --format of one report: table, csv, json, markdown")
    func formats() throws {
        let folder = try ScratchFolder("egress-report-e2e")
        let db = try ReportCLI.database(in: folder)
        #expect(try ReportCLI.report(["hourly-timeline"], db: db, in: folder) == """
            hour               blocked  passthrough  allowed
            -----------------  -------  -----------  -------
            2026-11-22T08:00Z        0           10        0
            2026-11-23T09:00Z       80            9      144
            2026-11-23T10:00Z        5            0       52
            (3 rows)

            """)
        #expect(try ReportCLI.report(["hourly-timeline", "--format", "table"], db: db, in: folder).hasSuffix("       52\n(3 rows)\n"))
        #expect(try ReportCLI.report(["hourly-timeline", "--format", "csv"], db: db, in: folder)
                == "hour,blocked,passthrough,allowed\r\n2026-11-22T08:00Z,0,10,0\r\n2026-11-23T09:00Z,80,9,144\r\n2026-11-23T10:00Z,5,0,52\r\n")
        let json = try ReportCLI.report(["hourly-timeline", "--format", "json"], db: db, in: folder)
        #expect(json == """
            [
              {"hour": "2026-11-22T08:00Z", "blocked": 0, "passthrough": 10, "allowed": 0},
              {"hour": "2026-11-23T09:00Z", "blocked": 80, "passthrough": 9, "allowed": 144},
              {"hour": "2026-11-23T10:00Z", "blocked": 5, "passthrough": 0, "allowed": 52}
            ]

            """)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        #expect(rows.map { $0["blocked"] as? Int } == [0, 80, 5])
        #expect(try ReportCLI.report(["hourly-timeline", "--format", "markdown"], db: db, in: folder) == """
            | hour | blocked | passthrough | allowed |
            | --- | ---: | ---: | ---: |
            | 2026-11-22T08:00Z | 0 | 10 | 0 |
            | 2026-11-23T09:00Z | 80 | 9 | 144 |
            | 2026-11-23T10:00Z | 5 | 0 | 52 |

            """)
        // Markdown escapes the pipes of the gateway clusters (an all-NULL column counts as numeric: `---:`).
        #expect(try ReportCLI.report(["egress-gateways", "--format", "markdown"], db: db, in: folder) == """
            | gateway_cluster | destination | port | calls | namespaces | last_seen |
            | --- | --- | ---: | ---: | ---: | --- |
            | outbound\\|443\\|\\|istio-egressgateway.istio-system.svc.cluster.local | edition.cnn.com | 443 | 11 |  | 2026-11-23T09:37:32.958Z |
            | outbound\\|80\\|\\|istio-egressgateway.istio-system.svc.cluster.local | edition.cnn.com | 80 | 1 |  | 2026-11-23T09:07:04.518Z |

            """)
    }

    @Test("time parameters: RFC 3339 bounds and durations relative to the newest call")
    func timeWindows() throws {
        let folder = try ScratchFolder("egress-report-e2e")
        let db = try ReportCLI.database(in: folder)
        // The tutorial's last ten minutes of REGISTRY_ONLY before the httpbin ServiceEntry (8 calls, checked by hand
        // against the pod log).
        #expect(try ReportCLI.report(["blocked-destinations", "--since", "2026-11-23T09:50:00Z", "--until", "2026-11-23T10:00:00Z",
                                      "--namespace", "challengeistio", "--format", "csv"], db: db, in: folder) == crlf("""
            destination,port,calls,namespaces,first_seen,last_seen
            54.204.25.22,443,3,challengeistio,2026-11-23T09:54:20.222Z,2026-11-23T09:56:19.669Z
            3.230.204.70,443,2,challengeistio,2026-11-23T09:53:12.581Z,2026-11-23T09:57:28.200Z
            34.227.213.82,443,2,challengeistio,2026-11-23T09:50:13.270Z,2026-11-23T09:51:47.457Z
            52.206.94.34,443,1,challengeistio,2026-11-23T09:59:09.910Z,2026-11-23T09:59:09.910Z
            """))
        // --until 1h --relative-to-data: before 09:57:24.472 (the newest call is 10:57:24.472); --param works for
        // since too. The 10:00 hour drops out; 09:00 loses the calls after 09:57:24.
        #expect(try ReportCLI.report(["hourly-timeline", "--param", "since=2026-11-23T00:00:00Z", "--until", "1h", "--relative-to-data",
                                      "--format", "csv"], db: db, in: folder) == crlf("""
            hour,blocked,passthrough,allowed
            2026-11-23T09:00Z,75,9,140
            """))
        // new-destinations with an RFC 3339 since (independent of today): the warehouse TLS IP after the
        // 09:50 switch, and httpbin.org after its ServiceEntry.
        #expect(try ReportCLI.report(["new-destinations", "--since", "2026-11-23T09:55:00Z", "--format", "csv"], db: db, in: folder) == crlf("""
            destination,port,verdicts,calls,namespaces,first_seen
            35.190.60.146,443,blocked,2,warehouse,2026-11-23T09:55:35.278Z
            httpbin.org,443,allowed,45,challengeistio,2026-11-23T10:00:41.659Z
            """))
    }

    @Test("integer parameters bind as integers, and an empty value means no limit")
    func integerParameters() throws {
        let folder = try ScratchFolder("egress-report-e2e")
        let db = try ReportCLI.database(in: folder)
        #expect(try ReportCLI.report(["top-talkers", "--param", "limit=2", "--format", "csv"], db: db, in: folder) == crlf("""
            namespace,workload,destination,port,calls,bytes_received,bytes_sent,bytes_total
            (unknown),10.244.3.14,edition.cnn.com,443,11,9381,9834419,9843800
            (unknown),10.244.3.14,www.googleapis.com,443,45,623607,293319,916926
            """))
        let all = try ReportCLI.report(["top-talkers", "--param", "limit=", "--format", "csv"], db: db, in: folder)
        #expect(all.split(separator: "\r\n").count == 16)
        #expect(try ReportCLI.report(["slowest-destinations", "--param", "min_calls=20", "--format", "csv"], db: db, in: folder) == crlf("""
            destination,port,calls,p50_ms,p95_ms,max_ms
            api.stripe.com,443,38,656,912,939
            www.googleapis.com,443,45,344,624,701
            api.github.com,443,21,312,424,450
            httpbin.org,443,45,296,424,446
            """))
        let noMinimum = try ReportCLI.report(["slowest-destinations", "--param", "min_calls=", "--format", "csv"], db: db, in: folder)
        #expect(noMinimum.split(separator: "\r\n").count == 15)
    }

    @Test("a value with a quote in it is bound, not spliced: zero rows and no SQL error")
    func quoteInValue() throws {
        let folder = try ScratchFolder("egress-report-e2e")
        let db = try ReportCLI.database(in: folder)
        let header = "destination,port,calls,namespaces,first_seen,last_seen\r\n"
        #expect(try ReportCLI.report(["blocked-destinations", "--namespace", "o'brien", "--format", "csv"], db: db, in: folder) == header)
        #expect(try ReportCLI.report(["blocked-destinations", "--param", "namespace=x' OR '1'='1", "--format", "csv"], db: db, in: folder) == header)
        // A user report that echoes the value shows it arrives intact, as text.
        let dir = try folder.write("echo.sql", """
            -- name: echo
            -- title: Echo a parameter
            -- param: value = : anything
            SELECT :value AS value, typeof(:value) AS type, (SELECT count(*) FROM calls WHERE source_namespace = :value) AS calls;

            """)
        #expect(try ReportCLI.report(["echo", "--queries", dir, "--param", "value=o'brien", "--format", "csv"], db: db, in: folder)
                == "value,type,calls\r\no'brien,text,0\r\n")
        #expect(try ReportCLI.report(["echo", "--queries", dir, "--param", "value=42", "--format", "csv"], db: db, in: folder)
                == "value,type,calls\r\n42,integer,0\r\n")
        #expect(try ReportCLI.report(["echo", "--queries", dir, "--param", "value=warehouse", "--format", "csv"], db: db, in: folder)
                == "value,type,calls\r\nwarehouse,text,61\r\n")
        #expect(try ReportCLI.report(["echo", "--queries", dir, "--format", "csv"], db: db, in: folder)
                == "value,type,calls\r\n,null,0\r\n")
    }

    @Test("a namespace that looks like a number (007) still matches")
    func numericLookingNamespace() throws {
        let folder = try ScratchFolder("egress-report-e2e")
        let db = try ReportCLI.database(in: folder, paths: [ReportCLI.samples + "/json/payments-checkout.jsonl"],
                                        extra: ["--namespace", "007"])
        #expect(try ReportCLI.report(["blocked-destinations", "--namespace", "007", "--format", "csv"], db: db, in: folder) == crlf("""
            destination,port,calls,namespaces,first_seen,last_seen
            34.120.195.249,443,8,007,2026-11-23T09:03:33.860Z,2026-11-23T09:29:20.809Z
            hooks.slack.com,80,6,007,2026-11-23T09:02:25.129Z,2026-11-23T09:27:37.583Z
            35.186.247.156,443,5,007,2026-11-23T09:01:22.235Z,2026-11-23T09:31:46.151Z
            """))
    }

    @Test("--queries DIR: a user's report runs by its name, is listed, and overrides a built-in of the same name")
    func userReports() throws {
        let folder = try ScratchFolder("egress-report-e2e")
        let db = try ReportCLI.database(in: folder)
        _ = try folder.write("verdicts.sql", """
            -- name: calls-by-verdict
            -- title: Calls by verdict
            -- description: How many outbound calls of each verdict.
            -- param: namespace = : only this namespace
            SELECT verdict, count(*) AS calls
            FROM calls
            WHERE (:namespace IS NULL OR source_namespace = :namespace)
            GROUP BY verdict
            ORDER BY verdict;

            """)
        let dir = try folder.write("blocked-destinations.sql", """
            -- name: blocked-destinations
            -- title: Blocked, my way
            SELECT count(*) AS blocked FROM calls WHERE verdict = 'blocked';

            """)
        // README totals: allowed 196, passthrough 19, blocked 85, internal 254.
        #expect(try ReportCLI.report(["calls-by-verdict", "--queries", dir, "--format", "csv"], db: db, in: folder) == crlf("""
            verdict,calls
            allowed,196
            blocked,85
            internal,254
            passthrough,19
            """))
        // The fluent-bit file (warehouse): 35 allowed, 18 blocked, 8 passthrough.
        #expect(try ReportCLI.report(["calls-by-verdict", "--queries", dir, "--namespace", "warehouse", "--format", "csv"],
                                     db: db, in: folder) == crlf("""
            verdict,calls
            allowed,35
            blocked,18
            passthrough,8
            """))
        #expect(try ReportCLI.report(["blocked-destinations", "--queries", dir, "--format", "csv"], db: db, in: folder)
                == "blocked\r\n85\r\n")
        let list = try ReportCLI.report(["--queries", dir, "--format", "csv"], db: db, in: folder)
        let rows = list.split(separator: "\r\n").dropFirst()
        #expect(rows.count == 13)
        #expect(rows.contains("calls-by-verdict,Calls by verdict,namespace"))
        #expect(rows.contains("blocked-destinations,\"Blocked, my way\","))
        // The override has no parameters: --namespace is now refused.
        let refused = try ReportCLI.run(["report", "blocked-destinations", "--queries", dir, "--namespace", "x", "--db", db], in: folder)
        #expect(refused.status == 1)
        #expect(refused.stderr == "egress-audit: report blocked-destinations has no parameter 'namespace'; its parameters are: none\n")
    }

    @Test("errors: unknown report, unknown parameter, a --param without =, a bad time, a bad header, no database")
    func errors() throws {
        let folder = try ScratchFolder("egress-report-e2e")
        let db = try ReportCLI.database(in: folder)
        func failure(_ arguments: [String]) throws -> ReportCLI.Output {
            let output = try ReportCLI.run(["report"] + arguments, in: folder)
            #expect(output.status == 1, "\(arguments) exited \(output.status)")
            #expect(output.stdout == "", "\(arguments) printed \(output.stdout)")
            return output
        }
        #expect(try failure(["blocked", "--db", db]).stderr
                == "egress-audit: no report named 'blocked'; the reports are: \(reportNames.joined(separator: ", ")) (egress-audit report lists them)\n")
        #expect(try failure(["top-talkers", "--param", "min_calls=3", "--db", db]).stderr
                == "egress-audit: report top-talkers has no parameter 'min_calls'; its parameters are: since, until, limit\n")
        #expect(try failure(["egress-gateways", "--namespace", "legacy", "--db", db]).stderr
                == "egress-audit: report egress-gateways has no parameter 'namespace'; its parameters are: since, until\n")
        #expect(try failure(["top-talkers", "--param", "limit", "--db", db]).stderr
                == "egress-audit: --param 'limit': write name=value\n")
        #expect(try failure(["blocked-destinations", "--since", "yesterday", "--db", db]).stderr
                == "egress-audit: report blocked-destinations: parameter since = 'yesterday': give RFC 3339 (2026-11-23T10:00:00Z) or a duration such as 90m, 2h, 7d\n")
        #expect(try failure(["hourly-timeline", "--until", "2026-13-45", "--db", db]).stderr
                == "egress-audit: report hourly-timeline: parameter until = '2026-13-45': give RFC 3339 (2026-11-23T10:00:00Z) or a duration such as 90m, 2h, 7d\n")
        let dir = try folder.write("bad.sql", "-- name: bad\n-- param: since\nSELECT 1;\n", under: "bad-queries")
        #expect(try failure(["--queries", dir, "--db", db]).stderr
                == "egress-audit: \(dir)/bad.sql: header line '-- param: since': a param line reads `-- param: name = default : help`\n")
        let missing = folder.path + "/none.db"
        #expect(try failure(["blocked-destinations", "--db", missing]).stderr
                == "egress-audit: \(missing): no database here; create one with: egress-audit ingest --db \(missing) <logs>\n")
        #expect(!FileManager.default.fileExists(atPath: missing))
        // An unknown format is refused by the argument parser.
        let format = try ReportCLI.run(["report", "hourly-timeline", "--format", "xml", "--db", db], in: folder)
        #expect(format.status != 0)
        #expect(format.stderr.contains("xml"))
    }
}
