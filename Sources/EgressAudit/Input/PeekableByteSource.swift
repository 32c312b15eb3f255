/// Replays bytes already read from a source before reading on from it, so the start of
/// any input (even a pipe) can be inspected, e.g. for the gzip magic number.
public final class PeekableByteSource: ByteSource {
    private let upstream: ByteSource
    private var prefix: [UInt8]
    private var prefixPosition = 0

    public init(upstream: ByteSource) {
        self.upstream = upstream
        self.prefix = []
    }

    /// Returns up to `count` bytes from the start without consuming them.
    public func peek(_ count: Int) throws -> [UInt8] {
        while prefix.count < count {
            var chunk = [UInt8](repeating: 0, count: count - prefix.count)
            let n = try chunk.withUnsafeMutableBytes { try upstream.read(into: $0) }
            if n == 0 { break }
            prefix.append(contentsOf: chunk[0..<n])
        }
        return Array(prefix.prefix(count))
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if prefixPosition < prefix.count {
            let n = min(buffer.count, prefix.count - prefixPosition)
            prefix.withUnsafeBytes { p in
                buffer.baseAddress!.copyMemory(from: p.baseAddress! + prefixPosition, byteCount: n)
            }
            prefixPosition += n
            return n
        }
        return try upstream.read(into: buffer)
    }
}
