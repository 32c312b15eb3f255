/// A multiply-rotate hash over 8-byte words (a few cycles per word, not per byte), for in-memory
/// lookup tables only; never stored.
public enum ByteHash {
    @inline(__always) public static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        let k: UInt64 = 0x9E37_79B9_7F4A_7C15
        var h = UInt64(truncatingIfNeeded: n) &* k
        var i = 0
        let raw = UnsafeRawPointer(p)
        while i + 8 <= n {
            let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ w) &* k
            h ^= h >> 29
            i += 8
        }
        var last: UInt64 = 0
        var shift: UInt64 = 0
        while i < n { last |= UInt64(p[i]) << shift; shift += 8; i += 1 }
        h = (h ^ last) &* k
        h ^= h >> 32
        return h == 0 ? 1 : h
    }
}
