import CCRC32

/// What a gzip member's trailer must say of the data inflated from it: its CRC-32 and its length mod 2^32.
///
/// zlib can check these itself, but its CRC (a table per byte, zlib 1.2) took 13–16 % of inflating here; this
/// computes the same CRC by carry-less multiplication (`CCRC32`) at a fraction of that, and `GzipByteSource`
/// turns zlib's own check off (`inflateValidate`). That also turns off zlib's check of the optional header CRC
/// (`FHCRC`, which gzip itself never writes): its fields (name, time, comment) hold no log data, which stays checked.
struct GzipMemberCheck {
    private(set) var crc: UInt32 = 0
    private(set) var length: UInt32 = 0

    /// Adds `count` bytes of the member's data.
    @inline(__always) mutating func add(_ p: UnsafePointer<UInt8>, _ count: Int) {
        guard count > 0 else { return }
        crc = egress_audit_crc32(crc, p, count)
        length &+= UInt32(truncatingIfNeeded: count)
    }

    /// Why the member's 8-byte trailer (CRC-32, then length, little-endian) does not match its data, and how many
    /// trailer bytes follow the field that does not (where zlib stops reading), or nil. The reasons are zlib's
    /// words, checked in zlib's order.
    func mismatch(trailer: UInt64) -> (reason: String, bytesAfter: Int)? {
        if UInt32(truncatingIfNeeded: trailer) != crc { return ("incorrect data check", 4) }
        if UInt32(truncatingIfNeeded: trailer >> 32) != length { return ("incorrect length check", 0) }
        return nil
    }
}
