import Common
import Foundation

/// How an author's picture becomes the model's input. The one path from an image file to
/// model input: lessons (`images: images/my-digit.png`) and `vizsite explain --image`
/// both use it.
public enum ImagePreparation: String, Sendable, CaseIterable {
    /// As MNIST was made (LeCun et al.; "The MNIST database", §2): the background set to
    /// 0, the ink cropped to its bounding box, fitted into 20×20 keeping its aspect ratio
    /// (anti-aliased by area averaging), and placed in 28×28 with its centre of mass at
    /// the centre. The default for 28×28 grayscale digit models.
    case mnist
    /// The whole picture area-averaged to the input size (stretched if its aspect ratio
    /// differs), inverted when dark on light; nothing else.
    case resize

    /// The default for a model whose input is `[h, w, c]`.
    public static func standard(forInput shape: [Int]) -> ImagePreparation {
        shape == [28, 28, 1] ? .mnist : .resize
    }
}

/// A picture turned into model input. For one channel: gray values in [0, 1], light
/// strokes on black (a digit model's convention). For three: the colours, area-resized,
/// composited on white where transparent. Then `normalization` (pixel / 255 unless a
/// model's sidecar says otherwise), in its channel order.
public struct ModelInputImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let channels: Int
    /// The model input, `[height, width, channels]` row-major.
    public let values: [Float]
    /// Whether the picture was dark ink on light paper, and so was inverted.
    public let inverted: Bool
    /// What the model sees, as a picture at its input size (before normalization), for
    /// figures to draw heatmaps over.
    public let picture: RGBAImage

    /// The MNIST box the ink is fitted into, and the share of the ink below which a
    /// pixel counts as paper (texture, shadows and JPEG noise).
    static let fittedSide = 20
    static let noiseFloor: Float = 0.15

    public init(
        _ image: RGBAImage, width: Int, height: Int, channels: Int = 1, preparation: ImagePreparation,
        normalization: InputNormalization = .standard
    ) {
        self.width = width
        self.height = height
        self.channels = channels
        guard channels == 1 else {
            // Colour: each channel area-resized; no inversion, no MNIST fitting.
            let planes = (0..<3).map { c in Self.channel(image, c).areaResized(width: width, height: height).values }
            inverted = false
            picture = RGBAImage(
                width: width, height: height,
                pixels: (0..<(width * height)).flatMap { p in
                    (0..<3).map { UInt8(clamping: Int((planes[$0][p] * 255).rounded())) } + [255]
                })
            let order = normalization.bgr ? [2, 1, 0] : [0, 1, 2]
            values = (0..<(width * height)).flatMap { p in
                (0..<channels).map { c in normalization.apply(planes[order[min(c, 2)]][p] * 255, channel: c) }
            }
            return
        }
        var gray = Self.luminance(image)
        inverted = Self.isDarkOnLight(gray)
        if inverted { gray.values = gray.values.map { 1 - $0 } }
        let unit: [Float]
        switch preparation {
        case .resize:
            unit = gray.areaResized(width: width, height: height).values
        case .mnist:
            unit = Self.mnistStyle(gray, width: width, height: height)
        }
        picture = RGBAImage.grayscale(width: width, height: height, values: unit)
        values = normalization == .standard ? unit : unit.map { normalization.apply($0 * 255, channel: 0) }
    }

    /// A dataset's picture as `[height, width, channels]` values in [0, 1], before
    /// normalization: each channel (or the luminance, for one channel) area-resized, and
    /// nothing else — no inversion, no fitting: a dataset is fed as its images were made.
    public static func plain(_ image: RGBAImage, width: Int, height: Int, channels: Int) -> [Float] {
        guard channels != 1 else { return luminance(image).areaResized(width: width, height: height).values }
        let planes = (0..<3).map { channel(image, $0).areaResized(width: width, height: height).values }
        return (0..<(width * height)).flatMap { p in (0..<channels).map { planes[min($0, 2)][p] } }
    }

    /// `[h, w, c]` values in [0, 1] as `[height, width, channels]`: gray becomes three equal
    /// channels, colour its luminance, then each channel is area-resized.
    public static func adapted(
        _ values: ArraySlice<Float>, shape: [Int], width: Int, height: Int, channels: Int
    ) -> [Float] {
        let (h, w, c) = (shape[0], shape[1], shape[2])
        let base = values.startIndex
        let planes: [Heatmap] = (0..<channels).map { target in
            var plane = [Float](repeating: 0, count: h * w)
            for p in 0..<(h * w) {
                let pixel = base + p * c
                plane[p] =
                    c == channels
                    ? values[pixel + target]
                    : c == 1
                        ? values[pixel]
                        : 0.299 * values[pixel] + 0.587 * values[pixel + 1] + 0.114 * values[pixel + 2]
            }
            let heatmap = Heatmap(width: w, height: h, values: plane)
            return (w, h) == (width, height) ? heatmap : heatmap.areaResized(width: width, height: height)
        }
        return (0..<(width * height)).flatMap { p in (0..<channels).map { planes[$0].values[p] } }
    }

    /// One colour channel in [0, 1], composited on white where transparent.
    static func channel(_ image: RGBAImage, _ c: Int) -> Heatmap {
        let count = image.width * image.height
        let values = image.pixels.withUnsafeBufferPointer { p in
            (0..<count).map { i -> Float in
                let a = Float(p[i * 4 + 3]) / 255
                return Float(p[i * 4 + c]) / 255 * a + (1 - a)
            }
        }
        return Heatmap(width: image.width, height: image.height, values: values)
    }

    /// Luminance (ITU-R BT.601), composited on white where the picture is transparent:
    /// transparent pixels are paper, and ink on a transparent sheet is usually dark.
    static func luminance(_ image: RGBAImage) -> Heatmap {
        let (w, h) = (image.width, image.height)
        var gray = [Float](repeating: 0, count: w * h)
        image.pixels.withUnsafeBufferPointer { p in
            for i in 0..<(w * h) {
                let (r, g, b, alpha) = (Float(p[i * 4]), Float(p[i * 4 + 1]), Float(p[i * 4 + 2]), p[i * 4 + 3])
                let a = Float(alpha) / 255
                gray[i] = ((0.299 * r + 0.587 * g + 0.114 * b) / 255) * a + (1 - a) * (alpha < 255 ? 1 : 0)
            }
        }
        return Heatmap(width: w, height: h, values: gray)
    }

    /// Judged by the border, which in a picture of a digit is paper.
    static func isDarkOnLight(_ gray: Heatmap) -> Bool {
        let edge = border(gray)
        return edge.reduce(0, +) / Float(max(edge.count, 1)) > 0.5
    }

    static func border(_ gray: Heatmap) -> [Float] {
        let (w, h) = (gray.width, gray.height)
        var values: [Float] = []
        for x in 0..<w { values.append(gray.values[x]); values.append(gray.values[(h - 1) * w + x]) }
        for y in 0..<h { values.append(gray.values[y * w]); values.append(gray.values[y * w + w - 1]) }
        return values
    }

    /// Light-on-dark `gray` normalized as MNIST's digits were.
    static func mnistStyle(_ gray: Heatmap, width: Int, height: Int) -> [Float] {
        // Background to 0 and the ink to 1: the paper's level is the border's median, the
        // ink's a high percentile (a stray bright speck does not set the scale).
        let paper = median(border(gray))
        let sorted = gray.values.sorted()
        let ink = sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.999))]
        guard ink - paper > 1e-3 else { return [Float](repeating: 0, count: width * height) }
        let clean = gray.values.map { v -> Float in
            let level = min(max((v - paper) / (ink - paper), 0), 1)
            return max(level - noiseFloor, 0) / (1 - noiseFloor)
        }
        // Crop to the ink's bounding box.
        var (x0, y0, x1, y1) = (gray.width, gray.height, -1, -1)
        for y in 0..<gray.height {
            for x in 0..<gray.width where clean[y * gray.width + x] > 0 {
                x0 = min(x0, x); x1 = max(x1, x); y0 = min(y0, y); y1 = max(y1, y)
            }
        }
        guard x1 >= x0 else { return [Float](repeating: 0, count: width * height) }
        let (boxW, boxH) = (x1 - x0 + 1, y1 - y0 + 1)
        var cropped = [Float](repeating: 0, count: boxW * boxH)
        for y in 0..<boxH { for x in 0..<boxW { cropped[y * boxW + x] = clean[(y + y0) * gray.width + x + x0] } }
        // Fit into 20×20 (scaled to the input size), keeping the aspect ratio.
        let side = Double(fittedSide) * Double(min(width, height)) / 28
        let scale = side / Double(max(boxW, boxH))
        let fitW = max(1, min(width, Int((Double(boxW) * scale).rounded())))
        let fitH = max(1, min(height, Int((Double(boxH) * scale).rounded())))
        let fitted = Heatmap(width: boxW, height: boxH, values: cropped).areaResized(width: fitW, height: fitH)
        // Centre of mass at the centre, by a whole-pixel shift that keeps the ink inside.
        var mass = 0.0, mx = 0.0, my = 0.0
        for y in 0..<fitH {
            for x in 0..<fitW {
                let v = Double(fitted.values[y * fitW + x])
                mass += v; mx += v * Double(x); my += v * Double(y)
            }
        }
        let left = mass > 0 ? Int((Double(width) / 2 - mx / mass).rounded()) : (width - fitW) / 2
        let top = mass > 0 ? Int((Double(height) / 2 - my / mass).rounded()) : (height - fitH) / 2
        let (ox, oy) = (min(max(left, 0), width - fitW), min(max(top, 0), height - fitH))
        var out = [Float](repeating: 0, count: width * height)
        for y in 0..<fitH { for x in 0..<fitW { out[(y + oy) * width + x + ox] = fitted.values[y * fitW + x] } }
        return out
    }

    static func median(_ values: [Float]) -> Float {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted.count % 2 == 1
            ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}

extension Heatmap {
    /// Each output pixel the mean of the input area it covers: a large scan shrinks
    /// without skipping pixels, and strokes keep their anti-aliased edges.
    public func areaResized(width newWidth: Int, height newHeight: Int) -> Heatmap {
        let (w, h) = (width, height)
        var out = [Float](repeating: 0, count: newWidth * newHeight)
        for oy in 0..<newHeight {
            let y0 = Double(oy) * Double(h) / Double(newHeight), y1 = Double(oy + 1) * Double(h) / Double(newHeight)
            for ox in 0..<newWidth {
                let x0 = Double(ox) * Double(w) / Double(newWidth), x1 = Double(ox + 1) * Double(w) / Double(newWidth)
                var sum = 0.0, area = 0.0
                var y = Int(y0)
                while Double(y) < y1 && y < h {
                    let wy = min(Double(y + 1), y1) - max(Double(y), y0)
                    var x = Int(x0)
                    while Double(x) < x1 && x < w {
                        let wx = min(Double(x + 1), x1) - max(Double(x), x0)
                        sum += Double(values[y * w + x]) * wx * wy
                        area += wx * wy
                        x += 1
                    }
                    y += 1
                }
                out[oy * newWidth + ox] = Float(area > 0 ? sum / area : 0)
            }
        }
        return Heatmap(width: newWidth, height: newHeight, values: out)
    }
}
