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
        // Keys longer than the limit are not cached.
        let long = String(repeating: "a", count: 5000)
        withBytes(long) { p, n in cache.insert(p, n, hash: ByteHash.hash(p, n), id: 1) }
        #expect(withBytes(long) { p, n in cache.find(p, n, hash: ByteHash.hash(p, n)) } == nil)
    }
}
