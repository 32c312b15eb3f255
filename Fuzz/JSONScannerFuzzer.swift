// libFuzzer harness for the JSON scanner: the input as one JSON text, its members read (keys and string values
// unescaped into the scratch space), nested objects scanned in turn as the wrapper detection does with
// `kubernetes` and `log_processed`, and the Istio JSON layout's key lookup on top. Built by scripts/fuzz against
// the library; not part of the package.
import EgressAudit

nonisolated(unsafe) let jsonLayout = JSONFormat()
nonisolated(unsafe) let record = AccessRecord()
/// How deep nested objects are scanned (the scanner itself skips deeper nesting up to its own limit).
let nestingScanned = 6

/// Scans the object in `text` and, recursively, the objects among its values; each level with its own scratch
/// space reset for the text it scans, which is the contract `JSONScratch.reset(for:)` states.
func scan(_ text: ByteSlice, depth: Int) {
    // A small starting capacity, so `reset(for:)` has to grow it.
    let scratch = JSONScratch(capacity: 8)
    scratch.reset(for: text.count)
    var nested: [ByteSlice] = []
    let error = JSONScanner.forEachMember(of: text, scratch: scratch) { key, value in
        fuzzSink &+= FuzzInput.touch(key) &+ FuzzInput.touch(value.slice)
        if value.kind == .object { nested.append(value.slice) }
    }
    fuzzSink &+= UInt64((error?.description ?? "").utf8.count)
    guard depth < nestingScanned else { return }
    for object in nested { scan(object, depth: depth + 1) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    FuzzInput.withCopy(data, size) { text in
        scan(text, depth: 0)
        // `parse` clears the record first, so every value read below belongs to this input.
        if jsonLayout.parse(text, into: record) {
            for kind in FieldKind.allCases where kind != .ignored { fuzzSink &+= FuzzInput.touch(record[kind]) }
        }
    }
    return 0
}
