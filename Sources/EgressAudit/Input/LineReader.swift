#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One line handed to a `LineReader` consumer. The bytes are valid only during the callback.
public struct Line {
    /// The line without its `\n` (and without a `\r` before it).
    public var bytes: UnsafeBufferPointer<UInt8>
    /// 1-based line number in the content stream.
    public var number: Int64
    /// Content offset just past this line's newline: where reading would resume after it.
    public var endOffset: Int64
    /// True when the line was longer than the reader's limit; `bytes` then holds its start only.
    public var overlong: Bool
    /// True for a last line that had no newline when the input ended.
    public var unterminated: Bool
}

/// Splits a byte source into lines with `memchr` over large reused buffers, carrying partial
/// lines across reads. Memory is bounded by the chunk size plus the longest line allowed.
public final class LineReader {
    private let source: ByteSource
    var sourceForSkipping: ByteSource { source }
    private var buffer: UnsafeMutableRawBufferPointer
    private var start = 0   // first unconsumed byte
    private var end = 0     // one past the last valid byte
    private var ended = false
    private let chunkSize: Int
    /// Lines longer than this are cut (reported as `overlong`) and the rest of them skipped.
    public let maxLineLength: Int
    /// Content offset of `buffer[start]`.
    public private(set) var offset: Int64
    /// Number of the next line.
    public private(set) var nextLineNumber: Int64
    /// Called inside `forEachLine` just before the buffer may move: the last line's bytes are still valid.
    public var beforeRefill: (() -> Void)?

    /// - Parameters:
    ///   - startOffset/startLine: where the content stream stands when reading begins (after a resume).
    public init(source: ByteSource, chunkSize: Int = 256 << 10, maxLineLength: Int = 8 << 20,
                startOffset: Int64 = 0, startLine: Int64 = 1) {
        self.source = source
        self.chunkSize = chunkSize
        self.maxLineLength = maxLineLength
        self.buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize * 2, alignment: 16)
        self.offset = startOffset
        self.nextLineNumber = startLine
    }

    deinit { buffer.deallocate() }

    /// Bytes read but not handed out as lines: after `forEachLine(deliverUnterminated: false)`, the held
    /// last line that has no newline yet.
    public var pendingByteCount: Int { end - start }

    /// The bytes read but not yet consumed (used to fingerprint the head of an input before reading lines).
    public var buffered: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: buffer[start..<end])
    }

    /// Reads until at least `count` bytes are buffered or the input ends.
    public func fill(atLeast count: Int) throws {
        while end - start < count && !ended {
            beforeRefill?()
            try readMore()
        }
    }

    /// Drops `count` buffered-or-future bytes without producing lines (resume after a checkpoint).
    /// Returns the number of bytes dropped from the buffer; the caller skips the rest in the source.
    public func dropBuffered(upTo count: Int64) -> Int64 {
        let n = Int(min(count, Int64(end - start)))
        start += n
        offset += Int64(n)
        return Int64(n)
    }

    /// Tells the reader that `count` bytes were skipped directly in the source.
    public func noteSkipped(_ count: Int64, lines: Int64) {
        offset += count
        nextLineNumber += lines
    }

    /// Sets the line number of the next line (after a resume).
    public func setNextLineNumber(_ n: Int64) { nextLineNumber = n }

    /// Calls `body` for each line until the input ends or `body` returns false.
    /// - Parameter deliverUnterminated: hand over a last line without a newline (batch mode) or keep it
    ///   unread (follow mode: it may still be being written).
    /// - Returns: true if the input ended, false if `body` stopped early.
    @discardableResult
    public func forEachLine(deliverUnterminated: Bool = true, _ body: (Line) throws -> Bool) throws -> Bool {
        var skippingOverlong = false
        while true {
            let base = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
            var searchFrom = start
            while searchFrom < end {
                guard let nl = memchr(base + searchFrom, 0x0A, end - searchFrom) else { break }
                let nlIndex = base.distance(to: nl.assumingMemoryBound(to: UInt8.self))
                let lineStart = start
                let lineEnd = nlIndex
                start = nlIndex + 1
                let consumed = Int64(start - lineStart)
                offset += consumed
                searchFrom = start
                if skippingOverlong { skippingOverlong = false; continue }
                var len = lineEnd - lineStart
                if len > maxLineLength {
                    // Too long even though its newline is already buffered: cut it as when it spans reads,
                    // so the verdict does not depend on how the input happened to be chunked.
                    let line = Line(bytes: UnsafeBufferPointer(start: base + lineStart, count: maxLineLength),
                                    number: nextLineNumber, endOffset: offset, overlong: true, unterminated: false)
                    nextLineNumber += 1
                    if try !body(line) { return false }
                    continue
                }
                if len > 0 && base[lineStart + len - 1] == 0x0D { len -= 1 }
                let line = Line(bytes: UnsafeBufferPointer(start: base + lineStart, count: len),
                                number: nextLineNumber, endOffset: offset, overlong: false, unterminated: false)
                nextLineNumber += 1
                if try !body(line) { return false }
            }
            // No newline in [start, end).
            if ended {
                if start < end && deliverUnterminated && !skippingOverlong {
                    let len = end - start
                    let line = Line(bytes: UnsafeBufferPointer(start: base + start, count: len),
                                    number: nextLineNumber, endOffset: offset + Int64(len), overlong: false, unterminated: true)
                    nextLineNumber += 1
                    offset += Int64(len)
                    start = end
                    _ = try body(line)
                } else if skippingOverlong {
                    offset += Int64(end - start)
                    start = end
                }
                return true
            }
            if end - start > maxLineLength {
                if !skippingOverlong {
                    let line = Line(bytes: UnsafeBufferPointer(start: base + start, count: min(end - start, maxLineLength)),
                                    number: nextLineNumber, endOffset: offset + Int64(end - start), overlong: true, unterminated: false)
                    nextLineNumber += 1
                    if try !body(line) { return false }
                    skippingOverlong = true
                }
                offset += Int64(end - start)
                start = end
            }
            beforeRefill?()
            try readMore()
        }
    }

    /// Compacts the buffer, grows it if a line needs more room, and reads one chunk.
    private func readMore() throws {
        if start > 0 && (start == end || buffer.count - end < chunkSize) {
            let remaining = end - start
            if remaining > 0 {
                buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: remaining)
            }
            start = 0
            end = remaining
        }
        if buffer.count - end < chunkSize {
            let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: max(buffer.count * 2, end + chunkSize), alignment: 16)
            grown.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: end)
            buffer.deallocate()
            buffer = grown
        }
        let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end..<(end + chunkSize)]))
        if n == 0 { ended = true } else { end += n }
    }
}

extension LineReader {
    /// Skips `count` bytes directly in the source (after the buffer is empty), keeping the last
    /// `keepingLast` of them; moves the offset accordingly. Returns the bytes skipped.
    func skipInSource(_ count: Int64, keepingLast keep: Int, tail: inout [UInt8]) throws -> Int64 {
        guard count > 0 else { return 0 }
        let skipped = try sourceForSkipping.discard(count, keepingLast: keep, tail: &tail)
        noteSkipped(skipped, lines: 0)
        return skipped
    }
}
