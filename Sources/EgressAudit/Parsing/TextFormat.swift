#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An Envoy format string compiled into a matcher for text access lines.
///
/// The format `[%START_TIME%] "%REQ(:METHOD)% …" %RESPONSE_CODE% …` becomes literal pieces and
/// fields. A line is matched from the left up to the user-agent field and from the right down to it;
/// the user agent takes what lies between. Envoy does not escape quotes, so a forged user agent cannot
/// shift the tail (cluster, addresses, SNI, route) that verdicts depend on.
public final class TextFormat: LineFormat {
    struct Segment {
        var isLiteral: Bool
        var kind: FieldKind
        var literalOffset: Int
        var literalLength: Int
        /// Whether the field sits between quotes (shapes it may take differ).
        var quoted: Bool
    }

    public let name: String
    /// The format string as given (without its trailing newline).
    public let formatString: String
    let segments: [Segment]
    private let literals: UnsafeMutablePointer<UInt8>
    private let absorber: Int?
    /// The kinds this format provides.
    public let kinds: Set<FieldKind>

    /// Compiles `format`; throws when two operators touch or an operator is not closed.
    public init(name: String, format: String) throws {
        var text = Array(format.utf8)
        while let last = text.last, last == 0x0A || last == 0x0D { text.removeLast() }
        // Istio configs often carry the newline as the two characters `\n`.
        if text.count >= 2 && text[text.count - 2] == UInt8(ascii: "\\") && text[text.count - 1] == UInt8(ascii: "n") {
            text.removeLast(2)
        }
        self.name = name
        self.formatString = String(decoding: text, as: UTF8.self)

        var pieces: [(isLiteral: Bool, bytes: [UInt8], kind: FieldKind, op: String)] = []
        var literal: [UInt8] = []
        var i = 0
        while i < text.count {
            if text[i] != UInt8(ascii: "%") { literal.append(text[i]); i += 1; continue }
            if i + 1 < text.count && text[i + 1] == UInt8(ascii: "%") { literal.append(text[i]); i += 2; continue }
            // %NAME% or %NAME(ARG)% or %NAME(ARG):LEN%; ARG may contain '%' (START_TIME(%s.%3f)).
            var j = i + 1
            while j < text.count && (text[j] == UInt8(ascii: "_") || (text[j] >= 65 && text[j] <= 90) || (text[j] >= 48 && text[j] <= 57)) { j += 1 }
            let opName = String(decoding: text[(i + 1)..<j], as: UTF8.self)
            var argument: String?
            if j < text.count && text[j] == UInt8(ascii: "(") {
                guard let close = text[j...].firstIndex(of: UInt8(ascii: ")")) else {
                    throw FormatError.unterminatedOperator(format: formatString, at: i)
                }
                argument = String(decoding: text[(j + 1)..<close], as: UTF8.self)
                j = close + 1
                if j < text.count && text[j] == UInt8(ascii: ":") {
                    j += 1
                    while j < text.count && text[j] >= 48 && text[j] <= 57 { j += 1 }
                }
            }
            guard !opName.isEmpty, j < text.count, text[j] == UInt8(ascii: "%") else {
                throw FormatError.unterminatedOperator(format: formatString, at: i)
            }
            if !literal.isEmpty { pieces.append((true, literal, .ignored, "")); literal = [] }
            if let previous = pieces.last, !previous.isLiteral {
                throw FormatError.adjacentOperators(format: formatString, first: previous.op, second: opName)
            }
            pieces.append((false, [], FieldKind(operator: opName, argument: argument), opName))
            i = j + 1
        }
        if !literal.isEmpty { pieces.append((true, literal, .ignored, "")) }
        guard pieces.contains(where: { !$0.isLiteral }) else { throw FormatError.noFields(format: formatString) }

        let totalLiteral = pieces.reduce(0) { $0 + $1.bytes.count }
        literals = .allocate(capacity: max(1, totalLiteral))
        var segments: [Segment] = []
        var offset = 0
        for (index, piece) in pieces.enumerated() {
            if piece.isLiteral {
                for (k, b) in piece.bytes.enumerated() { literals[offset + k] = b }
                segments.append(Segment(isLiteral: true, kind: .ignored, literalOffset: offset, literalLength: piece.bytes.count, quoted: false))
                offset += piece.bytes.count
            } else {
                let before = index > 0 ? pieces[index - 1].bytes.last : nil
                let after = index + 1 < pieces.count ? pieces[index + 1].bytes.first : nil
                let quoted = before == UInt8(ascii: "\"") && after == UInt8(ascii: "\"")
                segments.append(Segment(isLiteral: false, kind: piece.kind, literalOffset: 0, literalLength: 0, quoted: quoted))
            }
        }
        self.segments = segments
        self.absorber = segments.firstIndex { !$0.isLiteral && $0.kind == .userAgent }
        self.kinds = Set(segments.filter { !$0.isLiteral }.map(\.kind))
    }

    deinit { literals.deallocate() }

    // MARK: Matching

    public func parse(_ line: ByteSlice, into record: AccessRecord) -> Bool {
        record.clear()
        guard let base = line.start else { return false }
        let n = line.count
        return segments.withUnsafeBufferPointer { segs in
            var pos = 0
            let leftEnd = absorber ?? segs.count
            var i = 0
            while i < leftEnd {
                let s = segs[i]
                if s.isLiteral {
                    guard pos + s.literalLength <= n, same(base + pos, s) else { return false }
                    pos += s.literalLength
                } else if i + 1 == segs.count {
                    guard valid(s, base + pos, n - pos) else { return false }
                    record.set(s.kind, base + pos, n - pos)
                    pos = n
                } else {
                    let next = segs[i + 1]
                    var from = pos
                    var attempts = 0
                    while true {
                        guard let end = find(next, in: base, from: from, to: n) else { return false }
                        if valid(s, base + pos, end - pos) && (s.kind.shape != .free || lookahead(segs, i + 2, base, end + next.literalLength, n, leftEnd)) {
                            record.set(s.kind, base + pos, end - pos)
                            pos = end
                            break
                        }
                        attempts += 1
                        // Only client-controlled values may hold the separator; others fail at once.
                        guard s.kind.shape == .free, attempts < 16 else { return false }
                        from = end + 1
                    }
                }
                i += 1
            }
            guard let a = absorber else { return pos == n }
            var end = n
            var j = segs.count - 1
            while j > a {
                let s = segs[j]
                if s.isLiteral {
                    guard end - s.literalLength >= pos, same(base + end - s.literalLength, s) else { return false }
                    end -= s.literalLength
                } else {
                    let previous = segs[j - 1]
                    guard let at = findLast(previous, in: base, from: pos, to: end) else { return false }
                    let start = at + previous.literalLength
                    guard valid(s, base + start, end - start) else { return false }
                    record.set(s.kind, base + start, end - start)
                    end = start
                }
                j -= 1
            }
            guard end >= pos else { return false }
            record.set(segs[a].kind, base + pos, end - pos)
            return true
        }
    }

    /// Checks that the field after a candidate split has a plausible value.
    private func lookahead(_ segs: UnsafeBufferPointer<Segment>, _ k: Int, _ base: UnsafePointer<UInt8>, _ pos: Int, _ n: Int, _ leftEnd: Int) -> Bool {
        guard k < leftEnd, pos <= n else { return pos <= n }
        let s = segs[k]
        guard !s.isLiteral, k + 1 < segs.count else { return true }
        guard let end = find(segs[k + 1], in: base, from: pos, to: n) else { return false }
        return valid(s, base + pos, end - pos)
    }

    /// Whether the literal `lit` stands at `p` (literals are a few bytes: a loop beats a call).
    @inline(__always) private func same(_ p: UnsafePointer<UInt8>, _ lit: Segment) -> Bool {
        let l = literals + lit.literalOffset
        for k in 0..<lit.literalLength where p[k] != l[k] { return false }
        return true
    }

    /// First position of `lit` in `[from, n)`. Fields are short, so a plain loop finds them fastest.
    @inline(__always) private func find(_ lit: Segment, in base: UnsafePointer<UInt8>, from: Int, to n: Int) -> Int? {
        let len = lit.literalLength
        let first = literals[lit.literalOffset]
        var i = from
        let last = n - len
        while i <= last {
            if base[i] == first && same(base + i, lit) { return i }
            i += 1
        }
        return nil
    }

    @inline(__always) private func findLast(_ lit: Segment, in base: UnsafePointer<UInt8>, from lo: Int, to hi: Int) -> Int? {
        let first = literals[lit.literalOffset]
        var i = hi - lit.literalLength
        while i >= lo {
            if base[i] == first && same(base + i, lit) { return i }
            i -= 1
        }
        return nil
    }

    /// Whether `count` bytes at `p` can be a value of the segment's field.
    @inline(__always) private func valid(_ s: Segment, _ p: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        if count == 0 || (count == 1 && p[0] == UInt8(ascii: "-")) { return true }
        switch s.kind.shape {
        case .free:
            return true
        case .integer:
            for k in 0..<count where p[k] &- 48 >= 10 { return false }
            return count <= 18
        case .time:
            return p[0] &- 48 < 10
        case .httpProtocol:
            return count >= 5 && p[0] == UInt8(ascii: "H") && p[1] == UInt8(ascii: "T") && p[4] == UInt8(ascii: "/")
        case .methodToken:
            guard count <= 32 else { return false }
            for k in 0..<count where !(p[k] >= 65 && p[k] <= 90) && p[k] != UInt8(ascii: "-") && p[k] != UInt8(ascii: "_") { return false }
            return true
        case .text:
            // Envoy-made values never hold a quote; unquoted ones hold no space either.
            let space: UInt8 = s.quoted ? UInt8(ascii: "\"") : 0x20
            for k in 0..<count {
                let c = p[k]
                if c == UInt8(ascii: "\"") || c == space { return false }
            }
            return true
        }
    }
}
