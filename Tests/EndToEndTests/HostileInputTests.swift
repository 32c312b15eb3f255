#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

// Issue 6, item 2, end to end: inputs built to hurt the reader (NUL bytes, a CRI record cut at the end of a
// file, ten thousand quoted fields, a gzip bomb, a huge or deeply nested ServiceEntry file, deeply nested
// JSON) go through the built binary as a user would run it. Each ends with every good line stored, every
// bad one accounted for, and memory and time bounded (generous limits: the machine is shared).

/// Istio 1.9+ S3 (httpbin.org through a ServiceEntry), with its timestamp's milliseconds and user agent
/// replaceable so each copy is a distinct line.
private func s3(ms: Int, userAgent: [UInt8] = Array("curl/7.81.0-DEV".utf8), path: [UInt8] = Array("/headers".utf8)) -> [UInt8] {
    Array(#"[2022-04-26T13:26:08."#.utf8) + Array(String(format: "%03d", ms).utf8) + Array(#"Z] "GET "#.utf8) + path
        + Array(#" HTTP/1.1" 200 - via_upstream - "-" 0 1200 742 742 "-" ""#.utf8) + userAgent
        + Array(#"" "934ddb65-6508-91ae-8e61-46ea5eb3c9f1" "httpbin.org" "3.226.124.170:80" outbound|80||httpbin.org 10.122.158.52:50958 34.197.247.180:80 10.122.158.52:48554 - default"#.utf8)
        + [0x0A]
}

private func write(_ bytes: [UInt8], to path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

@Suite("hostile inputs, end to end")
struct HostileInputTests {
    @Test("NUL bytes: in a user agent and a path they are stored as they are; a line of binary junk is rejected")
    func nulBytes() throws {
        let box = try ScratchFolder("egress-hostile")
        let log = box.file("nul.log")
        try write(s3(ms: 1) + s3(ms: 2, userAgent: Array("cu\0rl".utf8)) + [0, 0, 0] + Array(" binary junk ".utf8) + [0, 0x0A]
                  + s3(ms: 3, path: Array("/h\0x".utf8)) + s3(ms: 4), to: log)
        let db = box.file("a.db")
        let run = try EgressAuditCLI.run(["ingest", "--db", db, log], in: box.path)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try box.scalar("SELECT count(*) FROM calls WHERE verdict = 'allowed' AND dest_host = 'httpbin.org' AND dest_port = 80", db: db) == 4)
        #expect(try box.scalar("SELECT count(*) FROM rejects WHERE log_line = 3", db: db) == 1)
        // Lossless: the NUL is in the stored value (hex), not cut there.
        let hex = try EgressAuditCLI.run(["sql", "--db", db, "--format", "csv",
                                          "SELECT log_line, hex(user_agent), hex(path) FROM calls ORDER BY log_line"], in: box.path)
        #expect(hex.stdout.contains("2,637500726C,2F68656164657273"), "\(hex.stdout)")
        #expect(hex.stdout.contains("4,6375726C2F372E38312E302D444556,2F680078"), "\(hex.stdout)")
    }

    // What `ingest` does with a CRI `P` part whose `F` never came: a plain file may still be being written, so
    // the part waits, like a last line without newline: the checkpoint stays before it, the run says a line is
    // held, and a later run reads the whole record once the `F` is there. (A gzip or standard input cannot
    // grow: there the part is kept in `rejects` with a reason.)
    @Test("a CRI P part with no F at the end of a plain file is held, not stored or rejected; the F completes it later")
    func criPartialAtEnd() throws {
        let box = try ScratchFolder("egress-hostile")
        let log = box.file("0.log")
        let whole = String(decoding: s3(ms: 10).dropLast(), as: UTF8.self)
        let cut = whole.index(whole.startIndex, offsetBy: 120)
        let partial = "2026-11-23T09:02:25.129784512Z stdout P " + String(whole[..<cut]) + "\n"
        let full = "2026-11-23T09:02:25.100000000Z stdout F " + String(decoding: s3(ms: 11).dropLast(), as: UTF8.self) + "\n"
        try (full + partial).write(toFile: log, atomically: false, encoding: .utf8)
        // Gzipped, the same content is complete: the part is a reject with its reason and first bytes.
        let zipped = box.file("zipped.log")
        try (full + partial).write(toFile: zipped, atomically: false, encoding: .utf8)
        #expect(try EgressAuditCLI.run(["-f", zipped], executable: "/usr/bin/gzip", in: box.path).status == 0)
        let zdb = box.file("z.db")
        let zrun = try EgressAuditCLI.run(["ingest", "--db", zdb, "--format", "json", zipped + ".gz"], in: box.path)
        #expect(zrun.stdout.contains(#""rejected" : 1"#) && zrun.stdout.contains(#""held_lines" : 0"#), "\(zrun.stdout)")
        #expect(try box.scalar("SELECT count(*) FROM rejects WHERE log_line = 2 AND reason LIKE 'partial container record (CRI ''P''%never came%' AND length(excerpt) = 120",
                               db: zdb) == 1)

        let db = box.file("a.db")
        let run = try EgressAuditCLI.run(["ingest", "--db", db, "--format", "json", log], in: box.path)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains(#""rejected" : 0"#), "\(run.stdout)")
        #expect(run.stdout.contains(#""held_lines" : 1"#), "\(run.stdout)")
        #expect(try box.scalar("SELECT count(*) FROM calls", db: db) == 1)
        #expect(try box.scalar("SELECT lines FROM ingested_files", db: db) == 1)

        // The F arrives after the run: the next run reads the record whole, from its first part.
        try FileHandle(forWritingTo: URL(fileURLWithPath: log)).seekToEndAndWrite(
            "2026-11-23T09:02:25.129784512Z stdout F " + String(whole[cut...]) + "\n")
        let again = try EgressAuditCLI.run(["ingest", "--db", db, log], in: box.path)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try box.scalar("SELECT count(*) FROM calls", db: db) == 2)
        #expect(try box.scalar("SELECT count(*) FROM rejects", db: db) == 0)
    }

    @Test("10,000 quoted fields in one line: bounded time, the line rejected or read with its tail, the next line stored")
    func tenThousandQuotedFields() throws {
        let box = try ScratchFolder("egress-hostile")
        let log = box.file("q.log")
        let many = Array(String(repeating: #""x" "#, count: 10_000).utf8)
        try write(s3(ms: 20, userAgent: many) + many + [0x0A] + s3(ms: 21, path: Array("/h".utf8) + many) + s3(ms: 22), to: log)
        let db = box.file("a.db")
        let run = try MeasuredRun.run(["ingest", "--db", db, log], in: box.path)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.seconds < 20, "took \(run.seconds) s")
        let calls = try #require(try box.scalar("SELECT count(*) FROM calls", db: db))
        let rejects = try #require(try box.scalar("SELECT count(*) FROM rejects", db: db))
        #expect(calls + rejects == 4)
        #expect(try box.scalar("SELECT count(*) FROM calls WHERE dest_host = 'httpbin.org' AND upstream_cluster = 'outbound|80||httpbin.org'", db: db) == calls)
        #expect(try box.scalar("SELECT count(*) FROM calls WHERE log_line = 4", db: db) == 1)
    }

    @Test("a gzip bomb (1 GiB of zeros in 16 members of a few dozen KB) streams in flat memory and bounded time")
    func gzipBomb() throws {
        let box = try ScratchFolder("egress-bomb")
        let member = box.file("member.gz")
        let make = try EgressAuditCLI.run(["-c", "head -c 67108864 /dev/zero | gzip -9 > '\(member)'"], executable: "/bin/sh", in: box.path)
        try #require(make.status == 0, "gzip: \(make.stderr)")
        let one = try Data(contentsOf: URL(fileURLWithPath: member))
        var bomb = Data()
        // A log line first, so the rows before the bomb are seen kept; then 1 GiB of zeros, no newline.
        bomb.append(try Data(contentsOf: URL(fileURLWithPath: {
            let p = box.file("head"); try write(s3(ms: 30), to: p); return p }())).gzipped(in: box))
        for _ in 0..<16 { bomb.append(one) }
        let log = box.file("bomb.log.gz")
        try bomb.write(to: URL(fileURLWithPath: log))
        #expect(bomb.count < 4 << 20, "the bomb is \(bomb.count) bytes")

        let db = box.file("a.db")
        let run = try MeasuredRun.run(["ingest", "--db", db, "--format", "json", log], in: box.path)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.peakMB < 100, "peak RSS \(run.peakMB) MB for 1 GiB inflated")
        #expect(run.seconds < 60, "took \(run.seconds) s")
        #expect(run.stdout.contains(#""bytes" : \#(1 << 30 + s3(ms: 30).count)"#), "\(run.stdout)")
        #expect(try box.scalar("SELECT count(*) FROM calls", db: db) == 1)
        // The zeros are one line longer than the reader takes: one reject, its excerpt bounded.
        #expect(try box.scalar("SELECT count(*) FROM rejects WHERE reason LIKE 'line longer than%' AND length(CAST(excerpt AS BLOB)) <= 512", db: db) == 1)
    }

    @Test("a 100 MB ServiceEntry file is refused unread, naming the file, its size, the limit and what to do")
    func hugeEntriesFile() throws {
        let box = try ScratchFolder("egress-hostile")
        let db = box.file("a.db")
        let log = box.file("s3.log")
        try write(s3(ms: 40), to: log)
        #expect(try EgressAuditCLI.run(["ingest", "--db", db, log], in: box.path).status == 0)

        // `kubectl get serviceentries -A -o yaml` of an absurd mesh: one real-shaped item repeated to 100 MB.
        let item = """
            - apiVersion: networking.istio.io/v1
              kind: ServiceEntry
              metadata: {name: ext-N, namespace: team-a}
              spec:
                hosts: [api.partner.example.com]
                location: MESH_EXTERNAL
                ports: [{name: tls, number: 443, protocol: TLS}]
                resolution: DNS

            """
        let chunk = Data(String(repeating: item, count: (1 << 20) / item.utf8.count).utf8)
        let huge = box.file("all-entries.yaml")
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: { FileManager.default.createFile(atPath: huge, contents: Data("apiVersion: v1\nkind: List\nitems:\n".utf8)); return huge }()))
        try handle.seekToEnd()
        for _ in 0..<100 { handle.write(chunk) }
        try handle.close()
        let small = box.file("httpbin.yaml")
        try """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: httpbin, namespace: default}
            spec:
              hosts: [httpbin.org]
              ports: [{number: 80, name: http, protocol: HTTP}]
              resolution: DNS
            """.write(toFile: small, atomically: false, encoding: .utf8)

        let run = try MeasuredRun.run(["suggest", "--db", db, "--entries", huge, small, "--format", "json"], in: box.path)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.seconds < 20, "took \(run.seconds) s")
        #expect(run.peakMB < 100, "peak RSS \(run.peakMB) MB")
        #expect(run.stderr.contains(huge), "\(run.stderr)")
        #expect(run.stderr.contains("MiB is over the 16 MiB limit"), "\(run.stderr)")
        #expect(run.stderr.contains("kubectl get serviceentries -n NS"), "\(run.stderr)")
        // The other file still loads: httpbin.org is covered, nothing is missing.
        #expect(run.stdout.contains(#""suggestions" : ["#) && !run.stdout.contains(#""host" : "httpbin.org""#), "\(run.stdout)")
        #expect(run.stdout.contains(#""field" : "file""#), "\(run.stdout)")
    }

    @Test("deeply nested JSON: a log line is rejected with the depth named; an entries file is refused in a short message")
    func deeplyNestedJSON() throws {
        let box = try ScratchFolder("egress-hostile")
        let log = box.file("deep.jsonl")
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let access = #"{"start_time":"2026-11-23T09:02:25.129Z","upstream_cluster":"PassthroughCluster","downstream_local_address":"104.26.12.205:443","downstream_remote_address":"10.244.2.31:46790","response_code":0,"route_name":null,"#
        try (access + #""x":"# + deep + "}\n" + access + #""x":null}"# + "\n").write(toFile: log, atomically: false, encoding: .utf8)
        let db = box.file("a.db")
        let run = try MeasuredRun.run(["ingest", "--db", db, log], in: box.path)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.seconds < 20, "took \(run.seconds) s")
        #expect(try box.scalar("SELECT count(*) FROM calls WHERE verdict = 'passthrough'", db: db) == 1)
        #expect(try box.scalar("SELECT count(*) FROM rejects WHERE log_line = 1 AND reason LIKE '%nested deeper than%'", db: db) == 1)

        let entries = box.file("deep.json")
        try (#"{"apiVersion":"networking.istio.io/v1","kind":"ServiceEntry","metadata":{"name":"x"},"spec":"# + deep + "}").write(toFile: entries, atomically: false, encoding: .utf8)
        let suggest = try MeasuredRun.run(["suggest", "--db", db, "--entries", entries], in: box.path)
        #expect(suggest.status == 0, "\(suggest.stderr)")
        #expect(suggest.seconds < 20, "took \(suggest.seconds) s")
        #expect(suggest.stderr.contains("\(entries), document 1: syntax: not valid YAML or JSON: nested deeper than"), "\(suggest.stderr.prefix(600))")
        // libyaml quotes the offending line; a 200 KB line must not end up on the terminal.
        #expect(suggest.stderr.utf8.count < 2_000, "stderr is \(suggest.stderr.utf8.count) bytes")
    }
}

private extension FileHandle {
    func seekToEndAndWrite(_ text: String) throws {
        try seekToEnd()
        write(Data(text.utf8))
        try close()
    }
}

private extension Data {
    /// This data as one gzip member, by the system's `gzip`.
    func gzipped(in box: ScratchFolder) throws -> Data {
        let plain = box.file("plain-\(UUID().uuidString)")
        try write(to: URL(fileURLWithPath: plain))
        let run = try EgressAuditCLI.run(["-c", "gzip -c '\(plain)' > '\(plain).gz'"], executable: "/bin/sh", in: box.path)
        try #require(run.status == 0, "gzip: \(run.stderr)")
        return try Data(contentsOf: URL(fileURLWithPath: plain + ".gz"))
    }
}
