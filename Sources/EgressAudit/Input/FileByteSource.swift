#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file descriptor with `read(2)`: a regular file, a pipe, or standard input.
public final class FileByteSource: ByteSource {
    /// The name used in messages (`-` for standard input).
    public let path: String
    private let fd: Int32
    private let ownsDescriptor: Bool
    /// Bytes returned so far (the position in the raw, possibly compressed, input).
    public private(set) var position: Int64 = 0

    /// Opens `path` for reading.
    public init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let err = errno
            if err == ENOENT { throw InputError.notFound(path: path) }
            throw InputError.cannotOpen(path: path, reason: String(cString: strerror(err)))
        }
        self.fd = fd
        self.path = path
        self.ownsDescriptor = true
    }

    /// Wraps an already open descriptor (standard input is `FileByteSource(standardInput: ())`).
    public init(descriptor: Int32, name: String, owns: Bool) {
        self.fd = descriptor
        self.path = name
        self.ownsDescriptor = owns
    }

    /// Standard input, named `-` in messages.
    public convenience init(standardInput: Void) {
        self.init(descriptor: 0, name: "-", owns: false)
    }

    deinit { if ownsDescriptor { close(fd) } }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let n = Glibc.read(fd, base, buffer.count)
            if n >= 0 {
                position += Int64(n)
                return n
            }
            if errno == EINTR { continue }
            throw InputError.readFailed(path: path, reason: String(cString: strerror(errno)))
        }
    }

    /// Moves to an absolute offset; false when the descriptor cannot seek (a pipe).
    public func seek(to offset: Int64) -> Bool {
        guard lseek(fd, off_t(offset), SEEK_SET) >= 0 else { return false }
        position = offset
        return true
    }

    /// Reads `count` bytes at `offset` without moving the read position; nil if the range is not all there.
    public func bytes(at offset: Int64, count: Int) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = out.withUnsafeMutableBytes { p in
                pread(fd, p.baseAddress! + done, count - done, off_t(offset) + off_t(done))
            }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return nil }
            done += n
        }
        return out
    }

    /// The size of the file in bytes, or nil for pipes and terminals.
    public var fileSize: Int64? {
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(st.st_size)
    }
}
