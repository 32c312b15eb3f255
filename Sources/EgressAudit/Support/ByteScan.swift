/// Finds either of two bytes eight bytes a step: a word XOR the byte repeated has a zero byte where they
/// match, and `(x - 1) & ~x & 0x80…` flags zero bytes. Used by every scan on the per-line path (text layouts
/// forwards and backwards, JSON strings), so there is one place where this trick lives.
enum ByteScan {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Bits set at the bytes of `w` equal to `a` or `b` (exact for the lowest; higher ones may be false hits).
    @inline(__always) private static func hits(_ w: UInt64, _ aWord: UInt64, _ bWord: UInt64) -> UInt64 {
        let x = w ^ aWord
        let y = w ^ bWord
        return (((x &- ones) & ~x) | ((y &- ones) & ~y)) & highs
    }

    /// The first index in `[from, to)` holding `a` or `b`, or `to`.
    @inline(__always) static func first(_ a: UInt8, _ b: UInt8, in base: UnsafePointer<UInt8>, from: Int, to n: Int) -> Int {
        let aWord = UInt64(a) &* ones
        let bWord = UInt64(b) &* ones
        return firstHit(in: base, from: from, to: n, word: { hits($0, aWord, bWord) }, byte: { $0 == a || $0 == b })
    }

    /// The first index in `[from, to)` of a byte `c` with `c | mask == target`, or `to`; `target` includes
    /// `mask`. With mask 0 it finds one byte; with one bit of mask, the two bytes that differ only there in
    /// a single compare per word (mask `0x02`, target `0x22`: a space or a quote), half the work of `first(a, b)`.
    @inline(__always) static func first(_ target: UInt8, mask: UInt8, in base: UnsafePointer<UInt8>, from: Int, to n: Int) -> Int {
        let tWord = UInt64(target) &* ones
        let mWord = UInt64(mask) &* ones
        return firstHit(in: base, from: from, to: n, word: { w in
            let x = (w | mWord) ^ tWord
            return (x &- ones) & ~x & highs
        }, byte: { $0 | mask == target })
    }

    /// The forward scan both `first`s share: whole words while they fit (`word` flags the matching bytes, exact
    /// for the lowest), then the last bytes one at a time (`byte`).
    @inline(__always) private static func firstHit(in base: UnsafePointer<UInt8>, from: Int, to n: Int,
                                                   word: (UInt64) -> UInt64, byte: (UInt8) -> Bool) -> Int {
        let raw = UnsafeRawPointer(base)
        let lastWord = n &- 8   // where the last whole word starts
        var i = from
        while i <= lastWord {
            let h = word(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            if h != 0 { return i &+ h.trailingZeroBitCount >> 3 }
            i &+= 8
        }
        while i < n {
            if byte(base[i]) { return i }
            i &+= 1
        }
        return n
    }

    /// The last index in `[lo, hi)` holding `a` or `b`, or `lo - 1`.
    @inline(__always) static func last(_ a: UInt8, _ b: UInt8, in base: UnsafePointer<UInt8>, from lo: Int, to hi: Int) -> Int {
        let aWord = UInt64(a) &* ones
        let bWord = UInt64(b) &* ones
        let raw = UnsafeRawPointer(base)
        var j = hi &- 1
        while j >= lo {
            if j &- 7 >= lo {
                let h = hits(raw.loadUnaligned(fromByteOffset: j &- 7, as: UInt64.self), aWord, bWord)
                if h == 0 { j &-= 8; continue }
                // The highest flagged byte may be a false hit (borrows run upwards): checked below.
                j = j &- 7 &+ (63 &- h.leadingZeroBitCount) >> 3
            }
            let c = base[j]
            if c == a || c == b { return j }
            j &-= 1
        }
        return lo &- 1
    }
}
