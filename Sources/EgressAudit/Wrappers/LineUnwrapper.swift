#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Strips container-log envelopes from each line, detected per line, envelopes inside envelopes
/// included: CRI (`<ts> stdout|stderr P|F <msg>`, partial records joined up to their `F`), Docker
/// json-file (`{"log":"…\n","stream":…,"time":…}`, split records joined), `kubectl logs --prefix`
/// (`[pod/<pod>/<container>] `) and `--timestamps`, and shipper records (Fluent Bit, Fluentd) with
/// `log` (or a merged `log_processed` object) plus `kubernetes.{namespace_name,pod_name,container_name}`.
public final class LineUnwrapper {
    private let scratch = JSONScratch()
    private let nestedScratch = JSONScratch()
    /// CRI `P` parts or unterminated Docker records waiting for their end.
    private var partial: [UInt8] = []
    private var joined: [UInt8] = []
    /// Longest partial record kept before it is given up as a line of its own.
    public let partialLimit: Int
    /// Set once this input's JSON lines have proved to be access records themselves: they are then not
    /// scanned for an envelope first. A JSON line that is no access record is unwrapped again with the
    /// check on (`unwrap(_:envelopes:)`), so an envelope is never missed.
    public var jsonLinesAreAccess = false
    /// Whether a partial record is being held (its end not seen yet).
    public var holdsPartial: Bool { !partial.isEmpty || partialStarted }
    private var partialStarted = false

    public init(partialLimit: Int = 8 << 20) {
        self.partialLimit = partialLimit
        partial.reserveCapacity(64 << 10)
    }

    /// The result of unwrapping one line.
    public enum Outcome {
        /// A complete payload to parse.
        case line(Unwrapped)
        /// A partial record was stored; nothing to parse yet.
        case held
    }

    /// Unwraps `line`. A returned payload stays valid until the next call.
    /// - Parameter envelopes: look for JSON envelopes even when `jsonLinesAreAccess` is set.
    public func unwrap(_ line: ByteSlice, envelopes: Bool = false) -> Outcome {
        var result = Unwrapped(payload: line)
        var text = line
        for _ in 0..<4 {
            guard let p = text.start, text.count > 0 else { break }
            let c = p[0]
            if c == UInt8(ascii: "[") && text.hasPrefix("[pod/") {
                guard let close = text.firstIndex(of: UInt8(ascii: "]")) else { break }
                let inner = ByteSlice(start: p + 5, count: close - 5)
                if let slash = inner.lastIndex(of: UInt8(ascii: "/")) {
                    result.pod = inner.prefix(slash)
                    result.container = inner.dropFirst(slash + 1)
                }
                if result.wrapper == .plain { result.wrapper = .kubectlPrefix }
                text = text.dropFirst(close + 1)
                if text.count > 0 && text[0] == 0x20 { text = text.dropFirst(1) }
                continue
            }
            if c &- 48 < 10, let (tsEnd, kind) = leadingTimestamp(text) {
                if kind == .cri {
                    switch criRecord(text, after: tsEnd) {
                    case .none: break
                    case .some(.held): return .held
                    case .some(.line(let msg)):
                        if result.wrapper == .plain || result.wrapper == .kubectlPrefix { result.wrapper = .cri }
                        text = msg
                        continue
                    }
                } else {
                    if result.wrapper == .plain { result.wrapper = .kubectlTimestamps }
                    text = text.dropFirst(tsEnd + 1)
                    continue
                }
            }
            if c == UInt8(ascii: "{") && (envelopes || !jsonLinesAreAccess) {
                if let record = shipperRecord(text, into: &result) {
                    switch record {
                    case .held: return .held
                    case .line(let payload):
                        text = payload
                        continue
                    }
                }
            }
            break
        }
        result.payload = text
        return .line(result)
    }

    private enum TimestampKind { case cri, bare }

    /// Finds an RFC 3339 timestamp at the start followed by a space; says whether a CRI stream name follows.
    private func leadingTimestamp(_ text: ByteSlice) -> (Int, TimestampKind)? {
        guard text.count > 20, let p = text.start, p[4] == UInt8(ascii: "-"), p[7] == UInt8(ascii: "-"), p[10] == UInt8(ascii: "T") else { return nil }
        var i = 19
        let limit = min(text.count, 40)
        while i < limit && p[i] != 0x20 && p[i] != 0x09 { i += 1 }
        guard i < limit, p[i] == 0x20 else { return nil }  // a tab means a pilot-agent line, not an envelope
        let rest = text.dropFirst(i + 1)
        if rest.hasPrefix("stdout ") || rest.hasPrefix("stderr ") { return (i, .cri) }
        return (i, .bare)
    }

    private enum Record { case line(ByteSlice), held }

    /// `<ts> <stream> <tags> <message>`: a tag starting with `P` marks a partial record.
    private func criRecord(_ text: ByteSlice, after tsEnd: Int) -> Record? {
        let afterStream = text.dropFirst(tsEnd + 1 + 7)  // "stdout " or "stderr "
        guard afterStream.count > 0, let base = afterStream.start else { return nil }
        let space = afterStream.firstIndex(of: 0x20) ?? afterStream.count
        let tag = afterStream.prefix(space)
        let message = space < afterStream.count ? afterStream.dropFirst(space + 1) : ByteSlice(start: base + afterStream.count, count: 0)
        let isPartial = tag.count > 0 && tag[0] == UInt8(ascii: "P")
        guard tag.count > 0, tag[0] == UInt8(ascii: "P") || tag[0] == UInt8(ascii: "F") else { return nil }
        return joinParts(message, final: !isPartial)
    }

    /// Adds a part to the held record; returns the whole record when `final`.
    private func joinParts(_ part: ByteSlice, final: Bool) -> Record {
        if !final {
            if partial.count + part.count <= partialLimit {
                if let s = part.start { partial.append(contentsOf: UnsafeBufferPointer(start: s, count: part.count)) }
            }
            partialStarted = true
            return .held
        }
        guard partialStarted else { return .line(part) }
        if let s = part.start, partial.count + part.count <= partialLimit {
            partial.append(contentsOf: UnsafeBufferPointer(start: s, count: part.count))
        }
        swap(&joined, &partial)
        partial.removeAll(keepingCapacity: true)
        partialStarted = false
        return .line(joined.withUnsafeBufferPointer { ByteSlice(start: $0.baseAddress, count: $0.count) })
    }

    /// Gives up a held partial record (end of input): returns it so it can be reported.
    public func takePartial() -> [UInt8]? {
        guard partialStarted else { return nil }
        defer { partial.removeAll(keepingCapacity: true); partialStarted = false }
        return partial
    }

    /// A JSON envelope: Docker json-file or a shipper record. Nil when the object is not one
    /// (e.g. a JSON access line, which has no `log` key).
    private func shipperRecord(_ text: ByteSlice, into result: inout Unwrapped) -> Record? {
        scratch.reset(for: text.count)
        var log = ByteSlice.absent
        var logProcessed = ByteSlice.absent
        var kubernetes = ByteSlice.absent
        var keys = 0
        var dockerKeys = 0
        let error = JSONScanner.forEachMember(of: text, scratch: scratch) { key, value in
            keys += 1
            if key.equals("log") && value.kind == .string { log = value.slice; dockerKeys += 1 }
            else if key.equals("log_processed") && value.kind == .object { logProcessed = value.slice }
            else if key.equals("kubernetes") && value.kind == .object { kubernetes = value.slice }
            else if key.equals("stream") || key.equals("time") || key.equals("attrs") { dockerKeys += 1 }
        }
        guard error == nil, log.start != nil || logProcessed.start != nil else { return nil }
        if kubernetes.start != nil {
            nestedScratch.reset(for: kubernetes.count)
            _ = JSONScanner.forEachMember(of: kubernetes, scratch: nestedScratch) { key, value in
                guard value.kind == .string else { return }
                if key.equals("namespace_name") { result.namespace = value.slice }
                else if key.equals("pod_name") { result.pod = value.slice }
                else if key.equals("container_name") { result.container = value.slice }
            }
        }
        let isDocker = kubernetes.start == nil && dockerKeys == keys && log.start != nil
        if result.wrapper == .plain || result.wrapper == .kubectlPrefix { result.wrapper = isDocker ? .dockerJSON : .shipperRecord }
        if log.start == nil { return .line(logProcessed) }
        var payload = log
        let endsLine = payload.count > 0 && payload[payload.count - 1] == 0x0A
        if endsLine { payload.count -= 1 }
        if payload.count > 0 && payload[payload.count - 1] == 0x0D { payload.count -= 1 }
        // Docker splits long lines into records without the newline; join them back.
        if isDocker && (!endsLine || partialStarted) {
            return joinParts(payload, final: endsLine)
        }
        return .line(payload)
    }
}
