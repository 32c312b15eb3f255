#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import EgressAudit
import CZlib

// Tests of the input stage: LineReader, GzipByteSource, PrefetchingByteSource.
// Every helper here is fileprivate so other test files of this target can use the same names.

// MARK: - Helpers

/// Bytes from memory, at most `maxPerRead` per `read` (to force short reads), then optionally an error.
fileprivate final class ChunkedMemorySource: ByteSource {
    private let bytes: [UInt8]
    private let maxPerRead: Int
    private var position = 0
    private let failure: Error?
    private(set) var reads = 0

    init(_ bytes: [UInt8], maxPerRead: Int = .max, failAtEnd failure: Error? = nil) {
        self.bytes = bytes
        self.maxPerRead = maxPerRead
        self.failure = failure
    }

    convenience init(_ text: String, maxPerRead: Int = .max) {
        self.init(Array(text.utf8), maxPerRead: maxPerRead)
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        reads += 1
        let n = min(buffer.count, maxPerRead, bytes.count - position)
        if n == 0 {
            if let failure { throw failure }
            return 0
        }
        bytes.withUnsafeBytes { p in
            buffer.baseAddress!.copyMemory(from: p.baseAddress! + position, byteCount: n)
        }
        position += n
        return n
    }
}

/// An endless source of `x` bytes (for cancelling a prefetcher whose producer is blocked).
fileprivate final class EndlessSource: ByteSource {
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        buffer.initializeMemory(as: UInt8.self, repeating: UInt8(ascii: "x"))
        return buffer.count
    }
}

/// A line as delivered, copied out of the reader's buffer.
fileprivate struct SeenLine: Equatable, CustomStringConvertible {
    var text: String
    var number: Int64
    var endOffset: Int64
    var overlong: Bool
    var unterminated: Bool

    var description: String { "#\(number) \(text.debugDescription) end=\(endOffset)\(overlong ? " overlong" : "")\(unterminated ? " unterminated" : "")" }
}

fileprivate func collectLines(_ reader: LineReader, deliverUnterminated: Bool = true) throws -> [SeenLine] {
    var seen: [SeenLine] = []
    try reader.forEachLine(deliverUnterminated: deliverUnterminated) { line in
        seen.append(SeenLine(text: String(decoding: line.bytes, as: UTF8.self), number: line.number,
                             endOffset: line.endOffset, overlong: line.overlong, unterminated: line.unterminated))
        return true
    }
    return seen
}

/// Reads a source to its end (or first error) with reads of the given sizes, cycling.
fileprivate func drain(_ source: ByteSource, readSizes: [Int] = [65_536]) -> (bytes: [UInt8], error: Error?) {
    var out: [UInt8] = []
    var i = 0
    let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: readSizes.max()!, alignment: 16)
    defer { scratch.deallocate() }
    while true {
        let size = readSizes[i % readSizes.count]
        i += 1
        do {
            let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: scratch[0..<size]))
            if n == 0 { return (out, nil) }
            out.append(contentsOf: scratch[0..<n])
        } catch {
            return (out, error)
        }
    }
}

/// A deterministic pseudo-random generator (SplitMix64), so failures can be reproduced.
fileprivate struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

fileprivate func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var g = SeededGenerator(state: seed)
    var out = [UInt8](repeating: 0, count: count)
    var i = 0
    while i < count {
        var v = g.next()
        for _ in 0..<8 where i < count {
            out[i] = UInt8(truncatingIfNeeded: v)
            v >>= 8
            i += 1
        }
    }
    return out
}

/// Log-like text: numbered lines of varying length, compressible like real logs.
fileprivate func logText(lines: Int, tag: String = "line") -> [UInt8] {
    var s = ""
    for i in 0..<lines {
        s += "[2026-11-23T09:\(String(format: "%02d", i % 60)):00.000Z] \(tag) \(i) " + String(repeating: "abcdefghij", count: i % 7) + "\n"
    }
    return Array(s.utf8)
}

fileprivate func writeFile(_ path: String, _ bytes: [UInt8]) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

fileprivate func readFile(_ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

/// Compresses `bytes` with the system's gzip (an independent encoder), as one gzip member.
fileprivate func gzipped(_ bytes: [UInt8], in folder: TestFolder, name: String = UUID().uuidString) throws -> [UInt8] {
    let plain = folder.file(name)
    let packed = plain + ".gz"
    try writeFile(plain, bytes)
    guard let gzip = ["/bin/gzip", "/usr/bin/gzip"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
        Issue.record("gzip is not installed in /bin or /usr/bin")
        return []
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: gzip)
    process.arguments = ["-n", "-6", "-f", plain]  // writes plain.gz and removes plain
    try process.run()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "gzip failed")
    return try readFile(packed)
}

fileprivate func inflateAll(_ gz: [UInt8], chunkSize: Int = 1 << 20, readSizes: [Int] = [65_536]) throws -> (bytes: [UInt8], error: Error?) {
    let source = try GzipByteSource(upstream: ChunkedMemorySource(gz), name: "test.gz", chunkSize: chunkSize)
    return drain(source, readSizes: readSizes)
}

// MARK: - LineReader

@Suite("LineReader")
struct LineReaderInputTests {
    @Test("lines split across tiny chunks and short reads come out whole, with exact numbers and end offsets",
          arguments: [(1, Int.max), (2, Int.max), (7, Int.max), (7, 3), (64, 5), (1 << 20, Int.max)])
    func chunkBoundaries(chunkSize: Int, maxPerRead: Int) throws {
        // Lines of 0…25 bytes, so every split position relative to the chunk size occurs.
        var text = ""
        var expected: [SeenLine] = []
        var offset: Int64 = 0
        for i in 0..<60 {
            let body = String(repeating: Character(UnicodeScalar(UInt8(97 + i % 26))), count: (i * 7) % 26)
            text += body + "\n"
            offset += Int64(body.utf8.count + 1)
            expected.append(SeenLine(text: body, number: Int64(i + 1), endOffset: offset, overlong: false, unterminated: false))
        }
        let reader = LineReader(source: ChunkedMemorySource(text, maxPerRead: maxPerRead), chunkSize: chunkSize, maxLineLength: 100)
        let seen = try collectLines(reader)
        #expect(seen == expected)
        #expect(reader.offset == offset)
        #expect(reader.nextLineNumber == 61)
    }

    @Test("CRLF line ends are removed and counted in the end offsets")
    func crlf() throws {
        let reader = LineReader(source: ChunkedMemorySource("ab\r\ncd\n\r\nlast\r\n"), chunkSize: 7, maxLineLength: 100)
        let seen = try collectLines(reader)
        #expect(seen == [
            SeenLine(text: "ab", number: 1, endOffset: 4, overlong: false, unterminated: false),
            SeenLine(text: "cd", number: 2, endOffset: 7, overlong: false, unterminated: false),
            SeenLine(text: "", number: 3, endOffset: 9, overlong: false, unterminated: false),
            SeenLine(text: "last", number: 4, endOffset: 15, overlong: false, unterminated: false),
        ])
        #expect(reader.offset == 15)
    }

    @Test("a carriage return inside a line is kept")
    func innerCarriageReturn() throws {
        let seen = try collectLines(LineReader(source: ChunkedMemorySource("a\rb\n"), chunkSize: 7))
        #expect(seen.map(\.text) == ["a\rb"])
    }

    @Test("the last line without a newline is delivered once and flagged unterminated", arguments: [1, 7, 1 << 20])
    func unterminatedLastLine(chunkSize: Int) throws {
        let reader = LineReader(source: ChunkedMemorySource("one\ntwo\nthree"), chunkSize: chunkSize, maxLineLength: 100)
        let seen = try collectLines(reader)
        #expect(seen == [
            SeenLine(text: "one", number: 1, endOffset: 4, overlong: false, unterminated: false),
            SeenLine(text: "two", number: 2, endOffset: 8, overlong: false, unterminated: false),
            SeenLine(text: "three", number: 3, endOffset: 13, overlong: false, unterminated: true),
        ])
        #expect(reader.offset == 13)
    }

    @Test("follow mode keeps an unterminated last line unread")
    func unterminatedKeptInFollowMode() throws {
        let reader = LineReader(source: ChunkedMemorySource("one\ntwo"), chunkSize: 7, maxLineLength: 100)
        let seen = try collectLines(reader, deliverUnterminated: false)
        #expect(seen.map(\.text) == ["one"])
        #expect(reader.offset == 4)
        #expect(reader.nextLineNumber == 2)
    }

    @Test("empty input gives no line")
    func emptyInput() throws {
        let reader = LineReader(source: ChunkedMemorySource(""), chunkSize: 7)
        #expect(try collectLines(reader).isEmpty)
        #expect(reader.offset == 0)
    }

    @Test("a line longer than the limit, spanning many chunks, is reported once as overlong and the rest of it skipped",
          arguments: [(7, Int.max), (7, 3), (1, Int.max), (1 << 20, Int.max)])
    func overlongAcrossChunks(chunkSize: Int, maxPerRead: Int) throws {
        let long = String(repeating: "X", count: 30)
        let text = "short\n" + long + "\nafter\ntail"
        let reader = LineReader(source: ChunkedMemorySource(text, maxPerRead: maxPerRead), chunkSize: chunkSize, maxLineLength: 10)
        let seen = try collectLines(reader)
        try #require(seen.count == 4, "\(seen)")
        #expect(seen[0] == SeenLine(text: "short", number: 1, endOffset: 6, overlong: false, unterminated: false))
        #expect(seen[1].overlong)
        #expect(seen[1].number == 2)
        #expect(seen[1].text == String(repeating: "X", count: 10), "an overlong line keeps exactly its first maxLineLength bytes")
        #expect(!seen[1].unterminated)
        #expect(seen[2] == SeenLine(text: "after", number: 3, endOffset: 43, overlong: false, unterminated: false))
        #expect(seen[3] == SeenLine(text: "tail", number: 4, endOffset: 47, overlong: false, unterminated: true))
        #expect(reader.offset == 47)
    }

    @Test("an overlong last line without a newline is reported once and not delivered again")
    func overlongUnterminatedLastLine() throws {
        let reader = LineReader(source: ChunkedMemorySource("ok\n" + String(repeating: "Y", count: 25)), chunkSize: 7, maxLineLength: 10)
        let seen = try collectLines(reader)
        #expect(seen.count == 2, "\(seen)")
        #expect(seen.first?.text == "ok")
        #expect(seen.last?.overlong == true)
        #expect(seen.last?.text.count == 10)
        #expect(reader.offset == 28)
        #expect(reader.nextLineNumber == 3)
    }

    @Test("the limit does not depend on how the input was chunked: a line of exactly maxLineLength bytes is not overlong",
          arguments: [(7, Int.max), (7, 5), (7, 1), (1 << 20, Int.max), (4, 10)])
    func exactlyAtTheLimit(chunkSize: Int, maxPerRead: Int) throws {
        let text = "0123456789\nabc\n"
        let reader = LineReader(source: ChunkedMemorySource(text, maxPerRead: maxPerRead), chunkSize: chunkSize, maxLineLength: 10)
        let seen = try collectLines(reader)
        #expect(seen == [
            SeenLine(text: "0123456789", number: 1, endOffset: 11, overlong: false, unterminated: false),
            SeenLine(text: "abc", number: 2, endOffset: 15, overlong: false, unterminated: false),
        ])
    }

    @Test("the limit does not depend on how the input was chunked: a line one byte over it is always overlong",
          arguments: [(7, Int.max), (7, 5), (1, Int.max), (1 << 20, Int.max), (4, 11)])
    func oneOverTheLimit(chunkSize: Int, maxPerRead: Int) throws {
        let text = "0123456789A\nabc\n"
        let reader = LineReader(source: ChunkedMemorySource(text, maxPerRead: maxPerRead), chunkSize: chunkSize, maxLineLength: 10)
        let seen = try collectLines(reader)
        try #require(seen.count == 2, "\(seen)")
        #expect(seen[0].overlong)
        #expect(seen[0].text == "0123456789")
        #expect(seen[0].number == 1)
        #expect(seen[1] == SeenLine(text: "abc", number: 2, endOffset: 16, overlong: false, unterminated: false))
    }

    @Test("start offset and line number after a resume carry into the delivered lines")
    func resumedPosition() throws {
        let reader = LineReader(source: ChunkedMemorySource("x\nyy\n"), chunkSize: 7, startOffset: 1000, startLine: 41)
        let seen = try collectLines(reader)
        #expect(seen == [
            SeenLine(text: "x", number: 41, endOffset: 1002, overlong: false, unterminated: false),
            SeenLine(text: "yy", number: 42, endOffset: 1005, overlong: false, unterminated: false),
        ])
    }

    @Test("stopping early and calling again continues with the next line")
    func stopAndContinue() throws {
        let reader = LineReader(source: ChunkedMemorySource("a\nb\nc\n"), chunkSize: 7)
        var first: [String] = []
        let ended = try reader.forEachLine { line in
            first.append(String(decoding: line.bytes, as: UTF8.self))
            return false
        }
        #expect(!ended)
        #expect(first == ["a"])
        #expect(reader.offset == 2)
        #expect(try collectLines(reader).map(\.text) == ["b", "c"])
    }

    @Test("fill(atLeast:) buffers the head without consuming it")
    func fillAndBuffered() throws {
        let reader = LineReader(source: ChunkedMemorySource("hello\nworld\n", maxPerRead: 3), chunkSize: 4)
        try reader.fill(atLeast: 8)
        #expect(reader.buffered.count >= 8)
        #expect(Array(reader.buffered.prefix(8)) == Array("hello\nwo".utf8))
        #expect(reader.offset == 0)
        #expect(try collectLines(reader).map(\.text) == ["hello", "world"])
    }

    @Test("errors of the source propagate after the complete lines read before them")
    func sourceErrorPropagates() throws {
        let failure = InputError.readFailed(path: "p", reason: "boom")
        let reader = LineReader(source: ChunkedMemorySource(Array("a\nb\npartial".utf8), failAtEnd: failure), chunkSize: 7)
        var seen: [String] = []
        #expect(throws: failure) {
            try reader.forEachLine { line in
                seen.append(String(decoding: line.bytes, as: UTF8.self))
                return true
            }
        }
        #expect(seen == ["a", "b"])
        #expect(reader.offset == 4)
    }
}

// MARK: - GzipByteSource

@Suite("GzipByteSource")
struct GzipSourceInputTests {
    @Test("one member inflates to the original bytes, whatever the chunk and read sizes",
          arguments: [(1, [1]), (7, [3, 1000]), (4096, [65_536]), (1 << 20, [1 << 20])])
    func singleMember(chunkSize: Int, readSizes: [Int]) throws {
        let folder = try TestFolder("egress-input-tests")
        let original = logText(lines: chunkSize == 1 ? 300 : 3000)
        let gz = try gzipped(original, in: folder)
        let (bytes, error) = try inflateAll(gz, chunkSize: chunkSize, readSizes: readSizes)
        #expect(error == nil)
        #expect(bytes.count == original.count)
        #expect(bytes == original)
    }

    @Test("a file read through FileByteSource inflates the same")
    func fromFile() throws {
        let folder = try TestFolder("egress-input-tests")
        let original = logText(lines: 5000)
        let gz = try gzipped(original, in: folder, name: "f.log")
        let source = try GzipByteSource(upstream: FileByteSource(path: folder.file("f.log.gz")), name: folder.file("f.log.gz"))
        let (bytes, error) = drain(source)
        #expect(error == nil)
        #expect(bytes == original)
        #expect(source.produced == Int64(original.count))
        #expect(!gz.isEmpty)
    }

    @Test("two concatenated members (cat a.gz b.gz) inflate to both, in order",
          arguments: [1, 7, 10, 4096, 1 << 20])
    func twoMembers(chunkSize: Int) throws {
        let folder = try TestFolder("egress-input-tests")
        let a = logText(lines: 400, tag: "first")
        let b = logText(lines: 300, tag: "second")
        let gz = try gzipped(a, in: folder) + gzipped(b, in: folder)
        let (bytes, error) = try inflateAll(gz, chunkSize: chunkSize, readSizes: [777])
        #expect(error == nil)
        #expect(bytes == a + b)
    }

    @Test("three members, one of them empty")
    func emptyMember() throws {
        let folder = try TestFolder("egress-input-tests")
        let a = logText(lines: 10, tag: "a")
        let c = logText(lines: 10, tag: "c")
        let gz = try gzipped(a, in: folder) + gzipped([], in: folder) + gzipped(c, in: folder)
        let (bytes, error) = try inflateAll(gz, chunkSize: 7)
        #expect(error == nil)
        #expect(bytes == a + c)
    }

    @Test("zero padding after the last member is ignored", arguments: [7, 4096, 1 << 20])
    func trailingZeroPadding(chunkSize: Int) throws {
        let folder = try TestFolder("egress-input-tests")
        let a = logText(lines: 200)
        let gz = try gzipped(a, in: folder) + [UInt8](repeating: 0, count: 1024)
        let (bytes, error) = try inflateAll(gz, chunkSize: chunkSize)
        #expect(error == nil)
        #expect(bytes == a)
    }

    @Test("non-gzip bytes after the last member: the data first, then corruptGzip")
    func trailingGarbage() throws {
        let folder = try TestFolder("egress-input-tests")
        let a = logText(lines: 200)
        let gz = try gzipped(a, in: folder) + Array("garbage".utf8)
        let (bytes, error) = try inflateAll(gz)
        #expect(bytes == a)
        guard case .corruptGzip(let path, _, let reason)? = error as? InputError else {
            Issue.record("expected corruptGzip, got \(String(describing: error))")
            return
        }
        #expect(path == "test.gz")
        #expect(reason.contains("not gzip data"))
    }

    @Test("a truncated gzip returns the bytes before the damage, then throws truncatedGzip",
          arguments: [0.3, 0.5, 0.9, 0.999])
    func truncated(fraction: Double) throws {
        let folder = try TestFolder("egress-input-tests")
        let original = logText(lines: 20_000)
        let gz = try gzipped(original, in: folder)
        let cut = Array(gz.prefix(Int(Double(gz.count) * fraction)))
        let (bytes, error) = try inflateAll(cut, chunkSize: 4096, readSizes: [10_000])
        #expect(!bytes.isEmpty, "data before the damage must be delivered")
        #expect(bytes.count < original.count)
        #expect(bytes == Array(original.prefix(bytes.count)), "the delivered bytes are a prefix of the original")
        // zlib can decode nearly everything that arrived: at least the share of the input minus a deflate block or so.
        #expect(Double(bytes.count) > Double(original.count) * fraction - 300_000)
        guard case .truncatedGzip(let path, let offset, let produced)? = error as? InputError else {
            Issue.record("expected truncatedGzip, got \(String(describing: error))")
            return
        }
        #expect(path == "test.gz")
        #expect(produced == Int64(bytes.count), "the error reports exactly the bytes delivered")
        #expect(offset > 0 && offset <= Int64(cut.count))
    }

    @Test("a gzip cut inside its 8-byte trailer delivers all the data, then throws truncatedGzip", arguments: [1, 4, 7])
    func truncatedInTrailer(missing: Int) throws {
        let folder = try TestFolder("egress-input-tests")
        let original = logText(lines: 2000)
        let gz = try gzipped(original, in: folder)
        let (bytes, error) = try inflateAll(Array(gz.dropLast(missing)), chunkSize: 4096)
        #expect(bytes == original)
        #expect({ if case .truncatedGzip? = error as? InputError { return true }; return false }(), "\(String(describing: error))")
    }

    @Test("a gzip cut inside its second member delivers all of the first member and more, then throws")
    func truncatedInSecondMember() throws {
        let folder = try TestFolder("egress-input-tests")
        let a = logText(lines: 1000, tag: "first")
        let b = logText(lines: 5000, tag: "second")
        let gzA = try gzipped(a, in: folder)
        let gzB = try gzipped(b, in: folder)
        let cut = gzA + gzB.prefix(gzB.count / 2)
        let (bytes, error) = try inflateAll(cut, chunkSize: 7)
        #expect(bytes.count > a.count)
        #expect(bytes == Array((a + b).prefix(bytes.count)))
        #expect({ if case .truncatedGzip? = error as? InputError { return true }; return false }(), "\(String(describing: error))")
    }

    @Test("a gzip cut right after its header throws on the first read, with nothing delivered")
    func truncatedInHeader() throws {
        let folder = try TestFolder("egress-input-tests")
        let gz = try gzipped(logText(lines: 100), in: folder)
        let (bytes, error) = try inflateAll(Array(gz.prefix(10)))
        #expect(bytes.isEmpty)
        #expect({ if case .truncatedGzip? = error as? InputError { return true }; return false }(), "\(String(describing: error))")
    }

    @Test("after the error is thrown once, reads return 0")
    func errorThrownOnce() throws {
        let folder = try TestFolder("egress-input-tests")
        let gz = try gzipped(logText(lines: 2000), in: folder)
        let source = try GzipByteSource(upstream: ChunkedMemorySource(Array(gz.prefix(gz.count / 2))), name: "x")
        let (_, error) = drain(source)
        #expect(error != nil)
        var byte: UInt8 = 0
        let n = try withUnsafeMutableBytes(of: &byte) { try source.read(into: $0) }
        #expect(n == 0)
    }

    @Test("a damaged CRC trailer: all the data first, then corruptGzip", arguments: [8, 7, 6, 5])
    func badCRC(fromEnd: Int) throws {
        let folder = try TestFolder("egress-input-tests")
        let original = logText(lines: 3000)
        var gz = try gzipped(original, in: folder)
        gz[gz.count - fromEnd] ^= 0x5A
        let (bytes, error) = try inflateAll(gz, chunkSize: 4096, readSizes: [5000])
        #expect(bytes == original)
        guard case .corruptGzip(let path, let offset, let reason)? = error as? InputError else {
            Issue.record("expected corruptGzip, got \(String(describing: error))")
            return
        }
        #expect(path == "test.gz")
        #expect(reason.contains("incorrect data check"), "\(reason)")
        #expect(offset == Int64(gz.count - 4), "where zlib stops: just after the CRC")
    }

    @Test("a damaged length trailer: all the data first, then corruptGzip", arguments: [4, 3, 2, 1])
    func badLength(fromEnd: Int) throws {
        let folder = try TestFolder("egress-input-tests")
        let original = logText(lines: 3000)
        var gz = try gzipped(original, in: folder)
        gz[gz.count - fromEnd] ^= 0x01
        let (bytes, error) = try inflateAll(gz, chunkSize: 7, readSizes: [5000])
        #expect(bytes == original)
        guard case .corruptGzip(_, let offset, let reason)? = error as? InputError else {
            Issue.record("expected corruptGzip, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("incorrect length check"), "\(reason)")
        #expect(offset == Int64(gz.count), "where zlib stops: just after the length")
    }

    @Test("damage in the first member's trailer stops there, even though a second member follows")
    func badCRCThenSecondMember() throws {
        let folder = try TestFolder("egress-input-tests")
        let a = logText(lines: 500, tag: "a")
        let b = logText(lines: 500, tag: "b")
        var gzA = try gzipped(a, in: folder)
        gzA[gzA.count - 8] ^= 0xFF
        let (bytes, error) = try inflateAll(gzA + gzipped(b, in: folder), chunkSize: 4096)
        #expect(bytes == a)
        #expect({ if case .corruptGzip? = error as? InputError { return true }; return false }(), "\(String(describing: error))")
    }

    @Test("an upstream read error propagates")
    func upstreamError() throws {
        let folder = try TestFolder("egress-input-tests")
        let gz = try gzipped(logText(lines: 100), in: folder)
        let failure = InputError.readFailed(path: "u", reason: "EIO")
        let source = try GzipByteSource(upstream: ChunkedMemorySource(Array(gz.prefix(40)), failAtEnd: failure), name: "u", chunkSize: 16)
        let (_, error) = drain(source)
        #expect(error as? InputError == failure)
    }
}

// MARK: - PrefetchingByteSource

@Suite("GzipMemberCheck")
struct GzipMemberCheckTests {
    /// zlib's own CRC-32 of `bytes`: the independent answer.
    private func zlibCRC(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
    }

    private func check(_ bytes: ArraySlice<UInt8>, splitAt cuts: [Int] = []) -> GzipMemberCheck {
        var c = GzipMemberCheck()
        var from = bytes.startIndex
        for cut in cuts + [bytes.endIndex] {
            bytes[from..<cut].withUnsafeBufferPointer { c.add($0.baseAddress!, $0.count) }
            from = cut
        }
        return c
    }

    @Test("the CRC equals zlib's for every length up to 1,100 bytes, at every alignment, whole or split")
    func crcMatchesZlib() {
        var generator = SeededGenerator(state: 1)
        let data = (0..<1_200).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for length in 0...1_100 {
            for offset in [0, 1, 3, 8, 15] where offset + length <= data.count {
                let bytes = data[offset..<(offset + length)]
                let whole = check(bytes)
                #expect(whole.crc == zlibCRC(bytes), "length \(length) offset \(offset)")
                #expect(whole.length == UInt32(length))
                let cut = bytes.startIndex + length / 3
                #expect(check(bytes, splitAt: [cut, cut + length / 3]).crc == whole.crc)
            }
        }
    }

    @Test("large inputs and their pieces: the same CRC as zlib; a trailer is checked CRC first, then length")
    func largeInputsAndTrailers() {
        var generator = SeededGenerator(state: 2)
        let data = (0..<(3 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let whole = check(data[...], splitAt: [65_537, 1 << 20, (1 << 20) + 17])
        #expect(whole.crc == zlibCRC(data[...]))
        let trailer = UInt64(whole.crc) | UInt64(whole.length) << 32
        #expect(whole.mismatch(trailer: trailer) == nil)
        #expect(whole.mismatch(trailer: trailer ^ 1)?.reason == "incorrect data check")
        #expect(whole.mismatch(trailer: trailer ^ (1 << 40))?.reason == "incorrect length check")
        #expect(whole.mismatch(trailer: trailer ^ (1 << 40 | 1))?.reason == "incorrect data check")
    }
}

@Suite("PrefetchingByteSource")
struct PrefetchingSourceInputTests {
    @Test("delivers exactly the bytes of a direct read of a several-MB random file",
          arguments: [(4, 1 << 20), (2, 65_536), (3, 4099)])
    func identicalToDirectRead(buffers: Int, bufferSize: Int) throws {
        let folder = try TestFolder("egress-input-tests")
        let path = folder.file("random.bin")
        let original = randomBytes(6 << 20 | 12_345, seed: 42)
        try writeFile(path, original)

        let direct = drain(try FileByteSource(path: path), readSizes: [1 << 20])
        #expect(direct.error == nil)
        #expect(direct.bytes == original)

        let prefetch = PrefetchingByteSource(upstream: try FileByteSource(path: path), buffers: buffers, bufferSize: bufferSize)
        let viaThread = drain(prefetch, readSizes: [1, 1000, 77_777, 1 << 20, 3])
        #expect(viaThread.error == nil)
        #expect(viaThread.bytes.count == direct.bytes.count)
        #expect(viaThread.bytes == direct.bytes)
    }

    @Test("tiny buffers and tiny reads still deliver every byte in order")
    func tinyBuffers() throws {
        let original = randomBytes(50_000, seed: 7)
        let prefetch = PrefetchingByteSource(upstream: ChunkedMemorySource(original, maxPerRead: 13), buffers: 2, bufferSize: 7)
        let out = drain(prefetch, readSizes: [5, 1, 9])
        #expect(out.error == nil)
        #expect(out.bytes == original)
    }

    @Test("an upstream error arrives after all the bytes read before it")
    func propagatesErrors() throws {
        let original = randomBytes(300_000, seed: 9)
        let failure = InputError.readFailed(path: "upstream", reason: "EIO")
        let prefetch = PrefetchingByteSource(upstream: ChunkedMemorySource(original, maxPerRead: 10_000, failAtEnd: failure),
                                             buffers: 3, bufferSize: 8192)
        let out = drain(prefetch, readSizes: [4096])
        #expect(out.bytes == original)
        #expect(out.error as? InputError == failure)
        // The error is reported once; then the source is over.
        var byte: UInt8 = 0
        let n = try withUnsafeMutableBytes(of: &byte) { try prefetch.read(into: $0) }
        #expect(n == 0)
    }

    @Test("a truncated gzip through the prefetcher: the data, then truncatedGzip (the ingest path)")
    func truncatedGzipThroughThread() throws {
        let folder = try TestFolder("egress-input-tests")
        let original = logText(lines: 20_000)
        let gz = try gzipped(original, in: folder)
        let gzip = try GzipByteSource(upstream: ChunkedMemorySource(Array(gz.prefix(gz.count * 2 / 3))), name: "t.gz")
        let prefetch = PrefetchingByteSource(upstream: gzip, buffers: 2, bufferSize: 16_384)
        let out = drain(prefetch, readSizes: [1000])
        #expect(!out.bytes.isEmpty)
        #expect(out.bytes == Array(original.prefix(out.bytes.count)))
        guard case .truncatedGzip(let path, _, let produced)? = out.error as? InputError else {
            Issue.record("expected truncatedGzip, got \(String(describing: out.error))")
            return
        }
        #expect(path == "t.gz")
        #expect(produced == Int64(out.bytes.count))
    }

    @Test("cancel stops a producer blocked on full buffers", .timeLimit(.minutes(1)))
    func cancelStopsProducer() throws {
        let prefetch = PrefetchingByteSource(upstream: EndlessSource(), buffers: 2, bufferSize: 4096)
        let out = UnsafeMutableRawBufferPointer.allocate(byteCount: 100, alignment: 1)
        defer { out.deallocate() }
        #expect(try prefetch.read(into: out) == 100)
        prefetch.cancel()  // must return
    }
}
