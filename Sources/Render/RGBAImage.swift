/// An 8-bit RGBA image, rows top to bottom, four bytes per pixel.
public struct RGBAImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(
            pixels.count == width * height * 4, "RGBA image \(width)×\(height) needs \(width * height * 4) bytes")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// An image filled with one color.
    /// A picture of `[height, width, channels]` values in [0, 1]: gray for one channel,
    /// RGB for three.
    public init(unit values: [Float], width: Int, height: Int, channels: Int) {
        var pixels = [UInt8](repeating: 255, count: width * height * 4)
        for p in 0..<(width * height) {
            for k in 0..<3 {
                let v = values[p * channels + (channels == 1 ? 0 : min(k, channels - 1))]
                pixels[p * 4 + k] = UInt8(clamping: Int((min(max(v, 0), 1) * 255).rounded()))
            }
        }
        self.init(width: width, height: height, pixels: pixels)
    }

    public init(width: Int, height: Int, fill: RGBA = .white) {
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 4)
        for i in 0..<(width * height) { setPixel(i % max(width, 1), i / max(width, 1), fill) }
    }

    public subscript(x: Int, y: Int) -> RGBA {
        let o = (y * width + x) * 4
        return RGBA(pixels[o], pixels[o + 1], pixels[o + 2], pixels[o + 3])
    }

    public mutating func setPixel(_ x: Int, _ y: Int, _ c: RGBA) {
        let o = (y * width + x) * 4
        pixels[o] = c.r; pixels[o + 1] = c.g; pixels[o + 2] = c.b; pixels[o + 3] = c.a
    }

    /// Copies `image` into this one with its top-left corner at (x, y), clipped.
    public mutating func draw(_ image: RGBAImage, atX x: Int, y: Int) {
        for row in 0..<image.height where y + row >= 0 && y + row < height {
            for col in 0..<image.width where x + col >= 0 && x + col < width {
                setPixel(x + col, y + row, image[col, row])
            }
        }
    }
}

/// One 8-bit RGBA color.
public struct RGBA: Sendable, Equatable, Hashable {
    public var r, g, b, a: UInt8

    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8, _ a: UInt8 = 255) {
        self.r = r; self.g = g; self.b = b; self.a = a
    }

    public static let white = RGBA(255, 255, 255)
    public static let black = RGBA(0, 0, 0)
    public static let clear = RGBA(0, 0, 0, 0)

    /// `#rrggbb`, for SVG and CSS.
    public var hex: String {
        "#" + [r, g, b].map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
