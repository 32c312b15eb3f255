/// The values of one access line as slices of the read buffer (or of the parser's scratch space for
/// unescaped JSON strings). A parser fills it for each line; the slices are valid until the next line.
///
/// Envoy's `-`, an empty value and JSON `null` all read as absent. One record is reused for every line
/// of an input: it owns its slot storage, so holding the record is all it takes to keep it valid.
public final class AccessRecord {
    @usableFromInline let slots: UnsafeMutablePointer<ByteSlice>

    public init() {
        slots = .allocate(capacity: FieldKind.slotCount)
        slots.initialize(repeating: .absent, count: FieldKind.slotCount)
    }

    deinit { slots.deallocate() }

    @inlinable public subscript(kind: FieldKind) -> ByteSlice {
        get { slots[kind.rawValue] }
        set { slots[kind.rawValue] = newValue }
    }

    /// Marks every value absent before a new line is parsed.
    func clear() {
        slots.update(repeating: .absent, count: FieldKind.slotCount)
    }

    /// Stores a value, reading `-` and empty as absent.
    @inline(__always) func set(_ kind: FieldKind, _ start: UnsafePointer<UInt8>, _ count: Int) {
        if count == 0 || (count == 1 && start[0] == UInt8(ascii: "-")) {
            slots[kind.rawValue] = .absent
        } else {
            slots[kind.rawValue] = ByteSlice(start: start, count: count)
        }
    }
}

/// Holds the `AccessRecord` a parsing thread reuses for every line.
public final class AccessRecordStorage {
    public let record = AccessRecord()
    public init() {}
}
