import Testing
@testable import EgressAudit

/// `s` as a JSON string literal, escaped the way Docker's json-file driver and Fluent Bit write it.
private func jsonString(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "&": out += "\\u0026"
        case "<": out += "\\u003c"
        case ">": out += "\\u003e"
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

/// A Docker json-file record.
private func dockerRecord(_ log: String, stream: String = "stdout", time: String = "2022-04-26T13:14:30.905812345Z") -> String {
    "{\"log\":\(jsonString(log)),\"stream\":\"\(stream)\",\"time\":\"\(time)\"}"
}

/// The `kubernetes` map the Fluent Bit kubernetes filter adds (docs' key set).
private let fluentBitKubernetes = #"{"pod_name":"sleep-9454cc476-bhzfm","namespace_name":"default","pod_id":"6a3c5f2e-1b7d-4c1e-9a55-0f1e2d3c4b5a","labels":{"app":"sleep","pod-template-hash":"9454cc476","security.istio.io/tlsMode":"istio"},"annotations":{"sidecar.istio.io/status":"{\"initContainers\":[\"istio-init\"],\"containers\":[\"istio-proxy\"]}"},"host":"kind-worker","pod_ip":"10.122.158.52","container_name":"istio-proxy","docker_id":"df14e0d5ae4c07284fa636d739c8fc2e6b52bc344658de7d3f08c36a2e804115","container_hash":"docker.io/istio/proxyv2@sha256:1f2e3d","container_image":"docker.io/istio/proxyv2:1.12.4"}"#

private let agentLine = "2022-04-26T12:47:30.333876Z\tinfo\txdsproxy\tconnected to upstream XDS server: istiod.istio-system.svc:15012"

@Suite("Container-log wrappers")
struct WrapperTests {

    // MARK: CRI

    @Test("CRI containerd record (Z timestamp, stdout, F)")
    func criContainerd() throws {
        let u = try #require(unwrapLine("2022-04-26T13:14:30.905812345Z stdout F " + Lines.b2))
        #expect(u == UnwrappedLine(payload: Lines.b2, wrapper: .cri))
        let c = try classifyLine("2022-04-26T13:14:30.905812345Z stdout F " + Lines.b2)
        #expect(c.wrapper == "cri")
        #expect(c.layout == "istio-1.9")
        #expect(c.verdict == "blocked")
        #expect(c.destIP == "180.97.34.94")
    }

    @Test("CRI-O record (-05:00 offset timestamp)")
    func criO() throws {
        let u = try #require(unwrapLine("2024-04-13T07:59:37.505201169-05:00 stdout F " + Lines.s3))
        #expect(u == UnwrappedLine(payload: Lines.s3, wrapper: .cri))
        let plus = try #require(unwrapLine("2024-04-13T07:59:37.505201169+05:30 stdout F " + Lines.s3))
        #expect(plus.payload == Lines.s3)
    }

    @Test("CRI stderr record carrying an agent line")
    func criStderr() throws {
        let u = try #require(unwrapLine("2022-04-26T12:47:30.334012345Z stderr F " + agentLine))
        #expect(u == UnwrappedLine(payload: agentLine, wrapper: .cri))
        #expect(withSlice(u.payload) { OtherLine.matches($0) })
        let stderrAccess = try #require(unwrapLine("2022-04-26T13:14:30.905812345Z stderr F " + Lines.b3))
        #expect(stderrAccess.payload == Lines.b3)
    }

    @Test("CRI P, P, F parts are joined; the P parts are held")
    func criPartials() throws {
        // The OpenTelemetry blog's example, verbatim.
        let unwrapper = LineUnwrapper()
        #expect(unwrapLine("2024-04-06T00:17:10.113242941Z stdout P This is a very very long line th", with: unwrapper) == nil)
        #expect(unwrapper.holdsPartial)
        #expect(unwrapLine("2024-04-06T00:17:10.113242941Z stdout P at is really, really, long and spa", with: unwrapper) == nil)
        let joined = try #require(unwrapLine("2024-04-06T00:17:10.113242941Z stdout F ns across multiple log entries", with: unwrapper))
        #expect(joined.payload == "This is a very very long line that is really, really, long and spans across multiple log entries")
        #expect(joined.wrapper == .cri)
        #expect(!unwrapper.holdsPartial)
        // The next full record is not glued to the previous one.
        #expect(unwrapLine("2024-04-06T00:17:10.113242942Z stdout F " + Lines.b2, with: unwrapper)?.payload == Lines.b2)
    }

    @Test("An access line split into CRI parts classifies after reassembly")
    func criPartialAccessLine() throws {
        let line = Lines.s3
        let cut1 = line.index(line.startIndex, offsetBy: 60)
        let cut2 = line.index(line.startIndex, offsetBy: 200)
        let unwrapper = LineUnwrapper()
        let detector = LayoutDetector()
        #expect(throws: ClassifyFailure.self) {
            try classifyLine("2022-04-26T13:26:08.805Z stdout P " + line[..<cut1], detector: detector, unwrapper: unwrapper)
        }
        #expect(unwrapLine("2022-04-26T13:26:08.805Z stdout P " + line[cut1..<cut2], with: unwrapper) == nil)
        let c = try classifyLine("2022-04-26T13:26:08.805Z stdout F " + line[cut2...], detector: detector, unwrapper: unwrapper)
        #expect(c.verdict == "allowed")
        #expect(c.destHost == "httpbin.org")
        #expect(c.cluster == "outbound|80||httpbin.org")
        #expect(c.destIP == "34.197.247.180")
        #expect(c.destPort == "80")
    }

    @Test("CRI tags with extras (F:x, P:x) are read by their first letter")
    func criTagExtras() throws {
        let full = try #require(unwrapLine("2022-04-26T13:14:30.905812345Z stdout F:x-tag " + Lines.b2))
        #expect(full.payload == Lines.b2)
        #expect(full.wrapper == .cri)
        let unwrapper = LineUnwrapper()
        #expect(unwrapLine("2024-04-06T00:17:10.113242941Z stdout P:x-tag first-", with: unwrapper) == nil)
        #expect(unwrapLine("2024-04-06T00:17:10.113242941Z stdout F:x-tag second", with: unwrapper)?.payload == "first-second")
    }

    @Test("A CRI record with an empty message yields an empty payload")
    func criEmptyMessage() throws {
        #expect(unwrapLine("2022-04-26T13:14:30.905812345Z stdout F ")?.payload == "")
        #expect(unwrapLine("2022-04-26T13:14:30.905812345Z stdout F")?.payload == "")
    }

    @Test("takePartial returns a partial record left at the end of input, once")
    func takePartial() throws {
        let unwrapper = LineUnwrapper()
        #expect(unwrapper.takePartial() == nil)
        #expect(unwrapLine("2024-04-06T00:17:10.113242941Z stdout P This is a very very long line th", with: unwrapper) == nil)
        #expect(unwrapLine("2024-04-06T00:17:10.113242941Z stdout P at is really, really, long and spa", with: unwrapper) == nil)
        let rest = try #require(unwrapper.takePartial())
        #expect(String(decoding: rest, as: UTF8.self) == "This is a very very long line that is really, really, long and spa")
        #expect(!unwrapper.holdsPartial)
        #expect(unwrapper.takePartial() == nil)
        // The unwrapper starts afresh afterwards.
        #expect(unwrapLine("2024-04-06T00:17:10.113242942Z stdout F " + Lines.b3, with: unwrapper)?.payload == Lines.b3)
    }

    @Test("A partial record never grows past partialLimit; parts that would overflow it are dropped")
    func partialLimit() throws {
        let unwrapper = LineUnwrapper(partialLimit: 16)
        #expect(unwrapLine("2024-04-06T00:17:10.113242941Z stdout P 0123456789", with: unwrapper) == nil)
        #expect(unwrapLine("2024-04-06T00:17:10.113242941Z stdout P abcdefghij", with: unwrapper) == nil)
        let joined = try #require(unwrapLine("2024-04-06T00:17:10.113242941Z stdout F !", with: unwrapper))
        // The first part and the final part (which holds an access line's tail) are kept.
        #expect(joined.payload == "0123456789!")
        #expect(!unwrapper.holdsPartial)
    }

    // MARK: Docker json-file

    @Test("Docker json-file: escaped quotes unescaped, trailing \\n stripped")
    func dockerJSON() throws {
        let record = dockerRecord(Lines.b2 + "\n")
        #expect(record.contains(#"\"- - -\""#))
        let u = try #require(unwrapLine(record))
        #expect(u == UnwrappedLine(payload: Lines.b2, wrapper: .dockerJSON))
        // Go's encoder escapes & < > as \u00XX; CRLF endings lose both bytes.
        let withAmp = Lines.s3.replacingOccurrences(of: "GET /headers ", with: "GET /headers?a=1&b=<2> ")
        let amp = try #require(unwrapLine(dockerRecord(withAmp + "\r\n", stream: "stderr")))
        #expect(amp.payload == withAmp)
        #expect(amp.wrapper == .dockerJSON)
        let c = try classifyLine(dockerRecord(withAmp + "\n"))
        #expect(c.wrapper == "docker-json")
        #expect(c.verdict == "allowed")
        #expect(c.destHost == "httpbin.org")
    }

    @Test("Docker json-file: records split without a newline are joined")
    func dockerSplit() throws {
        let line = Lines.g4
        let cut = line.index(line.startIndex, offsetBy: 100)
        let unwrapper = LineUnwrapper()
        #expect(unwrapLine(dockerRecord(String(line[..<cut])), with: unwrapper) == nil)
        #expect(unwrapper.holdsPartial)
        let joined = try #require(unwrapLine(dockerRecord(String(line[cut...]) + "\n"), with: unwrapper))
        #expect(joined.payload == line)
        #expect(joined.wrapper == .dockerJSON)
        #expect(!unwrapper.holdsPartial)
        // Three pieces.
        let a = line.index(line.startIndex, offsetBy: 40), b = line.index(line.startIndex, offsetBy: 150)
        #expect(unwrapLine(dockerRecord(String(line[..<a])), with: unwrapper) == nil)
        #expect(unwrapLine(dockerRecord(String(line[a..<b])), with: unwrapper) == nil)
        #expect(unwrapLine(dockerRecord(String(line[b...]) + "\n"), with: unwrapper)?.payload == line)
    }

    // MARK: kubectl

    @Test("kubectl logs --prefix gives pod and container")
    func kubectlPrefix() throws {
        let u = try #require(unwrapLine("[pod/sleep-9454cc476-bhzfm/istio-proxy] " + Lines.b2))
        #expect(u == UnwrappedLine(payload: Lines.b2, wrapper: .kubectlPrefix, pod: "sleep-9454cc476-bhzfm", container: "istio-proxy"))
        let c = try classifyLine("[pod/sleep-9454cc476-bhzfm/istio-proxy] " + Lines.b2)
        #expect(c.pod == "sleep-9454cc476-bhzfm")
        #expect(c.container == "istio-proxy")
        #expect(c.namespace == nil)
        #expect(c.verdict == "blocked")
    }

    @Test("kubectl logs --timestamps")
    func kubectlTimestamps() throws {
        let u = try #require(unwrapLine("2022-04-26T13:14:30.905812345Z " + Lines.b2))
        #expect(u == UnwrappedLine(payload: Lines.b2, wrapper: .kubectlTimestamps))
        let json = try #require(unwrapLine("2021-06-04T14:35:50.470123456Z " + Lines.b4))
        #expect(json == UnwrappedLine(payload: Lines.b4, wrapper: .kubectlTimestamps))
        // An agent line behind a timestamp keeps its own timestamp and tabs.
        let agent = try #require(unwrapLine("2022-04-26T12:47:30.334012345Z " + agentLine))
        #expect(agent.payload == agentLine)
    }

    @Test("kubectl logs --prefix --timestamps together")
    func kubectlPrefixAndTimestamps() throws {
        let u = try #require(unwrapLine("[pod/sleep-9454cc476-bhzfm/istio-proxy] 2022-04-26T13:14:30.905812345Z " + Lines.b2))
        #expect(u == UnwrappedLine(payload: Lines.b2, wrapper: .kubectlPrefix, pod: "sleep-9454cc476-bhzfm", container: "istio-proxy"))
        let json = try #require(unwrapLine("[pod/ratings-v1-85c74b6cb4-4xqrv/istio-proxy] 2021-06-04T14:35:50.470123456Z " + Lines.b4))
        #expect(json.payload == Lines.b4)
        #expect(json.pod == "ratings-v1-85c74b6cb4-4xqrv")
    }

    // MARK: Shippers

    @Test("Fluent Bit record: kubernetes namespace, pod and container")
    func fluentBit() throws {
        let record = "{\"log\":\(jsonString(Lines.b2 + "\n")),\"stream\":\"stdout\",\"time\":\"2022-04-26T13:14:30.905812345Z\",\"kubernetes\":\(fluentBitKubernetes)}"
        let u = try #require(unwrapLine(record))
        #expect(u == UnwrappedLine(payload: Lines.b2, wrapper: .shipperRecord, namespace: "default", pod: "sleep-9454cc476-bhzfm", container: "istio-proxy"))
        let c = try classifyLine(record)
        #expect(c.namespace == "default")
        #expect(c.pod == "sleep-9454cc476-bhzfm")
        #expect(c.verdict == "blocked")
    }

    @Test("Fluentd kubernetes_metadata record (README shape, keys in its order)")
    func fluentd() throws {
        let record = "{\"log\": \(jsonString(Lines.s4 + "\n")), \"stream\": \"stdout\", \"docker\": {\"id\": \"df14e0d5ae4c07284fa636d739c8fc2e6b52bc344658de7d3f08c36a2e804115\"}, \"kubernetes\": {\"host\": \"jimmi-redhat.localnet\", \"pod_name\": \"fabric8-console-controller-98rqc\", \"pod_id\": \"c76927af-f563-11e4-b32d-54ee7527188d\", \"container_name\": \"fabric8-console-container\", \"namespace_name\": \"default\", \"namespace_id\": \"23437884-8e08-4d95-850b-e94378c9b2fd\", \"namespace_annotations\": {\"fabric8.io/git-commit\": \"5e1116f63df0bac2a80bdae2ebdc563577bbdf3c\"}, \"namespace_labels\": {\"product_version\": \"v1.0.0\"}, \"labels\": {\"component\": \"fabric8Console\"}}}"
        let u = try #require(unwrapLine(record))
        #expect(u == UnwrappedLine(payload: Lines.s4, wrapper: .shipperRecord, namespace: "default",
                                   pod: "fabric8-console-controller-98rqc", container: "fabric8-console-container"))
    }

    @Test("Fluent Bit Merge_Log: a log_processed object is the payload")
    func logProcessed() throws {
        let record = "{\"stream\":\"stdout\",\"time\":\"2021-06-04T14:35:50.470123456Z\",\"log_processed\":\(Lines.b4),\"kubernetes\":\(fluentBitKubernetes)}"
        let u = try #require(unwrapLine(record))
        #expect(u == UnwrappedLine(payload: Lines.b4, wrapper: .shipperRecord, namespace: "default", pod: "sleep-9454cc476-bhzfm", container: "istio-proxy"))
        let c = try classifyLine(record)
        #expect(c.layout == "json")
        #expect(c.verdict == "blocked")
        #expect(c.destIP == "13.249.75.75")
        #expect(c.destPort == "443")
    }

    @Test("A Fluent Bit record whose log is a whole CRI line (nested envelopes)")
    func nestedCRIInShipper() throws {
        let cri = "2022-04-26T13:14:30.905812345Z stdout F " + Lines.b2
        let record = "{\"log\":\(jsonString(cri)),\"kubernetes\":\(fluentBitKubernetes)}"
        let u = try #require(unwrapLine(record))
        #expect(u == UnwrappedLine(payload: Lines.b2, wrapper: .shipperRecord, namespace: "default", pod: "sleep-9454cc476-bhzfm", container: "istio-proxy"))
        // A CRI file whose messages are Docker records (the Docker record inside CRI).
        let inner = try #require(unwrapLine("2022-04-26T13:14:30.905812345Z stdout F " + dockerRecord(Lines.b3 + "\n")))
        #expect(inner.payload == Lines.b3)
        #expect(inner.wrapper == .cri)
    }

    @Test("Lines without envelopes pass through unchanged (agent line, access lines, JSON access line)")
    func plainPassThrough() throws {
        for line in [agentLine, Lines.b1, Lines.b4, Lines.json13Outbound, "", "   "] {
            let u = try #require(unwrapLine(line))
            #expect(u == UnwrappedLine(payload: line, wrapper: .plain), "\(line)")
        }
        // An agent JSON line has no `log` key: not an envelope.
        let agentJSON = #"{"level":"info","time":"2022-04-26T12:47:30.333876Z","msg":"Envoy proxy is ready"}"#
        #expect(unwrapLine(agentJSON) == UnwrappedLine(payload: agentJSON, wrapper: .plain))
    }

    @Test("jsonLinesAreAccess skips the envelope check for JSON lines unless envelopes: true")
    func jsonLinesAreAccess() throws {
        let unwrapper = LineUnwrapper()
        unwrapper.jsonLinesAreAccess = true
        // A JSON access line is taken as it is.
        #expect(unwrapLine(Lines.b4, with: unwrapper) == UnwrappedLine(payload: Lines.b4, wrapper: .plain))
        // A Docker record is not opened on the fast path…
        let record = dockerRecord(Lines.b2 + "\n")
        #expect(unwrapLine(record, with: unwrapper) == UnwrappedLine(payload: record, wrapper: .plain))
        // …but is when the caller asks again with the check on.
        #expect(unwrapLine(record, with: unwrapper, envelopes: true) == UnwrappedLine(payload: Lines.b2, wrapper: .dockerJSON))
        // Non-JSON envelopes are always opened.
        #expect(unwrapLine("2022-04-26T13:14:30.905812345Z stdout F " + Lines.b2, with: unwrapper)?.payload == Lines.b2)
    }

    // MARK: Paths

    @Test("SourceFromPath: /var/log/pods layouts (plain, .gz, rotated)")
    func podsPaths() {
        let expected = SourceFromPath(namespace: "default", pod: "sleep-9454cc476-bhzfm", container: "istio-proxy")
        let dir = "/var/log/pods/default_sleep-9454cc476-bhzfm_6a3c5f2e-1b7d-4c1e-9a55-0f1e2d3c4b5a/istio-proxy/"
        for file in ["0.log", "3.log", "0.log.gz", "0.log.20240101-120000", "0.log.20240101-120000.gz"] {
            #expect(SourceFromPath.parse(dir + file) == expected, "\(file)")
        }
        // The OTel blog's example path.
        #expect(SourceFromPath.parse("/var/log/pods/kube-system_kube-scheduler-kind-control-plane_49cc7c1fd3702c40b2686ea7486091d3/kube-scheduler/1.log")
                == SourceFromPath(namespace: "kube-system", pod: "kube-scheduler-kind-control-plane", container: "kube-scheduler"))
    }

    @Test("SourceFromPath: /var/log/containers symlink names")
    func containersPaths() {
        #expect(SourceFromPath.parse("/var/log/containers/fabric8-console-controller-98rqc_default_fabric8-console-container-df14e0d5ae4c07284fa636d739c8fc2e6b52bc344658de7d3f08c36a2e804115.log")
                == SourceFromPath(namespace: "default", pod: "fabric8-console-controller-98rqc", container: "fabric8-console-container"))
        #expect(SourceFromPath.parse("/var/log/containers/sleep-9454cc476-bhzfm_default_istio-proxy-df14e0d5ae4c07284fa636d739c8fc2e6b52bc344658de7d3f08c36a2e804115.log.gz")
                == SourceFromPath(namespace: "default", pod: "sleep-9454cc476-bhzfm", container: "istio-proxy"))
    }

    @Test("SourceFromPath: relative paths")
    func relativePaths() {
        let expected = SourceFromPath(namespace: "default", pod: "sleep-9454cc476-bhzfm", container: "istio-proxy")
        #expect(SourceFromPath.parse("pods/default_sleep-9454cc476-bhzfm_6a3c5f2e-1b7d-4c1e-9a55-0f1e2d3c4b5a/istio-proxy/0.log") == expected)
        #expect(SourceFromPath.parse("default_sleep-9454cc476-bhzfm_6a3c5f2e-1b7d-4c1e-9a55-0f1e2d3c4b5a/istio-proxy/0.log") == expected)
        #expect(SourceFromPath.parse("./collected/default_sleep-9454cc476-bhzfm_6a3c5f2e-1b7d-4c1e-9a55-0f1e2d3c4b5a/istio-proxy/0.log") == expected)
        #expect(SourceFromPath.parse("sleep-9454cc476-bhzfm_default_istio-proxy-df14e0d5ae4c07284fa636d739c8fc2e6b52bc344658de7d3f08c36a2e804115.log") == expected)
    }

    @Test("SourceFromPath: other paths give nil")
    func nonMatchingPaths() {
        for path in [
            "/tmp/access.log",
            "access.log",
            "istio-proxy.log.gz",
            "",
            "/",
            "/var/log/pods/default_sleep/istio-proxy/0.log",
            "/var/log/pods/6a3c5f2e-1b7d-4c1e-9a55-0f1e2d3c4b5a/istio-proxy/0.log",
            "/home/me/logs/a_b_c/istio-proxy/0.log",
            "/var/log/containers/sleep_default_istio-proxy-1234.log",
            "/var/log/containers/sleep_default_istio-proxy-zz14e0d5ae4c07284fa636d739c8fc2e6b52bc344658de7d3f08c36a2e804115.log",
            "/var/log/containers/sleep_default_istio-proxy.log",
            "/var/log/pods/default_sleep-9454cc476-bhzfm_6a3c5f2e-1b7d-4c1e-9a55-0f1e2d3c4b5a/istio-proxy/notes.txt",
        ] {
            #expect(SourceFromPath.parse(path) == nil, "\(path)")
        }
    }

    // MARK: Other lines

    @Test("OtherLine: agent lines, Envoy's own log and blank lines match")
    func otherLines() {
        let lines = [
            agentLine,
            "2021-03-03T20:15:33.934837Z\tinfo\txdsproxy\tEnvoy ADS stream established",
            "2022-11-15T09:14:07.123456Z\tinfo\tFLAG: --concurrency=\"2\"",
            "2021-03-16T09:29:20.897246Z\tinfo\tEnvoy proxy is ready",
            "2023-10-12T08:08:15.270118Z\tdebug\tenvoy pool external/envoy/source/common/conn_pool/conn_pool_base.cc:265\t[C107599] using existing fully connected connection\tthread=25",
            "[2024-01-01 10:00:00.000][15][warning][config] [external/envoy/source/common/config/grpc_subscription_impl.cc:82] gRPC config stream closed",
            "[2020-05-27 07:05:38.944][17][warning][misc] [external/envoy/source/common/protobuf/utility.cc:174] Using deprecated option 'envoy.api.v2.Listener.use_original_dst' from file lds.proto.",
            "info\tFLAG: --concurrency=\"2\"",
            "warn\tsomething",
            "",
            "   ",
            "\t",
        ]
        for line in lines {
            #expect(withSlice(line) { OtherLine.matches($0) }, "\(line)")
        }
        #expect(OtherLine.matches(.absent))
    }

    @Test("OtherLine: access lines are not other lines")
    func accessLinesAreNotOther() {
        for line in [Lines.b1, Lines.b2, Lines.s1, Lines.envoyDoc, Lines.b4, Lines.json13Outbound,
                     "1527590590.528 outbound|443||www.google.com 172.217.161.36:443 www.google.com"] {
            #expect(!withSlice(line) { OtherLine.matches($0) }, "\(line)")
        }
    }
}
