import CNN

/// Completeness (Sundararajan et al., 2017): the attributions should add up to the change
/// of the target's logit from the baseline (0, black) to the image, `Σᵢ aᵢ = f(x) − f(0)`.
/// The score is the relative gap `|Σ a − (f(x) − f(0))| / |f(x) − f(0)|`: 0 for a method
/// that is complete (Integrated Gradients with enough steps, DeepLIFT), large for one that
/// is not meant to be. Quantus returns whether the two are equal; a number says by how much
/// they are not. Lower is better; it is defined for signed pixel attributions only.
public struct Completeness: ExplanationMetric {
    public init() {}
    public var name: String { "Completeness" }
    public var family: MetricFamily { .axiomatic }
    public var higherIsBetter: Bool { false }
    public var settings: [String] { ["baseline = black", "relative gap", "logits"] }

    public func scores(_ input: MetricInput) -> [Double] {
        let model = input.model, size = model.inputShape.elementCount
        return input.images.indices.map { n in
            var batch = [Float](repeating: 0, count: 2 * size)
            batch.replaceSubrange(0..<size, with: input.images[n].scalars)
            let logits = MetricMath.logits(model, batch, count: 2, target: input.targets[n])
            let change = logits[0] - logits[1]
            let sum = input.maps[n].values.reduce(0.0) { $0 + Double($1) }
            return abs(change) > 0 ? abs(sum - change) / abs(change) : .nan
        }
    }
}
