import CNN
import Render

/// Uniform noise: each pixel an independent value in [0, 1), seeded by `seed` and the
/// image itself, so the same image always gets the same map. It knows nothing of the
/// model; any method worth using must score better than it on every metric.
public struct RandomBaseline: ExplanationMethod {
    public var seed: UInt64

    public init(seed: UInt64 = 0) { self.seed = seed }

    public func explain(
        _ image: ExplainedImage, target: Target, layer: String?, model: Model
    ) throws(ExplainError) -> Explanation {
        let (k, probabilities) = try resolvedTarget(image, target, model)
        let (h, w) = (model.inputShape[0], model.inputShape[1])
        // A different map for every image and class.
        var random = SeededRandom(seed: seed ^ image.contentHash, stream: UInt64(k))
        let values = (0..<(h * w)).map { _ in random.nextUnit() }
        return Explanation(
            method: "random", layer: nil, targetClass: k, map: Heatmap(width: w, height: h, values: values),
            isSigned: false, probabilities: probabilities)
    }
}

/// An explanation whose map comes from the input alone, for the class `target` names.
private func inputOnly(
    _ method: String, map: Heatmap, _ image: ExplainedImage, _ target: Target, _ model: Model
) throws(ExplainError) -> Explanation {
    let (k, probabilities) = try resolvedTarget(image, target, model)
    return Explanation(
        method: method, layer: nil, targetClass: k, map: map, isSigned: false, probabilities: probabilities)
}

/// The class `target` names for `image`, and the model's probabilities for it.
private func resolvedTarget(
    _ image: ExplainedImage, _ target: Target, _ model: Model
) throws(ExplainError) -> (Int, [Float]) {
    let engine = GradientEngine(model: model)
    let logits = engine.logits(image.pixels)
    return (try engine.resolve(target, logits: logits.scalars[...], label: image.label), softmax(logits).scalars)
}

/// The input's edges: the magnitude of its Sobel gradient, channels averaged (the edge
/// detector Adebayo et al., 2018, compare saliency maps with). It ignores the model, so a
/// metric that cannot tell it from a real explanation is not measuring the model.
public struct EdgeBaseline: ExplanationMethod {
    public init() {}

    public func explain(
        _ image: ExplainedImage, target: Target, layer: String?, model: Model
    ) throws(ExplainError) -> Explanation {
        try inputOnly("edge", map: Self.sobel(image.gray), image, target, model)
    }

    /// √(Gx² + Gy²) with the 3×3 Sobel kernels, edges replicated.
    static func sobel(_ image: Heatmap) -> Heatmap {
        let (w, h) = (image.width, image.height)
        func at(_ x: Int, _ y: Int) -> Float { image.values[min(max(y, 0), h - 1) * w + min(max(x, 0), w - 1)] }
        var out = [Float](repeating: 0, count: w * h)
        for y in 0..<h {
            for x in 0..<w {
                let gx =
                    at(x + 1, y - 1) + 2 * at(x + 1, y) + at(x + 1, y + 1) - at(x - 1, y - 1) - 2 * at(x - 1, y)
                    - at(x - 1, y + 1)
                let gy =
                    at(x - 1, y + 1) + 2 * at(x, y + 1) + at(x + 1, y + 1) - at(x - 1, y - 1) - 2 * at(x, y - 1)
                    - at(x + 1, y - 1)
                out[y * w + x] = (gx * gx + gy * gy).squareRoot()
            }
        }
        return Heatmap(width: w, height: h, values: out)
    }
}

/// The input itself as the map (channels averaged): the brightest pixels first. On a digit
/// it marks the strokes and nothing else, so a metric that scores it above a method rewards
/// marking the object, not explaining the model.
public struct ImageBaseline: ExplanationMethod {
    public init() {}

    public func explain(
        _ image: ExplainedImage, target: Target, layer: String?, model: Model
    ) throws(ExplainError) -> Explanation {
        try inputOnly("image", map: image.gray, image, target, model)
    }
}
