import CNN
import Render

/// Occlusion sensitivity (Zeiler & Fergus, 2014): a `patch`×`patch` square of `fill`
/// slides over the image with `stride`; each pixel's value is the mean drop of the target
/// logit over the positions whose patch covers it (as Captum's `Occlusion`). Positive:
/// hiding the pixel lowers the score. All positions run as one batch.
public struct Occlusion: ExplanationMethod {
    public var patch: Int
    public var stride: Int
    public var fill: Float

    public init(patch: Int = 6, stride: Int = 2, fill: Float = 0) {
        self.patch = patch
        self.stride = stride
        self.fill = fill
    }

    public var name: String { "occlusion" }

    /// Occlusion attributes to input pixels; `layer` is ignored.
    public func explain(
        _ image: ExplainedImage, target: Target, layer: String?, model: Model
    ) throws(ExplainError) -> Explanation {
        try explain(image, target: target, model: model)
    }

    public func explain(_ image: ExplainedImage, target: Target, model: Model) throws(ExplainError) -> Explanation {
        let engine = GradientEngine(model: model, target: target)
        let logits = engine.logits(image.pixels)
        let k = try engine.resolve(target, logits: logits.scalars[...], label: image.label)
        return Explanation(
            method: name, layer: nil, targetClass: k, map: attribute(image.pixels, targetClass: k, engine: engine),
            isSigned: true, probabilities: softmax(logits).scalars, contrastClass: target.subtracted)
    }

    public func attribute(_ image: Tensor, targetClass: Int, engine: GradientEngine) -> Heatmap {
        let shape = engine.model.inputShape
        let (h, w, c) = (shape[0], shape[1], shape[2])
        let p = min(patch, h, w)
        let ys = Array(Swift.stride(from: 0, through: h - p, by: max(stride, 1)))
        let xs = Array(Swift.stride(from: 0, through: w - p, by: max(stride, 1)))
        let positions = ys.flatMap { y in xs.map { x in (y, x) } }
        var batch = [Float](repeating: 0, count: (positions.count + 1) * image.count)
        for i in 0...positions.count {
            batch.replaceSubrange(i * image.count..<(i + 1) * image.count, with: image.scalars)
        }
        for (i, (y0, x0)) in positions.enumerated() {
            for y in y0..<y0 + p {
                for x in x0..<x0 + p {
                    for ch in 0..<c {
                        batch[(i + 1) * image.count + (y * w + x) * c + ch] = fill
                    }
                }
            }
        }
        let logits = engine.logits(Tensor(shape: [positions.count + 1] + shape, scalars: batch))
        let classes = engine.model.classCount
        // The score: the target's logit, less the contrasted class's for a contrast.
        func score(_ row: Int) -> Float {
            logits.scalars[row * classes + targetClass]
                - (engine.subtract.map { logits.scalars[row * classes + $0] } ?? 0)
        }
        let base = score(0)
        var sum = [Float](repeating: 0, count: h * w), count = sum
        for (i, (y0, x0)) in positions.enumerated() {
            let drop = base - score(i + 1)
            for y in y0..<y0 + p { for x in x0..<x0 + p { sum[y * w + x] += drop; count[y * w + x] += 1 } }
        }
        return Heatmap(width: w, height: h, values: zip(sum, count).map { $1 > 0 ? $0 / $1 : 0 })
    }
}
