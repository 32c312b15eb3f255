/// The values of one access line as slices of the read buffer (or of the parser's scratch space
/// for unescaped JSON strings). Valid until the next line is parsed.
///
/// Envoy's `-`, an empty value and JSON `null` all read as absent.
public struct AccessRecord {
    @usableFromInline let slots: UnsafeMutablePointer<ByteSlice>

    /// Wraps storage for `FieldKind.slotCount` slices owned by a parser.
    init(slots: UnsafeMutablePointer<ByteSlice>) { self.slots = slots }

    @inlinable public subscript(kind: FieldKind) -> ByteSlice {
        get { slots[kind.rawValue] }
        nonmutating set { slots[kind.rawValue] = newValue }
    }

    /// Marks every value absent before a new line is parsed.
    func clear() {
        slots.update(repeating: .absent, count: FieldKind.slotCount)
    }

    /// Stores a value, reading `-`, `""` and empty as absent.
    func set(_ kind: FieldKind, _ start: UnsafePointer<UInt8>, _ count: Int) {
        if count == 0 || (count == 1 && start[0] == UInt8(ascii: "-")) {
            slots[kind.rawValue] = .absent
        } else {
            slots[kind.rawValue] = ByteSlice(start: start, count: count)
        }
    }
}

/// Owns the slot storage an `AccessRecord` points into; one per parsing thread, reused for every line.
public final class AccessRecordStorage {
    let slots: UnsafeMutablePointer<ByteSlice>
    /// The record view over this storage.
    public let record: AccessRecord

    public init() {
        slots = .allocate(capacity: FieldKind.slotCount)
        slots.initialize(repeating: .absent, count: FieldKind.slotCount)
        record = AccessRecord(slots: slots)
    }

    deinit { slots.deallocate() }
}
