/// A 2-D map of Float values (row-major), the raw output of an explanation.
public struct Heatmap: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var values: [Float]

    public init(width: Int, height: Int, values: [Float]) {
        precondition(values.count == width * height, "heatmap \(width)×\(height) needs \(width * height) values")
        self.width = width
        self.height = height
        self.values = values
    }

    public subscript(x: Int, y: Int) -> Float { values[y * width + x] }

    /// The same map with each value's magnitude.
    public var magnitude: Heatmap { Heatmap(width: width, height: height, values: values.map(abs)) }

    /// Colors the map: normalize, then look up each value in `colormap`.
    /// Returns the image and the value range that spans the colormap.
    public func render(
        _ colormap: Colormap, normalization: Normalization
    ) -> (image: RGBAImage, low: Float, high: Float) {
        let (unit, low, high) = normalization.apply(values)
        var pixels = [UInt8](repeating: 255, count: width * height * 4)
        for (i, v) in unit.enumerated() {
            let c = colormap.color(v)
            pixels[i * 4] = c.r; pixels[i * 4 + 1] = c.g; pixels[i * 4 + 2] = c.b
        }
        return (RGBAImage(width: width, height: height, pixels: pixels), low, high)
    }

    /// Bilinear resampling with pixel centres aligned (as OpenCV's `INTER_LINEAR` and
    /// PyTorch's `align_corners=False`): output pixel x samples input (x + ½)·w/W − ½.
    public func resized(width newWidth: Int, height newHeight: Int) -> Heatmap {
        var out = [Float](repeating: 0, count: newWidth * newHeight)
        let sx = Float(width) / Float(newWidth), sy = Float(height) / Float(newHeight)
        for y in 0..<newHeight {
            let fy = Swift.max((Float(y) + 0.5) * sy - 0.5, 0)
            let y0 = Swift.min(Int(fy), height - 1), y1 = Swift.min(y0 + 1, height - 1), ty = fy - Float(y0)
            for x in 0..<newWidth {
                let fx = Swift.max((Float(x) + 0.5) * sx - 0.5, 0)
                let x0 = Swift.min(Int(fx), width - 1), x1 = Swift.min(x0 + 1, width - 1), tx = fx - Float(x0)
                let top = self[x0, y0] + (self[x1, y0] - self[x0, y0]) * tx
                let bottom = self[x0, y1] + (self[x1, y1] - self[x0, y1]) * tx
                out[y * newWidth + x] = top + (bottom - top) * ty
            }
        }
        return Heatmap(width: newWidth, height: newHeight, values: out)
    }
}

extension RGBAImage {
    /// Each pixel repeated `factor` times in both directions: tiny images (3×3 kernels,
    /// 28×28 digits) stay crisp instead of blurring.
    public func upscaled(by factor: Int) -> RGBAImage {
        guard factor > 1 else { return self }
        var out = RGBAImage(width: width * factor, height: height * factor, fill: .clear)
        for y in 0..<out.height {
            for x in 0..<out.width { out.setPixel(x, y, self[x / factor, y / factor]) }
        }
        return out
    }

    /// A grayscale image of values in [0, 1] (0 black, 1 white), e.g. an MNIST digit.
    public static func grayscale(width: Int, height: Int, values: [Float], inverted: Bool = false) -> RGBAImage {
        var pixels = [UInt8](repeating: 255, count: width * height * 4)
        for (i, v) in values.enumerated() {
            let g = UInt8(Swift.min(Swift.max((inverted ? 1 - v : v) * 255, 0), 255).rounded())
            pixels[i * 4] = g; pixels[i * 4 + 1] = g; pixels[i * 4 + 2] = g
        }
        return RGBAImage(width: width, height: height, pixels: pixels)
    }

    /// `overlay` blended over this image: `(1 − alpha)·self + alpha·overlay`, per channel,
    /// rounded; both must have the same size. The result is opaque.
    public func blended(with overlay: RGBAImage, alpha: Float) -> RGBAImage {
        precondition(width == overlay.width && height == overlay.height, "overlay size differs")
        var out = self
        for i in 0..<(width * height) {
            for c in 0..<3 {
                let v = (1 - alpha) * Float(pixels[i * 4 + c]) + alpha * Float(overlay.pixels[i * 4 + c])
                out.pixels[i * 4 + c] = UInt8(Swift.min(Swift.max(v.rounded(), 0), 255))
            }
            out.pixels[i * 4 + 3] = 255
        }
        return out
    }
}

/// Images laid out in rows and columns with spacing, on a background.
public struct ImageGrid {
    public var columns: Int
    public var spacing: Int
    public var background: RGBA

    public init(columns: Int, spacing: Int = 2, background: RGBA = .white) {
        self.columns = max(1, columns)
        self.spacing = spacing
        self.background = background
    }

    /// All cells take the size of the largest image; images are centred in their cells.
    public func compose(_ images: [RGBAImage]) -> RGBAImage {
        guard !images.isEmpty else { return RGBAImage(width: 1, height: 1, fill: background) }
        let cellW = images.map(\.width).max()!, cellH = images.map(\.height).max()!
        let cols = min(columns, images.count), rows = (images.count + cols - 1) / cols
        var out = RGBAImage(
            width: cols * cellW + (cols - 1) * spacing, height: rows * cellH + (rows - 1) * spacing, fill: background)
        for (i, image) in images.enumerated() {
            let x = (i % cols) * (cellW + spacing) + (cellW - image.width) / 2
            let y = (i / cols) * (cellH + spacing) + (cellH - image.height) / 2
            out.draw(image, atX: x, y: y)
        }
        return out
    }
}
