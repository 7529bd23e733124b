import CZlib

/// The members of a zip file (APPNOTE.TXT), stored or deflated, as a `.keras` file holds
/// them: found through the central directory, inflated with zlib, checked by CRC-32.
/// Zip64 and encryption are not needed for Keras files and are refused.
package struct ZipArchive {
    package struct Malformed: Error {
        package let reason: String
    }

    private let bytes: [UInt8]
    /// Name → (local header offset, method, compressed size, size, CRC-32).
    package private(set) var entries: [String: (offset: Int, method: Int, compressed: Int, size: Int, crc: UInt32)] =
        [:]

    package init(bytes: [UInt8]) throws(Malformed) {
        self.bytes = bytes
        // The end-of-central-directory record: in the last 22 + 65,535 bytes.
        let floor = max(0, bytes.count - 22 - 65_535)
        guard bytes.count >= 22,
            let end = stride(from: bytes.count - 22, through: floor, by: -1).first(where: { u32($0) == 0x0605_4B50 })
        else { throw Malformed(reason: "not a zip file") }
        let count = Int(u16(end + 10)), directory = Int(u32(end + 16))
        var p = directory
        for _ in 0..<count {
            guard p + 46 <= bytes.count, u32(p) == 0x0201_4B50 else {
                throw Malformed(reason: "damaged central directory")
            }
            let method = Int(u16(p + 10)), crc = u32(p + 16)
            let compressed = Int(u32(p + 20)), size = Int(u32(p + 24))
            let nameLength = Int(u16(p + 28)), extra = Int(u16(p + 30)), comment = Int(u16(p + 32))
            let offset = Int(u32(p + 42))
            guard p + 46 + nameLength <= bytes.count else { throw Malformed(reason: "damaged central directory") }
            guard compressed != 0xFFFF_FFFF, size != 0xFFFF_FFFF, offset != 0xFFFF_FFFF else {
                throw Malformed(reason: "zip64 archives are not supported")
            }
            guard u16(p + 8) & 1 == 0 else { throw Malformed(reason: "encrypted archives are not supported") }
            let name = String(decoding: bytes[(p + 46)..<(p + 46 + nameLength)], as: UTF8.self)
            entries[name] = (offset, method, compressed, size, crc)
            p += 46 + nameLength + extra + comment
        }
    }

    /// Deflate's largest expansion: 258 bytes from about 2 bits, 1032:1 (zlib's technical
    /// notes). A member declaring more than this from its compressed size is a bomb.
    static let deflateRatio = 1032
    /// A deflated member may inflate to this much whatever its compressed size, and beyond
    /// it to `weightsRatio` times that size: a model's weights barely compress (about 1.1:1),
    /// so a member that inflates far past its compressed size is a bomb, not weights.
    static let smallInflation = 256 << 20
    static let weightsRatio = 16

    /// The bytes of member `name`, or nil when the archive has no such member. The sizes it
    /// declares are checked against `limit` and, for a deflated member, against what its
    /// compressed size can honestly hold, before anything is allocated; inflating stops at
    /// the declared size.
    package func contents(of name: String, limit: Int) throws(Malformed) -> [UInt8]? {
        guard let entry = entries[name] else { return nil }
        let p = entry.offset
        guard p >= 0, p <= bytes.count - 30, u32(p) == 0x0403_4B50 else {
            throw Malformed(reason: "damaged entry '\(name)'")
        }
        let start = p + 30 + Int(u16(p + 26)) + Int(u16(p + 28))
        guard start <= bytes.count, entry.compressed <= bytes.count - start else {
            throw Malformed(reason: "entry '\(name)' runs past the end of the file")
        }
        let inflation = max(
            Self.smallInflation, entry.compressed.multipliedReportingOverflow(by: Self.weightsRatio).partialValue)
        let limit = entry.method == 8 ? min(limit, inflation) : limit
        guard entry.size <= limit else {
            throw Malformed(reason: "entry '\(name)' declares \(entry.size) bytes; at most \(limit) are read")
        }
        let (most, overflow) = entry.compressed.multipliedReportingOverflow(by: Self.deflateRatio)
        guard entry.method != 8 || overflow || entry.size <= most + 1024 else {
            throw Malformed(
                reason: "entry '\(name)' declares \(entry.size) bytes from \(entry.compressed) compressed, more than "
                    + "deflate can produce (a decompression bomb)")
        }
        let data: [UInt8]
        switch entry.method {
        case 0:
            data = Array(bytes[start..<(start + entry.compressed)])
        case 8:
            data = try inflate(bytes[start..<(start + entry.compressed)], size: entry.size)
        default:
            throw Malformed(reason: "entry '\(name)' uses compression method \(entry.method)")
        }
        guard data.count == entry.size else { throw Malformed(reason: "entry '\(name)' has the wrong size") }
        let crc = data.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt(data.count))) }
        guard crc == entry.crc else { throw Malformed(reason: "entry '\(name)' fails its CRC check") }
        return data
    }

    private func inflate(_ compressed: ArraySlice<UInt8>, size: Int) throws(Malformed) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: size)
        var stream = z_stream()
        guard inflateInit2_(&stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Malformed(reason: "cannot start zlib")
        }
        defer { inflateEnd(&stream) }
        let status = compressed.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = input.baseAddress
                stream.avail_in = uInt(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(out.count)
                return CZlib.inflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END, Int(stream.total_out) == size else {
            throw Malformed(reason: "a deflated entry is damaged")
        }
        return output
    }

    private func u16(_ p: Int) -> UInt16 { UInt16(bytes[p]) | UInt16(bytes[p + 1]) << 8 }
    private func u32(_ p: Int) -> UInt32 {
        UInt32(bytes[p]) | UInt32(bytes[p + 1]) << 8 | UInt32(bytes[p + 2]) << 16 | UInt32(bytes[p + 3]) << 24
    }
}
