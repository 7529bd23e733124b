#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A file a build may read: a regular file whose real path lies inside a given folder.
/// Content from elsewhere (a downloaded model, a contributor's pull request) can hold
/// symbolic links to the build machine's files, named pipes that block a reader forever,
/// or devices that never end; every reader of user files opens them through this.
public struct ConfinedFile: Sendable {
    /// Why a file may not be read, said of the name the content gave it.
    public enum Failure: Error, Sendable, Equatable {
        case missing
        /// A symbolic link on the way leads out of the folder.
        case outside
        /// A folder, a named pipe, a device or a socket: what `kind` says.
        case notRegular(kind: String)
        case unreadable(String)

        case tooLarge(size: Int, limit: Int)

        /// The reason, after the file's name: `'w.bin' is a named pipe, not a regular file`.
        public func describe(_ name: String, folder: String) -> String {
            switch self {
            case .missing: "'\(name)' does not exist"
            case .outside: "'\(name)' leads out of \(folder) through a symbolic link"
            case .notRegular(let kind): "'\(name)' is \(kind), not a regular file"
            case .unreadable(let why): "cannot read '\(name)': \(why)"
            case .tooLarge(let size, let limit): "'\(name)' has \(size) bytes, more than the \(limit) allowed"
            }
        }

        /// The reason, where the error already names the file.
        public func reason(folder: String) -> String {
            switch self {
            case .missing: "cannot read file: no such file"
            case .outside: "the file leads out of \(folder) through a symbolic link; vizsite reads only inside it"
            case .notRegular(let kind): "the file is \(kind), not a regular file"
            case .unreadable(let why): "cannot read file: \(why)"
            case .tooLarge(let size, let limit): "the file has \(size) bytes, more than the \(limit) allowed"
            }
        }
    }

    /// The file's real path.
    public let path: String
    /// Its length in bytes.
    public let size: Int

    /// `path` checked: it exists, is a regular file, and its real path lies inside `folder`
    /// (itself resolved). With no folder, only what kind of file it is is checked (for a
    /// path whose place a caller has checked already).
    public init(_ path: String, inside folder: String?) throws(Failure) {
        guard let real = realpath(path, nil) else {
            throw errno == ENOENT || errno == ENOTDIR ? .missing : .unreadable(String(cString: strerror(errno)))
        }
        self.path = String(cString: real)
        free(real)
        if let folder, !ResolvedPath.contains(ResolvedPath.of(folder), self.path) { throw .outside }
        var info = stat()
        guard stat(self.path, &info) == 0 else { throw .unreadable(String(cString: strerror(errno))) }
        try Self.checkRegular(info.st_mode)
        size = Int(info.st_size)
    }

    /// The whole of `path`, a regular file inside `folder` (if given) of at most `limit` bytes.
    public static func read(_ path: String, inside folder: String?, limit: Int) throws(Failure) -> Data {
        let file = try ConfinedFile(path, inside: folder)
        guard file.size <= limit else { throw Failure.tooLarge(size: file.size, limit: limit) }
        return try file.read()
    }

    /// The whole of `path`, a regular file inside `folder` of at most `limit` bytes; the error
    /// is at the file, named as `displayPath`.
    public static func contents(
        _ path: String, inside folder: String?, limit: Int = 1 << 30, displayPath: String, folderName: String? = nil
    ) throws(SourceError) -> Data {
        do { return try read(path, inside: folder, limit: limit) } catch {
            throw SourceError(
                error.reason(folder: folderName ?? folder ?? "its folder"),
                at: SourceLocation(file: displayPath, line: 0, column: 0))
        }
    }

    /// `count` bytes from `offset` (all of them by default), read with the file opened
    /// without blocking, so a file swapped for a pipe since the check cannot hang the read.
    public func read(offset: Int = 0, count: Int? = nil) throws(Failure) -> Data {
        var data = Data()
        try fill(offset: offset, count: count) { (wanted, reader) throws(Failure) in
            data = Data(count: wanted)
            var failure: Failure?
            data.withUnsafeMutableBytes { buffer in
                do throws(Failure) { try reader(buffer) } catch { failure = error }
            }
            if let failure { throw failure }
        }
        return data
    }

    /// The same bytes as `read`, in an array (model files: one copy of a large file in
    /// memory, not a `Data` and an array of it).
    public func bytes(offset: Int = 0, count: Int? = nil) throws(Failure) -> [UInt8] {
        var bytes: [UInt8] = []
        try fill(offset: offset, count: count) { (wanted, reader) throws(Failure) in
            bytes = [UInt8](repeating: 0, count: wanted)
            var failure: Failure?
            bytes.withUnsafeMutableBytes { buffer in
                do throws(Failure) { try reader(buffer) } catch { failure = error }
            }
            if let failure { throw failure }
        }
        return bytes
    }

    /// The whole of `path` as an array, with `read(_:inside:limit:)`'s checks.
    public static func bytes(_ path: String, inside folder: String?, limit: Int) throws(Failure) -> [UInt8] {
        let file = try ConfinedFile(path, inside: folder)
        guard file.size <= limit else { throw Failure.tooLarge(size: file.size, limit: limit) }
        return try file.bytes()
    }

    /// Opens the file, checks the range, lets `storage` allocate `wanted` bytes and hands
    /// it a reader that fills a buffer of that size.
    private func fill(
        offset: Int, count: Int?,
        storage: (Int, (UnsafeMutableRawBufferPointer) throws(Failure) -> Void) throws(Failure) -> Void
    ) throws(Failure) {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw .unreadable(String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw .unreadable(String(cString: strerror(errno))) }
        try Self.checkRegular(info.st_mode)
        let available = Int(info.st_size)
        let wanted = count ?? max(0, available - offset)
        guard offset >= 0, wanted >= 0, offset <= available, wanted <= available - offset else {
            throw .unreadable("the range \(offset)+\(wanted) lies past its end (\(available) bytes)")
        }
        try storage(wanted) { (buffer) throws(Failure) in
            var done = 0
            while done < wanted {
                let n = pread(descriptor, buffer.baseAddress! + done, wanted - done, off_t(offset + done))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw .unreadable(String(cString: strerror(errno)))
                }
                // Shorter than fstat said: changed while read.
                if n == 0 { throw .unreadable(String(cString: strerror(EIO))) }
                done += n
            }
        }
    }

    private static func checkRegular(_ mode: mode_t) throws(Failure) {
        switch mode & S_IFMT {
        case S_IFREG: return
        case S_IFDIR: throw .notRegular(kind: "a folder")
        case S_IFIFO: throw .notRegular(kind: "a named pipe")
        case S_IFCHR, S_IFBLK: throw .notRegular(kind: "a device")
        case S_IFSOCK: throw .notRegular(kind: "a socket")
        default: throw .notRegular(kind: "an unknown kind of file")
        }
    }
}
