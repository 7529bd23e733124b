import Common
import CZlib
import Foundation

/// Errors reading data files, each naming the file.
public enum DataError: SourceErrorConvertible, Sendable, Equatable {
    case unreadable(file: String, reason: String)
    case corrupt(file: String, reason: String)

    public var sourceError: SourceError {
        switch self {
        case let .unreadable(file, reason):
            SourceError("cannot read: \(reason)", at: SourceLocation(file: file, line: 0, column: 0))
        case let .corrupt(file, reason): SourceError(reason, at: SourceLocation(file: file, line: 0, column: 0))
        }
    }
}

/// Inflates gzip (or zlib) data as a stream, so a reader takes exactly the bytes its header
/// promises into a buffer of that size: a small file that inflates to gigabytes (a bomb)
/// costs no more memory than what its header declares, and that is checked first.
final class GzipReader {
    private let input: Data
    private let file: String
    private let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    private var ended = false

    init(_ data: Data, file: String) throws(DataError) {
        input = data
        self.file = file
        stream.initialize(to: z_stream())
        // 15 + 32: a 32 KB window, and detect a gzip or zlib header automatically.
        guard inflateInit2_(stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            stream.deallocate()
            throw .corrupt(file: file, reason: "cannot initialize zlib")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    /// Fills `buffer` with the next inflated bytes; returns how many there were (fewer only
    /// at the end of the data).
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(DataError) -> Int {
        guard buffer.count > 0 else { return 0 }
        var filled = 0
        var status: Int32 = Z_OK
        input.withUnsafeBytes { (whole: UnsafeRawBufferPointer) in
            let consumed = Int(stream.pointee.total_in) + consumedBeforeReset
            let rest = whole.bindMemory(to: Bytef.self)
            stream.pointee.next_in = rest.baseAddress.map { $0 + consumed }
            stream.pointee.avail_in = uInt(whole.count - consumed)
            while filled < buffer.count, !ended {
                stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self) + filled
                stream.pointee.avail_out = uInt(buffer.count - filled)
                status = inflate(stream, Z_NO_FLUSH)
                filled = buffer.count - Int(stream.pointee.avail_out)
                if status == Z_STREAM_END {
                    // A multi-member gzip file continues after the end of a member.
                    if stream.pointee.avail_in > 0 {
                        consumedBeforeReset += Int(stream.pointee.total_in)
                        status = inflateReset(stream)
                    } else {
                        ended = true
                    }
                } else if status != Z_OK {
                    break
                } else if stream.pointee.avail_in == 0, stream.pointee.avail_out != 0 {
                    status = Z_BUF_ERROR
                    break
                }
            }
        }
        switch status {
        case Z_OK, Z_STREAM_END: return filled
        case Z_BUF_ERROR: throw .corrupt(file: file, reason: "truncated gzip data")
        default:
            let message = stream.pointee.msg.map { String(cString: $0) } ?? "code \(status)"
            throw .corrupt(file: file, reason: "corrupt gzip data (\(message))")
        }
    }

    /// Input taken by the members before the current one (`total_in` restarts at a reset).
    private var consumedBeforeReset = 0

    /// The next `count` inflated bytes, or fewer at the end of the data.
    func read(count: Int) throws(DataError) -> [UInt8] {
        var failure: DataError?
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            do throws(DataError) {
                initialized = try read(into: UnsafeMutableRawBufferPointer(buffer))
            } catch {
                failure = error
                initialized = 0
            }
        }
        if let failure { throw failure }
        return bytes
    }

    /// Whether the data ends here (what is left inflates to nothing).
    func atEnd() throws(DataError) -> Bool { try read(count: 1).isEmpty }
}

extension DataError {
    /// The bytes of `path`, a regular file inside `folder` of at most `limit` bytes.
    static func reading(_ path: String, inside folder: String, limit: Int) throws(DataError) -> Data {
        let name = (path as NSString).lastPathComponent
        do {
            let file = try ConfinedFile(path, inside: folder)
            guard file.size <= limit else {
                throw DataError.corrupt(file: path, reason: "the file has \(file.size) bytes, more than \(limit)")
            }
            return try file.read()
        } catch let error as ConfinedFile.Failure {
            if error == .missing { throw .unreadable(file: path, reason: "no such file or not readable") }
            throw .unreadable(file: path, reason: error.describe(name, folder: "its folder"))
        } catch let error as DataError {
            throw error
        } catch {
            throw .unreadable(file: path, reason: "\(error)")
        }
    }
}
