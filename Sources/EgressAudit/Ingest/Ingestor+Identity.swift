#if canImport(Glibc)
import Glibc
#endif

/// Content identity: which known input a file is, where reading resumes, and copies of what was read.
///
/// An input is known by a hash of its first 64 KiB and of the last bytes before each checkpoint it went
/// through (`ingested_files`, `file_checkpoints`), never by path or inode: renames, gzips and rotations keep it.
extension Ingestor {
    /// Records a followed file's current content as read without storing its lines ("follow from the end").
    /// Returns false when the content was already known (it then resumes from its own checkpoint).
    @discardableResult
    public func markAsRead(descriptor: Int32, path: String) throws -> Bool {
        let raw = FileByteSource(descriptor: dup(descriptor), name: path, owns: true)
        guard let size = raw.fileSize, size > 0, let head = raw.bytes(at: 0, count: Int(min(size, Int64(Ingestor.headSize)))) else { return false }
        if try !head.withUnsafeBytes({ try files.candidates(head: $0) }).isEmpty { return false }
        // The end of the last complete line, and the number of lines before it.
        var end: Int64 = 0
        var lines: Int64 = 0
        var offset: Int64 = 0
        var tail: [UInt8] = []
        var previousLineStart: Int64 = 0
        let chunk = 1 << 20
        while offset < size {
            guard let bytes = raw.bytes(at: offset, count: Int(min(Int64(chunk), size - offset))) else { break }
            for (i, b) in bytes.enumerated() where b == 0x0A {
                lines += 1
                previousLineStart = end
                end = offset + Int64(i) + 1
            }
            offset += Int64(bytes.count)
        }
        guard end > 0 else { return false }
        let tailLength = Int(min(end - previousLineStart, Int64(Ingestor.tailSize)))
        tail = raw.bytes(at: end - Int64(tailLength), count: tailLength) ?? []
        try database.execute("BEGIN IMMEDIATE")
        do {
            let id = try files.add(path: path, compressed: false, now: Ingestor.now())
            let headLength = Int(min(Int64(head.count), end))
            let checkpoint = FileCheckpoint(id: id, headLength: headLength, headHash: ContentHash.of(Array(head[0..<headLength])),
                                            tailLength: tail.count, tailHash: ContentHash.of(tail), bytes: end, lines: lines)
            try files.save(checkpoint, counts: FileCounts(), path: path, layout: nil, now: Ingestor.now())
            try database.execute("COMMIT")
        } catch {
            try? database.execute("ROLLBACK")
            throw error
        }
        summary.skippedLines += lines
        return true
    }

    /// Whether this plain file of `size` bytes is the start of an input read further already: its head and
    /// the line before one of that input's past checkpoints match, and it is no longer than what was read.
    func isPrefixOfReadContent(head: [UInt8], size: Int64, raw: FileByteSource) throws -> Bool {
        let past = try head.withUnsafeBytes { try files.pastCheckpoints(head: $0, size: size) }
        for checkpoint in past where checkpoint.readTo >= size {
            guard let tail = raw.bytes(at: checkpoint.bytes - Int64(checkpoint.tailLength), count: checkpoint.tailLength),
                  ContentHash.of(tail) == checkpoint.tailHash else { continue }
            return true
        }
        return false
    }

    enum Location {
        case verified, mismatch, consumedMismatch
        /// The input ends before the checkpoint and its whole 64 KiB head is the known input's: a copy of a
        /// part already read (the fingerprint rule log shippers use).
        case prefix
    }

    /// Checks that the content holds `candidate`'s last line at its checkpoint and positions `reader` after it.
    func locate(_ candidate: FileCheckpoint, reader: inout LineReader, raw: FileByteSource, gzip: Bool) throws -> Location {
        let target = candidate.bytes
        let tailStart = target - Int64(candidate.tailLength)
        let buffered = reader.buffered
        if target <= Int64(buffered.count) {
            let tail = UnsafeRawBufferPointer(rebasing: buffered[Int(tailStart)..<Int(target)])
            guard ContentHash.of(tail) == candidate.tailHash else { return .mismatch }
            _ = reader.dropBuffered(upTo: target)
            reader.setNextLineNumber(candidate.lines + 1)
            return .verified
        }
        if !gzip, let size = raw.fileSize {
            // A plain file: read the tail where it should be and seek past the checkpoint.
            if size < target {
                return candidate.headLength >= Ingestor.headSize ? .prefix : .mismatch
            }
            guard let tail = raw.bytes(at: tailStart, count: candidate.tailLength),
                  ContentHash.of(tail) == candidate.tailHash, raw.seek(to: target) else { return .mismatch }
            reader = LineReader(source: raw, startOffset: target, startLine: candidate.lines + 1)
            return .verified
        }
        // A stream (gzip, pipe): read through to the checkpoint, keeping the bytes before it.
        var kept = Array(buffered.suffix(candidate.tailLength))
        let fromBuffer = reader.dropBuffered(upTo: target)
        var tail: [UInt8] = []
        let skipped = try reader.skipInSource(target - fromBuffer, keepingLast: candidate.tailLength, tail: &tail)
        kept.append(contentsOf: tail)
        if kept.count > candidate.tailLength { kept.removeFirst(kept.count - candidate.tailLength) }
        if skipped < target - fromBuffer && candidate.headLength >= Ingestor.headSize { return .prefix }
        guard skipped == target - fromBuffer, ContentHash.of(kept) == candidate.tailHash else { return .consumedMismatch }
        reader.setNextLineNumber(candidate.lines + 1)
        return .verified
    }

}
