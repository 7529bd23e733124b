/// How a map at a layer's resolution (Grad-CAM of conv2d_2: 24×24) is laid on the input
/// image (28×28) for display, for masks (Score-CAM) and for ranking pixels (deletion).
public enum MapPlacement: Sendable, Equatable {
    /// Each value at the centre of its receptive field: value `(i, j)` at input pixel
    /// `(offsetY + strideY·i, offsetX + strideX·j)`, bilinear between centres and held
    /// constant beyond the outermost ones. The exact geometry: two valid 3×3 convolutions
    /// leave a 2-pixel border.
    case centres(offsetX: Double, offsetY: Double, strideX: Double, strideY: Double)
    /// Stretched over the whole input, pixel centres aligned (OpenCV's `resize`, as
    /// pytorch-grad-cam displays its maps). Moves evidence by up to (input − map) / 2
    /// pixels at the edges.
    case stretch

    /// A map that already has the input's resolution.
    public static let identity = MapPlacement.centres(offsetX: 0, offsetY: 0, strideX: 1, strideY: 1)

    /// How the notes of a figure say it.
    public var note: String {
        switch self {
        case .centres(let x, let y, let sx, let sy):
            if x == 0, y == 0, sx == 1, sy == 1 { return "maps at input resolution" }
            return
                "maps placed at receptive-field centres (offset \(Self.format(y))×\(Self.format(x)), stride "
                + "\(Self.format(sy))×\(Self.format(sx)))"
        case .stretch:
            return "maps stretched to the input (pytorch-grad-cam)"
        }
    }

    private static func format(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(x) }
}

extension Heatmap {
    /// The map laid on an `inputWidth`×`inputHeight` image by `placement`, sampled at
    /// `width`×`height` (a display `width / inputWidth` times larger).
    public func placed(
        _ placement: MapPlacement, inputWidth: Int, inputHeight: Int, width newWidth: Int, height newHeight: Int
    )
        -> Heatmap
    {
        guard case let .centres(offsetX, offsetY, strideX, strideY) = placement else {
            return width == newWidth && height == newHeight ? self : resized(width: newWidth, height: newHeight)
        }
        let scaleX = Double(inputWidth) / Double(newWidth), scaleY = Double(inputHeight) / Double(newHeight)
        func cell(_ output: Int, scale: Double, offset: Double, stride: Double, count: Int) -> (Int, Int, Float) {
            // The output pixel's centre in input coordinates, then in map cells.
            let u = ((Double(output) + 0.5) * scale - 0.5 - offset) / stride
            let clamped = Swift.min(Swift.max(u, 0), Double(count - 1))
            let low = Swift.min(Int(clamped), count - 1)
            return (low, Swift.min(low + 1, count - 1), Float(clamped - Double(low)))
        }
        let columns = (0..<newWidth).map { cell($0, scale: scaleX, offset: offsetX, stride: strideX, count: width) }
        var out = [Float](repeating: 0, count: newWidth * newHeight)
        for y in 0..<newHeight {
            let (y0, y1, ty) = cell(y, scale: scaleY, offset: offsetY, stride: strideY, count: height)
            for x in 0..<newWidth {
                let (x0, x1, tx) = columns[x]
                let top = self[x0, y0] + (self[x1, y0] - self[x0, y0]) * tx
                let bottom = self[x0, y1] + (self[x1, y1] - self[x0, y1]) * tx
                out[y * newWidth + x] = top + (bottom - top) * ty
            }
        }
        return Heatmap(width: newWidth, height: newHeight, values: out)
    }

    /// Bilinear resizing with the corner pixels' centres aligned (PyTorch's
    /// `UpsamplingBilinear2d`, `align_corners=True`), as pytorch-grad-cam's Score-CAM
    /// upsamples its masks.
    public func resizedAligningCorners(width newWidth: Int, height newHeight: Int) -> Heatmap {
        func source(_ i: Int, _ n: Int, _ m: Int) -> (Int, Int, Float) {
            let u = m > 1 ? Double(i) * Double(n - 1) / Double(m - 1) : 0
            let low = Swift.min(Int(u), n - 1)
            return (low, Swift.min(low + 1, n - 1), Float(u - Double(low)))
        }
        var out = [Float](repeating: 0, count: newWidth * newHeight)
        for y in 0..<newHeight {
            let (y0, y1, ty) = source(y, height, newHeight)
            for x in 0..<newWidth {
                let (x0, x1, tx) = source(x, width, newWidth)
                let top = self[x0, y0] + (self[x1, y0] - self[x0, y0]) * tx
                let bottom = self[x0, y1] + (self[x1, y1] - self[x0, y1]) * tx
                out[y * newWidth + x] = top + (bottom - top) * ty
            }
        }
        return Heatmap(width: newWidth, height: newHeight, values: out)
    }
}
