/// Hashes of byte strings for lookup tables.
public enum ByteHash {
    private static let k1: UInt64 = 0x9E37_79B9_7F4A_7C15
    private static let k2: UInt64 = 0xC2B2_AE3D_27D4_EB4F

    /// For in-memory tables only (never stored, so it may change): two independent multiply chains over
    /// 16 bytes a step, so a long key (a call shape is ~150 bytes, a user agent ~100) costs about half the
    /// cycles of one chain, and the last partial word read in one load. Never 0 (tables use 0 for empty).
    @inline(__always) public static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        let raw = UnsafeRawPointer(p)
        var a = UInt64(truncatingIfNeeded: n) &* k1
        var b = UInt64(truncatingIfNeeded: n) ^ k2
        var i = 0
        while i &+ 16 <= n {
            a = (a ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* k1
            a ^= a >> 29
            b = (b ^ raw.loadUnaligned(fromByteOffset: i &+ 8, as: UInt64.self)) &* k2
            b ^= b >> 31
            i &+= 16
        }
        if i &+ 8 <= n {
            a = (a ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* k1
            a ^= a >> 29
            i &+= 8
        }
        if i < n {
            var last: UInt64 = 0
            if n >= 8 {
                // The last eight bytes, overlapping what was read: one load instead of a loop.
                last = raw.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)
            } else {
                var shift: UInt64 = 0
                while i < n { last |= UInt64(p[i]) << shift; shift &+= 8; i &+= 1 }
            }
            b = (b ^ last) &* k1
            b ^= b >> 29
        }
        var h = (a ^ (b &* k2)) &* k1
        h ^= h >> 32
        return h == 0 ? 1 : h
    }

    /// The hash stored in `call_shapes.key_hash` and `callers.key_hash` (see `Schema`), by which existing rows
    /// are found again: it must never change. One multiply chain over 8-byte words.
    public static func stored(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        var h = UInt64(truncatingIfNeeded: n) &* k1
        var i = 0
        let raw = UnsafeRawPointer(p)
        while i + 8 <= n {
            let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ w) &* k1
            h ^= h >> 29
            i += 8
        }
        var last: UInt64 = 0
        var shift: UInt64 = 0
        while i < n { last |= UInt64(p[i]) << shift; shift += 8; i += 1 }
        h = (h ^ last) &* k1
        h ^= h >> 32
        return h == 0 ? 1 : h
    }
}
