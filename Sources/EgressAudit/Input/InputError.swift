/// Errors of the input stage, each phrased for the person running the command: what, where, what to do.
public enum InputError: Error, Equatable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case readFailed(path: String, reason: String)
    /// The gzip stream ended before its final block; the bytes before the damage were delivered.
    case truncatedGzip(path: String, compressedOffset: Int64, decompressedBytes: Int64)
    /// zlib refused the data (bad CRC, bad length trailer, corrupt block).
    case corruptGzip(path: String, compressedOffset: Int64, reason: String)
    case notFound(path: String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason):
            return "\(path): cannot open (\(reason)); check the path and its permissions"
        case let .readFailed(path, reason):
            return "\(path): read failed (\(reason))"
        case let .truncatedGzip(path, offset, bytes):
            return "\(path): gzip data ends early at compressed byte \(offset) (after \(bytes) decompressed bytes); "
                + "the lines before the damage were kept. The file is truncated: copy it again if a complete one exists"
        case let .corruptGzip(path, offset, reason):
            return "\(path): gzip data is damaged near compressed byte \(offset) (\(reason)); the lines before it were kept"
        case let .notFound(path):
            return "\(path): no such file or folder"
        }
    }
}
