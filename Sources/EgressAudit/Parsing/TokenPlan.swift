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

    /// A token as the matcher reads it: plain values only, so iterating touches no reference counts.
    struct Flat {
        var kind: Kind
        var firstField: Int32
        var fieldCount: Int32
        /// Index (within the token) of the field taking the middle; the last field when none is free.
        var free: Int32
        /// For a lone bare field: whether a quote in it rejects the line.
        var rejectsQuote: Bool
        /// The segment of the token's first field (its only one, for most tokens).
        var segment: Int32
    }

    let tokens: [Token]
    private(set) var flat: [Flat] = []
    private(set) var flatFields: [Field] = []

    /// Lays the tokens out flat; `rejectsQuote(segment)` tells which fields are Envoy-made tokens.
    mutating func flatten(rejectsQuote: (Int) -> Bool) {
        flat = []
        flatFields = []
        for t in tokens {
            flat.append(Flat(kind: t.kind, firstField: Int32(flatFields.count), fieldCount: Int32(t.fields.count),
                             free: Int32(t.free ?? t.fields.count - 1),
                             rejectsQuote: t.kind == .bare && t.fields.count == 1 && rejectsQuote(t.fields[0].segment),
                             segment: Int32(t.fields[0].segment)))
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
