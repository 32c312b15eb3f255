/// Converts the timestamps proxies and container runtimes print into microseconds since the Unix epoch.
///
/// Accepts ISO-8601/RFC 3339 with `T` or a space, 0–9 fractional digits, `Z`, `±HH:MM`, `±HHMM` or no
/// zone (read as UTC), and epoch seconds with an optional fraction (`%START_TIME(%s.%3f)%`).
public enum Timestamp {
    public static func microseconds(_ s: ByteSlice) -> Int64? {
        var cache = MinuteCache()
        return microseconds(s, cache: &cache)
    }

    /// The first 16 bytes (`YYYY-MM-DDTHH:MM`) of the last ISO time read and their seconds since the epoch:
    /// most lines of a file share their minute with the line before, so most read only the seconds, fraction
    /// and zone, and skip the date's digits and the calendar arithmetic.
    public struct MinuteCache {
        var head: UInt64 = 0
        var tail: UInt64 = 0
        var seconds: Int64?
        public init() {}
    }

    /// Like `microseconds(_:)`, remembering the last minute in `cache`.
    @inline(__always)
    public static func microseconds(_ s: ByteSlice, cache: inout MinuteCache) -> Int64? {
        guard let p = s.start, s.count >= 1 else { return nil }
        let n = s.count
        if n >= 19, p[4] == UInt8(ascii: "-"), p[7] == UInt8(ascii: "-") {
            return iso(p, n, cache: &cache)
        }
        return epoch(p, n)
    }

    @inline(__always) static func digits(_ p: UnsafePointer<UInt8>, _ i: Int, _ count: Int) -> Int64? {
        var v: Int64 = 0
        for k in 0..<count {
            let d = p[i + k] &- 48
            guard d < 10 else { return nil }
            v = v &* 10 &+ Int64(d)
        }
        return v
    }

    /// `n` is at least 19 (the caller checks), so the first 16 bytes can be read as two words.
    static func iso(_ p: UnsafePointer<UInt8>, _ n: Int, cache: inout MinuteCache) -> Int64? {
        let raw = UnsafeRawPointer(p)
        let head = raw.loadUnaligned(as: UInt64.self), tail = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        let minuteStart: Int64
        if let known = cache.seconds, head == cache.head, tail == cache.tail {
            minuteStart = known
        } else {
            guard let year = digits(p, 0, 4), let month = digits(p, 5, 2), let day = digits(p, 8, 2),
                  (1...12).contains(month), (1...31).contains(day),
                  p[10] == UInt8(ascii: "T") || p[10] == UInt8(ascii: " ") || p[10] == UInt8(ascii: "t"),
                  let hour = digits(p, 11, 2), p[13] == UInt8(ascii: ":"), let minute = digits(p, 14, 2),
                  hour < 24, minute < 60
            else { return nil }
            minuteStart = daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60
            cache.head = head
            cache.tail = tail
            cache.seconds = minuteStart
        }
        guard p[16] == UInt8(ascii: ":"), let second = digits(p, 17, 2), second < 61 else { return nil }
        var i = 19
        var micros: Int64 = 0
        if i < n && (p[i] == UInt8(ascii: ".") || p[i] == UInt8(ascii: ",")) {
            i += 1
            let fracStart = i
            var kept: Int64 = 0   // the first six digits (microseconds); later ones are dropped
            while i < n && p[i] &- 48 < 10 {
                if i &- fracStart < 6 { kept = kept &* 10 &+ Int64(p[i] &- 48) }
                i += 1
            }
            guard i > fracStart else { return nil }
            micros = kept &* microScale(digits: i &- fracStart)
        }
        var offsetSeconds: Int64 = 0
        if i < n {
            let z = p[i]
            if z == UInt8(ascii: "Z") || z == UInt8(ascii: "z") {
                i += 1
            } else if z == UInt8(ascii: "+") || z == UInt8(ascii: "-") {
                guard i + 3 <= n, let oh = digits(p, i + 1, 2) else { return nil }
                var j = i + 3
                var om: Int64 = 0
                if j < n && p[j] == UInt8(ascii: ":") { j += 1 }
                if j + 2 <= n, let m = digits(p, j, 2) { om = m; j += 2 }
                offsetSeconds = (oh * 3600 + om * 60) * (z == UInt8(ascii: "+") ? 1 : -1)
                i = j
            }
        }
        guard i == n else { return nil }
        let seconds = minuteStart + second - offsetSeconds
        return seconds * 1_000_000 + micros
    }

    /// What the first (at most six) of `digits` fraction digits are multiplied by to make microseconds.
    @inline(__always) static func microScale(digits: Int) -> Int64 {
        switch digits {
        case 1: return 100_000
        case 2: return 10_000
        case 3: return 1_000
        case 4: return 100
        case 5: return 10
        default: return 1
        }
    }

    static func epoch(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int64? {
        var i = 0
        var seconds: Int64 = 0
        while i < n && p[i] &- 48 < 10 {
            seconds = seconds * 10 + Int64(p[i] - 48)
            i += 1
            if i > 12 { return nil }
        }
        guard i > 0 else { return nil }
        var micros: Int64 = 0
        if i < n && p[i] == UInt8(ascii: ".") {
            i += 1
            var scale: Int64 = 100_000
            while i < n && p[i] &- 48 < 10 {
                if scale > 0 { micros += Int64(p[i] - 48) * scale; scale /= 10 }
                i += 1
            }
        }
        guard i == n else { return nil }
        return seconds * 1_000_000 + micros
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(_ y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// ISO-8601 UTC with milliseconds, the form the `calls` view shows.
    public static func iso8601(micros: Int64) -> String {
        var days = micros / 86_400_000_000
        var rem = micros % 86_400_000_000
        if rem < 0 { rem += 86_400_000_000; days -= 1 }
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        let ms = (rem / 1000) % 1000
        let s = (rem / 1_000_000) % 60
        let mi = (rem / 60_000_000) % 60
        let h = rem / 3_600_000_000
        func pad(_ v: Int64, _ w: Int) -> String {
            let t = String(v)
            return String(repeating: "0", count: max(0, w - t.count)) + t
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(h, 2)):\(pad(mi, 2)):\(pad(s, 2)).\(pad(ms, 3))Z"
    }
}
