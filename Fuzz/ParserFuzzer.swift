// libFuzzer harness for the per-line path: wrappers → layout detection (every preset, JSON) → classification,
// and the Envoy format compiler. Built by scripts/fuzz from the library's sources; not part of the package.
// The first input byte picks the target; the rest is the line (or the format string).

nonisolated(unsafe) let unwrapper = LineUnwrapper()
nonisolated(unsafe) let detector = LayoutDetector()
nonisolated(unsafe) let classifier = Classifier()
nonisolated(unsafe) let record = AccessRecord()
nonisolated(unsafe) let scratch = JSONScratch()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let target = data[0] % 4
    let body = ByteSlice(start: data + 1, count: size - 1)
    switch target {
    case 0:
        // A line through the whole per-line path.
        if case .line(let u) = unwrapper.unwrap(body) {
            var reason = ""
            if !OtherLine.matches(u.payload), detector.parse(u.payload, into: record, reason: &reason) != nil {
                _ = classifier.classify(record)
                _ = Timestamp.microseconds(record[.startTime])
            }
        }
    case 1:
        // The format compiler, then the compiled format on a fixed real line.
        let text = String(decoding: UnsafeBufferPointer(start: data + 1, count: size - 1), as: UTF8.self)
        if let format = try? TextFormat(name: "fuzz", format: text) {
            var line = Array("[2022-04-26T13:14:30.905Z] \"- - -\" 0 UH - - \"-\" 0 0 7 - \"-\" \"-\" \"-\" \"-\" \"-\" BlackHoleCluster - 180.97.34.94:443 10.122.158.52:54192 - -".utf8)
            line.withUnsafeBufferPointer { p in _ = format.parse(ByteSlice(start: p.baseAddress, count: p.count), into: record) }
        }
    case 2:
        // The JSON scanner on its own.
        scratch.reset(for: body.count)
        _ = JSONScanner.forEachMember(of: body, scratch: scratch) { _, _ in }
    default:
        // Addresses and clusters.
        _ = Endpoint.split(body)
        _ = Endpoint.isIPLiteral(body)
        _ = ClusterName.outbound(body)
        _ = SourceFromPath.parse(String(decoding: UnsafeBufferPointer(start: data + 1, count: size - 1), as: UTF8.self))
    }
    return 0
}
