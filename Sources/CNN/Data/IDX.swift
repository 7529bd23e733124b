import Foundation

/// An array from an IDX file (LeCun's MNIST format): unsigned bytes with a shape.
public struct IDXArray: Sendable {
    public let shape: [Int]
    public let bytes: [UInt8]

    /// Reads an IDX file, gzip-compressed (`.gz`) or not.
    public static func read(path: String) throws(DataError) -> IDXArray {
        guard let raw = FileManager.default.contents(atPath: path) else {
            throw .unreadable(file: path, reason: "no such file or not readable")
        }
        return try decode(raw, file: path)
    }

    /// Parses the bytes of an IDX file, inflating them first when they are gzip data.
    public static func decode(_ raw: Data, file: String) throws(DataError) -> IDXArray {
        let isGzip = raw.count >= 2 && raw[raw.startIndex] == 0x1f && raw[raw.startIndex + 1] == 0x8b
        return try parse(isGzip ? try Gzip.decompress(raw, file: file) : raw, file: file)
    }

    /// Parses IDX bytes: magic `0 0 type rank`, `rank` big-endian UInt32 dimensions, data.
    /// Only type 0x08 (unsigned byte), which MNIST uses, is accepted.
    public static func parse(_ data: Data, file: String) throws(DataError) -> IDXArray {
        let bytes = [UInt8](data)
        guard bytes.count >= 4 else {
            throw .corrupt(file: file, reason: "too short to be an IDX file (\(bytes.count) bytes)")
        }
        guard bytes[0] == 0, bytes[1] == 0 else {
            throw .corrupt(file: file, reason: "not an IDX file: wrong magic number")
        }
        guard bytes[2] == 0x08 else {
            throw .corrupt(
                file: file,
                reason: String(format: "unsupported IDX data type 0x%02x, expected 0x08 (unsigned byte)", bytes[2]))
        }
        let rank = Int(bytes[3])
        guard rank >= 1 && rank <= 4 else { throw .corrupt(file: file, reason: "unsupported IDX rank \(rank)") }
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else { throw .corrupt(file: file, reason: "truncated IDX header") }
        var shape: [Int] = []
        for d in 0..<rank {
            let o = 4 + 4 * d
            shape.append(Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3]))
        }
        // The product is checked for overflow: dimensions whose product wraps to the data
        // size (0, say) would otherwise pass for a valid array (found by fuzzing).
        var count = 1, overflow = false
        for d in shape {
            let (product, o) = count.multipliedReportingOverflow(by: d)
            count = product
            overflow = overflow || o
        }
        guard !overflow else { throw .corrupt(file: file, reason: "IDX shape \(shape) is too large to be real") }
        guard count == bytes.count - headerSize else {
            throw .corrupt(
                file: file,
                reason:
                    "truncated or oversized IDX data: shape \(shape) needs \(count) bytes, found "
                    + "\(bytes.count - headerSize)"
            )
        }
        return IDXArray(shape: shape, bytes: Array(bytes[headerSize...]))
    }
}
