/// The writer's half of `KeyNumbering`: the database id of each number the parsing thread gave, filled on
/// first use by the interner's own lookup, forgotten when the batch's epoch changes or after a rollback.
struct NumberedIDs {
    private var ids: [Int64] = []
    private var epoch = -1

    /// Forgets every id (a new epoch, or ids that a rollback may have removed).
    mutating func clear(epoch: Int = -1) {
        ids.removeAll(keepingCapacity: true)
        self.epoch = epoch
    }

    /// Starts `epoch` if it is not the current one.
    @inline(__always) mutating func use(epoch: Int) {
        if epoch != self.epoch { clear(epoch: epoch) }
    }

    /// The id of `number`, from `lookup` the first time (and every time for number 0).
    @inline(__always) mutating func id(_ number: Int64, lookup: () throws -> Int64) rethrows -> Int64 {
        let n = Int(number)
        if n > 0 && n < ids.count, ids[n] != 0 { return ids[n] }
        let id = try lookup()
        if n > 0 {
            if n >= ids.count { ids.append(contentsOf: repeatElement(0, count: max(n + 1 - ids.count, ids.count))) }
            ids[n] = id
        }
        return id
    }

    /// The id known for `number`, if any (no lookup).
    @inline(__always) func known(_ number: Int64) -> Int64? {
        let n = Int(number)
        return n > 0 && n < ids.count && ids[n] != 0 ? ids[n] : nil
    }
}
