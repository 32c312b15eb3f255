/// The buckets of the duration histogram (`call_duration_buckets.duration_ms`): exact below 32 ms, then 16
/// buckets per doubling, each named by its middle. A percentile read from them is within 1/32 (3 %) of the
/// true one, and a destination needs at most ~200 rows whatever its traffic.
///
/// The same function exists as SQL (`sql(of:)`) so summaries can be caught up, and windows computed, by
/// SQLite alone; both are part of the stored format and must not change.
public enum DurationBucket {
    /// The bucket of `milliseconds`, as its middle value (negative values are not bucketed: callers skip them).
    @inline(__always) public static func of(_ milliseconds: Int64) -> Int64 {
        guard milliseconds >= 32 else { return milliseconds }
        let shift = (63 - milliseconds.leadingZeroBitCount) - 4
        return (milliseconds >> shift) << shift + (1 << (shift - 1))
    }

    /// A plain SQL expression (no extension function, so any SQLite client can read the views) computing
    /// `of(_:)` for the integer expression `value`.
    public static func sql(of value: String) -> String {
        var text = "CASE WHEN \(value) < 32 THEN \(value)"
        for exponent in 5..<62 {
            let step = Int64(1) << (exponent - 4)
            text += " WHEN \(value) < \(Int64(1) << (exponent + 1)) THEN \(value) / \(step) * \(step) + \(step / 2)"
        }
        return text + " ELSE \(value) END"
    }
}
