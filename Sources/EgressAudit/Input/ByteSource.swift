/// A stream of bytes read in large chunks: a file, standard input, or a decoder over another source.
///
/// Sources know nothing of log lines or Envoy; they only move bytes. `read(into:)` returns 0 at the end.
public protocol ByteSource: AnyObject {
    /// Fills up to `buffer.count` bytes and returns how many were written; 0 means the input is over.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

extension ByteSource {
    /// Reads and drops `count` bytes, keeping the last `keepingLast` of them in `tail`
    /// (used to resume a stream that cannot seek, and to verify what was skipped).
    /// Returns the number of bytes actually skipped (less than `count` if the input ended).
    public func discard(_ count: Int64, keepingLast keep: Int = 0, tail: inout [UInt8]) throws -> Int64 {
        var remaining = count
        let scratchSize = 1 << 20
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: scratchSize, alignment: 16)
        defer { scratch.deallocate() }
        tail.removeAll(keepingCapacity: true)
        while remaining > 0 {
            let want = Int(min(Int64(scratchSize), remaining))
            let n = try read(into: UnsafeMutableRawBufferPointer(rebasing: scratch[0..<want]))
            if n == 0 { break }
            remaining -= Int64(n)
            if keep > 0 {
                let chunk = UnsafeRawBufferPointer(rebasing: scratch[0..<n])
                if n >= keep {
                    tail = Array(chunk[(n - keep)..<n])
                } else {
                    tail.append(contentsOf: chunk)
                    if tail.count > keep { tail.removeFirst(tail.count - keep) }
                }
            }
        }
        return count - remaining
    }
}
