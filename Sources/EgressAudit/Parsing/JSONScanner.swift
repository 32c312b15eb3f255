#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// A JSON value found by `JSONScanner`. Strings are already unescaped; objects and arrays are raw text.
public struct JSONValue {
    public enum Kind: Sendable { case string, number, null, bool, object, array }
    public var kind: Kind
    public var slice: ByteSlice
}

/// Why a JSON line could not be read, for the rejects table.
public enum JSONScanError: Error, Equatable, CustomStringConvertible {
    case notAnObject
    case unexpected(byte: UInt8, at: Int)
    case unterminated
    case tooDeep(limit: Int)

    public var description: String {
        switch self {
        case .notAnObject: return "JSON line is not an object"
        case let .unexpected(b, at): return "unexpected byte 0x\(String(b, radix: 16)) at column \(at + 1) in JSON"
        case .unterminated: return "JSON object is cut short"
        case let .tooDeep(limit): return "JSON nested deeper than \(limit) levels"
        }
    }
}

/// Reusable space where escaped JSON strings are written unescaped. Slices into it stay valid
/// until `reset(for:)` is called for the next line.
public final class JSONScratch {
    private(set) var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var used = 0

    public init(capacity: Int = 64 << 10) {
        self.capacity = capacity
        self.buffer = .allocate(capacity: capacity)
    }

    deinit { buffer.deallocate() }

    /// Prepares for a line of `length` bytes: unescaping never grows text, so twice the line
    /// (the line plus one nested record inside it) always fits without moving.
    public func reset(for length: Int) {
        used = 0
        let need = length * 2 + 16
        if need > capacity {
            buffer.deallocate()
            capacity = max(need, capacity * 2)
            buffer = .allocate(capacity: capacity)
        }
    }

    @inline(__always) func append(_ b: UInt8) { buffer[used] = b; used += 1 }
    var position: Int { used }
    func slice(from: Int) -> ByteSlice { ByteSlice(start: UnsafePointer(buffer + from), count: used - from) }
}

/// Finds where the strings of a line end: the quotes and backslashes of a 64-byte window of the line,
/// one bit a byte, so that most keys and values end with a shift and a trailing-zero count instead of
/// a scan of their own (a line of ~770 bytes holds ~50 strings; a window costs about one 16-byte scan).
/// Windows move forward as the scan does; a string may start anywhere, as the bits say nothing but
/// where those two bytes are.
struct StringEnds {
    private let p: UnsafePointer<UInt8>
    private let n: Int
    /// Where the window starts (below 64 before the first: no index is inside it).
    private var base = -64
    /// Bit k set: `p[base + k]` is a quote or a backslash.
    private var bits: UInt64 = 0

    init(_ p: UnsafePointer<UInt8>, _ n: Int) {
        self.p = p
        self.n = n
    }

    /// The first index in `[from, n)` holding a quote or a backslash, or `n` (`from` at most `n`).
    @inline(__always) mutating func next(from i: Int) -> Int {
        let d = i &- base
        if UInt(bitPattern: d) < 64 {
            let rest = bits &>> UInt64(d)
            if rest != 0 { return i &+ rest.trailingZeroBitCount }
            return refill(from: base &+ 64)
        }
        return refill(from: i)
    }

    /// Moves the window to `from` (or past it while windows hold no hit) and answers from there.
    /// The last window of a line ends at `n`, overlapping the one before; lines under 64 bytes are scanned.
    @inline(__always) private mutating func refill(from start: Int) -> Int {
        var b = start
        while b &+ 64 <= n {
            base = b
            bits = StringEnds.hits(p + b)
            if bits != 0 { return b &+ bits.trailingZeroBitCount }
            b &+= 64
        }
        guard b < n else { return n }
        guard n >= 64 else { return ByteScan.first(UInt8(ascii: "\""), UInt8(ascii: "\\"), in: p, from: b, to: n) }
        base = n &- 64
        bits = StringEnds.hits(p + base)
        let rest = bits &>> UInt64(b &- base)
        return rest != 0 ? b &+ rest.trailingZeroBitCount : n
    }

    /// One bit for each of the 64 bytes at `q`: set where the byte is a quote or a backslash.
    @inline(__always) static func hits(_ q: UnsafePointer<UInt8>) -> UInt64 {
        #if arch(x86_64)
        // SSE2 (every x86-64): two byte compares a 16-byte vector, then one bit a byte.
        let quotes = _mm_set1_epi8(0x22), backslashes = _mm_set1_epi8(0x5C)
        let raw = UnsafeRawPointer(q)
        var h: UInt64 = 0
        for k in 0..<4 {
            let v = raw.loadUnaligned(fromByteOffset: 16 &* k, as: __m128i.self)
            let m = _mm_or_si128(_mm_cmpeq_epi8(v, quotes), _mm_cmpeq_epi8(v, backslashes))
            h |= UInt64(UInt16(truncatingIfNeeded: _mm_movemask_epi8(m))) &<< UInt64(16 &* k)
        }
        return h
        #else
        // Elsewhere a word at a time: exact zero-byte flags (no borrow between bytes), gathered into a byte.
        let raw = UnsafeRawPointer(q)
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        var h: UInt64 = 0
        for k in 0..<8 {
            let w = raw.loadUnaligned(fromByteOffset: 8 &* k, as: UInt64.self)
            let x = w ^ 0x2222_2222_2222_2222, y = w ^ 0x5C5C_5C5C_5C5C_5C5C
            let zx = ~(((x & low7) &+ low7) | x | low7), zy = ~(((y & low7) &+ low7) | y | low7)
            let byte = (((zx | zy) &>> 7) &* 0x0102_0408_1020_4080) &>> 56
            h |= byte &<< UInt64(8 &* k)
        }
        return h
        #endif
    }
}

/// A byte scanner for flat JSON records (access lines, container wrappers): no Foundation, no
/// `String`; values are slices of the line, escaped strings are unescaped into a `JSONScratch`.
public enum JSONScanner {
    /// Maximum nesting accepted inside a record.
    public static let depthLimit = 64

    /// Calls `body` with each member of the object that `text` holds (leading spaces allowed).
    ///
    /// Envoy writes compact JSON (no space between tokens), so each step first tests for the byte it
    /// expects and skips spaces only when that byte is not there: spaced JSON reads the same, with the
    /// same errors, through the slower branch. Unescaped strings, `null` and plain integers (most
    /// members of an access line) are read here; anything else goes through `readValue`.
    @inline(__always)
    public static func forEachMember(of text: ByteSlice, scratch: JSONScratch,
                                     _ body: (ByteSlice, JSONValue) -> Void) -> JSONScanError? {
        guard let p = text.start else { return .notAnObject }
        let n = text.count
        let quote = UInt8(ascii: "\"")
        var i = skipSpace(p, 0, n)
        guard i < n, p[i] == UInt8(ascii: "{") else { return .notAnObject }
        i += 1
        i = skipSpace(p, i, n)
        if i < n && p[i] == UInt8(ascii: "}") { return nil }
        var failure: JSONScanError?
        var ends = StringEnds(p, n)
        while true {
            // The key.
            if !(i < n && p[i] == quote) {
                i = skipSpace(p, i, n)
                guard i < n else { return .unterminated }
                guard p[i] == quote else { return .unexpected(byte: p[i], at: i) }
            }
            var key: ByteSlice
            let keyEnd = ends.next(from: i &+ 1)
            if keyEnd < n && p[keyEnd] == quote {
                key = ByteSlice(start: p + (i &+ 1), count: keyEnd &- i &- 1)
                i = keyEnd &+ 1
            } else {
                guard keyEnd < n else { return .unterminated }
                key = .absent
                i = readEscaped(p, i + 1, keyEnd, n, scratch, &key, &failure)
                if i < 0 { return failure }
            }
            // The colon.
            if i < n && p[i] == UInt8(ascii: ":") {
                i &+= 1
            } else {
                i = skipSpace(p, i, n)
                guard i < n else { return .unterminated }
                guard p[i] == UInt8(ascii: ":") else { return .unexpected(byte: p[i], at: i) }
                i += 1
            }
            // The value: the common shapes here, the rest (and any value after spaces) in `readValue`.
            var value = JSONValue(kind: .null, slice: .absent)
            let c: UInt8 = i < n ? p[i] : 0
            if c == quote {
                let end = ends.next(from: i &+ 1)
                value.kind = .string
                if end < n && p[end] == quote {
                    value.slice = ByteSlice(start: p + (i &+ 1), count: end &- i &- 1)
                    i = end &+ 1
                } else {
                    guard end < n else { return .unterminated }
                    i = readEscaped(p, i + 1, end, n, scratch, &value.slice, &failure)
                    if i < 0 { return failure }
                }
            } else if c == UInt8(ascii: "n") && isNull(p, i, n) {
                i &+= 4  // kind .null, slice absent: as initialised
            } else if c &- 48 < 10 {
                // Digits, unless the number goes on with a sign, point or exponent (`readValue` reads those).
                var j = i &+ 1
                while j < n && p[j] &- 48 < 10 { j &+= 1 }
                if j < n && isNumberPunctuation(p[j]) {
                    i = readValue(p, i, n, scratch, &value, &failure)
                    if i < 0 { return failure }
                } else {
                    value.kind = .number
                    value.slice = ByteSlice(start: p + i, count: j &- i)
                    i = j
                }
            } else {
                i = skipSpace(p, i, n)
                guard i < n else { return .unterminated }
                i = readValue(p, i, n, scratch, &value, &failure)
                if i < 0 { return failure }
            }
            body(key, value)
            // A comma, or the closing brace.
            if i < n && p[i] == UInt8(ascii: ",") { i &+= 1; continue }
            i = skipSpace(p, i, n)
            guard i < n else { return .unterminated }
            if p[i] == UInt8(ascii: ",") { i += 1; continue }
            if p[i] == UInt8(ascii: "}") { return nil }
            return .unexpected(byte: p[i], at: i)
        }
    }

    /// Whether the word at `i` is exactly `null` (the next byte, if any, is not a letter: `nullx` is
    /// left to `readValue`, which refuses it).
    @inline(__always) static func isNull(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> Bool {
        guard i &+ 4 <= n,
              UnsafeRawPointer(p + i).loadUnaligned(as: UInt32.self) == UInt32(littleEndian: 0x6C6C_756E) else { return false }
        return i &+ 4 == n || p[i &+ 4] &- UInt8(ascii: "a") >= 26
    }

    /// A byte that continues a number past its digits: sign, decimal point or exponent.
    @inline(__always) static func isNumberPunctuation(_ d: UInt8) -> Bool {
        d == UInt8(ascii: "-") || d == UInt8(ascii: "+") || d == UInt8(ascii: ".") || d == UInt8(ascii: "e")
            || d == UInt8(ascii: "E")
    }

    @inline(__always) static func skipSpace(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> Int {
        var i = i
        while i < n {
            let c = p[i]
            if c != 0x20 && c != 0x09 && c != 0x0A && c != 0x0D { break }
            i += 1
        }
        return i
    }

    /// Reads the value at `i` into `out`; returns the index after it, or -1 with the reason in `failure`.
    /// (An index rather than a `Result`: the result travels in a register on the path every member takes.)
    @inline(__always)
    static func readValue(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int, _ scratch: JSONScratch,
                          _ out: inout JSONValue, _ failure: inout JSONScanError?) -> Int {
        let c = p[i]
        switch c {
        case UInt8(ascii: "\""):
            out.kind = .string
            return readString(p, i, n, scratch, &out.slice, &failure)
        case UInt8(ascii: "n"), UInt8(ascii: "t"), UInt8(ascii: "f"):
            var j = i
            while j < n && p[j] >= UInt8(ascii: "a") && p[j] <= UInt8(ascii: "z") { j += 1 }
            let word = ByteSlice(start: p + i, count: j - i)
            if word.equals("null") { out.kind = .null; out.slice = .absent }
            else if word.equals("true") || word.equals("false") { out.kind = .bool; out.slice = word }
            else { failure = .unexpected(byte: c, at: i); return -1 }
            return j
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            switch skipNested(p, i, n) {
            case .failure(let e): failure = e; return -1
            case .success(let j):
                out.kind = c == UInt8(ascii: "{") ? .object : .array
                out.slice = ByteSlice(start: p + i, count: j - i)
                return j
            }
        default:
            var j = i
            while j < n {
                let d = p[j]
                let isNumberByte = (d &- 48 < 10) || d == UInt8(ascii: "-") || d == UInt8(ascii: "+")
                    || d == UInt8(ascii: ".") || d == UInt8(ascii: "e") || d == UInt8(ascii: "E")
                if !isNumberByte { break }
                j += 1
            }
            guard j > i else { failure = .unexpected(byte: c, at: i); return -1 }
            out.kind = .number
            out.slice = ByteSlice(start: p + i, count: j - i)
            return j
        }
    }

    /// Reads the string whose opening quote is at `i`; returns the index after the closing quote, or -1 with
    /// the reason in `failure`.
    @inline(__always)
    static func readString(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int, _ scratch: JSONScratch,
                           _ out: inout ByteSlice, _ failure: inout JSONScanError?) -> Int {
        var j = i + 1
        let start = j
        // Fast path: no escapes.
        j = ByteScan.first(UInt8(ascii: "\""), UInt8(ascii: "\\"), in: p, from: j, to: n)
        if j < n && p[j] == UInt8(ascii: "\"") {
            out = ByteSlice(start: p + start, count: j - start)
            return j + 1
        }
        guard j < n else { failure = .unterminated; return -1 }
        return readEscaped(p, start, j, n, scratch, &out, &failure)
    }

    /// The rest of a string holding escapes (`j` is the first backslash): unescaped into `scratch`.
    static func readEscaped(_ p: UnsafePointer<UInt8>, _ start: Int, _ j: Int, _ n: Int, _ scratch: JSONScratch,
                            _ out: inout ByteSlice, _ failure: inout JSONScanError?) -> Int {
        var j = j
        let from = scratch.position
        for k in start..<j { scratch.append(p[k]) }
        while j < n {
            let c = p[j]
            if c == UInt8(ascii: "\"") {
                out = scratch.slice(from: from)
                return j + 1
            }
            if c != UInt8(ascii: "\\") { scratch.append(c); j += 1; continue }
            guard j + 1 < n else { failure = .unterminated; return -1 }
            let e = p[j + 1]
            j += 2
            switch e {
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "u"):
                guard var code = hex4(p, j, n) else { failure = .unexpected(byte: e, at: j - 1); return -1 }
                j += 4
                if code >= 0xD800 && code < 0xDC00, j + 6 <= n, p[j] == UInt8(ascii: "\\"), p[j + 1] == UInt8(ascii: "u"),
                   let low = hex4(p, j + 2, n), low >= 0xDC00 && low < 0xE000 {
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    j += 6
                }
                appendUTF8(code, scratch)
            default: scratch.append(e)  // \" \\ \/ and anything else taken literally
            }
        }
        failure = .unterminated
        return -1
    }

    static func hex4(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> UInt32? {
        guard i + 4 <= n else { return nil }
        var v: UInt32 = 0
        for k in 0..<4 {
            let c = p[i + k]
            let d: UInt8
            switch c {
            case 48...57: d = c - 48
            case 65...70: d = c - 55
            case 97...102: d = c - 87
            default: return nil
            }
            v = v << 4 | UInt32(d)
        }
        return v
    }

    static func appendUTF8(_ code: UInt32, _ s: JSONScratch) {
        // Lone surrogates cannot be encoded; write U+FFFD so the text stays valid UTF-8.
        let c = (code >= 0xD800 && code < 0xE000) ? 0xFFFD : code
        switch c {
        case 0..<0x80: s.append(UInt8(c))
        case 0x80..<0x800:
            s.append(UInt8(0xC0 | (c >> 6))); s.append(UInt8(0x80 | (c & 0x3F)))
        case 0x800..<0x10000:
            s.append(UInt8(0xE0 | (c >> 12))); s.append(UInt8(0x80 | ((c >> 6) & 0x3F))); s.append(UInt8(0x80 | (c & 0x3F)))
        default:
            s.append(UInt8(0xF0 | (c >> 18))); s.append(UInt8(0x80 | ((c >> 12) & 0x3F)))
            s.append(UInt8(0x80 | ((c >> 6) & 0x3F))); s.append(UInt8(0x80 | (c & 0x3F)))
        }
    }

    /// Skips a nested object or array starting at `i`, honouring strings; bounded depth.
    static func skipNested(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> Result<Int, JSONScanError> {
        var depth = 0
        var j = i
        while j < n {
            let c = p[j]
            if c == UInt8(ascii: "\"") {
                j += 1
                while j < n && p[j] != UInt8(ascii: "\"") { j += p[j] == UInt8(ascii: "\\") ? 2 : 1 }
                if j >= n { return .failure(.unterminated) }
            } else if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                depth += 1
                if depth > depthLimit { return .failure(.tooDeep(limit: depthLimit)) }
            } else if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                depth -= 1
                if depth == 0 { return .success(j + 1) }
            }
            j += 1
        }
        return .failure(.unterminated)
    }
}
