// libFuzzer harness for the gzip reader (multi-member, truncated, corrupt input must end in an error, never a
// crash or a hang) and the line reader over it. Built by scripts/fuzz against the library; not part of the package.
import EgressAudit

/// Serves the fuzzer's bytes as a source, in odd-sized reads.
final class BytesSource: ByteSource {
    let data: UnsafePointer<UInt8>
    let size: Int
    var position = 0
    init(_ data: UnsafePointer<UInt8>, _ size: Int) { self.data = data; self.size = size }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, size - position, 777)
        if n <= 0 { return 0 }
        buffer.baseAddress!.copyMemory(from: data + position, byteCount: n)
        position += n
        return n
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard let gzip = try? GzipByteSource(upstream: BytesSource(data, size), name: "fuzz", chunkSize: 4096) else { return 0 }
    let reader = LineReader(source: gzip, chunkSize: 4096, maxLineLength: 1 << 16)
    var produced: Int64 = 0
    do {
        try reader.forEachLine { line in
            produced += Int64(line.bytes.count)
            return produced < 64 << 20   // a bomb stops here: flat memory either way
        }
    } catch {}
    return 0
}
