/// What a wrapper said about a line: the payload to parse and whatever it knew of the source.
/// Slices point into the line or the unwrapper's own buffers; valid until the next line.
public struct Unwrapped {
    /// The text inside the envelopes (an access line, an agent line, …).
    public var payload: ByteSlice
    public var namespace: ByteSlice = .absent
    public var pod: ByteSlice = .absent
    public var container: ByteSlice = .absent
    /// The outermost envelope seen.
    public var wrapper: WrapperKind = .plain
}
