import EgressAudit

// Shared by every harness (scripts/fuzz compiles it into each one).

/// The fuzzer's bytes, handed to a harness as the ingest path sees them: line by line, or whole. Every piece is
/// copied into an allocation of exactly its size, so AddressSanitizer reports a read even one byte past the end
/// (inside libFuzzer's buffer such a read would land on the next line unnoticed).
enum FuzzInput {
    /// Calls `body` with each `\n`-separated line (without the `\n`); the last line may be unterminated.
    static func forEachLine(_ data: UnsafePointer<UInt8>, _ size: Int, _ body: (ByteSlice) -> Void) {
        var start = 0
        repeat {
            var end = start
            while end < size && data[end] != 0x0A { end += 1 }
            withCopy(data + start, end - start, body)
            start = end + 1
        } while start < size
    }

    /// Calls `body` with a copy of `count` bytes at `bytes`, in an allocation of exactly that size.
    static func withCopy<T>(_ bytes: UnsafePointer<UInt8>, _ count: Int, _ body: (ByteSlice) -> T) -> T {
        withCopy(UnsafeBufferPointer(start: bytes, count: count), body)
    }

    /// Calls `body` with a copy of `bytes`, in an allocation of exactly their size.
    static func withCopy<T>(_ bytes: some Collection<UInt8>, _ body: (ByteSlice) -> T) -> T {
        let copy = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: bytes.count)
        defer { copy.deallocate() }
        _ = copy.initialize(from: bytes)
        return body(ByteSlice(start: copy.baseAddress, count: copy.count))
    }

    /// The bytes as a `String` (invalid UTF-8 repaired, as the CLI's readers do).
    static func string(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    /// Reads every byte of `slice`, so AddressSanitizer checks that it points into live memory; returns a
    /// checksum the caller keeps, so the reads are not optimised away.
    @inline(never)
    static func touch(_ slice: ByteSlice) -> UInt64 {
        guard let p = slice.start else { return 0 }
        precondition(slice.count >= 0, "slice with a negative count")
        var sum: UInt64 = 0
        for i in 0..<slice.count { sum = sum &* 31 &+ UInt64(p[i]) }
        return sum
    }
}

/// Where harnesses store the checksums of what they read (see `FuzzInput.touch`).
nonisolated(unsafe) var fuzzSink: UInt64 = 0
