/// The columns of a call that repeat from call to call — what was called, how, and with what outcome —
/// encoded as one byte string, the key of a `call_shapes` row. Calls store their shape's id, their caller
/// and the values that vary per call, which keeps rows small and reports fast. Who called is kept out of
/// the shape on purpose: callers multiply shapes by every destination they reach.
///
/// Layout: verdict and protocol (1 byte each), destination port and response code (8 bytes each,
/// little-endian, `Int64.min` for NULL), then for each `Text` field a 4-byte length (`0xFFFFFFFF` for
/// NULL) followed by its bytes.
enum ShapeKey {
    enum Text: Int, CaseIterable {
        case destHost, destIP, cluster, route, flags, details, method, authority, sni
    }

    /// A caller key (`callers` row) uses the same layout with these texts and zero numbers.
    enum CallerText: Int, CaseIterable {
        case namespace, pod, sourceIP
    }

    static let absentLength: UInt32 = 0xFFFF_FFFF
    /// Bytes before the first text: verdict, protocol, destination port, response code.
    static let headerSize = 18

    struct Decoded {
        var verdict: Int64
        var proto: Int64
        var destPort: Int64?
        var responseCode: Int64?
        var texts: [ByteSlice]
    }

    /// Reads a key written by `RowBatch.setKey` with `texts` text fields; nil if it is malformed.
    static func decode(_ key: ByteSlice, texts: Int) -> Decoded? {
        guard let p = key.start, key.count >= headerSize else { return nil }
        let raw = UnsafeRawPointer(p)
        func int(_ at: Int) -> Int64? {
            let v = Int64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: Int64.self))
            return v == Int64.min ? nil : v
        }
        var d = Decoded(verdict: Int64(p[0]), proto: Int64(p[1]), destPort: int(2), responseCode: int(10), texts: [])
        d.texts.reserveCapacity(texts)
        var i = headerSize
        for _ in 0..<texts {
            guard i + 4 <= key.count else { return nil }
            let length = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt32.self))
            i += 4
            if length == absentLength { d.texts.append(.absent); continue }
            guard i + Int(length) <= key.count else { return nil }
            d.texts.append(ByteSlice(start: p + i, count: Int(length)))
            i += Int(length)
        }
        return d
    }
}
