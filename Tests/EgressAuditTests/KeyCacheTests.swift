import Testing
@testable import EgressAudit

/// The writer's id caches: a wrong id here would file a call under another destination, so a hash match alone
/// must never be enough, and a cache that fills up must forget rather than answer wrongly.
struct KeyCacheTests {
    private func withBytes<R>(_ s: String, _ body: (UnsafePointer<UInt8>, Int) -> R) -> R {
        var bytes = Array(s.utf8)
        return bytes.withUnsafeMutableBufferPointer { body(UnsafePointer($0.baseAddress!), $0.count) }
    }

    @Test("finds each key inserted, with its own id, and nothing else")
    func findsWhatWasInserted() {
        var cache = KeyCache(slots: 1024, arenaBytes: 64 << 10)
        let keys = (0..<500).map { "outbound|443||api-\($0).example.com" }
        for (i, k) in keys.enumerated() {
            withBytes(k) { p, n in cache.insert(p, n, hash: ByteHash.hash(p, n), id: Int64(i + 1)) }
        }
        for (i, k) in keys.enumerated() {
            #expect(withBytes(k) { p, n in cache.find(p, n, hash: ByteHash.hash(p, n)) } == Int64(i + 1))
        }
        #expect(withBytes("outbound|443||api-500.example.com") { p, n in cache.find(p, n, hash: ByteHash.hash(p, n)) } == nil)
    }

    @Test("looking ahead names the id a later find gives, and nothing for unknown keys, absent values or a cleared cache")
    func lookAhead() {
        var cache = KeyCache(slots: 1024, arenaBytes: 64 << 10)
        let key = "\u{1}\u{2}outbound|443||httpbin.org"
        let h = withBytes(key) { p, n in ByteHash.hash(p, n) }
        withBytes(key) { p, n in cache.insert(p, n, hash: h, id: 42) }
        cache.prefetchSlot(hash: h)
        #expect(cache.prefetchKey(hash: h) == 42)
        #expect(withBytes(key) { p, n in cache.find(p, n, hash: h) } == 42)
        #expect(cache.prefetchKey(hash: withBytes("httpbin.com") { p, n in ByteHash.hash(p, n) }) == nil)
        // Another hash whose first probe is the same slot: not that entry's id.
        #expect(cache.prefetchKey(hash: h ^ (1 << 40)) == nil)
        // The batch gives an absent value hash 0, which is also what an empty slot holds.
        cache.prefetchSlot(hash: 0)
        #expect(cache.prefetchKey(hash: 0) == nil)
        cache.clear()
        #expect(cache.prefetchKey(hash: h) == nil)

        // A cache that grew (slots and arena reallocated) still names the ids of keys in their first slot.
        var growing = KeyCache(slots: 16, arenaBytes: 64, maxSlots: 1 << 12, maxArenaBytes: 64 << 10)
        let keys = (0..<300).map { "outbound|443||api-\($0).example.com" }
        for (i, k) in keys.enumerated() {
            withBytes(k) { p, n in growing.insert(p, n, hash: ByteHash.hash(p, n), id: Int64(i + 1)) }
        }
        var named = 0
        for (i, k) in keys.enumerated() {
            let (id, found) = withBytes(k) { p, n in
                let hash = ByteHash.hash(p, n)
                return (growing.prefetchKey(hash: hash), growing.find(p, n, hash: hash))
            }
            #expect(found == Int64(i + 1))
            if let id {
                #expect(id == found)
                named += 1
            }
        }
        #expect(named > 150)   // 300 keys in 512 slots: most sit in the slot they hash to
    }

    @Test("keys sharing a hash are told apart by their bytes")
    func collidingHashes() {
        var cache = KeyCache(slots: 64, arenaBytes: 4096)
        let hash: UInt64 = 0xDEAD_BEEF
        withBytes("httpbin.org") { p, n in cache.insert(p, n, hash: hash, id: 7) }
        withBytes("httpbin.com") { p, n in cache.insert(p, n, hash: hash, id: 9) }
        #expect(withBytes("httpbin.org") { p, n in cache.find(p, n, hash: hash) } == 7)
        #expect(withBytes("httpbin.com") { p, n in cache.find(p, n, hash: hash) } == 9)
        #expect(withBytes("httpbin.net") { p, n in cache.find(p, n, hash: hash) } == nil)
        #expect(withBytes("httpbin.or") { p, n in cache.find(p, n, hash: hash) } == nil)
    }

    @Test("a cache allowed to grow keeps every key until its limits, then forgets and stays correct")
    func growsThenForgets() {
        var cache = KeyCache(slots: 16, arenaBytes: 64, maxSlots: 256, maxArenaBytes: 4096)
        let keys = (0..<150).map { "outbound|443||host-\($0).example.com" }   // ~30 bytes each
        for (i, k) in keys.enumerated() {
            withBytes(k) { p, n in cache.insert(p, n, hash: ByteHash.hash(p, n), id: Int64(i + 1)) }
        }
        // 150 keys fit in 256 slots (192 usable) and 4,096 bytes... not all bytes: the arena limit was reached.
        var found = 0
        for (i, k) in keys.enumerated() {
            let id = withBytes(k) { p, n in cache.find(p, n, hash: ByteHash.hash(p, n)) }
            #expect(id == nil || id == Int64(i + 1))
            if id != nil { found += 1 }
        }
        #expect(found > 0 && found < 150, "it grew to its limit and then started over")
        var roomy = KeyCache(slots: 16, arenaBytes: 64, maxSlots: 1024, maxArenaBytes: 1 << 16)
        for (i, k) in keys.enumerated() {
            withBytes(k) { p, n in roomy.insert(p, n, hash: ByteHash.hash(p, n), id: Int64(i + 1)) }
        }
        for (i, k) in keys.enumerated() {
            #expect(withBytes(k) { p, n in roomy.find(p, n, hash: ByteHash.hash(p, n)) } == Int64(i + 1), "grown, it keeps \(k)")
        }
    }

    @Test("a full cache forgets everything and keeps answering correctly")
    func forgetsWhenFull() {
        var cache = KeyCache(slots: 16, arenaBytes: 256)
        var inserted: [(String, Int64)] = []
        for i in 0..<100 {
            let k = "10.244.\(i / 256).\(i % 256):8080"
            withBytes(k) { p, n in cache.insert(p, n, hash: ByteHash.hash(p, n), id: Int64(i)) }
            inserted.append((k, Int64(i)))
            for (key, id) in inserted {
                let found = withBytes(key) { p, n in cache.find(p, n, hash: ByteHash.hash(p, n)) }
                #expect(found == nil || found == id)
            }
        }
        let last = inserted.last!
        #expect(withBytes(last.0) { p, n in cache.find(p, n, hash: ByteHash.hash(p, n)) } == last.1)
        // A key larger than the whole arena is not cached (and not written past it).
        let wide = String(repeating: "w", count: 300)
        withBytes(wide) { p, n in cache.insert(p, n, hash: ByteHash.hash(p, n), id: 2) }
        #expect(withBytes(wide) { p, n in cache.find(p, n, hash: ByteHash.hash(p, n)) } == nil)
        // Keys longer than the limit are not cached.
        let long = String(repeating: "a", count: 5000)
        withBytes(long) { p, n in cache.insert(p, n, hash: ByteHash.hash(p, n), id: 1) }
        #expect(withBytes(long) { p, n in cache.find(p, n, hash: ByteHash.hash(p, n)) } == nil)
    }
}

/// `ByteHash.stored` is written into the database (`call_shapes.key_hash`, `callers.key_hash`): rows stored by an
/// earlier version are found again only if it never changes. `ByteHash.hash` may change, but must use every byte.
struct ByteHashTests {
    private func stored(_ bytes: [UInt8]) -> UInt64 {
        var b = bytes + [0]
        return b.withUnsafeMutableBufferPointer { ByteHash.stored(UnsafePointer($0.baseAddress!), bytes.count) }
    }

    private func hash(_ bytes: [UInt8]) -> UInt64 {
        var b = bytes + [0]
        return b.withUnsafeMutableBufferPointer { ByteHash.hash(UnsafePointer($0.baseAddress!), bytes.count) }
    }

    @Test("the stored hash keeps its values")
    func storedValues() {
        #expect(stored([]) == 0x1)
        #expect(stored(Array("httpbin.org".utf8)) == 0x54e7_064e_5fdc_ef9d)
        #expect(stored(Array("outbound|443||httpbin.org".utf8)) == 0x913a_23da_b9c9_e062)
        #expect(stored((0..<200).map { UInt8($0) }) == 0x42f0_fe3f_2e8d_8428)
    }

    @Test("the in-memory hash changes with every byte and every length, and is never 0")
    func everyByteCounts() {
        for length in 0...70 {
            let base = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            let h = hash(base)
            #expect(h != 0)
            if length > 0 { #expect(hash(Array(base.dropLast())) != h, "length \(length)") }
            for i in 0..<length {
                var changed = base
                changed[i] ^= 0x20
                #expect(hash(changed) != h, "byte \(i) of \(length)")
            }
        }
    }
}
