import Common
import CTurboJPEG
import Foundation

/// JPEG decoding through libjpeg-turbo's TurboJPEG API (Debian's libturbojpeg0-dev),
/// which reports errors by return value rather than libjpeg's longjmp.
public enum JPEG {
    /// Decodes JPEG bytes to RGBA (opaque), with the same size limits as PNG.
    public static func decode(_ data: Data, file: String) throws(SourceError) -> RGBAImage {
        let at = SourceLocation(file: file, line: 0, column: 0)
        guard let handle = tjInitDecompress() else { throw SourceError("cannot start the JPEG decoder", at: at) }
        defer { tjDestroy(handle) }
        let bytes = [UInt8](data)
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        let header = bytes.withUnsafeBufferPointer {
            tjDecompressHeader3(handle, $0.baseAddress, UInt(bytes.count), &width, &height, &subsampling, &colorspace)
        }
        guard header == 0 else { throw SourceError("not a readable JPEG image: \(message(handle))", at: at) }
        if colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue) {
            // Print's colour space: its inks have no one conversion to screen colours.
            throw SourceError("the JPEG is CMYK (a print colour space); save it as RGB or grayscale", at: at)
        }
        let (w, h) = (Int(width), Int(height))
        guard w > 0, h > 0, w <= PNG.maxDimension, h <= PNG.maxDimension, w * h <= PNG.maxPixels else {
            throw SourceError(
                "JPEG image is \(w)×\(h) pixels; at most \(PNG.maxDimension) per side and \(PNG.maxPixels) pixels in "
                    + "all are accepted", at: at)
        }
        var pixels = [UInt8](repeating: 0, count: w * h * 4)
        let status = bytes.withUnsafeBufferPointer { input in
            pixels.withUnsafeMutableBufferPointer { out in
                tjDecompress2(
                    handle, input.baseAddress, UInt(bytes.count), out.baseAddress, width, 0, height,
                    Int32(TJPF_RGBA.rawValue), 0)
            }
        }
        // A warning (a truncated file, say) still leaves a whole image; an error does not.
        guard status == 0 || tjGetErrorCode(handle) == Int32(TJERR_WARNING.rawValue) else {
            throw SourceError("not a readable JPEG image: \(message(handle))", at: at)
        }
        return RGBAImage(width: w, height: h, pixels: pixels)
    }

    private static func message(_ handle: tjhandle) -> String {
        tjGetErrorStr2(handle).map { String(cString: $0) } ?? "unknown libjpeg-turbo error"
    }
}

/// A picture file, PNG or JPEG, told apart by its first bytes.
public enum ImageFile {
    /// The file extensions image selectors accept.
    public static let extensions = ["png", "jpg", "jpeg"]

    /// Reads and decodes the image at `path`; `displayPath` is how errors name it.
    public static func read(path: String, displayPath: String? = nil) throws(SourceError) -> RGBAImage {
        let shown = displayPath ?? path
        let data: Data
        do { data = try ConfinedFile.read(path, inside: nil, limit: 256 << 20) } catch {
            let kind = ["jpg", "jpeg"].contains((path as NSString).pathExtension.lowercased()) ? "JPEG" : "PNG"
            throw SourceError(
                "not a readable \(kind) image: "
                    + (error == .missing ? "no such file or not readable" : error.reason(folder: "its folder")),
                at: SourceLocation(file: shown, line: 0, column: 0))
        }
        if data.starts(with: [0xFF, 0xD8, 0xFF]) { return try JPEG.decode(data, file: shown) }
        do { return try PNG.decode(data, file: shown) } catch { throw error.sourceError }
    }
}
