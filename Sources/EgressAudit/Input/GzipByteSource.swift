import CZlib

/// Inflates gzip data from another source with zlib, called directly.
///
/// Concatenated members (`cat a.gz b.gz`, log shippers) are read whole. When the data is truncated or
/// damaged, every byte inflated before the damage is returned first; the next `read` throws.
public final class GzipByteSource: ByteSource {
    private let upstream: ByteSource
    private let name: String
    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutableRawBufferPointer
    private var inputEnded = false
    private var memberOpen = false
    private var finished = false
    private var pendingError: InputError?
    private var compressedFed: Int64 = 0
    /// Decompressed bytes produced so far.
    public private(set) var produced: Int64 = 0
    /// The open member's CRC and length so far, checked against its trailer here (zlib's own check is off).
    private var check = GzipMemberCheck()
    /// The last 8 compressed bytes zlib consumed, the newest in the high byte: at a member's end, its trailer.
    private var recent: UInt64 = 0

    /// Wraps `upstream`, which must start with a gzip header; `name` is used in error messages.
    public init(upstream: ByteSource, name: String, chunkSize: Int = 256 << 10) throws {
        self.upstream = upstream
        self.name = name
        self.input = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        self.stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 16 + MAX_WBITS: expect a gzip wrapper. Its CRC and length trailer are checked here (`GzipMemberCheck`),
        // not by zlib, whose CRC is several times slower.
        var rc = inflateInit2_(stream, 16 + MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        if rc == Z_OK {
            rc = inflateValidate(stream, 0)
            if rc != Z_OK { inflateEnd(stream) }
        }
        guard rc == Z_OK else {
            stream.deallocate()
            input.deallocate()
            throw InputError.corruptGzip(path: name, compressedOffset: 0, reason: "zlib could not start (code \(rc))")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        input.deallocate()
    }

    /// Position in the compressed input that zlib has consumed.
    private var compressedOffset: Int64 { compressedFed - Int64(stream.pointee.avail_in) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if let error = pendingError { pendingError = nil; finished = true; throw error }
        guard !finished, let out = buffer.baseAddress, buffer.count > 0 else { return 0 }
        stream.pointee.next_out = out.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(buffer.count)
        while stream.pointee.avail_out > 0 {
            if stream.pointee.avail_in == 0 && !inputEnded {
                try refill()
            }
            if stream.pointee.avail_in == 0 && inputEnded {
                if memberOpen {
                    fail(.truncatedGzip(path: name, compressedOffset: compressedOffset, decompressedBytes: produced + Int64(buffer.count) - Int64(stream.pointee.avail_out)))
                }
                finished = pendingError == nil
                break
            }
            if !memberOpen {
                // Between members: only another gzip header or zero padding may follow.
                if !startNextMember() { break }
            }
            let consumedFrom = stream.pointee.next_in!, producedFrom = stream.pointee.next_out!
            let rc = inflate(stream, Z_NO_FLUSH)
            check.add(producedFrom, stream.pointee.next_out! - producedFrom)
            noteConsumed(from: consumedFrom, to: stream.pointee.next_in!)
            switch rc {
            case Z_OK, Z_BUF_ERROR:
                continue
            case Z_STREAM_END:
                memberOpen = false
                inflateReset(stream)
                if let (reason, bytesBack) = check.mismatch(trailer: recent) {
                    // Where zlib would have stopped: after the CRC, or after the length.
                    fail(.corruptGzip(path: name, compressedOffset: compressedOffset - Int64(bytesBack), reason: reason))
                }
                check = GzipMemberCheck()
            default:
                let reason = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(rc)"
                fail(.corruptGzip(path: name, compressedOffset: compressedOffset, reason: reason))
            }
            if pendingError != nil { break }
        }
        let n = buffer.count - Int(stream.pointee.avail_out)
        produced += Int64(n)
        if n == 0, let error = pendingError { pendingError = nil; finished = true; throw error }
        return n
    }

    /// Keeps the last 8 of the compressed bytes `p..<end` that zlib just consumed (see `recent`).
    @inline(__always) private func noteConsumed(from p: UnsafeMutablePointer<Bytef>, to end: UnsafeMutablePointer<Bytef>) {
        let n = end - p
        if n >= 8 {
            recent = UnsafeRawPointer(end - 8).loadUnaligned(as: UInt64.self).littleEndian
            return
        }
        for i in 0..<n { recent = recent >> 8 | UInt64(p[i]) << 56 }
    }

    private func fail(_ error: InputError) {
        if pendingError == nil { pendingError = error }
    }

    private func refill() throws {
        let n = try upstream.read(into: input)
        if n == 0 { inputEnded = true; return }
        compressedFed += Int64(n)
        stream.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_in = uInt(n)
    }

    /// Called with input available and no member open: accepts a new member, skips zero padding.
    private func startNextMember() -> Bool {
        guard let next = stream.pointee.next_in else { return false }
        if next[0] == 0x1f {
            memberOpen = true
            return true
        }
        // Zero padding (tape-style block padding) after the last member is harmless.
        var i = 0
        let avail = Int(stream.pointee.avail_in)
        while i < avail && next[i] == 0 { i += 1 }
        if i == avail {
            stream.pointee.next_in = next + i
            stream.pointee.avail_in = 0
            return true
        }
        fail(.corruptGzip(path: name, compressedOffset: compressedOffset, reason: "bytes after the last gzip member are not gzip data"))
        return false
    }
}
