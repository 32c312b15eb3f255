// libFuzzer harness for wrapper detection with its state across lines: the input's lines go one by one through
// one `LineUnwrapper`, as a file's lines do during ingest, so CRI `P`/`F` partials, Docker records split
// without their newline, shipper records, `kubectl --prefix`/`--timestamps` and envelopes inside envelopes are
// joined and unwrapped; a partial left at the end is taken as ingest does. Also the kubelet path layouts
// (`SourceFromPath`) on each line. Built by scripts/fuzz against the library; not part of the package.
//
// The first input byte sets the options: bit 0 starts with JSON lines known to be access records (envelope
// checks off), bit 1 asks for envelopes on every call, bit 2 caps partial records at 64 bytes instead of 8 MiB.
import EgressAudit

/// Reads everything an unwrapped line carries.
func consume(_ u: Unwrapped) {
    fuzzSink &+= FuzzInput.touch(u.payload) &+ FuzzInput.touch(u.namespace) &+ FuzzInput.touch(u.pod)
        &+ FuzzInput.touch(u.container) &+ UInt64(u.wrapper.rawValue.utf8.count)
    _ = OtherLine.matches(u.payload)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let options = data[0]
    let limit = options & 4 != 0 ? 64 : 8 << 20
    // A new unwrapper per input: a held partial from one input must not leak into the next one's replay.
    let unwrapper = LineUnwrapper(partialLimit: limit)
    unwrapper.jsonLinesAreAccess = options & 1 != 0
    let envelopes = options & 2 != 0
    FuzzInput.forEachLine(data + 1, size - 1) { line in
        switch unwrapper.unwrap(line, envelopes: envelopes) {
        case .held:
            precondition(unwrapper.holdsPartial, "held a line but holds no partial record")
        case .line(let u):
            consume(u)
            // Ingest's two cases for a plain JSON payload (LineProducer): when JSON lines were taken for access
            // records and this one is not one, it is unwrapped again with the envelope check on; when it is
            // one, later JSON lines skip the envelope scan. The harness takes the first case whenever it can.
            let isJSON = u.payload.count > 0 && u.payload[0] == UInt8(ascii: "{")
            if isJSON && u.wrapper == .plain && unwrapper.jsonLinesAreAccess {
                if case .line(let again) = unwrapper.unwrap(line, envelopes: true) { consume(again) }
            } else if isJSON && u.wrapper == .plain {
                unwrapper.jsonLinesAreAccess = true
            }
        }
        fuzzSink &+= UInt64(SourceFromPath.parse(FuzzInput.string(line.start!, line.count))?.pod.utf8.count ?? 0)
    }
    if let partial = unwrapper.takePartial() {
        precondition(partial.count <= limit, "a partial record of \(partial.count) bytes passed the limit of \(limit)")
        fuzzSink &+= UInt64(partial.count)
    }
    precondition(!unwrapper.holdsPartial, "still holds a partial record after takePartial")
    return 0
}
