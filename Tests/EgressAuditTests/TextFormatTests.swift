import Testing
@testable import EgressAudit

/// A real line and the preset era it was printed in.
struct EraLine: Sendable, CustomTestStringConvertible {
    var id: String
    var line: String
    /// The layout `LayoutDetector` must report.
    var detected: String
    /// Every preset that must parse the line when given as a fixed format (and no other).
    var parsedBy: Set<String>

    var testDescription: String { "\(id) → \(detected)" }

    static let istio19: Set<String> = ["istio-1.9", "istio-1.23"]

    static let all: [EraLine] = [
        EraLine(id: "envoy §1.1", line: Lines.envoyDoc, detected: "envoy", parsedBy: ["envoy"]),
        EraLine(id: "S1", line: Lines.s1, detected: "istio-1.1-snapshot", parsedBy: ["istio-1.1-snapshot"]),
        EraLine(id: "S2", line: Lines.s2, detected: "istio-1.1-snapshot", parsedBy: ["istio-1.1-snapshot"]),
        EraLine(id: "G2", line: Lines.g2, detected: "istio-1.1-snapshot", parsedBy: ["istio-1.1-snapshot"]),
        EraLine(id: "M1", line: Lines.m1, detected: "istio-1.1", parsedBy: ["istio-1.1"]),
        EraLine(id: "M5", line: Lines.m5, detected: "istio-1.1", parsedBy: ["istio-1.1"]),
        EraLine(id: "I1", line: Lines.i1, detected: "istio-1.1", parsedBy: ["istio-1.1"]),
        EraLine(id: "M5 as 1.2", line: Lines.m5As12, detected: "istio-1.2", parsedBy: ["istio-1.2"]),
        EraLine(id: "P2", line: Lines.p2, detected: "istio-1.3", parsedBy: ["istio-1.3"]),
        EraLine(id: "G1", line: Lines.g1, detected: "istio-1.3", parsedBy: ["istio-1.3"]),
        EraLine(id: "G3", line: Lines.g3, detected: "istio-1.3", parsedBy: ["istio-1.3"]),
        EraLine(id: "I2", line: Lines.i2, detected: "istio-1.8", parsedBy: ["istio-1.8"]),
        EraLine(id: "B1", line: Lines.b1, detected: "istio-1.9", parsedBy: istio19),
        EraLine(id: "B1b", line: Lines.b1b, detected: "istio-1.9", parsedBy: istio19),
        EraLine(id: "B2", line: Lines.b2, detected: "istio-1.9", parsedBy: istio19),
        EraLine(id: "B3", line: Lines.b3, detected: "istio-1.9", parsedBy: istio19),
        EraLine(id: "P1", line: Lines.p1, detected: "istio-1.9", parsedBy: istio19),
        EraLine(id: "S3", line: Lines.s3, detected: "istio-1.9", parsedBy: istio19),
        EraLine(id: "S4", line: Lines.s4, detected: "istio-1.9", parsedBy: istio19),
        EraLine(id: "S5", line: Lines.s5, detected: "istio-1.9", parsedBy: istio19),
        EraLine(id: "G4", line: Lines.g4, detected: "istio-1.9", parsedBy: istio19),
        EraLine(id: "G5", line: Lines.g5, detected: "istio-1.9", parsedBy: istio19),
        EraLine(id: "G6", line: Lines.g6, detected: "istio-1.9", parsedBy: istio19),
        EraLine(id: "M2", line: Lines.m2, detected: "istio-1.9", parsedBy: istio19),
        EraLine(id: "M3", line: Lines.m3, detected: "istio-1.9", parsedBy: istio19),
        EraLine(id: "M4", line: Lines.m4, detected: "istio-1.9", parsedBy: istio19),
        EraLine(id: "I3", line: Lines.i3, detected: "istio-1.9", parsedBy: istio19),
        EraLine(id: "I4", line: Lines.i4, detected: "istio-1.9", parsedBy: istio19),
        EraLine(id: "I5", line: Lines.i5, detected: "istio-1.9", parsedBy: istio19),
    ]
}

@Suite("Text formats: presets, detection, hostile values")
struct TextFormatTests {

    // MARK: Presets and detection

    @Test("Every preset compiles and the preset list names each era once")
    func presetsCompile() throws {
        let names = FormatPresets.all.map(\.name)
        #expect(names == ["istio-1.9", "istio-1.23", "istio-1.8", "istio-1.3", "istio-1.2", "istio-1.1", "istio-1.1-snapshot", "envoy"])
        let compiled = FormatPresets.compiled()
        #expect(compiled.map(\.name) == names)
        for format in compiled {
            #expect(format.kinds.contains(.startTime))
            #expect(format.kinds.contains(.userAgent))
        }
        // The Istio presets all carry the tail that classification reads; Envoy's default does not.
        for format in compiled where format.name != "envoy" {
            #expect(format.kinds.isSuperset(of: [.upstreamCluster, .downstreamLocalAddress, .serverName, .upstreamLocalAddress]), "\(format.name)")
        }
        #expect(!compiled.last!.kinds.contains(.upstreamCluster))
        // The current default, verbatim from Istio's telemetry_logging.go (reference §1.2).
        let current = #"[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS% "%UPSTREAM_TRANSPORT_FAILURE_REASON%" %BYTES_RECEIVED% %BYTES_SENT% %DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%" %UPSTREAM_CLUSTER_RAW% %UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS% %REQUESTED_SERVER_NAME% %ROUTE_NAME%"#
        #expect(FormatPresets.all.first { $0.name == "istio-1.23" }?.format == current)
    }

    @Test("A fresh detector picks the era of each real line", arguments: EraLine.all)
    func detectsEra(_ sample: EraLine) {
        let parsed = detectLayout(sample.line)
        #expect(parsed.layout == sample.detected, "reason: \(parsed.reason)")
    }

    @Test("Each real line parses with the presets of its era only", arguments: EraLine.all)
    func onlyItsEraParses(_ sample: EraLine) throws {
        var matched: Set<String> = []
        for format in FormatPresets.compiled() where parseLine(sample.line, with: format) != nil {
            matched.insert(format.name)
        }
        #expect(matched == sample.parsedBy)
    }

    @Test("One detector follows a file whose layout changes from line to line")
    func detectorFollowsUpgrades() {
        let detector = LayoutDetector()
        let sequence: [(String, String)] = [
            (Lines.envoyDoc, "envoy"), (Lines.s2, "istio-1.1-snapshot"), (Lines.m1, "istio-1.1"),
            (Lines.m5As12, "istio-1.2"), (Lines.g3, "istio-1.3"), (Lines.i2, "istio-1.8"),
            (Lines.m5As12, "istio-1.2"), (Lines.i2, "istio-1.8"),
            (Lines.b2, "istio-1.9"), (Lines.m1, "istio-1.1"), (Lines.s1, "istio-1.1-snapshot"),
            (Lines.g5, "istio-1.9"), (Lines.b4, "json"), (Lines.s3, "istio-1.9"),
        ]
        for (line, layout) in sequence {
            let parsed = detectLayout(line, with: detector)
            #expect(parsed.layout == layout)
            #expect(detector.currentName == layout)
        }
    }

    @Test("1.2 and 1.8 lines both have 20 tokens but are told apart by their quoted fields")
    func istio12Versus18() {
        let as12 = detectLayout(Lines.m5As12)
        #expect(as12.layout == "istio-1.2")
        #expect(as12[.upstreamCluster] == "outbound|80||hello-world.default.svc.cluster.local")
        #expect(as12[.serverName] == nil)
        #expect(as12[.routeName] == nil)
        #expect(as12[.bytesReceived] == "148")

        let as18 = detectLayout(Lines.i2)
        #expect(as18.layout == "istio-1.8")
        #expect(as18[.upstreamCluster] == "inbound|8000||")
        #expect(as18[.routeName] == "default")
        #expect(as18[.serverName] == "outbound_.8000_._.httpbin.default.svc.cluster.local")

        // After a 1.8 line the detector tries 1.8 first; a 1.2 line must still not be read as 1.8.
        let detector = LayoutDetector()
        #expect(detectLayout(Lines.i2, with: detector).layout == "istio-1.8")
        let next = detectLayout(Lines.m5As12, with: detector)
        #expect(next.layout == "istio-1.2")
        #expect(next[.downstreamLocalAddress] == "10.97.86.53:80")
    }

    @Test("1.1, 1.1 pre-release and Envoy's default are told apart")
    func istio11VersusSnapshotVersusEnvoy() throws {
        #expect(detectLayout(Lines.m1).layout == "istio-1.1")
        #expect(detectLayout(Lines.s1).layout == "istio-1.1-snapshot")
        #expect(detectLayout(Lines.envoyDoc).layout == "envoy")
        // Envoy's own default ends at "%UPSTREAM_HOST%": the snapshot's tail is not a quoted field.
        let envoy = FormatPresets.compiled().last!
        #expect(parseLine(Lines.s1, with: envoy) == nil)
        #expect(parseLine(Lines.envoyDoc, with: try presetFormat("istio-1.1-snapshot")) == nil)
    }

    // MARK: Values of each era

    @Test("Envoy's documented example (§1.1)")
    func envoyExample() throws {
        let fields = try #require(parseLine(Lines.envoyDoc, with: try presetFormat("envoy")))
        #expect(fields == [
            .startTime: "2016-04-15T20:17:00.310Z", .method: "POST", .path: "/api/v1/locations", .proto: "HTTP/2",
            .responseCode: "204", .bytesReceived: "154", .bytesSent: "0", .duration: "226", .upstreamServiceTime: "100",
            .forwardedFor: "10.0.35.28", .userAgent: "nsq2http", .requestID: "cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2",
            .authority: "locations", .upstreamHost: "tcp://10.0.2.1:80",
        ])
    }

    @Test("Istio 1.1 pre-release: S1 (HTTP) and S2 (TLS)")
    func snapshotValues() throws {
        let format = try presetFormat("istio-1.1-snapshot")
        let s1 = try #require(parseLine(Lines.s1, with: format))
        #expect(s1 == [
            .startTime: "2019-01-24T12:17:11.640Z", .method: "GET", .path: "/headers", .proto: "HTTP/1.1",
            .responseCode: "200", .bytesReceived: "0", .bytesSent: "599", .duration: "214", .upstreamServiceTime: "214",
            .userAgent: "curl/7.60.0", .requestID: "17fde8f7-fa62-9b39-8999-302324e6def2", .authority: "httpbin.org",
            .upstreamHost: "35.173.6.94:80", .upstreamCluster: "outbound|80||httpbin.org",
            .downstreamLocalAddress: "35.173.6.94:80", .downstreamRemoteAddress: "172.30.109.82:55314",
        ])
        let s2 = try #require(parseLine(Lines.s2, with: format))
        #expect(s2 == [
            .startTime: "2019-01-24T12:48:54.977Z", .responseCode: "0", .bytesReceived: "601", .bytesSent: "17766",
            .duration: "1289", .upstreamHost: "172.217.161.36:443", .upstreamCluster: "outbound|443||www.google.com",
            .upstreamLocalAddress: "172.30.109.82:59480", .downstreamLocalAddress: "172.217.161.36:443",
            .downstreamRemoteAddress: "172.30.109.82:59478", .serverName: "www.google.com",
        ])
    }

    @Test("Istio 1.1: M1 (mixer status column)")
    func istio11Values() throws {
        let m1 = try #require(parseLine(Lines.m1, with: try presetFormat("istio-1.1")))
        #expect(m1 == [
            .startTime: "2019-03-06T09:31:27.354Z", .method: "GET", .path: "/status/418", .proto: "HTTP/1.1",
            .responseCode: "418", .bytesReceived: "0", .bytesSent: "135", .duration: "11", .upstreamServiceTime: "10",
            .userAgent: "curl/7.60.0", .requestID: "d209e46f-9ed5-9b61-bbdd-43e22662702a", .authority: "httpbin:8000",
            .upstreamHost: "172.30.146.73:80", .upstreamCluster: "outbound|8000||httpbin.default.svc.cluster.local",
            .downstreamLocalAddress: "172.21.13.94:8000", .downstreamRemoteAddress: "172.30.146.82:60290",
        ])
        let i1 = try #require(parseLine(Lines.i1, with: try presetFormat("istio-1.1")))
        #expect(i1[.upstreamCluster] == "inbound|8000|http|httpbin.default.svc.cluster.local")
        #expect(i1[.serverName] == "outbound_.8000_._.httpbin.default.svc.cluster.local")
        #expect(i1[.upstreamHost] == "127.0.0.1:80")
    }

    @Test("Istio 1.2: mixer status and transport failure reason, no route")
    func istio12Values() throws {
        let fields = try #require(parseLine(Lines.m5As12, with: try presetFormat("istio-1.2")))
        #expect(fields == [
            .startTime: "2019-09-03T05:37:41.341Z", .method: "GET", .path: "/index", .proto: "HTTP/1.1",
            .responseCode: "200", .bytesReceived: "148", .bytesSent: "171", .duration: "4", .upstreamServiceTime: "3",
            .requestID: "c0ce81db-4f5a-9134-8a5c-f8c076c91652", .authority: "hello-world", .upstreamHost: "192.168.89.50:9001",
            .upstreamCluster: "outbound|80||hello-world.default.svc.cluster.local",
            .downstreamLocalAddress: "10.97.86.53:80", .downstreamRemoteAddress: "192.168.167.113:39953",
        ])
    }

    @Test("Istio 1.3–1.7: G1 (HTTP/2 at an egress gateway) and P2 (TCP passthrough)")
    func istio13Values() throws {
        let format = try presetFormat("istio-1.3")
        let g1 = try #require(parseLine(Lines.g1, with: format))
        #expect(g1 == [
            .startTime: "2019-09-03T20:57:49.103Z", .method: "GET", .path: "/politics", .proto: "HTTP/2",
            .responseCode: "301", .bytesReceived: "0", .bytesSent: "0", .duration: "90", .upstreamServiceTime: "89",
            .forwardedFor: "10.244.2.10", .userAgent: "curl/7.64.0", .requestID: "ea379962-9b5c-4431-ab66-f01994f5a5a5",
            .authority: "edition.cnn.com", .upstreamHost: "151.101.65.67:80", .upstreamCluster: "outbound|80||edition.cnn.com",
            .downstreamLocalAddress: "10.244.1.5:80", .downstreamRemoteAddress: "10.244.2.10:50482", .serverName: "edition.cnn.com",
        ])
        let p2 = try #require(parseLine(Lines.p2, with: format))
        #expect(p2 == [
            .startTime: "2020-05-19T19:53:38.151Z", .responseCode: "0", .bytesReceived: "2279", .bytesSent: "3059",
            .duration: "63", .upstreamHost: "1.2.3.4:443", .upstreamCluster: "PassthroughCluster",
            .upstreamLocalAddress: "10.0.0.93:37018", .downstreamLocalAddress: "1.2.3.4:443", .downstreamRemoteAddress: "10.0.0.93:39849",
        ])
    }

    @Test("Istio 1.8: I2")
    func istio18Values() throws {
        let fields = try #require(parseLine(Lines.i2, with: try presetFormat("istio-1.8")))
        #expect(fields == [
            .startTime: "2020-10-29T21:51:57.945Z", .method: "GET", .path: "/status/418", .proto: "HTTP/1.1",
            .responseCode: "418", .bytesReceived: "0", .bytesSent: "135", .duration: "2", .upstreamServiceTime: "2",
            .userAgent: "curl/7.69.1", .requestID: "f65c68d3-619a-44c7-a9c1-44384b3055ba", .authority: "httpbin:8000",
            .upstreamHost: "127.0.0.1:80", .upstreamCluster: "inbound|8000||", .upstreamLocalAddress: "127.0.0.1:52328",
            .downstreamLocalAddress: "10.244.0.14:80", .downstreamRemoteAddress: "10.244.0.13:43430",
            .serverName: "outbound_.8000_._.httpbin.default.svc.cluster.local", .routeName: "default",
        ])
    }

    @Test("Istio 1.9+: B1 (502 block_all), B2 (BlackHoleCluster UH), S3, G6 (RBAC details)")
    func istio19Values() throws {
        let format = try presetFormat("istio-1.9")
        let b1 = try #require(parseLine(Lines.b1, with: format))
        #expect(b1 == [
            .startTime: "2022-04-26T13:16:32.023Z", .method: "HEAD", .path: "/", .proto: "HTTP/1.1",
            .responseCode: "502", .responseCodeDetails: "direct_response", .bytesReceived: "0", .bytesSent: "0", .duration: "0",
            .userAgent: "curl/7.81.0-DEV", .requestID: "cb171c15-848a-93d8-88d6-beeadcbb683f", .authority: "www.baidu.com",
            .downstreamLocalAddress: "180.97.34.94:80", .downstreamRemoteAddress: "10.122.158.52:48708", .routeName: "block_all",
        ])
        let b2 = try #require(parseLine(Lines.b2, with: format))
        #expect(b2 == [
            .startTime: "2022-04-26T13:14:30.905Z", .responseCode: "0", .responseFlags: "UH", .bytesReceived: "0",
            .bytesSent: "0", .duration: "7", .upstreamCluster: "BlackHoleCluster",
            .downstreamLocalAddress: "180.97.34.94:443", .downstreamRemoteAddress: "10.122.158.52:54192",
        ])
        let s3 = try #require(parseLine(Lines.s3, with: format))
        #expect(s3 == [
            .startTime: "2022-04-26T13:26:08.804Z", .method: "GET", .path: "/headers", .proto: "HTTP/1.1",
            .responseCode: "200", .responseCodeDetails: "via_upstream", .bytesReceived: "0", .bytesSent: "1200",
            .duration: "742", .upstreamServiceTime: "742", .userAgent: "curl/7.81.0-DEV",
            .requestID: "934ddb65-6508-91ae-8e61-46ea5eb3c9f1", .authority: "httpbin.org", .upstreamHost: "3.226.124.170:80",
            .upstreamCluster: "outbound|80||httpbin.org", .upstreamLocalAddress: "10.122.158.52:50958",
            .downstreamLocalAddress: "34.197.247.180:80", .downstreamRemoteAddress: "10.122.158.52:48554", .routeName: "default",
        ])
        let g6 = try #require(parseLine(Lines.g6, with: format))
        #expect(g6[.responseCode] == "403")
        #expect(g6[.responseCodeDetails] == "rbac_access_denied_matched_policy[ns[istio-system]-policy[external-deny-developer-yahoo-com]-rule[0]]")
        #expect(g6[.proto] == "HTTP/2")
        #expect(g6[.forwardedFor] == "10.100.0.6")
        #expect(g6[.upstreamCluster] == "outbound|443||developer.yahoo.com")
        #expect(g6[.downstreamLocalAddress] == "10.100.2.6:8080")
        #expect(g6[.serverName] == "developer.yahoo.com")
        #expect(g6[.upstreamHost] == nil)
        let g4 = try #require(parseLine(Lines.g4, with: format))
        #expect(g4[.routeName] == "default.forward-cnn-from-egress-gateway.0")
        #expect(g4[.forwardedFor] == "172.30.239.55")
    }

    @Test("Istio 1.23+ (UPSTREAM_CLUSTER_RAW) parses the same columns; detection reports istio-1.9")
    func istio123() throws {
        let fields = try #require(parseLine(Lines.m2, with: try presetFormat("istio-1.23")))
        #expect(fields[.upstreamCluster] == "outbound|8000||httpbin.foo.svc.cluster.local")
        #expect(fields[.routeName] == "default")
        #expect(fields[.downstreamLocalAddress] == "10.0.45.184:8000")
        let fixed = LayoutDetector(fixed: try presetFormat("istio-1.23"))
        #expect(detectLayout(Lines.m2, with: fixed).layout == "istio-1.23")
        #expect(detectLayout(Lines.m2).layout == "istio-1.9")
    }

    @Test("A fixed format refuses other layouts with a reason naming it")
    func fixedFormatRefuses() throws {
        let detector = LayoutDetector(fixed: try presetFormat("istio-1.8"))
        let parsed = detectLayout(Lines.b1, with: detector)
        #expect(parsed.layout == nil)
        #expect(parsed.reason == "does not match the log format istio-1.8")
        let free = detectLayout(#"GET / HTTP/1.1 200 - curl"#)
        #expect(free.layout == nil)
        #expect(free.reason.hasPrefix("matches no known access-log layout"))
    }

    // MARK: Hostile and odd values

    @Test("A user agent with unescaped quotes and fake fields does not move the tail (envoy#4191)")
    func forgedUserAgent() throws {
        let ua = #"Mozilla "x" - - BlackHoleCluster - 1.2.3.4:443 - -"#
        let line = #"[2022-04-26T13:26:08.804Z] "GET /headers HTTP/1.1" 200 - via_upstream - "-" 0 1200 742 742 "-" ""# + ua + #"" "934ddb65-6508-91ae-8e61-46ea5eb3c9f1" "httpbin.org" "3.226.124.170:80" outbound|80||httpbin.org 10.122.158.52:50958 34.197.247.180:80 10.122.158.52:48554 - default"#
        let parsed = detectLayout(line)
        #expect(parsed.layout == "istio-1.9")
        #expect(parsed[.userAgent] == ua)
        #expect(parsed[.upstreamCluster] == "outbound|80||httpbin.org")
        #expect(parsed[.routeName] == "default")
        #expect(parsed[.serverName] == nil)
        #expect(parsed[.upstreamLocalAddress] == "10.122.158.52:50958")
        #expect(parsed[.downstreamLocalAddress] == "34.197.247.180:80")
        #expect(parsed[.downstreamRemoteAddress] == "10.122.158.52:48554")
        #expect(parsed[.upstreamHost] == "3.226.124.170:80")
        #expect(parsed[.authority] == "httpbin.org")
        #expect(parsed[.requestID] == "934ddb65-6508-91ae-8e61-46ea5eb3c9f1")
        #expect(parsed[.forwardedFor] == nil)
        #expect(parsed[.responseCode] == "200")

        // The same forged agent on a BlackHole line must not make it look allowed either.
        let blocked = #"[2022-04-26T13:14:30.905Z] "GET / HTTP/1.1" 503 UH no_healthy_upstream - "-" 0 19 0 - "-" "curl "x" "y" outbound|443||www.google.com - 1.1.1.1:443 10.0.0.1:1 www.google.com default" "-" "-" "-" BlackHoleCluster - 180.97.34.94:443 10.122.158.52:54192 - -"#
        let b = detectLayout(blocked)
        #expect(b.layout == "istio-1.9")
        #expect(b[.upstreamCluster] == "BlackHoleCluster")
        #expect(b[.downstreamLocalAddress] == "180.97.34.94:443")
        #expect(b[.serverName] == nil)
        #expect(b[.routeName] == nil)
        #expect(b[.userAgent] == #"curl "x" "y" outbound|443||www.google.com - 1.1.1.1:443 10.0.0.1:1 www.google.com default"#)
    }

    @Test("The envoy#4191 example: quoted words inside the user agent")
    func envoy4191Example() throws {
        let ua = #"USER_AGENT_I_WANT_YOU_TO_SEE" "AJ" "WAS" "HERE"#
        let line = #"[2019-03-06T09:31:27.354Z] "GET /status/418 HTTP/1.1" 418 - "-" 0 135 11 10 "-" ""# + ua + #"" "d209e46f-9ed5-9b61-bbdd-43e22662702a" "httpbin:8000" "172.30.146.73:80" outbound|8000||httpbin.default.svc.cluster.local - 172.21.13.94:8000 172.30.146.82:60290 -"#
        let parsed = detectLayout(line)
        #expect(parsed.layout == "istio-1.1")
        #expect(parsed[.userAgent] == ua)
        #expect(parsed[.requestID] == "d209e46f-9ed5-9b61-bbdd-43e22662702a")
        #expect(parsed[.upstreamCluster] == "outbound|8000||httpbin.default.svc.cluster.local")
        #expect(parsed[.downstreamLocalAddress] == "172.21.13.94:8000")
    }

    @Test("User agents with spaces and parentheses; XFF lists")
    func spacedUserAgent() throws {
        // istio#35378, verbatim.
        let line = #"[2021-11-07T12:06:36.161Z] "GET /api HTTP/1.1" 200 UPE upstream_reset_after_response_started{protocol_error} - "-" 0 43707 3 2 "10.128.0.79" "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/95.0.4638.54 Safari/537.36" "4f6928b9-9936-4617-ade1-eb486e2054bf" "demo:9002" "10.127.2.36:9002" outbound|9002||demo.demo.svc.cluster.local 10.127.3.145:35164 10.127.3.145:9002 10.128.0.79:3235 - -"#
        let parsed = detectLayout(line)
        #expect(parsed.layout == "istio-1.9")
        #expect(parsed[.userAgent] == "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/95.0.4638.54 Safari/537.36")
        #expect(parsed[.responseFlags] == "UPE")
        #expect(parsed[.responseCodeDetails] == "upstream_reset_after_response_started{protocol_error}")
        #expect(parsed[.forwardedFor] == "10.128.0.79")
        #expect(parsed[.upstreamCluster] == "outbound|9002||demo.demo.svc.cluster.local")

        let xff = #"[2022-04-26T13:26:08.804Z] "GET /headers HTTP/1.1" 200 - via_upstream - "-" 0 1200 742 742 "10.1.2.3,10.244.0.6" "Apache-HttpClient/4.5.1 (Java/1.8.0_372)" "934ddb65-6508-91ae-8e61-46ea5eb3c9f1" "httpbin.org" "3.226.124.170:80" outbound|80||httpbin.org 10.122.158.52:50958 34.197.247.180:80 10.122.158.52:48554 - default"#
        let x = detectLayout(xff)
        #expect(x[.forwardedFor] == "10.1.2.3,10.244.0.6")
        #expect(x[.userAgent] == "Apache-HttpClient/4.5.1 (Java/1.8.0_372)")
    }

    @Test("A transport failure reason with spaces and colons (quoted column)")
    func transportFailureReason() throws {
        let line = #"[2021-09-07T08:31:37.218Z] "- - -" 0 UF,URX - - "TLS error: 268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED" 0 0 12 - "-" "-" "-" "-" "93.184.216.34:443" outbound|443||example.com 10.244.0.26:40412 93.184.216.34:443 10.244.0.26:40410 example.com -"#
        let parsed = detectLayout(line)
        #expect(parsed.layout == "istio-1.9")
        #expect(parsed[.upstreamTransportFailureReason] == "TLS error: 268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED")
        #expect(parsed[.responseFlags] == "UF,URX")
        #expect(parsed[.serverName] == "example.com")
    }

    @Test("A path with spaces (HTTP/2 :path) still parses")
    func pathWithSpaces() throws {
        let line = #"[2019-09-03T20:57:49.103Z] "GET /politics?q=world news today HTTP/2" 301 - "-" "-" 0 0 90 89 "10.244.2.10" "curl/7.64.0" "ea379962-9b5c-4431-ab66-f01994f5a5a5" "edition.cnn.com" "151.101.65.67:80" outbound|80||edition.cnn.com - 10.244.1.5:80 10.244.2.10:50482 edition.cnn.com -"#
        let parsed = detectLayout(line)
        #expect(parsed.layout == "istio-1.3")
        #expect(parsed[.method] == "GET")
        #expect(parsed[.path] == "/politics?q=world news today")
        #expect(parsed[.proto] == "HTTP/2")
        #expect(parsed[.responseCode] == "301")
        #expect(parsed[.upstreamCluster] == "outbound|80||edition.cnn.com")

        // A path holding what looks like the end of the request triple.
        let tricky = #"[2022-04-26T13:26:08.804Z] "GET /a HTTP/1.1" 200 "b HTTP/1.1" 200 - via_upstream - "-" 0 1200 742 742 "-" "curl/7.81.0-DEV" "934ddb65-6508-91ae-8e61-46ea5eb3c9f1" "httpbin.org" "3.226.124.170:80" outbound|80||httpbin.org 10.122.158.52:50958 34.197.247.180:80 10.122.158.52:48554 - default"#
        // Either read right or refused; never a shifted tail.
        let t = detectLayout(tricky)
        #expect(t.layout == nil || (t[.path] == #"/a HTTP/1.1" 200 "b"# && t[.upstreamCluster] == "outbound|80||httpbin.org"))
    }

    @Test("IPv6 addresses print as [addr]:port")
    func ipv6Addresses() throws {
        let line = #"[2022-04-26T13:40:19.596Z] "- - -" 0 - - - "-" 908 4986 99 - "-" "-" "-" "-" "[2001:db8::1]:443" outbound|443||www.tencent.com [fd00:10:244::1a]:54278 [2001:db8::1]:443 [fd00:10:244::1a]:54276 www.tencent.com -"#
        let parsed = detectLayout(line)
        #expect(parsed.layout == "istio-1.9")
        #expect(parsed[.upstreamHost] == "[2001:db8::1]:443")
        #expect(parsed[.upstreamLocalAddress] == "[fd00:10:244::1a]:54278")
        #expect(parsed[.downstreamLocalAddress] == "[2001:db8::1]:443")
        #expect(parsed[.downstreamRemoteAddress] == "[fd00:10:244::1a]:54276")
        #expect(parsed[.serverName] == "www.tencent.com")
    }

    @Test("Empty values (omitEmptyValues) read as absent: runs of spaces and empty quotes")
    func omitEmptyValues() throws {
        // B2 and B1 as printed with `omitEmptyValues: true`: `-` becomes an empty string.
        let tcp = #"[2022-04-26T13:14:30.905Z] "  " 0 UH   "" 0 0 7  "" "" "" "" "" BlackHoleCluster  180.97.34.94:443 10.122.158.52:54192  "#
        let t = try #require(parseLine(tcp, with: try presetFormat("istio-1.9")))
        #expect(t == [
            .startTime: "2022-04-26T13:14:30.905Z", .responseCode: "0", .responseFlags: "UH", .bytesReceived: "0",
            .bytesSent: "0", .duration: "7", .upstreamCluster: "BlackHoleCluster",
            .downstreamLocalAddress: "180.97.34.94:443", .downstreamRemoteAddress: "10.122.158.52:54192",
        ])
        #expect(detectLayout(tcp).layout == "istio-1.9")

        let http = #"[2022-04-26T13:16:32.023Z] "HEAD / HTTP/1.1" 502  direct_response  "" 0 0 0  "" "curl/7.81.0-DEV" "cb171c15-848a-93d8-88d6-beeadcbb683f" "www.baidu.com" ""   180.97.34.94:80 10.122.158.52:48708  block_all"#
        let h = try #require(parseLine(http, with: try presetFormat("istio-1.9")))
        #expect(h[.responseFlags] == nil)
        #expect(h[.responseCodeDetails] == "direct_response")
        #expect(h[.upstreamCluster] == nil)
        #expect(h[.upstreamLocalAddress] == nil)
        #expect(h[.downstreamLocalAddress] == "180.97.34.94:80")
        #expect(h[.serverName] == nil)
        #expect(h[.routeName] == "block_all")
        #expect(h[.userAgent] == "curl/7.81.0-DEV")
    }

    @Test("A line cut short or with a value of the wrong shape is not an access line")
    func wrongShapes() throws {
        let format = try presetFormat("istio-1.9")
        // Truncated tail.
        #expect(parseLine(String(Lines.s3.dropLast(8)), with: format) == nil)
        // A non-numeric byte count.
        #expect(parseLine(Lines.s3.replacingOccurrences(of: " 0 1200 742 742 ", with: " 0 12k0 742 742 "), with: format) == nil)
        // The #45802 line was pasted without its `[time]`: no preset matches it.
        let uc = #""GET /v1/status HTTP/1.1" 503 UC upstream_reset_before_response_started{connection_termination} - "-" 0 95 0 - "10.90.16.220" "Apache-HttpClient/4.5.1 (Java/1.8.0_372)" "3a7cbcc1-af72-47fb-bbac-a7672951f50f" "health.abc.com" "10.80.47.192:8181" outbound|80||health-api.production.svc.cluster.local 10.80.45.233:37132 10.80.45.233:80 10.80.46.220:59375 - -"#
        #expect(detectLayout(uc).layout == nil)
    }

    @Test("Ten thousand quoted fields in one line do not hang the matcher", .timeLimit(.minutes(1)))
    func manyQuotedFields() {
        let many = String(repeating: #""x" "#, count: 10_000)
        // As a user agent: still parsed, tail intact.
        let line = #"[2022-04-26T13:26:08.804Z] "GET /headers HTTP/1.1" 200 - via_upstream - "-" 0 1200 742 742 "-" ""# + many + #"" "934ddb65-6508-91ae-8e61-46ea5eb3c9f1" "httpbin.org" "3.226.124.170:80" outbound|80||httpbin.org 10.122.158.52:50958 34.197.247.180:80 10.122.158.52:48554 - default"#
        let parsed = detectLayout(line)
        #expect(parsed.layout == "istio-1.9")
        #expect(parsed[.upstreamCluster] == "outbound|80||httpbin.org")
        // As the whole line, and as an X-Forwarded-For: every layout is tried and the call returns.
        _ = detectLayout("[2022-04-26T13:26:08.804Z] " + many)
        _ = detectLayout(#"[2022-04-26T13:26:08.804Z] "GET / HTTP/1.1" 200 - via_upstream - "-" 0 0 0 - ""# + many)
        let xff = #"[2022-04-26T13:26:08.804Z] "GET /headers HTTP/1.1" 200 - via_upstream - "-" 0 1200 742 742 ""# + many + #"" "curl/7.81.0-DEV" "934ddb65-6508-91ae-8e61-46ea5eb3c9f1" "httpbin.org" "3.226.124.170:80" outbound|80||httpbin.org 10.122.158.52:50958 34.197.247.180:80 10.122.158.52:48554 - default"#
        let x = detectLayout(xff)
        if x.layout != nil { #expect(x[.upstreamCluster] == "outbound|80||httpbin.org") }
    }

    // MARK: Custom formats

    @Test("%START_TIME(%s.%3f)% epoch timestamps")
    func epochStartTime() throws {
        let spec = FormatPresets.all[0].format.replacingOccurrences(of: "[%START_TIME%]", with: "[%START_TIME(%s.%3f)%]")
        let format = try FormatPresets.resolve(spec)
        #expect(format.name == "custom")
        let line = Lines.s3.replacingOccurrences(of: "[2022-04-26T13:26:08.804Z]", with: "[1650979568.804]")
        let fields = try #require(parseLine(line, with: format))
        #expect(fields[.startTime] == "1650979568.804")
        #expect(fields[.upstreamCluster] == "outbound|80||httpbin.org")
        // Same instant as the ISO form.
        let epoch = withSlice("1650979568.804") { Timestamp.microseconds($0) }
        let iso = withSlice("2022-04-26T13:26:08.804Z") { Timestamp.microseconds($0) }
        #expect(epoch == 1_650_979_568_804_000)
        #expect(epoch == iso)

        // A short custom format with only epoch time and the tail.
        let short = try TextFormat(name: "short", format: "%START_TIME(%s.%3f)% %UPSTREAM_CLUSTER% %DOWNSTREAM_LOCAL_ADDRESS% %REQUESTED_SERVER_NAME%")
        let s = try #require(parseLine("1527590590.528 outbound|443||www.google.com 172.217.161.36:443 www.google.com", with: short))
        #expect(s == [.startTime: "1527590590.528", .upstreamCluster: "outbound|443||www.google.com",
                      .downstreamLocalAddress: "172.217.161.36:443", .serverName: "www.google.com"])
        #expect(withSlice("1527590590.528") { Timestamp.microseconds($0) } == 1_527_590_590_528_000)
    }

    @Test("times read through one cache equal times read alone, across dates, zones and invalid values")
    func minuteCache() {
        let times = [
            "2022-04-26T13:26:08.804Z", "2022-04-26T23:59:59.999999Z", "2022-04-26T13:26:61Z", "2022-04-26 00:00:00",
            "2022-04-27T00:00:00.000Z", "2022-04-26T13:26:08-05:00", "2022-13-26T13:26:08Z", "2022-04-26T13:26:08Z",
            "2022-04-2xT13:26:08Z", "2022-04-26T13:26:08Z", "1650979568.804", "2024-02-29T12:00:00+0530", "2022-04-26T25:00:00Z",
        ]
        var cache = Timestamp.MinuteCache()
        for time in times {
            let alone = withSlice(time) { Timestamp.microseconds($0) }
            let cached = withSlice(time) { Timestamp.microseconds($0, cache: &cache) }
            #expect(cached == alone, "\(time)")
        }
        #expect(withSlice("2022-13-26T13:26:08Z") { Timestamp.microseconds($0) } == nil)
        #expect(withSlice("2022-04-26T25:00:00Z") { Timestamp.microseconds($0, cache: &cache) } == nil)
        // One minute read again and again: other seconds, an impossible second, other fractions and zones.
        let minute = ["2022-04-26T13:26:08.804Z", "2022-04-26T13:26:09Z", "2022-04-26T13:26:61Z", "2022-04-26T13:26:60.5Z",
                      "2022-04-26T13:26:0xZ", "2022-04-26T13:26:09,25Z", "2022-04-26T13:26:09.123456789+02:00",
                      "2022-04-26T13:26:09.Z", "2022-04-26T13:26", "2022-04-26T13:26:09.1234567Z"]
        for time in minute {
            let alone = withSlice(time) { Timestamp.microseconds($0) }
            let cached = withSlice(time) { Timestamp.microseconds($0, cache: &cache) }
            #expect(cached == alone, "\(time)")
        }
        #expect(withSlice("2022-04-26T13:26:09,25Z") { Timestamp.microseconds($0, cache: &cache) } == 1_650_979_569_250_000)
        let east = withSlice("2022-04-26T13:26:09.123456789+02:00") { Timestamp.microseconds($0, cache: &cache) }
        #expect(east == Int64(1_650_979_569_123_456 - 7_200_000_000))
        #expect(withSlice("2022-04-26T13:26:61Z") { Timestamp.microseconds($0, cache: &cache) } == nil)
    }

    @Test("ISO times with 0 to 9 fraction digits read back to the microsecond, line after line through one cache")
    func isoRoundTrip() {
        var cache = Timestamp.MinuteCache()
        var state: UInt64 = 7
        var micros: Int64 = 1_650_979_568_804_321
        for _ in 0..<5_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            micros += Int64(state >> 40) % 90_000_000   // up to 90 s later: most lines in the minute before
            let iso = Timestamp.iso8601(micros: micros)   // …T13:26:08.804Z
            let sub = String(format: "%06d", Int(micros % 1_000_000))
            let digits = Int(state >> 20) % 10
            let text = String(iso.prefix(19)) + (digits == 0 ? "" : "." + String((sub + "987").prefix(digits))) + "Z"
            let scale = [1_000_000, 100_000, 10_000, 1_000, 100, 10, 1, 1, 1, 1][digits]
            let expected = micros / 1_000_000 * 1_000_000 + micros % 1_000_000 / Int64(scale) * Int64(scale)
            #expect(withSlice(text) { Timestamp.microseconds($0, cache: &cache) } == expected, "\(text)")
        }
    }

    @Test("FormatPresets.resolve: preset names, json, JSON formats, format strings, unknown names")
    func resolve() throws {
        #expect(try FormatPresets.resolve("istio-1.8").name == "istio-1.8")
        #expect(try FormatPresets.resolve("envoy") is TextFormat)
        #expect(try FormatPresets.resolve("json").name == "json")
        #expect(try FormatPresets.resolve("json") is JSONFormat)
        #expect(try FormatPresets.resolve(#"{"ts":"%START_TIME%","dest":"%DOWNSTREAM_LOCAL_ADDRESS%"}"#) is JSONFormat)
        #expect(throws: FormatError.unknownPreset(name: "istio-1.5", known: FormatPresets.descriptions.map(\.name))) {
            try FormatPresets.resolve("istio-1.5")
        }

        // The #45802 line was pasted without `[time]`: a custom format without it reads it.
        let noTime = FormatPresets.all[0].format.replacingOccurrences(of: "[%START_TIME%] ", with: "")
        let format = try FormatPresets.resolve(noTime)
        #expect(format.name == "custom")
        let uc = #""GET /v1/status HTTP/1.1" 503 UC upstream_reset_before_response_started{connection_termination} - "-" 0 95 0 - "10.90.16.220" "Apache-HttpClient/4.5.1 (Java/1.8.0_372)" "3a7cbcc1-af72-47fb-bbac-a7672951f50f" "health.abc.com" "10.80.47.192:8181" outbound|80||health-api.production.svc.cluster.local 10.80.45.233:37132 10.80.45.233:80 10.80.46.220:59375 - -"#
        let fields = try #require(parseLine(uc, with: format))
        #expect(fields[.startTime] == nil)
        #expect(fields[.responseCode] == "503")
        #expect(fields[.responseFlags] == "UC")
        #expect(fields[.responseCodeDetails] == "upstream_reset_before_response_started{connection_termination}")
        #expect(fields[.userAgent] == "Apache-HttpClient/4.5.1 (Java/1.8.0_372)")
        #expect(fields[.authority] == "health.abc.com")
        #expect(fields[.upstreamCluster] == "outbound|80||health-api.production.svc.cluster.local")
        #expect(fields[.downstreamLocalAddress] == "10.80.45.233:80")

        // A user format in a fixed detector.
        let detector = LayoutDetector(fixed: format)
        #expect(detectLayout(uc, with: detector).layout == "custom")
    }

    @Test("Format strings ending in a newline (real or the two characters \\n) compile to the same matcher")
    func trailingNewline() throws {
        let base = FormatPresets.all[0].format
        for spec in [base + "\n", base + "\\n", base + "\r\n"] {
            let format = try TextFormat(name: "nl", format: spec)
            #expect(format.formatString == base)
            #expect(parseLine(Lines.b1, with: format)?[.routeName] == "block_all")
        }
    }

    @Test("%% is a literal percent sign; REQ(X?Y):N truncation suffixes are accepted")
    func literalPercentAndTruncation() throws {
        let format = try TextFormat(name: "pct", format: "100%% %UPSTREAM_CLUSTER% \"%REQ(USER-AGENT):10%\" %DOWNSTREAM_LOCAL_ADDRESS%")
        #expect(format.kinds == [.upstreamCluster, .userAgent, .downstreamLocalAddress])
        let fields = try #require(parseLine(#"100% PassthroughCluster "curl/7.81." 1.2.3.4:443"#, with: format))
        #expect(fields == [.upstreamCluster: "PassthroughCluster", .userAgent: "curl/7.81.", .downstreamLocalAddress: "1.2.3.4:443"])
    }

    @Test("Compile errors: adjacent operators, unterminated operators, no operators")
    func compileErrors() {
        let adjacent = "[%START_TIME%] %UPSTREAM_CLUSTER%%DOWNSTREAM_LOCAL_ADDRESS%"
        #expect(throws: FormatError.adjacentOperators(format: adjacent, first: "UPSTREAM_CLUSTER", second: "DOWNSTREAM_LOCAL_ADDRESS")) {
            try TextFormat(name: "x", format: adjacent)
        }
        #expect(throws: FormatError.adjacentOperators(format: "%START_TIME%%BYTES_SENT%", first: "START_TIME", second: "BYTES_SENT")) {
            try FormatPresets.resolve("%START_TIME%%BYTES_SENT%")
        }
        let unterminated = "[%START_TIME%] %UPSTREAM_CLUSTER"
        #expect(throws: FormatError.unterminatedOperator(format: unterminated, at: 15)) {
            try TextFormat(name: "x", format: unterminated)
        }
        let noParen = "%REQ(USER-AGENT %"
        #expect(throws: FormatError.unterminatedOperator(format: noParen, at: 0)) {
            try TextFormat(name: "x", format: noParen)
        }
        let lone = "[%START_TIME%] 50% done"
        #expect(throws: FormatError.unterminatedOperator(format: lone, at: 17)) {
            try TextFormat(name: "x", format: lone)
        }
        #expect(throws: FormatError.noFields(format: "[no operators] 100%%")) {
            try TextFormat(name: "x", format: "[no operators] 100%%")
        }
        // The message tells the user which operators touch.
        let message = FormatError.adjacentOperators(format: adjacent, first: "UPSTREAM_CLUSTER", second: "DOWNSTREAM_LOCAL_ADDRESS").description
        #expect(message.contains("%UPSTREAM_CLUSTER% and %DOWNSTREAM_LOCAL_ADDRESS% touch"))
        #expect(FormatError.unterminatedOperator(format: unterminated, at: 15).description.contains("character 16"))
    }

    @Test("The token matcher's shortcuts: a lone `-` bare or quoted, integers read digit by digit, the request triple")
    func tokenShortcuts() throws {
        let format = try TextFormat(name: "shortcuts", format:
            #"%RESPONSE_CODE% %RESPONSE_FLAGS% "%REQ(X-FORWARDED-FOR)%" "%REQ(:METHOD)% %REQ(:PATH)% %PROTOCOL%" %BYTES_SENT% "%UPSTREAM_TRANSPORT_FAILURE_REASON%""#)
        #expect(parseLine(#"200 - "-" "GET /a b HTTP/1.1" 12 "-""#, with: format) == [
            .responseCode: "200", .method: "GET", .path: "/a b", .proto: "HTTP/1.1", .bytesSent: "12",
        ])
        #expect(parseLine(#"- UH "-x" "- - -" - "-"-""#, with: format) == [
            .responseFlags: "UH", .forwardedFor: "-x", .upstreamTransportFailureReason: "-\"-",
        ])
        // An empty integer is absent, like `-`.
        #expect(parseLine(#"200 -  "-" "GET / HTTP/2" 0 "reset""#, with: format)?[.forwardedFor] == nil)
        #expect(parseLine(#"200 - "-" "GET / HTTP/2"  "reset""#, with: format) == [
            .responseCode: "200", .method: "GET", .path: "/", .proto: "HTTP/2", .upstreamTransportFailureReason: "reset",
        ])
        // Not integers: a sign, a letter, 19 digits.
        for bytes in ["-5", "1x", "x1", "1234567890123456789", "5-"] {
            #expect(parseLine(#"200 - "-" "GET / HTTP/1.1" \#(bytes) "-""#, with: format) == nil, "\(bytes)")
        }
        #expect(parseLine(#"200 - "-" "GET / HTTP/1.1" 123456789012345678 "-""#, with: format)?[.bytesSent] == "123456789012345678")
        // A lone `-` must be the whole token: the last one ends the line, others are followed by a space.
        #expect(parseLine(#"200 - "-" "GET / HTTP/1.1" 1 "-" "#, with: format) == nil)
        #expect(parseLine(#"200 -- "-" "GET / HTTP/1.1" 1 "-""#, with: format)?[.responseFlags] == "--")
        // A method that is not a token, a protocol that is not HTTP.
        #expect(parseLine(#"200 - "-" "get / HTTP/1.1" 1 "-""#, with: format) == nil)
        #expect(parseLine(#"200 - "-" "GET / XTTP/1.1" 1 "-""#, with: format) == nil)
    }

    @Test("Operator names map to kinds, including aliases")
    func operatorKinds() {
        #expect(FieldKind(operator: "UPSTREAM_CLUSTER_RAW", argument: nil) == .upstreamCluster)
        #expect(FieldKind(operator: "START_TIME", argument: "%s.%3f") == .startTime)
        #expect(FieldKind(operator: "START_TIME_LOCAL", argument: nil) == .startTime)
        #expect(FieldKind(operator: "REQ", argument: ":authority") == .authority)
        #expect(FieldKind(operator: "REQ", argument: "HOST") == .authority)
        #expect(FieldKind(operator: "REQ", argument: "X-ENVOY-ORIGINAL-PATH?:PATH") == .path)
        #expect(FieldKind(operator: "REQ", argument: "user-agent") == .userAgent)
        #expect(FieldKind(operator: "REQ", argument: "X-B3-TRACEID") == .ignored)
        #expect(FieldKind(operator: "RESP", argument: "X-ENVOY-UPSTREAM-SERVICE-TIME") == .upstreamServiceTime)
        #expect(FieldKind(operator: "RESPONSE_FLAGS_LONG", argument: nil) == .responseFlags)
        #expect(FieldKind(operator: "DYNAMIC_METADATA", argument: "istio.mixer:status") == .ignored)
    }
}
