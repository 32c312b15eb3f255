import Foundation
import Testing
@testable import EgressAudit

// Canned reports: header parsing, the built-in catalog (and that its embedded copy matches queries/),
// parameter binding, user folders; and the row formatters that `report` and `sql` share.

/// The package root: this file is <root>/Tests/EgressAuditTests/ReportTests.swift.
private let reportTestsRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

/// The twelve built-in reports with their parameters (name, default) in header order.
private let builtInParameters: [(String, [(String, String?)])] = [
    ("blocked-by-workload", [("since", nil), ("until", nil), ("namespace", nil)]),
    ("blocked-destinations", [("since", nil), ("until", nil), ("namespace", nil)]),
    ("egress-gateways", [("since", nil), ("until", nil)]),
    ("error-flags", [("since", nil), ("until", nil)]),
    ("hourly-timeline", [("since", nil), ("until", nil), ("namespace", nil)]),
    ("ingest-coverage", []),
    ("ip-only-destinations", [("since", nil), ("until", nil)]),
    ("new-destinations", [("since", "1d"), ("namespace", nil)]),
    ("passthrough-destinations", [("since", nil), ("until", nil), ("namespace", nil)]),
    ("slowest-destinations", [("since", nil), ("until", nil), ("min_calls", "1")]),
    ("top-talkers", [("since", nil), ("until", nil), ("limit", "20")]),
    ("workload-inventory", [("since", nil), ("until", nil), ("namespace", nil)]),
]

private let builtInNames = builtInParameters.map(\.0)

/// 2026-11-23T10:57:24.472Z, the newest call of sample-logs/.
private let sampleNow: Int64 = 1_795_431_444_472_000

private func report(_ text: String, file: String = "test.sql") throws -> Report {
    try Report(text: text, fileName: file, source: "test")
}

/// The `:name` parameters an SQL text uses (outside its `--` comment lines).
private func parametersUsed(in sql: String) -> Set<String> {
    var names: Set<String> = []
    for line in sql.split(separator: "\n") where !line.trimmingCharacters(in: .whitespaces).hasPrefix("--") {
        let chars = Array(line)
        var i = 0
        while i < chars.count {
            if chars[i] == ":", i + 1 < chars.count, chars[i + 1].isLetter || chars[i + 1] == "_" {
                var j = i + 1
                while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" { j += 1 }
                names.insert(String(chars[(i + 1)..<j]))
                i = j
            } else {
                i += 1
            }
        }
    }
    return names
}

// MARK: - Headers

@Suite("Report headers")
struct ReportHeaderTests {
    @Test("name, title, description and parameters with and without defaults")
    func fullHeader() throws {
        let text = """
            -- name: my-report
            -- title: My report
            -- description: What it answers, on one line.
            -- param: since = : only calls from this time on
            -- param: limit = 20 : how many rows
            -- param: window=7d
            -- a comment line without a key is passed over
            -- note: an unknown key is passed over too
            SELECT :since, :limit, :window;
            -- param: late = 1 : after the SQL started, not a header line
            """
        let r = try report(text, file: "other-name.sql")
        #expect(r.name == "my-report")
        #expect(r.title == "My report")
        #expect(r.description == "What it answers, on one line.")
        #expect(r.parameters == [
            Report.Parameter(name: "since", defaultValue: nil, help: "only calls from this time on"),
            Report.Parameter(name: "limit", defaultValue: "20", help: "how many rows"),
            Report.Parameter(name: "window", defaultValue: "7d", help: ""),
        ])
        #expect(r.sql == text)
        #expect(r.source == "test")
        #expect(r.parameters.map(\.isTime) == [true, false, false])
    }

    @Test("without a name line the file name (less .sql) names the report, and the title defaults to it")
    func nameFromFile() throws {
        let r = try report("-- description: d\nSELECT 1;\n", file: "weekly-check.sql")
        #expect(r.name == "weekly-check")
        #expect(r.title == "weekly-check")
        #expect(r.description == "d")
        #expect(r.parameters == [])
    }

    @Test("blank lines inside the header are allowed; keys are case-insensitive")
    func blankLinesAndCase() throws {
        let r = try report("\n-- NAME: upper\n\n-- Title: T\n-- PARAM: ns = default-ns : the namespace\nSELECT :ns;\n")
        #expect(r.name == "upper")
        #expect(r.title == "T")
        #expect(r.parameters == [Report.Parameter(name: "ns", defaultValue: "default-ns", help: "the namespace")])
    }

    @Test("a default that is an RFC 3339 time keeps its colons; the help starts at the separating colon")
    func defaultWithColons() throws {
        let r = try report("""
            -- param: since = 2026-11-23T10:00:00Z : from the tutorial's fix on
            -- param: until = 2026-11-23T11:00:00+01:00
            SELECT 1;
            """)
        #expect(r.parameters == [
            Report.Parameter(name: "since", defaultValue: "2026-11-23T10:00:00Z", help: "from the tutorial's fix on"),
            Report.Parameter(name: "until", defaultValue: "2026-11-23T11:00:00+01:00", help: ""),
        ])
    }

    @Test("a param line without `=` is a bad header")
    func paramWithoutEquals() throws {
        #expect(throws: ReportError.badHeader(source: "test", line: "-- param: since",
                                              reason: "a param line reads `-- param: name = default : help`")) {
            try report("-- name: x\n-- param: since\nSELECT 1;\n")
        }
    }

    @Test("a param name with a space or punctuation, or none, is a bad header")
    func badParameterNames() throws {
        let reason = "parameter names are letters, digits and _"
        #expect(throws: ReportError.badHeader(source: "test", line: "-- param: two words = 1 : h", reason: reason)) {
            try report("-- param: two words = 1 : h\nSELECT 1;\n")
        }
        #expect(throws: ReportError.badHeader(source: "test", line: "-- param: ns; DROP = 1", reason: reason)) {
            try report("-- param: ns; DROP = 1\nSELECT 1;\n")
        }
        #expect(throws: ReportError.badHeader(source: "test", line: "-- param:  = 1", reason: reason)) {
            try report("-- param:  = 1\nSELECT 1;\n")
        }
        let error = ReportError.badHeader(source: "/q/a.sql", line: "-- param: x", reason: "why")
        #expect(error.description == "/q/a.sql: header line '-- param: x': why")
    }
}

// MARK: - Built-in reports

@Suite("Built-in reports")
struct BuiltInReportTests {
    @Test("the catalog holds exactly the twelve reports, sorted by name, from the binary")
    func catalogNames() {
        let catalog = ReportCatalog.builtIn()
        #expect(catalog.reports.map(\.name) == builtInNames)
        #expect(catalog.reports.allSatisfy { $0.source == "built-in" })
    }

    @Test("every built-in report parses, names itself as its file does, and has a title, a description and its parameters",
          arguments: CannedQueries.files.map { $0.name })
    func everyReportParses(file: String) throws {
        let text = try #require(CannedQueries.files.first { $0.name == file }?.text)
        let r = try Report(text: text, fileName: file, source: "built-in")
        #expect(r.name + ".sql" == file)
        #expect(text.hasPrefix("-- name: \(r.name)\n"), "the header names the report explicitly")
        #expect(!r.title.isEmpty && r.title != r.name, "no title line in \(file)")
        #expect(r.description.count > 20, "no description line in \(file)")
        let expected = try #require(builtInParameters.first { $0.0 == r.name }?.1, "\(r.name) is not one of the twelve")
        #expect(r.parameters.map(\.name) == expected.map(\.0))
        #expect(r.parameters.map(\.defaultValue) == expected.map(\.1))
        #expect(r.parameters.allSatisfy { !$0.help.isEmpty }, "a parameter of \(file) has no help")
        // Every declared parameter is used — since and until by the runner, which restricts the summary views to
        // that window — and the SQL uses no undeclared one (it would always be NULL).
        let declared = Set(expected.map(\.0)), used = parametersUsed(in: text)
        #expect(used.isSubset(of: declared))
        #expect(declared.subtracting(used).isSubset(of: ["since", "until"]))
        // Written against the documented views only: the summaries, or the ingest record.
        let lower = text.lowercased()
        #expect(["from call_summary", "from main.call_summary", "from call_durations", "from calls_by_hour", "from ingested_files"]
            .contains { lower.contains($0) })
        for table in ["call_facts", "call_shapes", "callers", "strings"] {
            #expect(!lower.contains(" \(table) ") && !lower.contains(" \(table)\n"), "\(file) reads the table \(table)")
        }
        // And every default binds (the catalog builds them all).
        let bindings = try ReportCatalog.bindings(for: r, given: [:], now: sampleNow)
        #expect(Set(bindings.keys) == Set(expected.map(\.0)))
    }

    @Test("the embedded copy matches queries/*.sql exactly (run scripts/embed-queries.py after editing a query)")
    func embeddedMatchesFiles() throws {
        let folder = reportTestsRoot + "/queries"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".sql") }.sorted()
        #expect(files.count == 12)
        #expect(CannedQueries.files.map { $0.name } == files,
                "queries/ and CannedQueries.swift list different files: run python3 scripts/embed-queries.py")
        for file in files {
            let onDisk = try String(contentsOfFile: folder + "/" + file, encoding: .utf8)
            let embedded = CannedQueries.files.first { $0.name == file }?.text
            #expect(embedded == onDisk, "\(file) differs from its embedded copy: run python3 scripts/embed-queries.py")
        }
    }
}

// MARK: - Binding parameters

@Suite("Report parameter binding")
struct ReportBindingTests {
    let blocked: Report
    let topTalkers: Report
    let newDestinations: Report

    init() throws {
        let catalog = ReportCatalog.builtIn()
        blocked = try catalog.report(named: "blocked-destinations")
        topTalkers = try catalog.report(named: "top-talkers")
        newDestinations = try catalog.report(named: "new-destinations")
    }

    @Test("an unknown parameter is refused with the report's parameters")
    func unknownParameter() throws {
        let expected = ReportError.unknownParameter(report: "blocked-destinations", name: "limit", known: ["since", "until", "namespace"])
        #expect(throws: expected) {
            try ReportCatalog.bindings(for: blocked, given: ["limit": "5"], now: sampleNow)
        }
        #expect(expected.description == "report blocked-destinations has no parameter 'limit'; its parameters are: since, until, namespace")
        let coverage = try ReportCatalog.builtIn().report(named: "ingest-coverage")
        let none = ReportError.unknownParameter(report: "ingest-coverage", name: "since", known: [])
        #expect(throws: none) { try ReportCatalog.bindings(for: coverage, given: ["since": "1h"], now: sampleNow) }
        #expect(none.description == "report ingest-coverage has no parameter 'since'; its parameters are: none")
    }

    @Test("no values given: empty defaults are NULL")
    func emptyDefaultsAreNull() throws {
        let b = try ReportCatalog.bindings(for: blocked, given: [:], now: sampleNow)
        #expect(b == ["since": .null, "until": .null, "namespace": .null])
    }

    @Test("durations count back from the given now")
    func durations() throws {
        let b = try ReportCatalog.bindings(for: blocked, given: ["since": "7d", "until": "90m"], now: sampleNow)
        #expect(b["since"] == .integer(sampleNow - 7 * 86_400 * 1_000_000))
        #expect(b["until"] == .integer(sampleNow - 90 * 60 * 1_000_000))
        let hour = try ReportCatalog.bindings(for: blocked, given: ["since": "1h", "until": "30s"], now: 5_000_000_000)
        #expect(hour["since"] == .integer(5_000_000_000 - 3_600_000_000))
        #expect(hour["until"] == .integer(5_000_000_000 - 30_000_000))
        // A default duration (new-destinations: since = 1d) counts back from now too.
        let d = try ReportCatalog.bindings(for: newDestinations, given: [:], now: sampleNow)
        #expect(d == ["since": .integer(sampleNow - 86_400_000_000), "namespace": .null])
    }

    @Test("RFC 3339 times bind as epoch microseconds, whatever now is")
    func rfc3339() throws {
        let b = try ReportCatalog.bindings(for: blocked, given: ["since": "2026-11-23T10:00:00Z",
                                                                  "until": "2026-11-23T09:05:35.243Z"], now: 0)
        #expect(b["since"] == .integer(1_795_428_000_000_000))
        #expect(b["until"] == .integer(1_795_424_735_243_000))
    }

    @Test("a time that is neither RFC 3339 nor a duration is refused, saying what to give")
    func badTime() throws {
        let reason = "give RFC 3339 (2026-11-23T10:00:00Z) or a duration such as 90m, 2h, 7d"
        #expect(throws: ReportError.badParameter(report: "blocked-destinations", name: "since", value: "yesterday", reason: reason)) {
            try ReportCatalog.bindings(for: blocked, given: ["since": "yesterday"], now: sampleNow)
        }
        #expect(throws: ReportError.badParameter(report: "blocked-destinations", name: "until", value: "7 fortnights", reason: reason)) {
            try ReportCatalog.bindings(for: blocked, given: ["until": "7 fortnights"], now: sampleNow)
        }
        // Spelled-out durations, as the issue writes them, are accepted.
        #expect(try ReportCatalog.bindings(for: blocked, given: ["since": "-7 days"], now: sampleNow)["since"]
                == .integer(sampleNow - 7 * 86_400_000_000))
        #expect(ReportError.badParameter(report: "r", name: "since", value: "x", reason: "why").description
                == "report r: parameter since = 'x': why")
    }

    @Test("integers bind as integers, defaults included")
    func integers() throws {
        #expect(try ReportCatalog.bindings(for: topTalkers, given: [:], now: sampleNow)
                == ["since": .null, "until": .null, "limit": .integer(20)])
        #expect(try ReportCatalog.bindings(for: topTalkers, given: ["limit": "5"], now: sampleNow)["limit"] == .integer(5))
        #expect(try ReportCatalog.bindings(for: topTalkers, given: ["limit": "-1"], now: sampleNow)["limit"] == .integer(-1))
    }

    @Test("text binds as text: a quote, SQL, spaces, and a number-like name that is not a canonical integer")
    func text() throws {
        func namespace(_ value: String) throws -> SQLValue? {
            try ReportCatalog.bindings(for: blocked, given: ["namespace": value], now: sampleNow)["namespace"]
        }
        #expect(try namespace("o'brien") == .text("o'brien"))
        #expect(try namespace("x' OR '1'='1") == .text("x' OR '1'='1"))
        #expect(try namespace("team a") == .text("team a"))
        // `007` is a valid namespace name: bound as the integer 7 it would never match '007'.
        #expect(try namespace("007") == .text("007"))
        #expect(try namespace("+5") == .text("+5"))
        #expect(try namespace("123") == .integer(123))
    }

    @Test("an empty value overrides a default with NULL")
    func emptyValueIsNull() throws {
        #expect(try ReportCatalog.bindings(for: topTalkers, given: ["limit": ""], now: sampleNow)["limit"] == .null)
        #expect(try ReportCatalog.bindings(for: newDestinations, given: ["since": ""], now: sampleNow)["since"] == .null)
    }
}

// MARK: - Catalog

@Suite("Report catalog")
struct ReportCatalogTests {
    @Test("an unknown report is refused with the list of reports")
    func unknownReport() throws {
        let catalog = ReportCatalog.builtIn()
        let expected = ReportError.unknownReport(name: "blocked", known: builtInNames)
        #expect(throws: expected) { try catalog.report(named: "blocked") }
        #expect(expected.description == "no report named 'blocked'; the reports are: " + builtInNames.joined(separator: ", ")
                + " (egress-audit report lists them)")
        #expect(try catalog.report(named: "top-talkers").title == "Top talkers to external hosts, by bytes")
    }

    @Test("add(folder:) adds a user's report, overrides a built-in of the same name, and skips other files")
    func addFolder() throws {
        let scratch = try TestFolder("egress-report-tests")
        try scratch.write("mine.sql", """
            -- name: calls-by-verdict
            -- title: Calls by verdict
            -- description: How many calls of each verdict.
            -- param: namespace = : only this namespace
            SELECT verdict, count(*) AS calls FROM calls GROUP BY verdict;

            """)
        try scratch.write("blocked-destinations.sql", "-- title: My blocked\nSELECT 1 AS one;\n")
        try scratch.write("notes.txt", "-- name: not-a-report\nSELECT 2;\n")
        var catalog = ReportCatalog.builtIn()
        try catalog.add(folder: scratch.path)
        #expect(catalog.reports.map(\.name) == (builtInNames + ["calls-by-verdict"]).sorted())
        #expect(catalog.reports.count == 13)
        let mine = try catalog.report(named: "calls-by-verdict")
        #expect(mine.title == "Calls by verdict")
        #expect(mine.source == scratch.path + "/mine.sql")
        #expect(mine.parameters == [Report.Parameter(name: "namespace", defaultValue: nil, help: "only this namespace")])
        let overridden = try catalog.report(named: "blocked-destinations")
        #expect(overridden.title == "My blocked")
        #expect(overridden.sql == "-- title: My blocked\nSELECT 1 AS one;\n")
        #expect(overridden.source == scratch.path + "/blocked-destinations.sql")
        #expect(catalog.reports.filter { $0.name == "blocked-destinations" }.count == 1)
    }

    @Test("a user report with a bad header, or a folder that is not there, is an error")
    func badFolder() throws {
        let scratch = try TestFolder("egress-report-tests")
        try scratch.write("bad.sql", "-- param: since\nSELECT 1;\n")
        var catalog = ReportCatalog.builtIn()
        #expect(throws: ReportError.badHeader(source: scratch.path + "/bad.sql", line: "-- param: since",
                                              reason: "a param line reads `-- param: name = default : help`")) {
            try catalog.add(folder: scratch.path)
        }
        let missing = scratch.path + "/missing"
        do {
            try catalog.add(folder: missing)
            Issue.record("a missing folder was accepted")
        } catch let error as ReportError {
            guard case .badArgument(let text) = error else { Issue.record("unexpected \(error)"); return }
            #expect(text.hasPrefix(missing + ": cannot list the folder of reports"))
        }
        #expect(catalog.reports.map(\.name) == builtInNames)
    }
}

// MARK: - Formatters

private func render(_ make: (@escaping (String) -> Void) -> RowFormatter, columns: [String], rows: [[SQLValue]]) -> String {
    var out = ""
    let formatter = make { out += $0 }
    formatter.begin(columns: columns)
    for row in rows { formatter.row(row) }
    formatter.end()
    return out
}

@Suite("Row formatters")
struct RowFormatterTests {
    @Test("Markdown: a pipe table, | escaped, newlines flattened, numeric columns right-aligned")
    func markdown() {
        let out = render({ MarkdownFormatter(write: $0) }, columns: ["name", "calls", "note", "a|b"],
                         rows: [[.text("a|b"), .integer(5), .null, .real(1.5)],
                                [.text("x\ny"), .integer(12), .text("ok"), .null]])
        #expect(out == """
            | name | calls | note | a\\|b |
            | --- | ---: | --- | ---: |
            | a\\|b | 5 |  | 1.5 |
            | x y | 12 | ok |  |

            """)
        // No rows: no column can be called numeric.
        #expect(render({ MarkdownFormatter(write: $0) }, columns: ["n"], rows: []) == "| n |\n| --- |\n")
    }

    @Test("CSV: RFC 4180, CRLF, quotes doubled, fields with commas, quotes or line breaks quoted")
    func csv() {
        let out = render({ CSVFormatter(write: $0) }, columns: ["a", "b,c"],
                         rows: [[.text("plain"), .text("say \"hi\"")],
                                [.text("x,y"), .text("line1\nline2")],
                                [.null, .integer(-3)],
                                [.real(2.5), .text("cr\rhere")],
                                [.text("o'brien"), .text("")]])
        #expect(out == "a,\"b,c\"\r\nplain,\"say \"\"hi\"\"\"\r\n\"x,y\",\"line1\nline2\"\r\n,-3\r\n2.5,\"cr\rhere\"\r\no'brien,\r\n")
        #expect(render({ CSVFormatter(write: $0) }, columns: ["only"], rows: []) == "only\r\n")
    }

    @Test("JSON: an array of objects, null, integers as numbers, strings escaped")
    func json() throws {
        let out = render({ JSONRowsFormatter(write: $0) }, columns: ["s", "n", "z", "r", "q\"k"],
                         rows: [[.text("a\"b\\c\nd\t\u{1}"), .integer(42), .null, .real(2.5), .text("é")],
                                [.text("o'brien"), .integer(-1), .text("x"), .real(.infinity), .integer(9_007_199_254_740_993)]])
        #expect(out == """
            [
              {"s": "a\\"b\\\\c\\nd\\t\\u0001", "n": 42, "z": null, "r": 2.5, "q\\"k": "é"},
              {"s": "o'brien", "n": -1, "z": "x", "r": null, "q\\"k": 9007199254740993}
            ]

            """)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]])
        #expect(parsed.count == 2)
        #expect(parsed[0]["s"] as? String == "a\"b\\c\nd\t\u{1}")
        #expect(parsed[0]["n"] as? Int == 42)
        #expect(parsed[0]["z"] is NSNull)
        #expect(render({ JSONRowsFormatter(write: $0) }, columns: ["a"], rows: []) == "[]\n")
    }

    @Test("table: aligned columns, numbers right-aligned, a row count")
    func table() {
        let out = render({ TableFormatter(write: $0) }, columns: ["host", "calls", "flags"],
                         rows: [[.text("a"), .integer(5), .text("UH")],
                                [.text("bbbbbb"), .integer(123), .null],
                                [.text("tab\there"), .null, .text("x\ny")]])
        #expect(out == """
            host      calls  flags
            --------  -----  -----
            a             5  UH
            bbbbbb      123
            tab here         x y
            (3 rows)

            """)
        #expect(render({ TableFormatter(write: $0) }, columns: ["n"], rows: [[.integer(1)]]) == "n\n-\n1\n(1 row)\n")
        #expect(render({ TableFormatter(write: $0) }, columns: ["n"], rows: []) == "n\n-\n(0 rows)\n")
    }

    @Test("table with a width: the widest column shrinks and long cells end in …")
    func tableWidth() {
        let out = render({ TableFormatter(write: $0, width: 20) }, columns: ["destination", "calls"],
                         rows: [[.text("a-very-long-host-name.example.com"), .integer(7)],
                                [.text("short.io"), .integer(12345)]])
        #expect(out == """
            destination    calls
            -------------  -----
            a-very-long-…      7
            short.io       12345
            (2 rows)

            """)
        for line in out.split(separator: "\n") { #expect(line.count <= 20) }
        // Wide enough: nothing is shortened.
        let wide = render({ TableFormatter(write: $0, width: 200) }, columns: ["destination"],
                          rows: [[.text("a-very-long-host-name.example.com")]])
        #expect(wide.contains("a-very-long-host-name.example.com\n"))
    }

    @Test("ResultFormat names the four formats and makes the matching formatter")
    func resultFormat() {
        #expect(ResultFormat.allCases.map(\.rawValue) == ["table", "csv", "json", "markdown"])
        #expect(ResultFormat.table.formatter(write: { _ in }) is TableFormatter)
        #expect(ResultFormat.csv.formatter(write: { _ in }) is CSVFormatter)
        #expect(ResultFormat.json.formatter(write: { _ in }) is JSONRowsFormatter)
        #expect(ResultFormat.markdown.formatter(write: { _ in }) is MarkdownFormatter)
    }
}
