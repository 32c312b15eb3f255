#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A view of bytes inside a read buffer: no copy, no `String`, valid only while the buffer is.
/// An absent value (Envoy's `-`, JSON `null`) has a nil `start`.
public struct ByteSlice {
    public var start: UnsafePointer<UInt8>?
    public var count: Int

    @inlinable public static var absent: ByteSlice { ByteSlice(start: nil, count: 0) }

    @inlinable public init(start: UnsafePointer<UInt8>?, count: Int) {
        self.start = start
        self.count = count
    }

    @inlinable public var isAbsent: Bool { start == nil }

    @inlinable public subscript(i: Int) -> UInt8 { start![i] }

    /// Byte-wise equality with an ASCII literal.
    @inlinable public func equals(_ literal: StaticString) -> Bool {
        guard let s = start, count == literal.utf8CodeUnitCount else { return false }
        return memcmp(s, literal.utf8Start, count) == 0
    }

    @inlinable public func hasPrefix(_ literal: StaticString) -> Bool {
        guard let s = start, count >= literal.utf8CodeUnitCount else { return false }
        return memcmp(s, literal.utf8Start, literal.utf8CodeUnitCount) == 0
    }

    /// The bytes from `from` to the end.
    @inlinable public func dropFirst(_ n: Int) -> ByteSlice {
        guard let s = start else { return self }
        let k = min(n, count)
        return ByteSlice(start: s + k, count: count - k)
    }

    @inlinable public func prefix(_ n: Int) -> ByteSlice {
        ByteSlice(start: start, count: min(n, count))
    }

    /// Index of the first `byte`, or nil.
    @inlinable public func firstIndex(of byte: UInt8) -> Int? {
        guard let s = start, count > 0, let p = memchr(s, Int32(byte), count) else { return nil }
        return s.distance(to: p.assumingMemoryBound(to: UInt8.self))
    }

    /// Index of the last `byte`, or nil.
    @inlinable public func lastIndex(of byte: UInt8) -> Int? {
        guard let s = start else { return nil }
        var i = count - 1
        while i >= 0 { if s[i] == byte { return i }; i -= 1 }
        return nil
    }

    /// A non-negative decimal integer (optionally with a fraction, which is dropped), or nil.
    @inlinable public var integerValue: Int64? {
        guard let s = start, count > 0, count <= 18 else { return nil }
        var v: Int64 = 0
        var i = 0
        while i < count {
            let c = s[i]
            if c == UInt8(ascii: ".") && i > 0 { break }
            guard c &- 48 < 10 else { return nil }
            v = v &* 10 &+ Int64(c &- 48)
            i += 1
        }
        return v
    }

    /// The bytes as a `String`, repairing invalid UTF-8 (for output and tests, never the hot path).
    public var string: String? {
        guard let s = start else { return nil }
        return String(decoding: UnsafeBufferPointer(start: s, count: count), as: UTF8.self)
    }

    /// A copy of the bytes.
    public var bytes: [UInt8] {
        guard let s = start else { return [] }
        return Array(UnsafeBufferPointer(start: s, count: count))
    }
}
