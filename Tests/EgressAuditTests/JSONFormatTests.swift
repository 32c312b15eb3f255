import Testing
@testable import EgressAudit

/// Scans `line` with `format`: the reason it is not an access line (nil when it is) and the values.
private func scanJSON(_ line: String, with format: JSONFormat = JSONFormat()) -> (reason: String?, fields: [FieldKind: String]) {
    let storage = AccessRecordStorage()
    return withExtendedLifetime(storage) {
        withSlice(line) { slice in
            let reason = format.scan(slice, into: storage.record)
            return (reason, fieldStrings(storage.record))
        }
    }
}

/// Renders members (raw JSON value text by key) as one object in the given key order.
private func jsonObject(_ members: [(String, String)]) -> String {
    "{" + members.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
}

@Suite("JSON access lines")
struct JSONFormatTests {

    /// B4's members (istio#33281), as raw JSON value text, in the order the proxy printed them.
    static let b4Members: [(String, String)] = [
        ("response_code", "0"), ("upstream_service_time", "null"), ("upstream_host", "null"),
        ("upstream_local_address", "null"), ("request_id", "null"), ("downstream_remote_address", #""172.17.3.28:35070""#),
        ("bytes_sent", "0"), ("upstream_cluster", "null"), ("upstream_transport_failure_reason", "null"),
        ("authority", "null"), ("duration", "8"), ("response_code_details", "null"), ("response_flags", #""UH""#),
        ("protocol", "null"), ("user_agent", "null"), ("path", "null"), ("connection_termination_details", "null"),
        ("method", "null"), ("downstream_local_address", #""13.249.75.75:443""#), ("route_name", "null"),
        ("x_forwarded_for", "null"), ("requested_server_name", "null"), ("start_time", #""2021-06-04T14:35:50.462Z""#),
        ("bytes_received", "0"),
    ]

    static let b4Fields: [FieldKind: String] = [
        .responseCode: "0", .downstreamRemoteAddress: "172.17.3.28:35070", .bytesSent: "0", .duration: "8",
        .responseFlags: "UH", .downstreamLocalAddress: "13.249.75.75:443", .startTime: "2021-06-04T14:35:50.462Z",
        .bytesReceived: "0",
    ]

    @Test("B4 (Istio 1.9.5, typed values, null for missing) reads as an access line")
    func typedWithNulls() {
        #expect(jsonObject(Self.b4Members) == Lines.b4)
        let (reason, fields) = scanJSON(Lines.b4)
        #expect(reason == nil)
        #expect(fields == Self.b4Fields)
        let parsed = detectLayout(Lines.b4)
        #expect(parsed.layout == "json")
        #expect(parsed.fields == Self.b4Fields)
    }

    @Test("An istio#36636-shaped line: typed codes, UF,URX, reset details, nulls")
    func typedUpstreamFailure() {
        // Shaped like the 1.11.5 line in istio#36636 (typed numbers, null for unset, `UF,URX` with
        // `upstream_reset_before_response_started{connection_failure}`); keys in proxy (unsorted) order.
        let line = #"{"upstream_local_address":null,"bytes_sent":91,"response_code_details":"upstream_reset_before_response_started{connection_failure}","upstream_cluster":"outbound|443||api.example.com","downstream_remote_address":"10.244.1.17:51762","route_name":"default","request_id":"9c0fbd0e-6b86-4c3c-9d0f-0d5c1c6f7b0a","user_agent":"okhttp/4.9.0","upstream_host":"93.184.216.34:443","path":"/v1/charges","x_forwarded_for":null,"requested_server_name":null,"protocol":"HTTP/1.1","duration":10001,"response_flags":"UF,URX","upstream_transport_failure_reason":null,"start_time":"2021-12-21T08:14:02.114Z","method":"POST","authority":"api.example.com","upstream_service_time":null,"connection_termination_details":null,"response_code":503,"bytes_received":0,"downstream_local_address":"10.96.12.34:443"}"#
        let (reason, fields) = scanJSON(line)
        #expect(reason == nil)
        #expect(fields == [
            .bytesSent: "91", .responseCodeDetails: "upstream_reset_before_response_started{connection_failure}",
            .upstreamCluster: "outbound|443||api.example.com", .downstreamRemoteAddress: "10.244.1.17:51762",
            .routeName: "default", .requestID: "9c0fbd0e-6b86-4c3c-9d0f-0d5c1c6f7b0a", .userAgent: "okhttp/4.9.0",
            .upstreamHost: "93.184.216.34:443", .path: "/v1/charges", .proto: "HTTP/1.1", .duration: "10001",
            .responseFlags: "UF,URX", .startTime: "2021-12-21T08:14:02.114Z", .method: "POST",
            .authority: "api.example.com", .responseCode: "503", .bytesReceived: "0", .downstreamLocalAddress: "10.96.12.34:443",
        ])
    }

    @Test("Istio 1.3 string-typed values with \"-\" and istio_policy_status (istio#17139)")
    func stringTypedWithDashes() {
        let (reason, fields) = scanJSON(Lines.json13Outbound)
        #expect(reason == nil)
        #expect(fields == [
            .bytesSent: "0", .upstreamCluster: "outbound|7600||keycloak-headless.our_ns.svc.cluster.local",
            .downstreamRemoteAddress: "REDACTED_IP2:45621", .duration: "10002", .downstreamLocalAddress: "REDACTED_IP1:7600",
            .responseCode: "0", .responseFlags: "UF,URX", .startTime: "2019-09-17T09:21:42.869Z",
            .upstreamHost: "REDACTED_IP1:7600", .bytesReceived: "0",
        ])
        let inbound = scanJSON(Lines.json13InboundPassthrough)
        #expect(inbound.reason == nil)
        #expect(inbound.fields[.upstreamCluster] == "InboundPassthroughClusterIpv4")
        #expect(inbound.fields[.upstreamLocalAddress] == "127.0.0.6:60615")
        #expect(inbound.fields[.bytesReceived] == "5120")
        #expect(inbound.fields[.bytesSent] == "759108")
        #expect(inbound.fields[.duration] == "288127")
        #expect(inbound.fields[.responseFlags] == nil)
        #expect(inbound.fields[.path] == nil)
        #expect(detectLayout(Lines.json13Outbound).layout == "json")
    }

    @Test("Key order does not matter")
    func keyOrder() {
        let orders: [[(String, String)]] = [
            Self.b4Members,
            Array(Self.b4Members.reversed()),
            Self.b4Members.sorted { $0.0 < $1.0 },
            Self.b4Members.sorted { $0.0 > $1.0 },
            Array(Self.b4Members[11...] + Self.b4Members[..<11]),
        ]
        for members in orders {
            let (reason, fields) = scanJSON(jsonObject(members))
            #expect(reason == nil)
            #expect(fields == Self.b4Fields)
        }
    }

    @Test("Whitespace around members, empty strings and \"-\" strings read as absent")
    func whitespaceAndEmpty() {
        let line = #"  { "start_time" : "2021-06-04T14:35:50.462Z" ,\#t"response_code" : 0 , "response_flags" : "UH" , "authority" : "" , "user_agent" : "-" , "downstream_local_address" : "13.249.75.75:443" }  "#
        let (reason, fields) = scanJSON(line)
        #expect(reason == nil)
        #expect(fields == [.startTime: "2021-06-04T14:35:50.462Z", .responseCode: "0", .responseFlags: "UH",
                           .downstreamLocalAddress: "13.249.75.75:443"])
    }

    @Test("Escaped strings are unescaped: \\\" \\\\ \\/ \\n \\u00e9 and surrogate pairs")
    func escapes() {
        let line = #"{"start_time":"2021-06-04T14:35:50.462Z","response_code":200,"user_agent":"Mozilla \"x\" - - BlackHoleCluster - 1.2.3.4:443 - -","path":"/dir\\file\/x?q=a\nb\tc","authority":"caf\u00e9.example","request_id":"smile \ud83d\ude00 end","x_forwarded_for":"lone \ud800 surrogate","upstream_cluster":"outbound|443||www.google.com","downstream_local_address":"172.217.161.36:443"}"#
        let (reason, fields) = scanJSON(line)
        #expect(reason == nil)
        #expect(fields[.userAgent] == #"Mozilla "x" - - BlackHoleCluster - 1.2.3.4:443 - -"#)
        #expect(fields[.path] == "/dir\\file/x?q=a\nb\tc")
        #expect(fields[.authority] == "café.example")
        #expect(fields[.requestID] == "smile 😀 end")
        #expect(fields[.forwardedFor] == "lone \u{FFFD} surrogate")
        // The forged agent never reaches the cluster key.
        #expect(fields[.upstreamCluster] == "outbound|443||www.google.com")
        #expect(fields[.downstreamLocalAddress] == "172.217.161.36:443")
        #expect(fields[.startTime] == "2021-06-04T14:35:50.462Z")
    }

    @Test("Escaped strings stay intact when several share one line")
    func manyEscapedValues() {
        // Each unescaped value lives in scratch space; later ones must not overwrite earlier ones.
        let members = (0..<24).map { i -> (String, String) in
            (JSONFormat.istioKeys[i].0, "\"v\\u00e9\(i)\\\"\"")
        }
        let (reason, fields) = scanJSON(jsonObject(members))
        #expect(reason == nil)
        for i in 0..<24 {
            let kind = JSONFormat.istioKeys[i].1
            #expect(fields[kind] == "vé\(i)\"", "\(JSONFormat.istioKeys[i].0)")
        }
    }

    @Test("A JSON agent line is not an access line")
    func agentLine() {
        let agent = #"{"level":"info","time":"2022-04-26T12:47:30.333876Z","scope":"xdsproxy","msg":"connected to upstream XDS server: istiod.istio-system.svc:15012"}"#
        let (reason, _) = scanJSON(agent)
        #expect(reason == "JSON object without access-log keys")
        let storage = AccessRecordStorage()
        #expect(withExtendedLifetime(storage) { withSlice(agent) { JSONFormat().parse($0, into: storage.record) } } == false)
        let parsed = detectLayout(agent)
        #expect(parsed.layout == nil)
        #expect(parsed.reason == "JSON object without access-log keys")
        // Envoy's own JSON application log (envoy#20311 shape): still not an access line.
        let envoyLog = #"{"source":"envoy","date":"2022-03-11T09:56:49.261+00:00","level":"info","component":"main","process":1,"thread":1,"message":"initializing epoch 0 (base id=0, hot restart version=11.104)"}"#
        #expect(scanJSON(envoyLog).reason == "JSON object without access-log keys")
        // Two recognised keys are not enough either.
        #expect(scanJSON(#"{"method":"GET","path":"/healthz","level":"debug"}"#).reason == "JSON object without access-log keys")
        #expect(scanJSON("{}").reason == "JSON object without access-log keys")
    }

    @Test("Nested objects and arrays are skipped; an Istio key holding one reads as absent")
    func nestedValuesSkipped() {
        let line = #"{"start_time":"2024-05-21T16:19:04.707Z","labels":{"app":"sleep","deep":{"a":[1,2,{"b":"} ] {"}],"c":"\"}"}},"response_code":0,"tags":["x","]",{"y":null}],"upstream_cluster":{"name":"BlackHoleCluster"},"response_flags":"UH","ok":true,"ratio":-1.5e3,"downstream_local_address":"240.240.180.115:81"}"#
        let (reason, fields) = scanJSON(line)
        #expect(reason == nil)
        #expect(fields == [.startTime: "2024-05-21T16:19:04.707Z", .responseCode: "0", .responseFlags: "UH",
                           .downstreamLocalAddress: "240.240.180.115:81"])
    }

    @Test("Malformed JSON gives a reason, not a crash")
    func malformed() {
        let cut = #"{"response_code":0,"upstream_cluster":"BlackHo"#
        #expect(scanJSON(cut).reason == "JSON object is cut short")
        #expect(scanJSON(#"{"response_code":0,"#).reason == "JSON object is cut short")
        #expect(scanJSON(#"{"response_code":0,"labels":{"a":"b""#).reason == "JSON object is cut short")
        #expect(scanJSON(#"{"response_code":0 "duration":8}"#).reason == "unexpected byte 0x22 at column 20 in JSON")
        #expect(scanJSON(#"{"response_code":nul,"duration":8}"#).reason == "unexpected byte 0x6e at column 18 in JSON")
        #expect(scanJSON(#"{response_code:0}"#).reason == "unexpected byte 0x72 at column 2 in JSON")
        #expect(scanJSON(#"{"user_agent":"bad \u12"}"#).reason == "unexpected byte 0x75 at column 21 in JSON")
        #expect(scanJSON(#"["response_code",0]"#).reason == "JSON line is not an object")
        #expect(scanJSON("").reason == "JSON line is not an object")
        // Through the detector: a JSON-looking line that is broken is reported with the scanner's reason.
        let parsed = detectLayout(cut)
        #expect(parsed.layout == nil)
        #expect(parsed.reason == "JSON object is cut short")
    }

    @Test("Nesting deeper than JSONScanner.depthLimit is refused; at the limit it is read")
    func depthLimit() {
        #expect(JSONScanner.depthLimit == 64)
        func line(depth: Int) -> String {
            #"{"start_time":"2021-06-04T14:35:50.462Z","response_code":0,"response_flags":"UH","extra":"#
                + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"
        }
        let atLimit = scanJSON(line(depth: JSONScanner.depthLimit))
        #expect(atLimit.reason == nil)
        #expect(atLimit.fields[.responseFlags] == "UH")
        #expect(scanJSON(line(depth: JSONScanner.depthLimit + 1)).reason == "JSON nested deeper than 64 levels")
        // Very deep input returns promptly with the same reason.
        #expect(scanJSON(line(depth: 100_000)).reason == "JSON nested deeper than 64 levels")
    }

    @Test("A custom JSON format maps its own keys")
    func customJSONFormat() throws {
        let format = try JSONFormat(format: "{\"ts\":\"%START_TIME%\",\"dest\":\"%DOWNSTREAM_LOCAL_ADDRESS%\"}")
        #expect(format.name == "custom-json")
        let (reason, fields) = scanJSON(#"{"dest":"13.249.75.75:443","ts":"2021-06-04T14:35:50.462Z","level":"info"}"#, with: format)
        #expect(reason == nil)
        #expect(fields == [.startTime: "2021-06-04T14:35:50.462Z", .downstreamLocalAddress: "13.249.75.75:443"])
        // Istio's default keys mean nothing to it.
        #expect(scanJSON(Lines.b4, with: format).reason == "JSON object without access-log keys")
        // Through resolve and a fixed detector.
        let resolved = try FormatPresets.resolve(#"{"ts":"%START_TIME%","dest":"%DOWNSTREAM_LOCAL_ADDRESS%","sni":"%REQUESTED_SERVER_NAME%","cluster":"%UPSTREAM_CLUSTER_RAW%","note":"via %UPSTREAM_HOST%"}"#)
        let detector = LayoutDetector(fixed: resolved)
        let parsed = detectLayout(#"{"ts":"2024-01-11T21:09:42.835Z","dest":"172.30.239.8:443","sni":"edition.cnn.com","cluster":"outbound|443||edition.cnn.com","note":"via 151.101.195.5:443"}"#, with: detector)
        #expect(parsed.layout == "custom-json")
        #expect(parsed.fields == [.startTime: "2024-01-11T21:09:42.835Z", .downstreamLocalAddress: "172.30.239.8:443",
                                  .serverName: "edition.cnn.com", .upstreamCluster: "outbound|443||edition.cnn.com"])
        let refused = detectLayout(#"{"level":"info","msg":"hello"}"#, with: detector)
        #expect(refused.layout == nil)
        #expect(refused.reason == "JSON object without access-log keys")
    }

    @Test("Invalid custom JSON formats are refused with a reason")
    func invalidCustomJSONFormat() {
        #expect(throws: FormatError.invalidJSONFormat(reason: "it is not a JSON object")) {
            try JSONFormat(format: "{\"ts\":\"%START_TIME%\"")
        }
        #expect(throws: FormatError.invalidJSONFormat(reason: "it is not a JSON object")) {
            try JSONFormat(format: "[\"%START_TIME%\"]")
        }
        #expect(throws: FormatError.invalidJSONFormat(reason: "no value is an operator egress-audit reads")) {
            try JSONFormat(format: "{\"trace\":\"%REQ(X-B3-TRACEID)%\",\"text\":\"hello\"}")
        }
    }

    @Test("JSON lines only match JSON; text lines never match JSON")
    func jsonVersusText() {
        let json = JSONFormat()
        #expect(parseLine(Lines.b2, with: json) == nil)
        for format in FormatPresets.compiled() {
            #expect(parseLine(Lines.b4, with: format) == nil, "\(format.name)")
        }
    }

    /// A compact line as Envoy writes it, with typed, string, `null`, `"-"` and nested values.
    static let compactLine = #"{"bytes_received":859,"upstream_cluster":"outbound|7000||currency.shop.svc.cluster.local","duration":105,"connection_termination_details":null,"method":"GET","bytes_sent":1372,"requested_server_name":null,"response_code_details":"via_upstream","authority":"currency:7000","user_agent":"Mozilla/5.0 (X11; Linux x86_64)","route_name":"default","path":"/internal/cache?key=user-466202","upstream_local_address":"10.244.6.60:40814","downstream_local_address":"10.96.39.101:7000","protocol":"HTTP/1.1","response_code":200,"start_time":"2024-05-14T09:46:40.013Z","x_forwarded_for":"10.244.2.16","response_flags":"-","downstream_remote_address":"10.244.6.60:59043","upstream_host":"10.244.2.176:7000","request_id":"a5ea09ba","upstream_service_time":"12","upstream_transport_failure_reason":{"a":[1,2]},"istio_policy_status":true}"#

    /// `compactLine` with `space` around every token (outside strings).
    static func spaced(_ space: String) -> String {
        var out = space
        var inString = false, escaped = false
        for ch in compactLine {
            if inString {
                out.append(ch)
                if escaped { escaped = false } else if ch == "\\" { escaped = true } else if ch == "\"" { inString = false; out += space }
            } else if ch == "\"" {
                out += space; out.append(ch); inString = true
            } else if ":,{}[]".contains(ch) {
                out += space; out.append(ch); out += space
            } else {
                out.append(ch)
            }
        }
        return out + space
    }

    @Test("Spaces, tabs and newlines between tokens read the same as compact JSON")
    func spacedReadsLikeCompact() {
        let compact = scanJSON(Self.compactLine)
        #expect(compact.reason == nil)
        #expect(compact.fields[.bytesReceived] == "859")
        #expect(compact.fields[.upstreamServiceTime] == "12")
        #expect(compact.fields[.responseFlags] == nil)
        #expect(compact.fields[.serverName] == nil)
        #expect(compact.fields[.upstreamTransportFailureReason] == nil)
        #expect(compact.fields.count == 20)
        for space in [" ", "\t", "\n", "\r\n", " \n\t "] {
            let line = Self.spaced(space)
            #expect(line != Self.compactLine)
            let spaced = scanJSON(line)
            #expect(spaced.reason == nil)
            #expect(spaced.fields == compact.fields)
        }
    }

    @Test("Numbers with fractions, signs and exponents, booleans and words near null keep their meaning")
    func valueShapes() {
        let base = #""start_time":"2024-05-14T09:46:40.013Z","downstream_local_address":"10.96.39.101:7000","response_code":200"#
        #expect(scanJSON("{\(base),\"duration\":12.5}").fields[.duration] == "12.5")
        #expect(scanJSON("{\(base),\"duration\":1e3}").fields[.duration] == "1e3")
        #expect(scanJSON("{\(base),\"duration\":-4}").fields[.duration] == "-4")
        #expect(scanJSON("{\(base),\"duration\":7}").fields[.duration] == "7")
        #expect(scanJSON("{\"duration\":7,\(base)}").fields[.duration] == "7")
        #expect(scanJSON("{\(base),\"duration\":null}").fields[.duration] == nil)
        #expect(scanJSON("{\(base),\"duration\":null }").fields[.duration] == nil)
        #expect(scanJSON("{\(base),\"method\":false}").fields[.method] == "false")
        #expect(scanJSON("{\(base),\"duration\":nullx}").reason == "unexpected byte 0x6e at column 120 in JSON")
        #expect(scanJSON("{\(base),\"duration\":nul}").reason == "unexpected byte 0x6e at column 120 in JSON")
        #expect(scanJSON("{\(base),\"duration\":null").reason == "JSON object is cut short")
        #expect(scanJSON("{\(base),\"duration\":7").reason == "JSON object is cut short")
        #expect(scanJSON("{\(base),\"duration\":").reason == "JSON object is cut short")
        #expect(scanJSON("{\(base),\"duration\" : ").reason == "JSON object is cut short")
        #expect(scanJSON("{\(base),\"duration\"").reason == "JSON object is cut short")
        #expect(scanJSON("{\(base),\"duration").reason == "JSON object is cut short")
        #expect(scanJSON("{\(base),\"duration\":\"7").reason == "JSON object is cut short")
        #expect(scanJSON("{\(base),\"duration\":\"7\\").reason == "JSON object is cut short")
        #expect(scanJSON("{\(base),\"duration\":7 x}").reason == "unexpected byte 0x78 at column 122 in JSON")
        #expect(scanJSON("{\(base),\"duration\" x 7}").reason == "unexpected byte 0x78 at column 120 in JSON")
        #expect(scanJSON("{\(base), x}").reason == "unexpected byte 0x78 at column 110 in JSON")
    }

    @Test("Escaped keys are matched after unescaping")
    func escapedKeys() {
        let line = #"{"start_time":"2024-05-14T09:46:40.013Z","d\u0075ration":105,"downstream_local_address":"10.96.39.101:7000","upstream_\u0063luster":"outbound|443||api.example.com","response_code":200}"#
        let (reason, fields) = scanJSON(line)
        #expect(reason == nil)
        #expect(fields[.duration] == "105")
        #expect(fields[.upstreamCluster] == "outbound|443||api.example.com")
    }

    @Test("Long keys that differ only in their middle are told apart")
    func longKeysCompareTheirMiddle() {
        // Same length, first and last eight bytes as known keys, one byte changed in between.
        let base = #""start_time":"2024-05-14T09:46:40.013Z","response_code":200,"method":"GET""#
        for (key, kind) in [("downstream_local_address", FieldKind.downstreamLocalAddress),
                            ("upstream_transport_failure_reason", .upstreamTransportFailureReason),
                            ("connection_termination_details", .connectionTerminationDetails),
                            ("requested_server_name", .serverName)] {
            #expect(scanJSON("{\(base),\"\(key)\":\"v\"}").fields[kind] == "v")
            var bytes = Array(key.utf8)
            for i in 8..<(bytes.count - 8) {
                let saved = bytes[i]
                bytes[i] = UInt8(ascii: "Z")
                let changed = String(decoding: bytes, as: UTF8.self)
                #expect(scanJSON("{\(base),\"\(changed)\":\"v\"}").fields[kind] == nil, "\(changed)")
                bytes[i] = saved
            }
        }
    }

    @Test("A key given twice refuses the line, however the second copy is written")
    func duplicateKeys() {
        let base = #""start_time":"2024-05-14T09:46:40.013Z","response_code":200,"downstream_local_address":"10.96.39.101:7000""#
        let reason = #"key "upstream_cluster" appears twice (values not escaped by the log format: a forged member?)"#
        let copies = [#""upstream_cluster":"a","upstream_cluster":"b""#,
                      #""upstream_cluster" : "a" , "upstream_cluster" : "b""#,
                      #""upstream_cluster":"a","upstream_\u0063luster":"b""#,
                      #""upstream_cluster":null,"upstream_cluster":"b""#]
        for members in copies {
            #expect(scanJSON("{\(base),\(members)}").reason == reason, "\(members)")
        }
        // Keys read as ignored may repeat.
        #expect(scanJSON("{\(base),\"istio_policy_status\":1,\"istio_policy_status\":2}").reason == nil)
    }

    @Test("StringEnds finds the same quote or backslash as a byte scan, from any start, in lines of any length")
    func stringEndsMatchAByteScan() {
        var generator = SystemRandomNumberGenerator()
        let bytes: [UInt8] = Array("ab\"\\:,{} é".utf8)
        for length in [0, 1, 7, 8, 15, 16, 17, 63, 64, 65, 100, 127, 128, 129, 200, 777] {
            for _ in 0..<20 {
                // Sparse or dense hits, so some windows hold none and some several.
                let density = Int.random(in: 1...40, using: &generator)
                let line: [UInt8] = (0..<length).map { _ in
                    Int.random(in: 0..<density, using: &generator) == 0 ? bytes[Int.random(in: 2...3, using: &generator)]
                        : bytes[Int.random(in: 0..<bytes.count, using: &generator)]
                }
                line.withUnsafeBufferPointer { buffer in
                    guard let p = buffer.baseAddress else { return }
                    var ends = StringEnds(p, length)
                    var from = 0
                    while from <= length {
                        let expected = ByteScan.first(UInt8(ascii: "\""), UInt8(ascii: "\\"), in: p, from: from, to: length)
                        #expect(ends.next(from: from) == expected, "length \(length) from \(from)")
                        // Forward as the member loop goes: past the hit, or a jump.
                        from = Bool.random(using: &generator) ? expected + 1 : from + Int.random(in: 1...70, using: &generator)
                    }
                }
            }
        }
    }

    @Test("Escapes and quotes on either side of a 64-byte window edge read the same as anywhere else")
    func escapesAcrossWindowEdges() {
        for pad in 0..<80 {
            let path = "/" + String(repeating: "p", count: pad)
            let line = #"{"start_time":"2024-05-14T09:46:40.013Z","response_code":200,"path":"\#(path)\"q\u00e9\/x","method":"GET","user_agent":"\#(path)"}"#
            let (reason, fields) = scanJSON(line)
            #expect(reason == nil, "pad \(pad)")
            #expect(fields[.path] == path + "\"qé/x", "pad \(pad)")
            #expect(fields[.method] == "GET", "pad \(pad)")
            #expect(fields[.userAgent] == path, "pad \(pad)")
            // Cut anywhere, the line is refused as cut short (or not an object when nothing is left).
            let cut = String(line.prefix(40 + pad))
            #expect(scanJSON(cut).reason == "JSON object is cut short", "pad \(pad)")
        }
    }

    @Test("A custom format with many keys finds every one of them, and no near miss")
    func manyCustomKeys() {
        // More keys than Istio's, many sharing their first or last eight bytes.
        let kinds: [FieldKind] = [.startTime, .method, .path, .proto, .responseCode, .duration, .authority, .upstreamHost]
        var keys: [(String, FieldKind)] = []
        for i in 0..<120 {
            keys.append(("key_prefix_\(i)_suffix_common", i < kinds.count ? kinds[i] : .ignored))
            keys.append(("k\(i)", .ignored))
        }
        let format = JSONFormat(name: "many", keys: keys)
        let members = kinds.indices.map { #""key_prefix_\#($0)_suffix_common":"v\#($0)""# }.joined(separator: ",")
        let (reason, fields) = scanJSON("{" + members + #","key_prefix_999_suffix_common":"x","k7":1}"#, with: format)
        #expect(reason == nil)
        for (i, kind) in kinds.enumerated() { #expect(fields[kind] == "v\(i)") }
        // Keys read for position only still count towards a record, and unknown ones do not.
        #expect(scanJSON(#"{"k1":1,"k2":2,"k3":3}"#, with: format).reason == nil)
        #expect(scanJSON(#"{"k1":1,"k2":2,"k999":3}"#, with: format).reason == "JSON object without access-log keys")
    }
}
