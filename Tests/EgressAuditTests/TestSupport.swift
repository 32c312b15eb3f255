import Testing
@testable import EgressAudit

// Helpers shared by the parsing, wrapper and classification suites.
//
// `ByteSlice` values point into the `String`'s UTF-8 storage and are only valid inside
// `withUTF8`, so every helper converts what it needs to `String` before returning.

/// Runs `body` with a slice over the UTF-8 bytes of `s`. The slice must not escape `body`.
func withSlice<T>(_ s: String, _ body: (ByteSlice) -> T) -> T {
    var copy = s
    return copy.withUTF8 { buffer in
        body(ByteSlice(start: buffer.baseAddress, count: buffer.count))
    }
}

/// The values of a record as strings; absent values (`-`, empty, `null`) have no entry.
func fieldStrings(_ record: AccessRecord) -> [FieldKind: String] {
    var out: [FieldKind: String] = [:]
    for kind in FieldKind.allCases where kind != .ignored {
        if let s = record[kind].string { out[kind] = s }
    }
    return out
}

/// What parsing one line produced: the layout that matched (nil when none did), the values,
/// and the reason the detector gave when nothing matched.
struct ParsedLine {
    var layout: String?
    var fields: [FieldKind: String]
    var reason: String

    subscript(_ kind: FieldKind) -> String? { fields[kind] }
}

/// Parses `line` with a layout detector (every preset and JSON unless one is given).
func detectLayout(_ line: String, with detector: LayoutDetector = LayoutDetector()) -> ParsedLine {
    let storage = AccessRecordStorage()
    // The record's slots belong to `storage`: keep it alive while the record is used.
    return withExtendedLifetime(storage) {
        withSlice(line) { slice in
            var reason = ""
            let format = detector.parse(slice, into: storage.record, reason: &reason)
            return ParsedLine(layout: format?.name, fields: format == nil ? [:] : fieldStrings(storage.record), reason: reason)
        }
    }
}

/// Parses `line` with exactly `format`; nil when the line does not have that layout.
func parseLine(_ line: String, with format: LineFormat) -> [FieldKind: String]? {
    let storage = AccessRecordStorage()
    return withExtendedLifetime(storage) {
        withSlice(line) { slice in
            format.parse(slice, into: storage.record) ? fieldStrings(storage.record) : nil
        }
    }
}

/// Compiles the preset called `name` (a test failure when there is none).
func presetFormat(_ name: String) throws -> TextFormat {
    let entry = try #require(FormatPresets.all.first { $0.name == name })
    return try TextFormat(name: entry.name, format: entry.format)
}

/// The outcome of running one raw line through unwrapping, layout detection and classification,
/// everything as strings (nil = absent).
struct ClassifiedLine {
    var layout: String
    var wrapper: String
    var namespace: String?
    var pod: String?
    var container: String?
    /// `outbound`, `inbound` or `unrouted`.
    var direction: String
    /// The verdict name; nil unless the line is outbound.
    var verdict: String?
    var proto: String
    var destHost: String?
    var destIP: String?
    /// nil when the line has no port.
    var destPort: String?
    var sni: String?
    var cluster: String?
    var sourceIP: String?
}

/// Why `classify` produced no classification.
enum ClassifyFailure: Error, CustomStringConvertible {
    case held
    case otherLine
    case notAccessLine(reason: String)

    var description: String {
        switch self {
        case .held: return "the unwrapper held the line as a partial record"
        case .otherLine: return "OtherLine matched the payload"
        case let .notAccessLine(reason): return "no layout matched: \(reason)"
        }
    }
}

/// Runs `line` end to end: `LineUnwrapper` → `OtherLine` → `LayoutDetector` → `Classifier`.
func classifyLine(_ line: String, config: ClassifierConfig = ClassifierConfig(),
              detector: LayoutDetector = LayoutDetector(),
              unwrapper: LineUnwrapper = LineUnwrapper()) throws -> ClassifiedLine {
    let storage = AccessRecordStorage()
    let classifier = Classifier(config: config)
    let result: Result<ClassifiedLine, ClassifyFailure> = withExtendedLifetime((storage, classifier)) { withSlice(line) { slice in
        guard case .line(let u) = unwrapper.unwrap(slice) else { return .failure(.held) }
        if OtherLine.matches(u.payload) { return .failure(.otherLine) }
        var reason = ""
        guard let format = detector.parse(u.payload, into: storage.record, reason: &reason) else {
            return .failure(.notAccessLine(reason: reason))
        }
        let c = classifier.classify(storage.record)
        let direction: String
        switch c.direction {
        case .outbound: direction = "outbound"
        case .inbound: direction = "inbound"
        case .unrouted: direction = "unrouted"
        }
        return .success(ClassifiedLine(
            layout: format.name,
            wrapper: u.wrapper.rawValue,
            namespace: u.namespace.string,
            pod: u.pod.string,
            container: u.container.string,
            direction: direction,
            verdict: c.direction == .outbound ? c.verdict.name : nil,
            proto: c.proto.name,
            destHost: c.destHost.string,
            destIP: c.destIP.string,
            destPort: c.destPort >= 0 ? String(c.destPort) : nil,
            sni: c.sni.string,
            cluster: c.cluster.string,
            sourceIP: c.sourceIP.string))
    } }
    return try result.get()
}

/// Runs `line` through a `LineUnwrapper`; nil when the line was held as a partial record.
struct UnwrappedLine: Equatable {
    var payload: String
    var wrapper: WrapperKind
    var namespace: String?
    var pod: String?
    var container: String?
}

func unwrapLine(_ line: String, with unwrapper: LineUnwrapper = LineUnwrapper(), envelopes: Bool = false) -> UnwrappedLine? {
    withSlice(line) { slice in
        guard case .line(let u) = unwrapper.unwrap(slice, envelopes: envelopes) else { return nil }
        return UnwrappedLine(payload: u.payload.string ?? "", wrapper: u.wrapper,
                             namespace: u.namespace.string, pod: u.pod.string, container: u.container.string)
    }
}

/// Access lines quoted verbatim in the reference (`envoy-istio-logs.md`, §1.1 and §2), named as
/// there. Lines that are not verbatim say what was changed and why.
enum Lines {
    // §1.1: Envoy's documented example of its default format (Istio 1.0).
    static let envoyDoc = #"[2016-04-15T20:17:00.310Z] "POST /api/v1/locations HTTP/2" 204 - 154 0 226 100 "10.0.35.28" "nsq2http" "cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2" "locations" "tcp://10.0.2.1:80""#

    // (a) REGISTRY_ONLY plain HTTP → 502 direct_response block_all (1.12.4, 1.9+ layout).
    static let b1 = #"[2022-04-26T13:16:32.023Z] "HEAD / HTTP/1.1" 502 - direct_response - "-" 0 0 0 - "-" "curl/7.81.0-DEV" "cb171c15-848a-93d8-88d6-beeadcbb683f" "www.baidu.com" "-" - - 180.97.34.94:80 10.122.158.52:48708 - block_all"#
    static let b1b = #"[2022-04-26T13:16:34.207Z] "HEAD / HTTP/1.1" 502 - direct_response - "-" 0 0 0 - "-" "curl/7.81.0-DEV" "8798a7cc-6dd2-9fe1-b0e6-fc679906efc7" "www.tencent.com" "-" - - 36.25.253.224:80 10.122.158.52:56662 - block_all"#
    // (b) REGISTRY_ONLY TLS/TCP → BlackHoleCluster UH.
    static let b2 = #"[2022-04-26T13:14:30.905Z] "- - -" 0 UH - - "-" 0 0 7 - "-" "-" "-" "-" "-" BlackHoleCluster - 180.97.34.94:443 10.122.158.52:54192 - -"#
    static let b3 = #"[2022-04-26T13:14:31.103Z] "- - -" 0 UH - - "-" 0 0 0 - "-" "-" "-" "-" "-" BlackHoleCluster - 36.25.253.224:443 10.122.158.52:60428 - -"#
    // B4, the full line from istio#33281 (Istio 1.9.5 default JSON, typed values, null cluster).
    static let b4 = #"{"response_code":0,"upstream_service_time":null,"upstream_host":null,"upstream_local_address":null,"request_id":null,"downstream_remote_address":"172.17.3.28:35070","bytes_sent":0,"upstream_cluster":null,"upstream_transport_failure_reason":null,"authority":null,"duration":8,"response_code_details":null,"response_flags":"UH","protocol":null,"user_agent":null,"path":null,"connection_termination_details":null,"method":null,"downstream_local_address":"13.249.75.75:443","route_name":null,"x_forwarded_for":null,"requested_server_name":null,"start_time":"2021-06-04T14:35:50.462Z","bytes_received":0}"#

    // (c) ALLOW_ANY → PassthroughCluster.
    static let p1 = #"[2022-04-26T12:44:56.028Z] "- - -" 0 - - - "-" 785 4676 116 - "-" "-" "-" "-" "180.97.34.96:443" PassthroughCluster 10.122.158.52:42410 180.97.34.96:443 10.122.158.52:42408 - -"#
    static let p2 = #"[2020-05-19T19:53:38.151Z] "- - -" 0 - "-" "-" 2279 3059 63 - "-" "-" "-" "-" "1.2.3.4:443" PassthroughCluster 10.0.0.93:37018 1.2.3.4:443 10.0.0.93:39849 - -"#

    // (d) ServiceEntry clusters.
    static let s1 = #"[2019-01-24T12:17:11.640Z] "GET /headers HTTP/1.1" 200 - 0 599 214 214 "-" "curl/7.60.0" "17fde8f7-fa62-9b39-8999-302324e6def2" "httpbin.org" "35.173.6.94:80" outbound|80||httpbin.org - 35.173.6.94:80 172.30.109.82:55314 -"#
    static let s2 = #"[2019-01-24T12:48:54.977Z] "- - -" 0 - 601 17766 1289 - "-" "-" "-" "-" "172.217.161.36:443" outbound|443||www.google.com 172.30.109.82:59480 172.217.161.36:443 172.30.109.82:59478 www.google.com"#
    static let s3 = #"[2022-04-26T13:26:08.804Z] "GET /headers HTTP/1.1" 200 - via_upstream - "-" 0 1200 742 742 "-" "curl/7.81.0-DEV" "934ddb65-6508-91ae-8e61-46ea5eb3c9f1" "httpbin.org" "3.226.124.170:80" outbound|80||httpbin.org 10.122.158.52:50958 34.197.247.180:80 10.122.158.52:48554 - default"#
    static let s4 = #"[2022-04-26T13:40:19.596Z] "- - -" 0 - - - "-" 908 4986 99 - "-" "-" "-" "-" "36.25.253.87:443" outbound|443||www.tencent.com 10.122.158.52:54278 36.25.253.87:443 10.122.158.52:54276 www.tencent.com -"#
    static let s5 = #"[2022-04-26T13:23:57.254Z] "GET / HTTP/1.1" 200 - via_upstream - "-" 0 2381 31 29 "-" "curl/7.81.0-DEV" "61841718-a1c3-97bc-bcc9-66b781b118df" "www.baidu.com" "180.97.34.96:80" outbound|80||www.baidu.com 10.122.158.52:52250 180.97.34.94:80 10.122.158.52:54480 - default"#

    // (e) Egress gateway lines.
    static let g1 = #"[2019-09-03T20:57:49.103Z] "GET /politics HTTP/2" 301 - "-" "-" 0 0 90 89 "10.244.2.10" "curl/7.64.0" "ea379962-9b5c-4431-ab66-f01994f5a5a5" "edition.cnn.com" "151.101.65.67:80" outbound|80||edition.cnn.com - 10.244.1.5:80 10.244.2.10:50482 edition.cnn.com -"#
    static let g2 = #"[2019-01-02T11:46:46.981Z] "- - -" 0 - 627 1879689 44 - "-" "-" "-" "-" "151.101.129.67:443" outbound|443||edition.cnn.com 172.30.109.80:41122 172.30.109.80:443 172.30.109.112:59970 edition.cnn.com"#
    static let g3 = #"[2020-03-06T18:12:33.101Z] "- - -" 0 - "-" "-" 906 1352475 35 - "-" "-" "-" "-" "151.101.193.67:443" outbound|443||edition.cnn.com 172.30.223.53:39460 172.30.223.53:443 172.30.223.58:38138 edition.cnn.com -"#
    static let g4 = #"[2024-01-09T15:35:47.283Z] "GET /politics HTTP/1.1" 301 - via_upstream - "-" 0 0 2 2 "172.30.239.55" "curl/7.87.0-DEV" "6c01d65f-a157-97cd-8782-320a40026901" "edition.cnn.com" "151.101.195.5:80" outbound|80||edition.cnn.com 172.30.239.16:55636 172.30.239.16:80 172.30.239.55:59224 - default.forward-cnn-from-egress-gateway.0"#
    static let g5 = #"[2024-01-11T21:09:42.835Z] "- - -" 0 - - - "-" 839 2504306 231 - "-" "-" "-" "-" "151.101.195.5:443" outbound|443||edition.cnn.com 172.30.239.8:34470 172.30.239.8:443 172.30.239.15:43956 edition.cnn.com -"#
    static let g6 = #"[2022-05-10T21:51:49.396Z] "HEAD / HTTP/2" 403 - rbac_access_denied_matched_policy[ns[istio-system]-policy[external-deny-developer-yahoo-com]-rule[0]] - "-" 0 0 0 - "10.100.0.6" "curl/7.83.0-DEV" "a503ba03-f09a-914d-85a4-995a0c1d5b16" "developer.yahoo.com" "-" outbound|443||developer.yahoo.com - 10.100.2.6:8080 10.100.0.6:58370 developer.yahoo.com -"#

    // (f) In-mesh outbound calls.
    static let m1 = #"[2019-03-06T09:31:27.354Z] "GET /status/418 HTTP/1.1" 418 - "-" 0 135 11 10 "-" "curl/7.60.0" "d209e46f-9ed5-9b61-bbdd-43e22662702a" "httpbin:8000" "172.30.146.73:80" outbound|8000||httpbin.default.svc.cluster.local - 172.21.13.94:8000 172.30.146.82:60290 -"#
    static let m2 = #"[2020-11-25T21:26:18.409Z] "GET /status/418 HTTP/1.1" 418 - via_upstream - "-" 0 135 4 4 "-" "curl/7.73.0-DEV" "84961386-6d84-929d-98bd-c5aee93b5c88" "httpbin:8000" "10.44.1.27:80" outbound|8000||httpbin.foo.svc.cluster.local 10.44.1.23:37652 10.0.45.184:8000 10.44.1.23:46520 - default"#
    static let m3 = #"[2021-12-23T06:26:47.718Z] "GET /reviews/0 HTTP/1.1" 200 - via_upstream - "-" 0 375 78 77 "-" "curl/7.52.1" "899e918c-e44c-9dc2-9629-d8db191af972" "reviews:9080" "172.17.0.16:9080" outbound|9080||reviews.default.svc.cluster.local 172.17.0.11:58986 10.104.97.115:9080 172.17.0.11:42846 - default"#
    static let m4 = #"[2022-04-01T03:23:12.736Z] "GET /get HTTP/1.1" 200 - via_upstream - "-" 0 605 4 3 "-" "curl/7.82.0-DEV" "200efb6c-82be-4760-8ab6-7b6af588d4fb" "httpbin:8000" "10.244.0.31:80" outbound|8000||httpbin.default.svc.cluster.local 10.244.0.26:35086 10.96.71.143:8000 10.244.0.26:41616 - default"#
    static let m5 = #"[2019-09-03T05:37:41.341Z] "GET /index HTTP/1.1" 200 - "-" 148 171 4 3 "-" "-" "c0ce81db-4f5a-9134-8a5c-f8c076c91652" "hello-world" "192.168.89.50:9001" outbound|80||hello-world.default.svc.cluster.local - 10.97.86.53:80 192.168.167.113:39953 -"#

    // (g) Inbound lines.
    static let i1 = #"[2019-03-06T09:31:27.360Z] "GET /status/418 HTTP/1.1" 418 - "-" 0 135 5 2 "-" "curl/7.60.0" "d209e46f-9ed5-9b61-bbdd-43e22662702a" "httpbin:8000" "127.0.0.1:80" inbound|8000|http|httpbin.default.svc.cluster.local - 172.30.146.73:80 172.30.146.82:38618 outbound_.8000_._.httpbin.default.svc.cluster.local"#
    static let i2 = #"[2020-10-29T21:51:57.945Z] "GET /status/418 HTTP/1.1" 418 - "-" 0 135 2 2 "-" "curl/7.69.1" "f65c68d3-619a-44c7-a9c1-44384b3055ba" "httpbin:8000" "127.0.0.1:80" inbound|8000|| 127.0.0.1:52328 10.244.0.14:80 10.244.0.13:43430 outbound_.8000_._.httpbin.default.svc.cluster.local default"#
    static let i3 = #"[2020-11-25T21:26:18.409Z] "GET /status/418 HTTP/1.1" 418 - via_upstream - "-" 0 135 3 1 "-" "curl/7.73.0-DEV" "84961386-6d84-929d-98bd-c5aee93b5c88" "httpbin:8000" "127.0.0.1:80" inbound|8000|| 127.0.0.1:41854 10.44.1.27:80 10.44.1.23:37652 outbound_.8000_._.httpbin.foo.svc.cluster.local default"#
    static let i4 = #"[2022-04-01T03:23:12.738Z] "GET /get HTTP/1.1" 200 - via_upstream - "-" 0 605 2 2 "-" "curl/7.82.0-DEV" "200efb6c-82be-4760-8ab6-7b6af588d4fb" "httpbin:8000" "10.244.0.31:80" inbound|80|| 127.0.0.6:52027 10.244.0.31:80 10.244.0.26:35086 outbound_.8000_._.httpbin.default.svc.cluster.local default"#
    static let i5 = #"[2021-12-23T06:26:47.690Z] "GET /productpage HTTP/1.1" 200 - via_upstream - "-" 0 5179 122 121 "-" "curl/7.52.1" "899e918c-e44c-9dc2-9629-d8db191af972" "productpage:9080" "172.17.0.11:9080" inbound|9080|| 127.0.0.6:51799 172.17.0.11:9080 172.17.0.7:41458 outbound_.9080_._.productpage.default.svc.cluster.local default"#

    // Istio 1.2 layout (mixer status and transport failure reason, no route). The reference quotes
    // no verbatim 1.2 line: this is M5 with the 1.2 `"%UPSTREAM_TRANSPORT_FAILURE_REASON%"` column added.
    static let m5As12 = #"[2019-09-03T05:37:41.341Z] "GET /index HTTP/1.1" 200 - "-" "-" 148 171 4 3 "-" "-" "c0ce81db-4f5a-9134-8a5c-f8c076c91652" "hello-world" "192.168.89.50:9001" outbound|80||hello-world.default.svc.cluster.local - 10.97.86.53:80 192.168.167.113:39953 -"#

    // istio/istio#17139 (Istio 1.3 JSON, every value a string, `"-"` for missing), verbatim.
    static let json13Outbound = #"{"bytes_sent":"0","upstream_cluster":"outbound|7600||keycloak-headless.our_ns.svc.cluster.local","downstream_remote_address":"REDACTED_IP2:45621","authority":"-","path":"-","protocol":"-","upstream_service_time":"-","upstream_local_address":"-","duration":"10002","downstream_local_address":"REDACTED_IP1:7600","upstream_transport_failure_reason":"-","route_name":"-","response_code":"0","user_agent":"-","response_flags":"UF,URX","start_time":"2019-09-17T09:21:42.869Z","method":"-","request_id":"-","upstream_host":"REDACTED_IP1:7600","x_forwarded_for":"-","requested_server_name":"-","bytes_received":"0","istio_policy_status":"-"}"#
    static let json13InboundPassthrough = #"{"response_code":"0","user_agent":"-","response_flags":"-","start_time":"2019-09-17T09:17:16.420Z","method":"-","request_id":"-","upstream_host":"REDACTED_IP2:15090","x_forwarded_for":"-","requested_server_name":"-","bytes_received":"5120","istio_policy_status":"-","bytes_sent":"759108","upstream_cluster":"InboundPassthroughClusterIpv4","downstream_remote_address":"10.150.17.125:52366","authority":"-","path":"-","protocol":"-","upstream_service_time":"-","upstream_local_address":"127.0.0.6:60615","duration":"288127","downstream_local_address":"REDACTED_IP2:15090","upstream_transport_failure_reason":"-","route_name":"-"}"#
}
