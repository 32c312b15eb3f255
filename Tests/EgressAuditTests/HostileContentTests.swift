import Foundation
import Testing
@testable import EgressAudit

// Issue 6, item 2: a client controls its user agent, path, `:authority` and `x-forwarded-for`, and Envoy
// prints them unescaped in text logs. Whatever a client puts there must not change what the audit
// concludes from the Envoy-made tokens: the verdict, the original destination IP and port, the cluster,
// route and SNI, and the calling pod's address. This suite injects hostile payloads into each of those
// fields of real line shapes (every era whose layout prints them, and Istio's JSON encoding) and runs
// each forged line through the same path as ingest (CRI unwrapping, layout detection, classification).
// A forged line may be refused (it is then kept in `rejects` by ingest); it may never be read as a
// different call.

// MARK: - What a line turns into

/// The Envoy-made facts of one parsed and classified line, as strings (nil = absent).
struct HostileOutcome: Equatable, CustomStringConvertible {
    var direction: String
    var verdict: String?
    var destHost: String?
    var destIP: String?
    var destPort: Int64
    var cluster: String?
    var route: String?
    var sni: String?
    var sourceIP: String?
    var responseCode: String?
    var responseFlags: String?
    var proto: String
    /// The client-controlled values as parsed (not compared: a forged value may be split between them).
    var authority: String?

    /// Everything but the host, which for HTTP calls named only by `:authority` is the client's to choose.
    func sameCall(as other: HostileOutcome) -> Bool {
        var a = self, b = other
        a.destHost = nil; b.destHost = nil
        a.authority = nil; b.authority = nil
        return a == b
    }

    var description: String {
        "\(direction) \(verdict ?? "-") host=\(destHost ?? "-") ip=\(destIP ?? "-"):\(destPort) cluster=\(cluster ?? "-") "
            + "route=\(route ?? "-") sni=\(sni ?? "-") src=\(sourceIP ?? "-") code=\(responseCode ?? "-") "
            + "flags=\(responseFlags ?? "-") proto=\(proto)"
    }
}

/// Lossy but total: invalid UTF-8 becomes U+FFFD, enough to compare and print.
private func hostileText(_ s: ByteSlice) -> String? {
    guard let p = s.start, s.count > 0 else { return nil }
    return String(decoding: UnsafeBufferPointer(start: p, count: s.count), as: UTF8.self)
}

/// Runs raw line bytes through unwrapping, detection and classification, as the ingest's parsing thread
/// does; nil when the line is not read as an access line (ingest keeps it in `rejects`).
func hostileOutcome(_ bytes: [UInt8], detector: LayoutDetector = LayoutDetector()) -> HostileOutcome? {
    let storage = AccessRecordStorage()
    let classifier = Classifier()
    let unwrapper = LineUnwrapper()
    let copy = bytes
    return withExtendedLifetime((storage, classifier, unwrapper)) {
        copy.withUnsafeBufferPointer { buffer -> HostileOutcome? in
            let slice = ByteSlice(start: buffer.baseAddress, count: buffer.count)
            guard case .line(let u) = unwrapper.unwrap(slice), !OtherLine.matches(u.payload) else { return nil }
            var reason = ""
            guard detector.parse(u.payload, into: storage.record, reason: &reason) != nil else { return nil }
            let r = storage.record
            let c = classifier.classify(r)
            let direction: String
            switch c.direction {
            case .outbound: direction = "outbound"
            case .inbound: direction = "inbound"
            case .unrouted: direction = "unrouted"
            }
            return HostileOutcome(direction: direction, verdict: c.direction == .outbound ? c.verdict.name : nil,
                           destHost: hostileText(c.destHost), destIP: hostileText(c.destIP), destPort: c.destPort,
                           cluster: hostileText(c.cluster), route: hostileText(r[.routeName]), sni: hostileText(c.sni),
                           sourceIP: hostileText(c.sourceIP), responseCode: hostileText(r[.responseCode]),
                           responseFlags: hostileText(r[.responseFlags]), proto: c.proto.name, authority: hostileText(r[.authority]))
        }
    }
}

// MARK: - Real line shapes, with the client-controlled fields marked

/// A real line with its four client-controlled values replaced by markers, so a payload can be put in any
/// one of them and the clean values in the others.
struct HostileShape: CustomStringConvertible {
    var name: String
    /// The line with `⟨UA⟩`, `⟨PATH⟩`, `⟨AUTH⟩`, `⟨XFF⟩` where the values go.
    var template: String
    var clean: [Field: String]
    var json = false
    /// dest_host comes from `:authority` (HTTP calls with no ServiceEntry host or SNI): the client's choice.
    var hostFromAuthority = false

    enum Field: String, CaseIterable { case userAgent = "⟨UA⟩", path = "⟨PATH⟩", authority = "⟨AUTH⟩", forwardedFor = "⟨XFF⟩" }

    var description: String { name }

    /// The line bytes with `payload` in `field` (appended to the clean value when `append`), as Envoy
    /// prints it: raw in text lines, JSON-escaped in JSON lines unless `rawJSON`.
    func line(_ field: Field?, _ payload: [UInt8], append: Bool, rawJSON: Bool = false) -> [UInt8] {
        var out = Array(template.utf8)
        for f in Field.allCases {
            var value = Array((clean[f] ?? "-").utf8)
            if f == field { value = (append ? value : []) + payload }
            if json && !(f == field && rawJSON) { value = HostileShape.jsonEscaped(value) }
            let marker = Array(f.rawValue.utf8)
            if let at = out.firstRange(of: marker) { out.replaceSubrange(at, with: value) }
        }
        return out
    }

    /// What Envoy's JSON formatter writes for a string value: `"`, `\` and control bytes escaped, other
    /// bytes (invalid UTF-8 included) as they are.
    static func jsonEscaped(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        for b in bytes {
            switch b {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), b]
            case 0..<0x20: out += Array(String(format: "\\u%04x", b).utf8)
            default: out.append(b)
            }
        }
        return out
    }
}

enum HostileShapes {
    // S3 (Istio 1.12.4, 1.9+ layout): HTTP to a ServiceEntry host, allowed.
    static let allowedHTTP19 = HostileShape(
        name: "1.9+ HTTP allowed (S3)",
        template: #"[2022-04-26T13:26:08.804Z] "GET ⟨PATH⟩ HTTP/1.1" 200 - via_upstream - "-" 0 1200 742 742 "⟨XFF⟩" "⟨UA⟩" "934ddb65-6508-91ae-8e61-46ea5eb3c9f1" "⟨AUTH⟩" "3.226.124.170:80" outbound|80||httpbin.org 10.122.158.52:50958 34.197.247.180:80 10.122.158.52:48554 - default"#,
        clean: [.path: "/headers", .userAgent: "curl/7.81.0-DEV", .authority: "httpbin.org"])
    // B1 (1.12.4): REGISTRY_ONLY local 502 from route block_all; the host is the authority sent.
    static let blockAll19 = HostileShape(
        name: "1.9+ block_all 502 (B1)",
        template: #"[2022-04-26T13:16:32.023Z] "HEAD ⟨PATH⟩ HTTP/1.1" 502 - direct_response - "-" 0 0 0 - "⟨XFF⟩" "⟨UA⟩" "cb171c15-848a-93d8-88d6-beeadcbb683f" "⟨AUTH⟩" "-" - - 180.97.34.94:80 10.122.158.52:48708 - block_all"#,
        clean: [.path: "/", .userAgent: "curl/7.81.0-DEV", .authority: "www.baidu.com"], hostFromAuthority: true)
    // B2 (1.12.4): TLS/TCP to an unknown host, BlackHoleCluster UH. The quoted HTTP fields are `-` in
    // real TCP lines; filling them tests the tokenizer, not a real client. An authority there would be
    // read as the host, as on any line without SNI (hence `hostFromAuthority`).
    static let blackHole19 = HostileShape(
        name: "1.9+ BlackHoleCluster TCP (B2)",
        template: #"[2022-04-26T13:14:30.905Z] "- ⟨PATH⟩ -" 0 UH - - "-" 0 0 7 - "⟨XFF⟩" "⟨UA⟩" "-" "⟨AUTH⟩" "-" BlackHoleCluster - 180.97.34.94:443 10.122.158.52:54192 - -"#,
        clean: [:], hostFromAuthority: true)
    // P1 (1.12.4): ALLOW_ANY TLS passthrough (quoted HTTP fields filled as for B2).
    static let passthroughTCP19 = HostileShape(
        name: "1.9+ PassthroughCluster TCP (P1)",
        template: #"[2022-04-26T12:44:56.028Z] "- ⟨PATH⟩ -" 0 - - - "-" 785 4676 116 - "⟨XFF⟩" "⟨UA⟩" "-" "⟨AUTH⟩" "180.97.34.96:443" PassthroughCluster 10.122.158.52:42410 180.97.34.96:443 10.122.158.52:42408 - -"#,
        clean: [:], hostFromAuthority: true)
    // G6 (1.9+, egress gateway): 403 rbac_access_denied, blocked by the code and details at the head.
    static let rbacDenied19 = HostileShape(
        name: "1.9+ egress gateway 403 rbac (G6)",
        template: #"[2022-05-10T21:51:49.396Z] "HEAD ⟨PATH⟩ HTTP/2" 403 - rbac_access_denied_matched_policy[ns[istio-system]-policy[external-deny-developer-yahoo-com]-rule[0]] - "-" 0 0 0 - "⟨XFF⟩" "⟨UA⟩" "a503ba03-f09a-914d-85a4-995a0c1d5b16" "⟨AUTH⟩" "-" outbound|443||developer.yahoo.com - 10.100.2.6:8080 10.100.0.6:58370 developer.yahoo.com -"#,
        clean: [.path: "/", .userAgent: "curl/7.83.0-DEV", .authority: "developer.yahoo.com", .forwardedFor: "10.100.0.6"])
    // M2 (1.9+): in-mesh call; a forged SNI `outbound_.…` would make it look inbound.
    static let internal19 = HostileShape(
        name: "1.9+ in-mesh (M2)",
        template: #"[2020-11-25T21:26:18.409Z] "GET ⟨PATH⟩ HTTP/1.1" 418 - via_upstream - "-" 0 135 4 4 "⟨XFF⟩" "⟨UA⟩" "84961386-6d84-929d-98bd-c5aee93b5c88" "⟨AUTH⟩" "10.44.1.27:80" outbound|8000||httpbin.foo.svc.cluster.local 10.44.1.23:37652 10.0.45.184:8000 10.44.1.23:46520 - default"#,
        clean: [.path: "/status/418", .userAgent: "curl/7.73.0-DEV", .authority: "httpbin:8000"])
    // Istio 1.8 layout (sample-logs/gzip/istio-1.8-legacy.log.gz): in-mesh HTTP.
    static let internal18 = HostileShape(
        name: "1.8 in-mesh (sample legacy log)",
        template: #"[2026-11-23T09:01:58.203Z] "GET ⟨PATH⟩ HTTP/1.1" 200 - "-" 0 7074 30 29 "⟨XFF⟩" "⟨UA⟩" "e01f0bb6-060c-4571-b086-a2542d7c04c9" "⟨AUTH⟩" "10.244.2.57:8080" outbound|8080||inventory-api.legacy.svc.cluster.local 10.244.3.14:47516 10.99.41.12:8080 10.244.3.14:55546 - default"#,
        clean: [.path: "/api/items?since=2026-11-22", .userAgent: "Java/11.0.16", .authority: "inventory-api:8080"])
    // 1.3–1.7 layout (sample-logs/kubectl, Istio 1.6+ route names): HTTP passthrough, route allow_any.
    static let passthroughHTTP13 = HostileShape(
        name: "1.3–1.7 HTTP passthrough allow_any (sample frontend log)",
        template: #"[2026-11-22T08:03:23.577Z] "GET ⟨PATH⟩ HTTP/1.1" 200 - "-" "-" 0 24 78 77 "⟨XFF⟩" "⟨UA⟩" "e4c3b4ce-4949-4c5b-835f-2cbf9e93c66b" "⟨AUTH⟩" "104.26.13.205:80" PassthroughCluster 10.244.0.23:60718 104.26.13.205:80 10.244.0.23:54601 - allow_any"#,
        clean: [.path: "/?format=json", .userAgent: "axios/0.19.2", .authority: "api.ipify.org"], hostFromAuthority: true)
    // G1 (1.3–1.7 layout): allowed HTTP with an SNI.
    static let allowed13 = HostileShape(
        name: "1.3–1.7 HTTP allowed with SNI (G1)",
        template: #"[2019-09-03T20:57:49.103Z] "GET ⟨PATH⟩ HTTP/2" 301 - "-" "-" 0 0 90 89 "⟨XFF⟩" "⟨UA⟩" "ea379962-9b5c-4431-ab66-f01994f5a5a5" "⟨AUTH⟩" "151.101.65.67:80" outbound|80||edition.cnn.com - 10.244.1.5:80 10.244.2.10:50482 edition.cnn.com -"#,
        clean: [.path: "/politics", .userAgent: "curl/7.64.0", .authority: "edition.cnn.com", .forwardedFor: "10.244.2.10"])
    // M1 (1.1.0 layout, mixer status).
    static let internal11 = HostileShape(
        name: "1.1 in-mesh (M1)",
        template: #"[2019-03-06T09:31:27.354Z] "GET ⟨PATH⟩ HTTP/1.1" 418 - "-" 0 135 11 10 "⟨XFF⟩" "⟨UA⟩" "d209e46f-9ed5-9b61-bbdd-43e22662702a" "⟨AUTH⟩" "172.30.146.73:80" outbound|8000||httpbin.default.svc.cluster.local - 172.21.13.94:8000 172.30.146.82:60290 -"#,
        clean: [.path: "/status/418", .userAgent: "curl/7.60.0", .authority: "httpbin:8000"])
    // S1 (Istio 1.1 pre-release layout, as in the egress-control docs of January 2019).
    static let allowedSnapshot = HostileShape(
        name: "1.1 pre-release HTTP allowed (S1)",
        template: #"[2019-01-24T12:17:11.640Z] "GET ⟨PATH⟩ HTTP/1.1" 200 - 0 599 214 214 "⟨XFF⟩" "⟨UA⟩" "17fde8f7-fa62-9b39-8999-302324e6def2" "⟨AUTH⟩" "35.173.6.94:80" outbound|80||httpbin.org - 35.173.6.94:80 172.30.109.82:55314 -"#,
        clean: [.path: "/headers", .userAgent: "curl/7.60.0", .authority: "httpbin.org"])
    // Istio JSON encoding (sample-logs/json), typed values: block_all 502 with a null cluster.
    static let blockAllJSON = HostileShape(
        name: "JSON block_all 502 (sample payments log)",
        template: #"{"requested_server_name":null,"x_forwarded_for":"⟨XFF⟩","upstream_cluster":null,"upstream_service_time":null,"start_time":"2026-11-23T09:02:25.129Z","downstream_local_address":"3.220.31.231:80","method":"POST","connection_termination_details":null,"path":"⟨PATH⟩","route_name":"block_all","upstream_transport_failure_reason":null,"downstream_remote_address":"10.244.2.31:46790","authority":"⟨AUTH⟩","response_flags":"-","request_id":"1f218de4-4da4-40a1-8f2e-255748072b2b","duration":0,"protocol":"HTTP/1.1","response_code_details":"direct_response","upstream_local_address":null,"user_agent":"⟨UA⟩","bytes_sent":0,"bytes_received":0,"response_code":502,"upstream_host":null}"#,
        clean: [.path: "/services/T04AB12CD/B07EF34GH/qZ8xW2vR5tY9uI1oP3aS6dF0", .userAgent: "Go-http-client/1.1", .authority: "hooks.slack.com"],
        json: true, hostFromAuthority: true)
    // Istio JSON encoding, in-mesh HTTP with the keys in another order (sample payments log).
    static let internalJSON = HostileShape(
        name: "JSON in-mesh (sample payments log)",
        template: #"{"path":"⟨PATH⟩","upstream_host":"10.244.1.35:8080","user_agent":"⟨UA⟩","response_flags":"-","start_time":"2026-11-23T09:01:20.237Z","bytes_received":0,"protocol":"HTTP/1.1","x_forwarded_for":"⟨XFF⟩","requested_server_name":null,"downstream_remote_address":"10.244.2.31:33601","upstream_transport_failure_reason":null,"duration":19,"upstream_local_address":"10.244.2.31:50606","request_id":"dcd53917-cb69-4533-be2d-17ecd19398fe","upstream_cluster":"outbound|80||orders.payments.svc.cluster.local","connection_termination_details":null,"route_name":"default","response_code":200,"authority":"⟨AUTH⟩","bytes_sent":753,"downstream_local_address":"10.104.18.77:80","method":"GET","response_code_details":"via_upstream","upstream_service_time":"19"}"#,
        clean: [.path: "/v1/orders/ord_bxn3eqkjeybhzw", .userAgent: "Go-http-client/1.1", .authority: "orders"], json: true)

    static let text = [allowedHTTP19, blockAll19, blackHole19, passthroughTCP19, rbacDenied19, internal19, internal18,
                       passthroughHTTP13, allowed13, internal11, allowedSnapshot]
    static let json = [blockAllJSON, internalJSON]
    static let all = text + json
}

// MARK: - Payloads

enum HostilePayloads {
    static let forgedTail = #"" "-" "-" "-" "-" BlackHoleCluster - 6.6.6.6:443 10.9.9.9:1 - block_all"#
    static let forgedLine = #"curl" "1f218de4" "evil.com" "6.6.6.6:443" outbound|443||evil.com 10.9.9.9:1 6.6.6.6:443 10.9.9.9:2 evil.com default [2022-04-26T13:16:32.023Z] "GET / HTTP/1.1" 200 - via_upstream - "-" 0 0 0 - "-" "x"#
    static let strings: [(String, String)] = [
        ("a quote", #"""#),
        ("quote space quote", #"" ""#),
        ("a TCP request triple", #""- - -""#),
        ("a cluster name", " outbound|443||evil.com "),
        ("BlackHoleCluster", "BlackHoleCluster"),
        ("PassthroughCluster", " PassthroughCluster "),
        ("block_all / allow_any", #"" - block_all allow_any ""#),
        ("fake trailing fields", #"" - 1.2.3.4:443 10.0.0.1:1 outbound_.443_._.x.svc.cluster.local -"#),
        ("an inbound cluster and 127.0.0.6", #"" "-" inbound|80|| 127.0.0.6:1 10.0.0.1:80 10.0.0.2:1 - default"#),
        ("a forged log tail", forgedTail),
        ("a whole forged line", forgedLine),
        ("fake head fields", #"" 502 - direct_response - "-" 0 0 0 - ""#),
        ("a JSON member", #"","upstream_cluster":"PassthroughCluster","route_name":"allow_any","x":""#),
        ("a bracketed time", "[2022-04-26T13:16:32.023Z]"),
        ("a tab", "a\tb"),
        ("10,000 quoted fields", String(repeating: #""x" "#, count: 10_000)),
    ]
    static let bytes: [(String, [UInt8])] = strings.map { ($0.0, Array($0.1.utf8)) } + [
        ("NUL bytes", [0x61, 0x00, 0x62, 0x00]),
        ("a NUL then a forged tail", [0x00] + Array(forgedTail.utf8)),
        ("invalid UTF-8", [0xFF, 0xFE, 0x20, 0xC3, 0x28, 0xC0, 0x80, 0xED, 0xA0, 0x80, 0xF8]),
        ("a cut UTF-8 sequence then a quote", [0xE2, 0x82, 0x22, 0x20, 0x22]),
    ]
}

// MARK: - The matrix

@Suite("Hostile content: forged client fields never change a call")
struct HostileContentTests {
    /// Detectors as ingest meets them: fresh, and primed by a clean line of every shape (the detector
    /// tries the layout that matched the previous line first).
    static func detectors() -> [(String, LayoutDetector)] {
        var out: [(String, LayoutDetector)] = [("fresh", LayoutDetector())]
        for shape in HostileShapes.all {
            let detector = LayoutDetector()
            _ = hostileOutcome(shape.line(nil, [], append: true), detector: detector)
            out.append(("after \(shape.name)", detector))
        }
        return out
    }

    @Test("every clean shape parses as the call it is", arguments: HostileShapes.all)
    func cleanShapes(shape: HostileShape) throws {
        let o = try #require(hostileOutcome(shape.line(nil, [], append: true)))
        #expect(o.direction == "outbound")
        #expect(o.verdict != nil)
        #expect(o.destIP != nil && o.destPort > 0)
        #expect(o.sourceIP != nil)
    }

    @Test("a payload in the user agent, path, :authority or x-forwarded-for never changes verdict, destination, cluster, route, SNI or source",
          arguments: HostileShapes.all)
    func forgedFields(shape: HostileShape) throws {
        let clean = try #require(hostileOutcome(shape.line(nil, [], append: true)))
        var accepted = 0, refused = 0
        for (detectorName, detector) in Self.detectors() {
            for field in HostileShape.Field.allCases {
                for (payloadName, payload) in HostilePayloads.bytes {
                    for append in [true, false] {
                        let line = shape.line(field, payload, append: append)
                        let place = "\(shape.name), \(field), \(payloadName)\(append ? " after the clean value" : ""), detector \(detectorName)"
                        guard let forged = hostileOutcome(line, detector: detector) else { refused += 1; continue }
                        accepted += 1
                        #expect(forged.sameCall(as: clean), "\(place): clean \(clean) became \(forged)")
                        if field == .authority && shape.hostFromAuthority {
                            // The host of an HTTP call named by nothing else is the authority the client
                            // sent (README, Guarantees): it must come from the client's own bytes.
                            let clientBytes = String(decoding: Array((shape.clean[.authority] ?? "-").utf8) + payload, as: UTF8.self).lowercased()
                            #expect(forged.destHost.map { clientBytes.contains($0) || Array($0.utf8).contains(0xEF) } ?? true,
                                    "\(place): host \(forged.destHost ?? "-") is not from the authority sent")
                        } else {
                            #expect(forged.destHost == clean.destHost, "\(place): host \(clean.destHost ?? "-") became \(forged.destHost ?? "-")")
                        }
                    }
                }
            }
        }
        // Forged quotes in a user agent are what real logs hold (envoy#4191): most lines must still be read.
        #expect(accepted > refused, "\(shape.name): \(refused) forged lines refused, only \(accepted) read")
    }

    @Test("JSON written by a text format (values not escaped, istio#12232): a forged member is refused, never believed",
          arguments: HostileShapes.json)
    func unescapedJSON(shape: HostileShape) throws {
        let clean = try #require(hostileOutcome(shape.line(nil, [], append: true)))
        for field in HostileShape.Field.allCases {
            for (payloadName, payload) in HostilePayloads.bytes {
                let line = shape.line(field, payload, append: true, rawJSON: true)
                guard let forged = hostileOutcome(line) else { continue }
                #expect(forged.sameCall(as: clean), "\(shape.name), \(field), \(payloadName): clean \(clean) became \(forged)")
                if !(field == .authority && shape.hostFromAuthority) {
                    #expect(forged.destHost == clean.destHost, "\(shape.name), \(field), \(payloadName): host \(clean.destHost ?? "-") became \(forged.destHost ?? "-")")
                }
            }
        }
    }

    @Test("inside a CRI record the forged line reads as it does bare", arguments: HostileShapes.text)
    func forgedInsideCRI(shape: HostileShape) throws {
        let prefix = Array("2026-11-23T09:02:25.129784512Z stdout F ".utf8)
        for field in HostileShape.Field.allCases {
            for (payloadName, payload) in HostilePayloads.bytes {
                let line = shape.line(field, payload, append: true)
                #expect(hostileOutcome(prefix + line) == hostileOutcome(line), "\(shape.name), \(field), \(payloadName)")
            }
        }
    }

    @Test("a quote or fake fields in the user agent of a 1.9+ line are read, with the agent whole")
    func quotedUserAgentIsRead() throws {
        for (name, payload) in HostilePayloads.strings.prefix(8) {
            let o = try #require(hostileOutcome(HostileShapes.allowedHTTP19.line(.userAgent, Array(payload.utf8), append: true)), "\(name)")
            #expect(o.verdict == "allowed" && o.destHost == "httpbin.org" && o.destIP == "34.197.247.180", "\(name): \(o)")
        }
    }
}

@Suite("Hostile content: forged heads and members")
struct ForgedHeadTests {
    @Test("a path holding a whole forged head (200 via_upstream) on a 403 rbac-denied line is refused, not read as allowed")
    func forgedHeadInPath() throws {
        let path = #"/ HTTP/1.1" 200 - via_upstream - "-" 0 0 0 - "-" "x"#
        let line = HostileShapes.rbacDenied19.line(.path, Array(path.utf8), append: false)
        #expect(hostileOutcome(line) == nil)
        // The same forged head in the user agent: the real head comes first and is read.
        let ua = HostileShapes.rbacDenied19.line(.userAgent, Array(#"x HTTP/1.1" 200 - via_upstream - "-" 0 0 0 - "-" "y"#.utf8), append: false)
        if let o = hostileOutcome(ua) { #expect(o.verdict == "blocked" && o.responseCode == "403", "\(o)") }
    }

    @Test("a JSON line with a key written twice is refused with a reason naming the key")
    func duplicateJSONKey() throws {
        let line = #"{"upstream_cluster":null,"route_name":"block_all","response_code":502,"downstream_local_address":"3.220.31.231:80","user_agent":"x","route_name":"allow_any"}"#
        let parsed = detectLayout(line)
        #expect(parsed.layout == nil)
        #expect(parsed.reason.contains("\"route_name\"") && parsed.reason.contains("twice"), "\(parsed.reason)")
    }
}
