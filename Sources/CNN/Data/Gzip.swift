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

enum Gzip {
    /// Inflates gzip (or zlib) data, refusing to produce more than `limit` bytes.
    static func decompress(_ data: Data, file: String, limit: Int = 1 << 30) throws(DataError) -> Data {
        var stream = z_stream()
        // 15 + 32: a 32 KB window, and detect a gzip or zlib header automatically.
        guard inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .corrupt(file: file, reason: "cannot initialize zlib")
        }
        defer { inflateEnd(&stream) }
        var output = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var status: Int32 = Z_OK
        data.withUnsafeBytes { (input: UnsafeRawBufferPointer) in
            stream.next_in = input.bindMemory(to: Bytef.self).baseAddress
            stream.avail_in = uInt(input.count)
            repeat {
                chunk.withUnsafeMutableBufferPointer { buffer in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = uInt(buffer.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    output.append(buffer.baseAddress!, count: buffer.count - Int(stream.avail_out))
                }
                // A multi-member gzip file continues after Z_STREAM_END.
                if status == Z_STREAM_END && stream.avail_in > 0 { status = inflateReset(&stream) }
            } while status == Z_OK && output.count <= limit && !(stream.avail_in == 0 && stream.avail_out != 0)
        }
        switch status {
        case Z_STREAM_END: break
        case Z_OK where output.count > limit:
            throw .corrupt(file: file, reason: "decompresses to more than \(limit) bytes")
        case Z_OK, Z_BUF_ERROR: throw .corrupt(file: file, reason: "truncated gzip data")
        default:
            let message = stream.msg.map { String(cString: $0) } ?? "code \(status)"
            throw .corrupt(file: file, reason: "corrupt gzip data (\(message))")
        }
        return output
    }
}
