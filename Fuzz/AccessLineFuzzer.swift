// libFuzzer harness for the access-line parser: each line of the input through layout detection (every preset
// and JSON, the detector's state kept from line to line as in a file), through each layout on its own, and
// through classification when a layout matched. Built by scripts/fuzz against the library; not part of the
// package.
import EgressAudit

/// Every layout compiled once (compiling is not what this harness tests; formats hold no per-line state).
nonisolated(unsafe) let layouts: [LineFormat] = FormatPresets.compiled() + [JSONFormat()]
nonisolated(unsafe) let classifier = Classifier()
/// A mesh with another cluster domain and an egress gateway, so those branches of classification run too.
nonisolated(unsafe) let gatewayClassifier = Classifier(config: ClassifierConfig(
    clusterDomain: "corp.example", egressGatewayHosts: ["istio-egressgateway.istio-system.svc.cluster.local"]))
nonisolated(unsafe) let record = AccessRecord()
/// One detector for every input (building one compiles every preset, which would cost more than the lines).
nonisolated(unsafe) let detector = LayoutDetector()
/// Envoy's documented example, a line of the `envoy` layout only: parsing it first puts the detector in the same
/// state for every input, so a crash replays alone.
let resetLine = Array(#"[2016-04-15T20:17:00.310Z] "POST /api/v1/locations HTTP/2" 204 - 154 0 226 100 "10.0.35.28" "nsq2http" "cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2" "locations" "tcp://10.0.2.1:80""#.utf8)

/// Reads every value of `record` and classifies it, as ingest does with a parsed line.
func consume(_ record: AccessRecord) {
    for kind in FieldKind.allCases where kind != .ignored { fuzzSink &+= FuzzInput.touch(record[kind]) }
    _ = Timestamp.microseconds(record[.startTime])
    for c in [classifier.classify(record), gatewayClassifier.classify(record)] {
        fuzzSink &+= FuzzInput.touch(c.destHost) &+ FuzzInput.touch(c.destIP) &+ FuzzInput.touch(c.cluster)
            &+ FuzzInput.touch(c.sni) &+ FuzzInput.touch(c.sourceIP) &+ UInt64(bitPattern: c.destPort)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    // What the detector tries first depends on the lines before: the same for every input.
    FuzzInput.withCopy(resetLine) { line in
        var reason = ""
        precondition(detector.parse(line, into: record, reason: &reason)?.name == "envoy", "reset line: \(reason)")
    }
    FuzzInput.forEachLine(data, size) { line in
        var reason = ""
        if !OtherLine.matches(line), detector.parse(line, into: record, reason: &reason) != nil {
            consume(record)
        }
        fuzzSink &+= UInt64(reason.utf8.count)
        // Each layout on its own: detection stops at the first that matches.
        for format in layouts where format.parse(line, into: record) {
            consume(record)
        }
        // The address and cluster helpers classification uses, on raw bytes.
        let (host, port) = Endpoint.split(line)
        fuzzSink &+= FuzzInput.touch(host) &+ UInt64(bitPattern: port)
        _ = Endpoint.isIPLiteral(line)
        if let cluster = ClusterName.outbound(line) {
            fuzzSink &+= FuzzInput.touch(cluster.host) &+ FuzzInput.touch(cluster.subset)
        }
        fuzzSink &+= FuzzInput.touch(ClusterName.normalized(line))
    }
    return 0
}
