import Foundation

/// A bounded hand-over of `RowBatch`es between two threads, with the empty ones sent back for reuse:
/// the producer waits when all batches are in flight, so memory stays flat.
final class BatchQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var free: [RowBatch]
    private var ready: [RowBatch] = []
    private var cancelled = false

    /// Batches in flight at most, and the calls each holds (its arena 384 bytes a call, of which the keys and
    /// texts of a call take ~300; a batch is handed over once less than 64 KiB of it is left). Many small batches
    /// rather than a few large ones in the same memory (~6 MB): the slower of the two threads changes through a
    /// run, and the finer the hand-over, the less each waits for the other to finish a batch (12 of 1,024 calls
    /// against 3 of 4,096: 0.90–0.94 of the time; 24 of 512: the same as 12). Measured: README, Speed.
    static let batches = 12
    static let rowsPerBatch = 1024

    /// Hands over `reused` batches (from an earlier input), made up to `batches` with new ones: reusing
    /// them keeps a run of many files from allocating and freeing ~6 MB per file, which the allocator does not
    /// always give back (peak RSS grew with the number of files).
    init(reusing reused: [RowBatch] = []) {
        free = Array(reused.prefix(Self.batches))
        while free.count < Self.batches { free.append(RowBatch(rows: Self.rowsPerBatch, arenaBytes: Self.rowsPerBatch * 384)) }
    }

    /// Every batch the queue holds, for the next input's queue (call once both threads are done with it).
    func takeAll() -> [RowBatch] {
        condition.lock()
        defer { condition.unlock() }
        let all = free + ready
        free.removeAll()
        ready.removeAll()
        return all
    }

    /// An empty batch to fill (waits for one); nil once the consumer cancelled.
    func takeEmpty() -> RowBatch? {
        condition.lock()
        defer { condition.unlock() }
        while free.isEmpty && !cancelled { condition.wait() }
        if cancelled { return nil }
        let batch = free.removeLast()
        batch.reset()
        return batch
    }

    /// Hands a filled batch to the consumer.
    func send(_ batch: RowBatch) {
        condition.lock()
        ready.append(batch)
        condition.broadcast()
        condition.unlock()
    }

    /// The next filled batch (waits for one).
    func receive() -> RowBatch {
        condition.lock()
        defer { condition.unlock() }
        while ready.isEmpty { condition.wait() }
        return ready.removeFirst()
    }

    /// Returns a consumed batch for reuse.
    func recycle(_ batch: RowBatch) {
        condition.lock()
        free.append(batch)
        condition.broadcast()
        condition.unlock()
    }

    var isCancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelled
    }

    /// Tells the producer to stop (the consumer failed).
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}
