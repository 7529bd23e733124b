import Common
import CPNG
import Foundation

/// Errors decoding or encoding PNG files.
public enum PNGError: SourceErrorConvertible, Sendable, Equatable {
    case invalid(file: String, reason: String)
    case tooLarge(file: String, width: Int, height: Int)

    public var sourceError: SourceError {
        switch self {
        case let .invalid(file, reason):
            SourceError("not a readable PNG image: \(reason)", at: SourceLocation(file: file, line: 0, column: 0))
        case let .tooLarge(file, width, height):
            SourceError(
                "PNG image is \(width)×\(height) pixels; at most \(PNG.maxDimension) per side and \(PNG.maxPixels) "
                    + "pixels in all (4096×4096) are accepted", at: SourceLocation(file: file, line: 0, column: 0))
        }
    }
}

/// PNG encoding and decoding through libpng's simplified API.
public enum PNG {
    /// The largest width or height decoded; a larger declared size is rejected before
    /// any pixel memory is allocated.
    public static let maxDimension = 8192
    /// The largest area decoded (a 12-megapixel photo fits). A few hundred bytes can
    /// declare 8192×8192 pixels of 16 bits, which would take 768 MB to decode (found by
    /// fuzzing), so the area is bounded too.
    public static let maxPixels = 4096 * 4096

    /// Encodes an RGBA image; the same pixels always give the same bytes.
    public static func encode(_ image: RGBAImage) -> Data {
        write(image.pixels, width: image.width, height: image.height, format: CPNG_FORMAT_RGBA)
    }

    /// Encodes 8-bit gray (`channels` 1) or RGB (3) samples, row-major, at a third or a
    /// quarter of an RGBA file's raw size (a sprite of many small images).
    public static func encode(samples: [UInt8], width: Int, height: Int, channels: Int) -> Data {
        precondition([1, 3].contains(channels) && samples.count == width * height * channels)
        return write(samples, width: width, height: height, format: channels == 1 ? CPNG_FORMAT_GRAY : CPNG_FORMAT_RGB)
    }

    private static func write(_ samples: [UInt8], width: Int, height: Int, format: png_uint_32) -> Data {
        var png = png_image()
        png.version = UInt32(PNG_IMAGE_VERSION)
        png.width = UInt32(width)
        png.height = UInt32(height)
        png.format = format
        var size = 0
        return samples.withUnsafeBytes { pixels -> Data in
            // With no buffer, libpng reports the size it needs.
            guard png_image_write_to_memory(&png, nil, &size, 0, pixels.baseAddress, 0, nil) != 0 else {
                preconditionFailure("libpng could not size an image: \(message(png))")
            }
            var out = Data(count: size)
            out.withUnsafeMutableBytes { buffer in
                _ = png_image_write_to_memory(&png, buffer.baseAddress, &size, 0, pixels.baseAddress, 0, nil)
            }
            return out.prefix(size)
        }
    }

    /// Decodes any PNG (gray, gray+alpha, RGB, RGBA, palette; 8 or 16 bit; interlaced)
    /// to RGBA. `file` names the source in errors.
    public static func decode(_ data: Data, file: String) throws(PNGError) -> RGBAImage {
        var png = png_image()
        png.version = UInt32(PNG_IMAGE_VERSION)
        let began = data.withUnsafeBytes { png_image_begin_read_from_memory(&png, $0.baseAddress, $0.count) }
        guard began != 0 else { throw .invalid(file: file, reason: message(png)) }
        let (width, height) = (Int(png.width), Int(png.height))
        guard width > 0, height > 0 else {
            png_image_free(&png); throw .invalid(file: file, reason: "zero-sized image")
        }
        guard width <= maxDimension, height <= maxDimension, width * height <= maxPixels else {
            png_image_free(&png)
            throw .tooLarge(file: file, width: width, height: height)
        }
        if png.format & CPNG_FORMAT_FLAG_LINEAR != 0 {
            // libpng's simplified API takes 16-bit data as linear light and would gamma-encode
            // it on the way to 8 bits (a 16-bit gray of 25 % would come out as 53 %). Read the
            // 16-bit values unchanged instead and scale them; linear output is premultiplied
            // by alpha, so undo that.
            png.format = CPNG_FORMAT_LINEAR_RGBA
            var wide = [UInt16](repeating: 0, count: width * height * 4)
            let finished = wide.withUnsafeMutableBytes { png_image_finish_read(&png, nil, $0.baseAddress, 0, nil) }
            guard finished != 0 else { throw .invalid(file: file, reason: message(png)) }
            var pixels = [UInt8](repeating: 0, count: width * height * 4)
            for p in 0..<(width * height) {
                let alpha = Double(wide[p * 4 + 3])
                for c in 0..<3 {
                    let straight = alpha > 0 ? min(Double(wide[p * 4 + c]) * 65535 / alpha, 65535) : 0
                    pixels[p * 4 + c] = UInt8((straight / 257).rounded())
                }
                pixels[p * 4 + 3] = UInt8((alpha / 257).rounded())
            }
            return RGBAImage(width: width, height: height, pixels: pixels)
        }
        png.format = CPNG_FORMAT_RGBA
        var pixels = [UInt8](repeating: 0, count: width * height * 4)
        let finished = pixels.withUnsafeMutableBytes { png_image_finish_read(&png, nil, $0.baseAddress, 0, nil) }
        guard finished != 0 else { throw .invalid(file: file, reason: message(png)) }
        return RGBAImage(width: width, height: height, pixels: pixels)
    }

    /// Reads and decodes the PNG file at `path`.
    public static func read(path: String, displayPath: String? = nil) throws(PNGError) -> RGBAImage {
        let data: Data
        do { data = try ConfinedFile.read(path, inside: nil, limit: 256 << 20) } catch {
            if error == .missing { throw .invalid(file: displayPath ?? path, reason: "no such file or not readable") }
            throw .invalid(file: displayPath ?? path, reason: error.reason(folder: "its folder"))
        }
        return try decode(data, file: displayPath ?? path)
    }

    private static func message(_ png: png_image) -> String {
        let text = withUnsafeBytes(of: png.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return text.isEmpty ? "unknown libpng error" : text
    }
}
