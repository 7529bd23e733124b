import CNN
import Foundation
import Render

/// Deletion and insertion curves (Petsiuk et al., RISE, 2018, §4.2): pixels are removed
/// from the image (deletion) or revealed on a blurred copy (insertion) in the order of
/// the heatmap, most important first, `pixelsPerStep` at a time, and the target class's
/// probability is recorded after each step. A faithful map makes deletion fall fast (low
/// area under the curve) and insertion rise fast (high area). All steps run as one batch.
public struct Faithfulness: Sendable {
    public var steps: Int
    /// The value deleted pixels take (0: black, MNIST's background).
    public var deletedValue: Float
    /// Standard deviation, in pixels, of the Gaussian blur the insertion canvas starts from.
    public var blurSigma: Float

    public init(steps: Int = 28, deletedValue: Float = 0, blurSigma: Float = 3) {
        self.steps = steps
        self.deletedValue = deletedValue
        self.blurSigma = blurSigma
    }

    public struct Curves: Sendable, Equatable {
        /// The probability after 0, 1, …, `steps` steps (`steps + 1` values).
        public let deletion: [Float]
        public let insertion: [Float]
        /// Areas under the curves over the fraction of pixels, by the trapezoid rule.
        public let deletionAUC: Float
        public let insertionAUC: Float
    }

    /// The curves for `image` (`[1, h, w, c]`) explained by `map` for `targetClass`; a
    /// coarser map (Grad-CAM's 24×24) is laid on the image by `placement` first.
    public func curves(
        model: Model, image: Tensor, map: Heatmap, placement: MapPlacement = .stretch, targetClass: Int
    ) -> Curves {
        let shape = model.inputShape, (h, w, c) = (shape[0], shape[1], shape[2]), size = h * w * c
        let saliency = map.placed(placement, inputWidth: w, inputHeight: h, width: w, height: h)
        // Most important first; ties keep pixel order, so the curves are deterministic.
        let order = PerturbationOrder.morf.ranking(saliency.values)
        let blurred = Self.blur(image.scalars, h: h, w: w, c: c, sigma: blurSigma)
        var batch = [Float](repeating: 0, count: 2 * (steps + 1) * size)
        for s in 0...steps {
            let revealed = min(h * w, (h * w * s + steps - 1) / max(steps, 1))
            let del = s * size, ins = (steps + 1 + s) * size
            for i in 0..<size { batch[del + i] = image.scalars[i]; batch[ins + i] = blurred[i] }
            for p in order.prefix(revealed) {
                for ch in 0..<c {
                    batch[del + p * c + ch] = deletedValue
                    batch[ins + p * c + ch] = image.scalars[p * c + ch]
                }
            }
        }
        let probabilities = softmax(model.logits(Tensor(shape: [2 * (steps + 1)] + shape, scalars: batch)))
        let classes = model.classCount
        let p = (0..<(2 * (steps + 1))).map { probabilities.scalars[$0 * classes + targetClass] }
        let deletion = Array(p[0...steps]), insertion = Array(p[(steps + 1)...])
        return Curves(
            deletion: deletion, insertion: insertion, deletionAUC: Self.area(deletion),
            insertionAUC: Self.area(insertion))
    }

    /// The trapezoid-rule area of equally spaced values over [0, 1].
    static func area<T: BinaryFloatingPoint>(_ values: [T]) -> T {
        guard values.count > 1 else { return values.first ?? 0 }
        return trapezoid(values) / T(values.count - 1)
    }

    /// The trapezoid-rule integral of `values` at unit spacing.
    static func trapezoid<T: BinaryFloatingPoint>(_ values: [T]) -> T {
        var sum: T = 0
        for i in values.indices.dropFirst() { sum += (values[i - 1] + values[i]) / 2 }
        return sum
    }

    /// A separable Gaussian blur with edge clamping.
    static func blur(_ x: [Float], h: Int, w: Int, c: Int, sigma: Float) -> [Float] {
        guard sigma > 0 else { return x }
        let radius = Int((3 * sigma).rounded(.up))
        var kernel: [Float] = (-radius...radius).map { (d: Int) -> Float in
            Float(exp(-0.5 * Double(d * d) / Double(sigma * sigma)))
        }
        let total = kernel.reduce(0, +)
        kernel = kernel.map { $0 / total }
        var tmp = x, out = x
        for y in 0..<h {
            for col in 0..<w {
                for ch in 0..<c {
                    var s: Float = 0
                    for (j, k) in kernel.enumerated() {
                        s += k * x[(y * w + min(max(col + j - radius, 0), w - 1)) * c + ch]
                    }
                    tmp[(y * w + col) * c + ch] = s
                }
            }
        }
        for y in 0..<h {
            for col in 0..<w {
                for ch in 0..<c {
                    var s: Float = 0
                    for (j, k) in kernel.enumerated() {
                        s += k * tmp[(min(max(y + j - radius, 0), h - 1) * w + col) * c + ch]
                    }
                    out[(y * w + col) * c + ch] = s
                }
            }
        }
        return out
    }
}
