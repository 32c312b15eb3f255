/// A ServiceEntry (or a file of them) that could not be read, with where and what to fix.
/// The other entries still load.
public struct EntryProblem: Error, Equatable, Sendable, CustomStringConvertible, Codable {
    public var file: String
    /// 1-based document in a multi-document stream (0 when the whole file failed).
    public var document: Int
    /// 1-based item inside a `kind: List`, if any.
    public var item: Int?
    /// The entry's `namespace/name` when known.
    public var entry: String?
    /// The offending field (`spec.ports[1].number`).
    public var field: String
    public var message: String

    public var description: String {
        var place = file
        if document > 0 { place += ", document \(document)" }
        if let item { place += ", item \(item)" }
        if let entry { place += " (\(entry))" }
        return "\(place): \(field): \(message)"
    }
}
