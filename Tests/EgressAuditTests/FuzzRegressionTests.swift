#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import EgressAudit

// Regression tests for what libFuzzer (scripts/fuzz) and the AddressSanitizer run of this suite found: each test
// names the harness or run that found it and replays the input, so the finding stays fixed.

/// Bytes from memory, all at once.
fileprivate final class MemorySource: ByteSource {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, bytes.count - position)
        bytes.withUnsafeBytes { p in
            if n > 0 { buffer.baseAddress!.copyMemory(from: p.baseAddress! + position, byteCount: n) }
        }
        position += n
        return n
    }
}

@Suite("Fuzzing and sanitizer findings")
struct FuzzRegressionTests {

    // MARK: AddressSanitizer (LeakSanitizer) on the suite

    @Test("A prefetching source is freed once read to its end (it kept its thread, whose closure kept it)")
    func prefetchingSourceIsFreed() throws {
        weak var released: PrefetchingByteSource?
        do {
            let source = PrefetchingByteSource(upstream: MemorySource(Array("line one\nline two\n".utf8)), buffers: 2, bufferSize: 5)
            released = source
            var buffer = [UInt8](repeating: 0, count: 3)
            var total = 0
            while true {
                let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
                if n == 0 { break }
                total += n
            }
            #expect(total == 18)
        }
        // The producer thread lets go of the source when it ends, which is just after the end was handed over.
        let deadline = Date().addingTimeInterval(10)
        while released != nil && Date() < deadline { usleep(1000) }
        #expect(released == nil, "the source (and its buffers) outlived its last reference")
    }

    @Test("A cancelled prefetching source is freed too")
    func cancelledPrefetchingSourceIsFreed() {
        weak var released: PrefetchingByteSource?
        do {
            let source = PrefetchingByteSource(upstream: MemorySource([UInt8](repeating: 0x78, count: 100)), buffers: 2, bufferSize: 4)
            released = source
            source.cancel()
        }
        let deadline = Date().addingTimeInterval(10)
        while released != nil && Date() < deadline { usleep(1000) }
        #expect(released == nil)
    }
}
