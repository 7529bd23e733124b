import CNN
import Foundation
import Render

/// The reference input x' Integrated Gradients integrates from. Pixels where the input
/// equals its baseline get no attribution (the `x − x'` factor), so the baseline decides
/// what counts as "missing" (Sturmfels, Lundberg & Lee, "Visualizing the Impact of Feature
/// Attribution Baselines", Distill 2020).
public enum IGBaseline: String, CaseIterable, Sendable {
    /// 0 in the model's input numbers: black for pixel / 255 (Captum's default; for a
    /// normalized model, the mean colour). Black pixels of the input get nothing.
    case black
    /// Each value at the far end of the image's own value range: its minimum where the
    /// pixel is above the range's middle, its maximum where below.
    case maxDistance = "max-distance"
    /// The image blurred by a Gaussian of `sigma` pixels: only what blurring removes counts.
    case blur
    /// Uniform noise over the image's own value range, `draws` of them averaged.
    case uniform
    /// Training images, `draws` of them averaged (an expectation over the data, as
    /// expected gradients take it, here with the full integral per reference).
    case data

    /// Whether the baseline is drawn at random, so that several are averaged.
    public var isDrawn: Bool { self == .uniform || self == .data }
}

/// Integrated Gradients (Sundararajan et al., 2017, eq. 1):
/// `IG_i(x) = (x_i − x'_i) · ∫₀¹ ∂F(x' + α(x − x'))/∂x_i dα`, the integral by
/// Gauss–Legendre quadrature with `steps` nodes on [0, 1] (Captum's default), all
/// steps of one baseline in one batch. Attributions add up to `F(x) − F(x')`
/// (completeness); with drawn baselines, to `F(x)` minus their mean `F(x')`.
public struct IntegratedGradients: SaliencyMethod {
    public var steps: Int
    public var baseline: IGBaseline
    /// The blur baseline's Gaussian standard deviation, in pixels.
    public var sigma: Float
    /// How many baselines the drawn kinds (uniform, data) average.
    public var draws: Int
    public var seed: UInt64

    public init(steps: Int = 50, baseline: IGBaseline = .black, sigma: Float = 5, draws: Int = 10, seed: UInt64 = 0) {
        self.steps = steps
        self.baseline = baseline
        self.sigma = sigma
        self.draws = draws
        self.seed = seed
    }

    public var name: String { "integrated-gradients" }
    public var isSigned: Bool { true }

    /// Explains `image` for `target`; input attributions take no layer.
    public func explain(
        _ image: ExplainedImage, target: Target, layer: String?, model: Model
    ) throws(ExplainError) -> Explanation {
        try explain(image, target: target, model: model)
    }

    /// Explains `image` for `target` from this method's baselines.
    public func explain(_ image: ExplainedImage, target: Target, model: Model) throws(ExplainError) -> Explanation {
        try explain(image, target: target, model: model, from: baselines(for: image, shape: model.inputShape))
    }

    /// Explains `image` for `target` from `references` (`baselines(for:shape:)`).
    public func explain(
        _ image: ExplainedImage, target: Target, model: Model, from references: [[Float]]
    ) throws(ExplainError) -> Explanation {
        let engine = GradientEngine(model: model, target: target)
        let logits = engine.logits(image.pixels)
        let k = try engine.resolve(target, logits: logits.scalars[...], label: image.label)
        return Explanation(
            method: name, layer: nil, targetClass: k,
            map: attribute(image.pixels, from: references, targetClass: k, engine: engine),
            isSigned: true, probabilities: softmax(logits).scalars, contrastClass: target.subtracted)
    }

    /// From this method's baselines; `data` needs the training images only `explain` is
    /// given, so here it integrates from black.
    public func attribute(_ image: Tensor, targetClass: Int, engine: GradientEngine) -> Heatmap {
        let references =
            (try? baselines(for: ExplainedImage(pixels: image), shape: engine.model.inputShape))
            ?? [[Float](repeating: 0, count: image.count)]
        return attribute(image, from: references, targetClass: targetClass, engine: engine)
    }

    /// The baselines this method integrates from for `image` (`[h, w, c]` each, in input
    /// numbers): one, or `draws` for the drawn kinds, seeded by the image's pixels.
    public func baselines(for image: ExplainedImage, shape: [Int]) throws(ExplainError) -> [[Float]] {
        let x = image.pixels.scalars
        let low = x.min() ?? 0, high = x.max() ?? 1
        var random = SeededRandom(seed: seed ^ image.contentHash, stream: 0x1B)
        switch baseline {
        case .black: return [[Float](repeating: 0, count: x.count)]
        case .maxDistance: return [x.map { $0 > (low + high) / 2 ? low : high }]
        case .blur: return [Faithfulness.blur(x, h: shape[0], w: shape[1], c: shape[2], sigma: sigma)]
        case .uniform:
            return (0..<draws).map { _ in x.map { _ in low + (high - low) * random.nextUnit() } }
        case .data:
            guard let images = image.background?.images, images.batchSize > 0 else { throw .noBackground(method: name) }
            let size = x.count
            precondition(images.count / images.batchSize == size, "background images of another shape")
            return (0..<draws).map { _ in
                let r = Int(random.next() % UInt64(images.batchSize))
                return Array(images.scalars[(r * size)..<((r + 1) * size)])
            }
        }
    }

    /// The attributions averaged over `references`.
    public func attribute(
        _ image: Tensor, from references: [[Float]], targetClass: Int, engine: GradientEngine
    ) -> Heatmap {
        let size = image.count
        let (nodes, weights) = Self.gaussLegendre(steps)
        var attribution = [Float](repeating: 0, count: size)
        for reference in references {
            var batch = [Float](repeating: 0, count: steps * size)
            for (s, alpha) in nodes.enumerated() {
                for i in 0..<size {
                    batch[s * size + i] = reference[i] + Float(alpha) * (image.scalars[i] - reference[i])
                }
            }
            let g = engine.gradients(
                Tensor(shape: [steps] + engine.model.inputShape, scalars: batch),
                classes: Array(repeating: targetClass, count: steps)
            ).gradients
            var integral = [Double](repeating: 0, count: size)
            for s in 0..<steps {
                for i in 0..<size { integral[i] += weights[s] * Double(g.scalars[s * size + i]) }
            }
            for i in 0..<size { attribution[i] += Float(integral[i]) * (image.scalars[i] - reference[i]) }
        }
        if references.count > 1 { attribution = attribution.map { $0 / Float(references.count) } }
        return inputMap(attribution[...], shape: engine.model.inputShape)
    }

    /// Nodes and weights of `n`-point Gauss–Legendre quadrature mapped to [0, 1]: the
    /// roots of the Legendre polynomial P_n by Newton's method from Chebyshev guesses.
    static func gaussLegendre(_ n: Int) -> (nodes: [Double], weights: [Double]) {
        var nodes = [Double](repeating: 0, count: n), weights = nodes
        for i in 0..<n {
            var x = cos(Double.pi * (Double(i) + 0.75) / (Double(n) + 0.5))
            var derivative = 0.0
            for _ in 0..<100 {
                // P_n(x) and P_n'(x) by the three-term recurrence.
                var p0 = 1.0, p1 = x
                for k in stride(from: 2, through: n, by: 1) {
                    let p2 = ((2 * Double(k) - 1) * x * p1 - (Double(k) - 1) * p0) / Double(k)
                    p0 = p1; p1 = p2
                }
                let pn = n == 0 ? 1 : (n == 1 ? x : p1), pPrev = n == 1 ? 1 : p0
                derivative = Double(n) * (x * pn - pPrev) / (x * x - 1)
                let step = pn / derivative
                x -= step
                if abs(step) < 1e-15 { break }
            }
            nodes[i] = (1 - x) / 2
            weights[i] = 1 / ((1 - x * x) * derivative * derivative)
        }
        return (nodes, weights)
    }
}
