#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// JSON access lines read by key, in any key order, with values typed (`0`, `null`) or as strings (`"0"`, `"-"`).
///
/// The default map is Istio's JSON encoding (`accessLogEncoding: JSON`) across versions; a custom map
/// comes from a JSON format such as `{"ts":"%START_TIME%","dest":"%DOWNSTREAM_LOCAL_ADDRESS%"}`.
public final class JSONFormat: LineFormat {
    public let name: String
    /// One key of the table: everything a lookup compares sits together, in one or two cache lines.
    private struct Slot {
        /// The key's first and last eight bytes (zero-padded when shorter; see `words`).
        var first: UInt64 = 0
        var last: UInt64 = 0
        /// The key's length; -1 marks an empty slot, which ends a probe.
        var length: Int = -1
        var kind: FieldKind = .ignored
        /// The key's bytes, for the middle of keys longer than 16 bytes.
        var key: UnsafeMutablePointer<UInt8>? = nil
    }

    /// Keys in an open-addressing table, identified by length and their first and last eight bytes
    /// (exact for keys up to 16 bytes; longer ones also compare their middle).
    private let slotCount: Int
    /// `slotCount - 1` (a power of two less one): a probe masked to a slot index.
    private let slotMask: Int
    /// `keyHash`'s odd multiplier, picked when the table is built so that every key sits in the slot its
    /// hash names (a lookup of a known key is one probe), and the shift keeping the top bits of the product.
    private let multiplier: UInt64
    private let shift: UInt64
    private let slots: UnsafeMutablePointer<Slot>
    private let scratch: JSONScratch
    /// Fewest recognised keys a record needs to count as an access line (agent logs are JSON too).
    private let minimumKeys: Int

    /// Istio's default JSON keys, from 1.1 to today.
    public static let istioKeys: [(String, FieldKind)] = [
        ("start_time", .startTime), ("route_name", .routeName), ("method", .method), ("path", .path),
        ("protocol", .proto), ("response_code", .responseCode), ("response_flags", .responseFlags),
        ("response_code_details", .responseCodeDetails), ("connection_termination_details", .connectionTerminationDetails),
        ("bytes_received", .bytesReceived), ("bytes_sent", .bytesSent), ("duration", .duration),
        ("upstream_service_time", .upstreamServiceTime), ("x_forwarded_for", .forwardedFor), ("user_agent", .userAgent),
        ("request_id", .requestID), ("authority", .authority), ("upstream_host", .upstreamHost),
        ("upstream_cluster", .upstreamCluster), ("upstream_local_address", .upstreamLocalAddress),
        ("downstream_local_address", .downstreamLocalAddress), ("downstream_remote_address", .downstreamRemoteAddress),
        ("requested_server_name", .serverName), ("upstream_transport_failure_reason", .upstreamTransportFailureReason),
        ("istio_policy_status", .ignored),
    ]

    /// Istio's JSON encoding.
    public convenience init() {
        self.init(name: "json", keys: JSONFormat.istioKeys)
    }

    public init(name: String, keys: [(String, FieldKind)]) {
        self.name = name
        var slots = 16
        while slots < keys.count * 4 { slots *= 2 }
        slotCount = slots
        slotMask = slots - 1
        shift = UInt64(64 - slots.trailingZeroBitCount)
        self.slots = .allocate(capacity: slots)
        self.slots.initialize(repeating: Slot(), count: slots)
        var entries: [(first: UInt64, last: UInt64, length: Int, kind: FieldKind, key: UnsafeMutablePointer<UInt8>)] = []
        for (key, kind) in keys {
            let bytes = Array(key.utf8)
            let copy = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, bytes.count))
            copy.initialize(from: bytes, count: bytes.count)
            let (first, last) = JSONFormat.words(UnsafePointer(copy), bytes.count)
            entries.append((first, last, bytes.count, kind, copy))
        }
        // The multiplier: the first of a fixed sequence of odd numbers that leaves no key away from its home
        // slot, else the one that leaves the fewest probes (lookups probe on; this only makes them short).
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        var best: (multiplier: UInt64, probes: Int) = (0, .max)
        for _ in 0..<1024 where best.probes > 0 {
            seed &+= 0x9E37_79B9_7F4A_7C15
            var z = (seed ^ (seed >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            let candidate = (z ^ (z >> 31)) | 1
            var taken = [Bool](repeating: false, count: slots)
            var probes = 0
            for e in entries {
                var slot = JSONFormat.keyHash(e.first, e.last, e.length, candidate, shift)
                while taken[slot] { slot = (slot + 1) & (slots - 1); probes += 1 }
                taken[slot] = true
            }
            if probes < best.probes { best = (candidate, probes) }
        }
        multiplier = best.multiplier
        for e in entries {
            var slot = JSONFormat.keyHash(e.first, e.last, e.length, multiplier, shift)
            while self.slots[slot].length >= 0 { slot = (slot + 1) & (slots - 1) }
            self.slots[slot] = Slot(first: e.first, last: e.last, length: e.length, kind: e.kind, key: e.key)
        }
        scratch = JSONScratch()
        minimumKeys = min(3, keys.filter { $0.1 != .ignored }.count)
    }

    /// Builds the key map from a JSON format whose values are Envoy operators.
    public convenience init(name: String = "custom-json", format: String) throws {
        guard let data = format.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw FormatError.invalidJSONFormat(reason: "it is not a JSON object")
        }
        var keys: [(String, FieldKind)] = []
        for (key, value) in object {
            guard let op = value as? String else { continue }
            // A value that is exactly one operator maps to its kind; anything else is kept unread.
            let compiled = try? TextFormat(name: key, format: op)
            let kinds = compiled.map { $0.segments.filter { !$0.isLiteral } } ?? []
            let onlyOperator = compiled.map { $0.segments.count == 1 } ?? false
            keys.append((key, onlyOperator && kinds.count == 1 ? kinds[0].kind : .ignored))
        }
        guard keys.contains(where: { $0.1 != .ignored }) else {
            throw FormatError.invalidJSONFormat(reason: "no value is an operator egress-audit reads")
        }
        self.init(name: name, keys: keys)
    }

    deinit {
        for i in 0..<slotCount { slots[i].key?.deallocate() }
        slots.deallocate()
    }

    /// The first and last eight bytes of a key (zero-padded when shorter), read without a loop for
    /// keys of eight bytes or more.
    @inline(__always) static func words(_ p: UnsafePointer<UInt8>, _ n: Int) -> (UInt64, UInt64) {
        if n >= 8 {
            let raw = UnsafeRawPointer(p)
            return (raw.loadUnaligned(as: UInt64.self), raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self))
        }
        var w: UInt64 = 0
        for i in 0..<n { w |= UInt64(p[i]) << (8 * UInt64(i)) }
        return (w, w)
    }

    /// The home slot of a key: its words and length folded, times `multiplier`, top bits (one multiply).
    @inline(__always) static func keyHash(_ first: UInt64, _ last: UInt64, _ n: Int, _ multiplier: UInt64,
                                          _ shift: UInt64) -> Int {
        Int(truncatingIfNeeded: ((first ^ (last &<< 1) ^ UInt64(truncatingIfNeeded: n)) &* multiplier) &>> shift)
    }

    /// Whether bytes 8 to `n - 8` of two keys of `n` > 16 bytes are equal, compared a word at a time
    /// (the last word may run into the last eight bytes, which are already known equal; it stays inside the key).
    @inline(__always) static func middleEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        var o = 8
        while o < n - 8 {
            if ra.loadUnaligned(fromByteOffset: o, as: UInt64.self) != rb.loadUnaligned(fromByteOffset: o, as: UInt64.self) {
                return false
            }
            o += 8
        }
        return true
    }

    /// The kind a key maps to, or nil for keys this format does not know.
    @inline(__always) private func kind(of key: ByteSlice) -> FieldKind? {
        guard let k = key.start else { return nil }
        let n = key.count
        let (first, last) = JSONFormat.words(k, n)
        var slot = JSONFormat.keyHash(first, last, n, multiplier, shift)
        while true {
            let s = slots[slot]
            if s.first == first && s.last == last && s.length == n
                && (n <= 16 || JSONFormat.middleEqual(s.key!, k, n)) {
                return s.kind
            }
            if s.length < 0 { return nil }
            slot = (slot &+ 1) & slotMask
        }
    }

    public func parse(_ line: ByteSlice, into record: AccessRecord) -> Bool {
        record.clear()
        return scan(line, into: record) == nil
    }

    /// Like `parse`, but says why a line is not a JSON access line (nil when it is).
    public func scan(_ line: ByteSlice, into record: AccessRecord) -> String? {
        scratch.reset(for: line.count)
        var recognised = 0
        // Envoy's JSON formatter writes each key once. A key seen twice means values were not escaped (a
        // JSON-looking text format, istio#12232) and a client forged a member (`ua","upstream_cluster":"…`):
        // whichever copy were believed, the client could choose it, so the line is refused.
        var seen: UInt64 = 0
        var duplicate: String?
        let error = JSONScanner.forEachMember(of: line, scratch: scratch) { key, value in
            guard let kind = kind(of: key) else { return }
            recognised &+= 1
            if kind == .ignored { return }
            let bit: UInt64 = 1 &<< UInt64(kind.rawValue)
            if seen & bit != 0, duplicate == nil { duplicate = key.string ?? "?" }
            seen |= bit
            switch value.kind {
            case .string, .number, .bool:
                if let s = value.slice.start { record.set(kind, s, value.slice.count) }
            case .null, .object, .array:
                record[kind] = .absent
            }
        }
        if let error { return error.description }
        if let duplicate { return "key \"\(duplicate)\" appears twice (values not escaped by the log format: a forged member?)" }
        return recognised >= minimumKeys ? nil : "JSON object without access-log keys"
    }
}
