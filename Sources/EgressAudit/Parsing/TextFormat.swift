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
        /// An unquoted Envoy-made token: a quote in it means the line has another layout.
        var rejectsQuote: Bool
        /// `kind.shape`, kept so matching a line does not work it out per field.
        var shape: FieldKind.Shape
        /// What a value found by the general matcher must look like (see `valid`).
        var check: TokenPlan.Check
    }

    public let name: String
    /// The format string as given (without its trailing newline).
    public let formatString: String
    let segments: [Segment]
    private let literals: UnsafeMutablePointer<UInt8>
    private let absorber: Int?
    /// Where the request triple ends, when the format has one: the segments of the protocol, the literal
    /// closing the triple and the response code (see `plausibleTripleEnds`).
    private let tripleEnd: (proto: Int, close: Int, code: Int)?
    /// The kinds this format provides.
    public let kinds: Set<FieldKind>
    /// The single-pass tokenizer, when the format is token-shaped.
    private let plan: TokenPlan?

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
                segments.append(Segment(isLiteral: true, kind: .ignored, literalOffset: offset, literalLength: piece.bytes.count, quoted: false,
                                        rejectsQuote: false, shape: .text, check: .none))
                offset += piece.bytes.count
            } else {
                let before = index > 0 ? pieces[index - 1].bytes.last : nil
                let after = index + 1 < pieces.count ? pieces[index + 1].bytes.first : nil
                let quoted = before == UInt8(ascii: "\"") && after == UInt8(ascii: "\"")
                segments.append(Segment(isLiteral: false, kind: piece.kind, literalOffset: 0, literalLength: 0, quoted: quoted,
                                        rejectsQuote: !quoted && piece.kind.shape == .text, shape: piece.kind.shape,
                                        check: TokenPlan.Check.of(piece.kind.shape, rejectsQuote: !quoted && piece.kind.shape == .text,
                                                                  delimited: false)))
            }
        }
        self.segments = segments
        let absorber = segments.firstIndex { !$0.isLiteral && $0.kind == .userAgent }
        self.absorber = absorber
        if let p = segments.firstIndex(where: { !$0.isLiteral && $0.kind == .proto }), p + 2 < segments.count,
           segments[p + 1].isLiteral, !segments[p + 2].isLiteral, segments[p + 2].kind == .responseCode,
           p > 0, segments[p - 1].isLiteral, segments[p - 1].literalLength == 1 {
            self.tripleEnd = (p, p + 1, p + 2)
        } else {
            self.tripleEnd = nil
        }
        self.kinds = Set(segments.filter { !$0.isLiteral }.map(\.kind))
        var plan = TokenPlan(pieces: pieces.map { ($0.isLiteral, $0.bytes, $0.kind) })
        plan?.flatten { (segments[$0].kind, segments[$0].shape, segments[$0].rejectsQuote, pieces[$0].bytes) }
        self.plan = plan
    }

    deinit { literals.deallocate() }

    // MARK: Matching

    public func parse(_ line: ByteSlice, into record: AccessRecord) -> Bool {
        record.clear()
        guard let base = line.start else { return false }
        let n = line.count
        if let plan, parseTokens(plan, base, n, record) { return true }
        record.clear()
        guard parseAround(base, n, record) else { return false }
        // The request path is the client's and Envoy does not escape it: a path holding a whole forged
        // head (`/x HTTP/1.1" 200 - via_upstream - "-" 0 0 0 - "-" "y`) is read as the line's head, and the
        // real head then lands in the user agent. A line with more than one place where the request triple
        // can end (`<protocol>" <code> `) is refused rather than trusted either way.
        if let triple = tripleEnd, plausibleTripleEnds(triple, base, n) > 1 {
            record.clear()
            return false
        }
        return true
    }

    /// Counts the places where the path's field could be followed by a valid protocol, the literal that
    /// closes the triple and a valid response code: `HTTP/1.1" 200 ` (or `-" 0 ` for TCP). Envoy writes
    /// one; more are forged. Linear: each closing literal is visited once and its neighbours are tokens.
    private func plausibleTripleEnds(_ t: (proto: Int, close: Int, code: Int), _ base: UnsafePointer<UInt8>, _ n: Int) -> Int {
        let close = segments[t.close], proto = segments[t.proto], code = segments[t.code]
        var found = 0
        var from = 0
        while true {
            let at = find(close, in: base, from: from, to: n, stopAtQuote: false)
            guard at >= 0 else { return found }
            from = at + 1
            // The protocol runs back to the space before it; the code up to the next space.
            var start = at
            while start > 0 && base[start - 1] != 0x20 { start -= 1 }
            guard start > 0, valid(proto, base + start, at - start) else { continue }
            let codeStart = at + close.literalLength
            var codeEnd = codeStart
            while codeEnd < n && base[codeEnd] != 0x20 { codeEnd += 1 }
            guard codeEnd > codeStart, valid(code, base + codeStart, codeEnd - codeStart) else { continue }
            found += 1
            if found > 1 { return found }
        }
    }

    /// The second pass: the head from the left up to the user agent, the tail from the right down to it.
    private func parseAround(_ base: UnsafePointer<UInt8>, _ n: Int, _ record: AccessRecord) -> Bool {
        segments.withUnsafeBufferPointer { segs -> Bool in
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
                        let end = find(next, in: base, from: from, to: n, stopAtQuote: s.rejectsQuote)
                        guard end >= 0 else { return false }
                        if valid(s, base + pos, end - pos) && (s.shape != .free || lookahead(segs, i + 2, base, end + next.literalLength, n, leftEnd)) {
                            record.set(s.kind, base + pos, end - pos)
                            pos = end
                            break
                        }
                        attempts += 1
                        // Only client-controlled values may hold the separator; others fail at once.
                        guard s.shape == .free, attempts < 16 else { return false }
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
                    let at = findLast(previous, in: base, from: pos, to: end, stopAtQuote: s.rejectsQuote)
                    guard at >= 0 else { return false }
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

    /// The fast path: split into the plan's tokens in one pass, read fields by position.
    ///
    /// A lone field (every token but the request triple) is read from its `TokenPlan.Flat` alone: the
    /// absent test (`-` or empty) is done once, then the value's check, then it is stored in its slot.
    /// The commonest short values skip the word-at-a-time search: bare integers are read digit by
    /// digit (which checks them too), and a lone `-`, bare or quoted, is recognised where it stands.
    private func parseTokens(_ plan: TokenPlan, _ base: UnsafePointer<UInt8>, _ n: Int, _ record: AccessRecord) -> Bool {
        let slots = record.slots
        return plan.flat.withUnsafeBufferPointer { tokens in
            var pos = 0
            let last = tokens.count &- 1
            for index in 0..<tokens.count {
                let token = tokens[index]
                let start: Int
                let end: Int
                switch token.kind {
                case .bracketed:
                    guard pos < n, base[pos] == UInt8(ascii: "[") else { return false }
                    start = pos &+ 1
                    end = ByteScan.first(token.stop, mask: 0, in: base, from: start, to: n)
                    guard end < n else { return false }
                    pos = end &+ 1
                    if index < last {
                        guard pos < n, base[pos] == 0x20 else { return false }
                        pos &+= 1
                    }
                case .quoted:
                    guard pos < n, base[pos] == UInt8(ascii: "\"") else { return false }
                    start = pos &+ 1
                    let after = start &+ 2   // just past `-"`
                    if after <= n && base[start] == UInt8(ascii: "-") && base[start &+ 1] == UInt8(ascii: "\"")
                        && (index < last ? after < n && base[after] == 0x20 : after == n) {
                        // `"-"`: what the search below would find, without searching.
                        end = start &+ 1
                        pos = index < last ? after &+ 1 : after
                        break
                    }
                    // The closing quote is the first one followed by a space (or the end, for the last token).
                    var q = ByteScan.first(token.stop, mask: 0, in: base, from: start, to: n)
                    while q < n && !(q &+ 1 == n ? index == last : base[q &+ 1] == 0x20) {
                        q = ByteScan.first(token.stop, mask: 0, in: base, from: q &+ 1, to: n)
                    }
                    guard q < n else { return false }
                    end = q
                    // Before any token but the last, the loop above saw the space that follows.
                    pos = index < last ? q &+ 2 : q &+ 1
                case .bare:
                    start = pos
                    if token.check == .integer {
                        // Digits (or a lone `-`) up to the delimiter: anything else there fails the check below.
                        var k = pos
                        while k < n && base[k] &- 48 < 10 { k &+= 1 }
                        if k == pos && k < n && base[k] == UInt8(ascii: "-") { k &+= 1 }
                        end = k
                    } else if pos < n && base[pos] == UInt8(ascii: "-") && (pos &+ 1 == n || base[pos &+ 1] == 0x20) {
                        end = pos &+ 1
                    } else {
                        end = ByteScan.first(token.stop, mask: token.stopMask, in: base, from: start, to: n)
                    }
                    if index < last {
                        // A quote here is in an Envoy-made token (another layout); anything but a space
                        // after an integer's digits is not an integer.
                        guard end < n, base[end] == 0x20 else { return false }
                        pos = end &+ 1
                    } else {
                        guard end == n else { return false }
                        pos = n
                    }
                }
                if token.check == .several {
                    guard split(plan, index, base, start, end, record) else { return false }
                    continue
                }
                let p = base + start
                let count = end &- start
                if count == 0 || (count == 1 && p[0] == UInt8(ascii: "-")) {
                    slots[Int(token.slot)] = .absent
                } else {
                    guard accepts(token.check, p, count, digitsRead: token.kind == .bare) else { return false }
                    slots[Int(token.slot)] = ByteSlice(start: p, count: count)
                }
            }
            return pos == n
        }
    }

    /// Whether `count` bytes at `p`, neither empty nor `-`, pass a lone token field's check (as `valid`
    /// would, with what the token's delimiters proved already left out).
    /// - Parameter digitsRead: the value of an integer was read digit by digit (a bare token).
    @inline(__always) private func accepts(_ check: TokenPlan.Check, _ p: UnsafePointer<UInt8>, _ count: Int, digitsRead: Bool) -> Bool {
        switch check {
        case .none, .several:
            return true
        case .integer:
            guard count <= 18 else { return false }
            if digitsRead { return true }
            var k = 0
            while k < count {
                if p[k] &- 48 >= 10 { return false }
                k &+= 1
            }
            return true
        case .time:
            return p[0] &- 48 < 10
        case .httpProtocol:
            return count >= 5 && p[0] == UInt8(ascii: "H") && p[1] == UInt8(ascii: "T") && p[4] == UInt8(ascii: "/")
        case .methodToken:
            guard count <= 32 else { return false }
            for k in 0..<count where !(p[k] >= 65 && p[k] <= 90) && p[k] != UInt8(ascii: "-") && p[k] != UInt8(ascii: "_") { return false }
            return true
        case .noSpace:
            // An unquoted Envoy-made token never holds a space: one that does spans several tokens of a line
            // in another layout (e.g. `- via_upstream -` read as 1.8's flags).
            return memchr(p, 0x20, count) == nil
        }
    }

    /// Gives a token's content to its several fields: split at their separators left to right up to
    /// the free field, right to left after it; the free field takes the middle.
    /// Out of line: it runs for one token a line (the request triple) and keeps the token loop's registers free.
    @inline(never)
    private func split(_ plan: TokenPlan, _ index: Int, _ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int,
                       _ record: AccessRecord) -> Bool {
        let span = plan.spans[index]
        if let triple = span.triple { return split(triple, base, start, end, record.slots) }
        return segments.withUnsafeBufferPointer { segs in
            plan.flatFields.withUnsafeBufferPointer { all in
                split(span.free, UnsafeBufferPointer(rebasing: all[span.firstField..<(span.firstField + span.fieldCount)]),
                      segs, base, start, end, record)
            }
        }
    }

    /// `split` for a `TokenPlan.Triple`: as the general split does with one-byte separators, without
    /// looking segments up. The first field ends at the first separator, the last starts after the last.
    @inline(__always)
    private func split(_ t: TokenPlan.Triple, _ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int,
                       _ slots: UnsafeMutablePointer<ByteSlice>) -> Bool {
        let quote = UInt8(ascii: "\"")
        let a = ByteScan.first(t.firstSeparator, t.first.stopsAtQuote ? quote : t.firstSeparator, in: base, from: start, to: end)
        guard a < end, base[a] == t.firstSeparator else { return false }
        let p = a &+ 1
        let b = ByteScan.last(t.lastSeparator, t.last.stopsAtQuote ? quote : t.lastSeparator, in: base, from: p, to: end)
        guard b >= p, base[b] == t.lastSeparator else { return false }
        return store(t.first, base + start, a &- start, slots) && store(t.last, base + (b &+ 1), end &- b &- 1, slots)
            && store(t.middle, base + p, b &- p, slots)
    }

    /// Stores a triple's field value after its check (`-` and empty read as absent, as `AccessRecord.set` does).
    @inline(__always)
    private func store(_ part: TokenPlan.Part, _ p: UnsafePointer<UInt8>, _ count: Int, _ slots: UnsafeMutablePointer<ByteSlice>) -> Bool {
        if count == 0 || (count == 1 && p[0] == UInt8(ascii: "-")) {
            slots[Int(part.slot)] = .absent
            return true
        }
        guard accepts(part.check, p, count, digitsRead: false) else { return false }
        slots[Int(part.slot)] = ByteSlice(start: p, count: count)
        return true
    }

    /// `split` on the token's own fields.
    @inline(__always)
    private func split(_ free: Int, _ fields: UnsafeBufferPointer<TokenPlan.Field>, _ segs: UnsafeBufferPointer<Segment>,
                       _ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int, _ record: AccessRecord) -> Bool {
        var p = start
        for k in 0..<free {
            let s = segs[fields[k].segment]
            let separator = segs[fields[k].separator]
            let at = find(separator, in: base, from: p, to: end, stopAtQuote: s.rejectsQuote)
            guard at >= 0, valid(s, base + p, at &- p) else { return false }
            record.set(s.kind, base + p, at &- p)
            p = at &+ separator.literalLength
        }
        var e = end
        var k = fields.count &- 1
        while k > free {
            let s = segs[fields[k].segment]
            let separator = segs[fields[k &- 1].separator]
            let at = findLast(separator, in: base, from: p, to: e, stopAtQuote: s.rejectsQuote)
            guard at >= 0 else { return false }
            let v = at &+ separator.literalLength
            guard valid(s, base + v, e &- v) else { return false }
            record.set(s.kind, base + v, e &- v)
            e = at
            k &-= 1
        }
        let s = segs[fields[free].segment]
        guard e >= p, valid(s, base + p, e &- p) else { return false }
        record.set(s.kind, base + p, e &- p)
        return true
    }

    /// Checks that the field after a candidate split has a plausible value.
    private func lookahead(_ segs: UnsafeBufferPointer<Segment>, _ k: Int, _ base: UnsafePointer<UInt8>, _ pos: Int, _ n: Int, _ leftEnd: Int) -> Bool {
        guard k < leftEnd, pos <= n else { return pos <= n }
        let s = segs[k]
        guard !s.isLiteral, k + 1 < segs.count else { return true }
        let end = find(segs[k + 1], in: base, from: pos, to: n, stopAtQuote: s.rejectsQuote)
        return end >= 0 && valid(s, base + pos, end - pos)
    }

    /// Whether the literal `lit` stands at `p` (literals are a few bytes: a loop beats a call).
    @inline(__always) private func same(_ p: UnsafePointer<UInt8>, _ lit: Segment) -> Bool {
        let l = literals + lit.literalOffset
        var k = 1
        while k < lit.literalLength { if p[k] != l[k] { return false }; k &+= 1 }
        return p[0] == l[0]
    }

    /// First position of `lit` in `[from, n)`, or -1. With `stopAtQuote`, a quote in the bytes before it
    /// (the value) also gives -1.
    @inline(__always) private func find(_ lit: Segment, in base: UnsafePointer<UInt8>, from: Int, to n: Int, stopAtQuote: Bool) -> Int {
        let first = literals[lit.literalOffset]
        let quote = UInt8(ascii: "\"")
        let last = n &- lit.literalLength
        var i = from
        while true {
            i = ByteScan.first(first, stopAtQuote ? quote : first, in: base, from: i, to: n)
            guard i <= last else { return -1 }
            let c = base[i]
            if c == first && same(base + i, lit) { return i }
            // Not the separator: base[i] is part of the value.
            if stopAtQuote && c == quote { return -1 }
            i &+= 1
        }
    }

    /// Last position of `lit` in `[lo, hi)`, or -1; `stopAtQuote` as for `find` (the literals before
    /// such fields hold a quote, if at all, only as their first byte).
    @inline(__always) private func findLast(_ lit: Segment, in base: UnsafePointer<UInt8>, from lo: Int, to hi: Int, stopAtQuote: Bool) -> Int {
        let first = literals[lit.literalOffset]
        let quote = UInt8(ascii: "\"")
        let latest = hi &- lit.literalLength
        var j = hi
        while true {
            j = ByteScan.last(first, stopAtQuote ? quote : first, in: base, from: lo, to: j)
            guard j >= lo else { return -1 }
            let c = base[j]
            if c == first && j <= latest && same(base + j, lit) { return j }
            if stopAtQuote && c == quote { return -1 }
        }
    }

    /// Whether a value found by the general matcher has its field's shape: absent (`-` or empty), or as
    /// `accepts` says for the field's check (one set of shape rules for both matchers).
    @inline(__always) private func valid(_ s: Segment, _ p: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        if count == 0 || (count == 1 && p[0] == UInt8(ascii: "-")) { return true }
        return accepts(s.check, p, count, digitsRead: false)
    }
}
