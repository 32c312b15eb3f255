/// A fast path for formats made of tokens — `[bracketed]`, `"quoted"` or bare — separated by single
/// spaces, as every Istio and Envoy default is: one pass splits the line into tokens and fields are
/// read by position.
///
/// It accepts a line only when exactly the expected tokens consume it whole and every value has its
/// shape. Quotes or spaces injected into a header value can only add tokens, so such a line falls
/// through to `TextFormat`'s general matcher, which reads the tail from the right.
struct TokenPlan {
    enum Kind { case bracketed, quoted, bare }

    /// One field inside a token, with the literal segment that separates it from the next field of the token.
    struct Field {
        var segment: Int           // index in TextFormat.segments
        var separator: Int         // index of the separating literal segment; -1 for the token's last field
    }

    struct Token {
        var kind: Kind
        var fields: [Field]
        /// Index in `fields` of a client-controlled field that takes the middle of a multi-field token.
        var free: Int?
    }

    /// What a lone field's value must look like once it is known not to be absent (`-` or empty):
    /// `FieldKind.Shape` with what the token's delimiters already proved folded in.
    enum Check: UInt8 {
        /// Anything: client-controlled values, and text whose token could not hold a quote or a space.
        case none
        case integer
        case time
        case httpProtocol
        case methodToken
        /// Envoy-made text in brackets: the closing `]` does not stop at a space, so it is checked.
        case noSpace
        /// Not a lone field: the token holds several, which `TextFormat.split` reads (see `Span`).
        case several

        /// The check of a field of `shape`; `delimited`: what surrounds the value already excludes a space.
        static func of(_ shape: FieldKind.Shape, rejectsQuote: Bool, delimited: Bool) -> Check {
            switch shape {
            case .free: return .none
            case .integer: return .integer
            case .time: return .time
            case .httpProtocol: return .httpProtocol
            case .methodToken: return .methodToken
            case .text: return rejectsQuote && !delimited ? .noSpace : .none
            }
        }
    }

    /// A token as the matcher reads it: a few bytes, all the loop needs for a lone field (no lookup in
    /// `TextFormat.segments` on the per-line path), so iterating touches no reference counts and keeps
    /// its registers.
    struct Flat {
        var kind: Kind
        var check: Check
        /// The record slot (`FieldKind.rawValue`) of a lone field.
        var slot: UInt8
        /// The byte ending the token's content, with `stopMask` as for `ByteScan.first(_:mask:…)`: `]`, `"`,
        /// or a space — or, for a lone Envoy-made bare field, a space or a quote (a quote rejects the line).
        var stop: UInt8
        var stopMask: UInt8
    }

    /// Where a token's fields lie in `flatFields` (read only for tokens with several fields).
    struct Span {
        var firstField: Int
        var fieldCount: Int
        /// Index (within the token) of the field taking the middle; the last field when none is free.
        var free: Int
        /// The token read as a `Triple`, when it is one.
        var triple: Triple?
    }

    /// One field of a `Triple`: what `Flat` says of a lone field, and whether a quote ends the search
    /// for its separator (an Envoy-made token: the line then has another layout).
    struct Part {
        var slot: UInt8
        var check: Check
        var stopsAtQuote: Bool
    }

    /// A token of three fields around a free middle, separated by one-byte literals: the request
    /// `METHOD PATH PROTOCOL`. Read without the general split: the first field up to the first
    /// separator, the last from the last separator, the middle what lies between.
    struct Triple {
        var first: Part
        var middle: Part
        var last: Part
        var firstSeparator: UInt8
        var lastSeparator: UInt8
    }

    let tokens: [Token]
    private(set) var flat: [Flat] = []
    /// Parallel to `flat`.
    private(set) var spans: [Span] = []
    private(set) var flatFields: [Field] = []

    /// Lays the tokens out flat. `segment(i)` gives what is known of segment `i`: a field's kind, its
    /// shape and whether it is an Envoy-made token (a quote in it means another layout); a literal's bytes.
    mutating func flatten(segment: (Int) -> (kind: FieldKind, shape: FieldKind.Shape, rejectsQuote: Bool, literal: [UInt8])) {
        flat = []
        spans = []
        flatFields = []
        for t in tokens {
            let lone = segment(t.fields[0].segment)
            let single = t.fields.count == 1
            // A bare token ends at the first space, a quoted one holds any text.
            let check = Check.of(lone.shape, rejectsQuote: lone.rejectsQuote, delimited: t.kind != .bracketed)
            let quoteStops = t.kind == .bare && single && lone.rejectsQuote
            let stop: UInt8
            switch t.kind {
            case .bracketed: stop = UInt8(ascii: "]")
            case .quoted: stop = UInt8(ascii: "\"")
            case .bare: stop = quoteStops ? 0x22 : 0x20
            }
            flat.append(Flat(kind: t.kind, check: single ? check : .several, slot: UInt8(lone.kind.rawValue),
                             stop: stop, stopMask: quoteStops ? 0x02 : 0))
            var triple: Triple?
            if t.fields.count == 3, t.free == 1 {
                let separators = [t.fields[0].separator, t.fields[1].separator].map { segment($0).literal }
                if separators.allSatisfy({ $0.count == 1 }) {
                    let parts = t.fields.map { f -> Part in
                        let s = segment(f.segment)
                        // Split values are not delimited by a space: text is checked for one.
                        return Part(slot: UInt8(s.kind.rawValue), check: Check.of(s.shape, rejectsQuote: s.rejectsQuote, delimited: false),
                                    stopsAtQuote: s.rejectsQuote)
                    }
                    triple = Triple(first: parts[0], middle: parts[1], last: parts[2],
                                    firstSeparator: separators[0][0], lastSeparator: separators[1][0])
                }
            }
            spans.append(Span(firstField: flatFields.count, fieldCount: t.fields.count, free: t.free ?? t.fields.count - 1,
                              triple: triple))
            flatFields.append(contentsOf: t.fields)
        }
    }

    /// Builds the plan from compiled pieces; nil when the format is not token-shaped.
    init?(pieces: [(isLiteral: Bool, bytes: [UInt8], kind: FieldKind)]) {
        var tokens: [Token] = []
        var current: Token?
        var pendingSeparator: [UInt8] = []
        var expectSpace = false       // a token just closed: a single space (or the end) must follow
        for (index, piece) in pieces.enumerated() {
            if !piece.isLiteral {
                if expectSpace { return nil }
                if current == nil { current = Token(kind: .bare, fields: [], free: nil) }
                if !current!.fields.isEmpty {
                    // The separator must be the whole literal before this field.
                    guard !pendingSeparator.isEmpty, index > 0, pieces[index - 1].isLiteral,
                          pieces[index - 1].bytes == pendingSeparator else { return nil }
                    current!.fields[current!.fields.count - 1].separator = index - 1
                }
                pendingSeparator = []
                if piece.kind.shape == .free { current!.free = current!.fields.count }
                current!.fields.append(Field(segment: index, separator: -1))
                continue
            }
            for byte in piece.bytes {
                if expectSpace {
                    guard byte == 0x20 else { return nil }
                    expectSpace = false
                    continue
                }
                if let token = current {
                    let closes = (token.kind == .bracketed && byte == UInt8(ascii: "]"))
                        || (token.kind == .quoted && byte == UInt8(ascii: "\""))
                        || (token.kind == .bare && byte == 0x20)
                    if closes && pendingSeparator.isEmpty && !token.fields.isEmpty {
                        // A free field may only sit in the middle of a token with fields on both sides of it.
                        if let f = token.free, token.fields.count > 1, f == 0 || f == token.fields.count - 1 { return nil }
                        tokens.append(token)
                        current = nil
                        expectSpace = token.kind != .bare
                        continue
                    }
                    // Text inside a token separates two of its fields.
                    guard !token.fields.isEmpty else { return nil }
                    pendingSeparator.append(byte)
                    current = token
                    continue
                }
                switch byte {
                case UInt8(ascii: "["): current = Token(kind: .bracketed, fields: [], free: nil)
                case UInt8(ascii: "\""): current = Token(kind: .quoted, fields: [], free: nil)
                default: return nil
                }
            }
        }
        if let token = current {
            guard token.kind == .bare, pendingSeparator.isEmpty, !token.fields.isEmpty else { return nil }
            tokens.append(token)
        }
        guard !tokens.isEmpty, !tokens.contains(where: { $0.fields.isEmpty }) else { return nil }
        self.tokens = tokens.map { t in
            // A lone field is its whole token; the free mark only matters for splitting several.
            var t = t
            if t.fields.count == 1 { t.free = nil }
            return t
        }
    }
}
