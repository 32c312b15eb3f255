/// Something that can read an access line into an `AccessRecord`: a compiled text format or a JSON key map.
public protocol LineFormat: AnyObject {
    /// Short name shown to users (`istio-1.9`, `json`, `custom`).
    var name: String { get }
    /// Fills `record` from `line` and returns true when the line has this layout.
    func parse(_ line: ByteSlice, into record: AccessRecord) -> Bool
}
