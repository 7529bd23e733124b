/// How 8-bit pixel values become a model's input numbers: `(value · scale − mean) / std`
/// per channel, in RGB or BGR order. The default is pixel / 255, vizsite's convention;
/// an imported model's sidecar (`model.onnx.yml`) gives torchvision's or Caffe's.
public struct InputNormalization: Sendable, Hashable, Codable {
    public var scale: Float
    /// One value per channel, or one for all; empty for none.
    public var mean: [Float]
    public var std: [Float]
    /// Whether the model reads its colour channels in BGR order (Caffe, OpenCV).
    public var bgr: Bool

    public init(scale: Float = 1 / 255, mean: [Float] = [], std: [Float] = [], bgr: Bool = false) {
        self.scale = scale
        self.mean = mean
        self.std = std
        self.bgr = bgr
    }

    /// pixel / 255.
    public static let standard = InputNormalization()

    /// The input number for an 8-bit `value` (0…255, fractional after resizing) of channel `c`.
    @inline(__always)
    public func apply(_ value: Float, channel c: Int) -> Float {
        let m = mean.isEmpty ? 0 : mean[mean.count == 1 ? 0 : c]
        let s = std.isEmpty ? 1 : std[std.count == 1 ? 0 : c]
        return (value * scale - m) / s
    }

    /// `[…, channels]` values in [0, 1] (a picture) as model input: channels reordered when
    /// the model reads BGR, each value normalized. Unchanged for the standard pixel / 255.
    public func normalize(_ unit: [Float], channels: Int) -> [Float] {
        guard self != .standard else { return unit }
        var out = [Float](repeating: 0, count: unit.count)
        let order = bgr && channels == 3 ? [2, 1, 0] : Array(0..<channels)
        for pixel in stride(from: 0, to: unit.count, by: channels) {
            for c in 0..<channels { out[pixel + c] = apply(unit[pixel + order[c]] * 255, channel: c) }
        }
        return out
    }

    /// A gradient with respect to the model input as one with respect to the picture that
    /// `normalize` fed it (the chain rule through the channel order and the affine map).
    public func pullBack(_ gradient: [Float], channels: Int) -> [Float] {
        guard self != .standard else { return gradient }
        var out = [Float](repeating: 0, count: gradient.count)
        let order = bgr && channels == 3 ? [2, 1, 0] : Array(0..<channels)
        for pixel in stride(from: 0, to: gradient.count, by: channels) {
            for c in 0..<channels {
                let s = std.isEmpty ? 1 : std[std.count == 1 ? 0 : c]
                out[pixel + order[c]] += gradient[pixel + c] * 255 * scale / s
            }
        }
        return out
    }
}
