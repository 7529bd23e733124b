import Common
import Foundation

/// An array from an IDX file (LeCun's MNIST format): unsigned bytes with a shape.
public struct IDXArray: Sendable {
    public let shape: [Int]
    public let bytes: [UInt8]

    /// The most data one IDX file may hold: 200 MB, 255,000 MNIST images (EMNIST's digits
    /// have 240,000). The header is checked against it before anything is inflated.
    public static let maximumBytes = 200_000_000

    /// Reads an IDX file, gzip-compressed (`.gz`) or not: a regular file whose real path
    /// stays in its folder.
    public static func read(path: String) throws(DataError) -> IDXArray {
        let data = try DataError.reading(path, inside: ResolvedPath.parent(path), limit: maximumBytes + 64)
        return try decode(data, file: path)
    }

    /// Parses the bytes of an IDX file, inflating them first when they are gzip data: the
    /// header is read and checked first, then exactly the data it declares.
    public static func decode(_ raw: Data, file: String, limit: Int = maximumBytes) throws(DataError) -> IDXArray {
        let isGzip = raw.count >= 2 && raw[raw.startIndex] == 0x1f && raw[raw.startIndex + 1] == 0x8b
        guard isGzip else { return try parse(raw, file: file, limit: limit) }
        let reader = try GzipReader(raw, file: file)
        let (rank, _) = try checkMagic(try reader.read(count: 4), file: file)
        let dims = try reader.read(count: 4 * rank)
        guard dims.count == 4 * rank else { throw .corrupt(file: file, reason: "truncated IDX header") }
        let (shape, count) = try checkShape(dims, file: file, limit: limit)
        let bytes = try reader.read(count: count)
        guard bytes.count == count, try reader.atEnd() else {
            throw .corrupt(
                file: file,
                reason: "truncated or oversized IDX data: shape \(shape) needs \(count) bytes, found "
                    + (bytes.count < count ? "\(bytes.count)" : "more"))
        }
        return IDXArray(shape: shape, bytes: bytes)
    }

    /// Parses IDX bytes: magic `0 0 type rank`, `rank` big-endian UInt32 dimensions, data.
    /// Only type 0x08 (unsigned byte), which MNIST uses, is accepted.
    public static func parse(_ data: Data, file: String, limit: Int = maximumBytes) throws(DataError) -> IDXArray {
        let (rank, _) = try checkMagic(Array(data.prefix(4)), file: file, total: data.count)
        let headerSize = 4 + 4 * rank
        guard data.count >= headerSize else { throw .corrupt(file: file, reason: "truncated IDX header") }
        let start = data.startIndex
        let (shape, count) = try checkShape(Array(data[(start + 4)..<(start + headerSize)]), file: file, limit: limit)
        guard count == data.count - headerSize else {
            throw .corrupt(
                file: file,
                reason:
                    "truncated or oversized IDX data: shape \(shape) needs \(count) bytes, found "
                    + "\(data.count - headerSize)"
            )
        }
        return IDXArray(shape: shape, bytes: [UInt8](data[(start + headerSize)...]))
    }

    /// The rank from the magic number `0 0 0x08 rank`.
    private static func checkMagic(_ bytes: [UInt8], file: String, total: Int? = nil) throws(DataError) -> (Int, Int) {
        guard bytes.count >= 4 else {
            throw .corrupt(file: file, reason: "too short to be an IDX file (\(total ?? bytes.count) bytes)")
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
        return (rank, 4 + 4 * rank)
    }

    /// The shape from the big-endian dimensions, and its element count, within `limit`.
    private static func checkShape(_ bytes: [UInt8], file: String, limit: Int) throws(DataError) -> ([Int], Int) {
        var shape: [Int] = []
        for o in stride(from: 0, to: bytes.count, by: 4) {
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
        guard count <= limit else {
            throw .corrupt(
                file: file,
                reason: "IDX shape \(shape) holds \(count) bytes; vizsite reads at most \(limit) from one IDX file")
        }
        return (shape, count)
    }
}
