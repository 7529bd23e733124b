import Render

/// HiResCAM (Draelos & Carin, 2020, eq. 4): each location weighs its activation by its own
/// gradient, `ReLU(Σ_k G_k ⊙ A_k)`. For a model that flattens the layer's output into
/// dense layers, the sum (before the ReLU) is exactly the target logit's first-order share
/// of each location, which Grad-CAM's averaged gradients are not.
public struct HiResCAM: CAMWeighting {
    public init() {}
    public var name: String { "hirescam" }
    public var readsCellGradients: Bool { true }

    /// HiResCAM has no per-channel weights; these are the mean gradients, for reports.
    public func weights(_ c: CAMContext) -> [Float] {
        (0..<c.channels).map { k in (0..<c.pixels).reduce(0) { $0 + c.gradient($1, k) } / Float(c.pixels) }
    }

    public func map(_ c: CAMContext) -> Heatmap {
        var values = [Float](repeating: 0, count: c.pixels)
        for p in 0..<c.pixels {
            var sum: Float = 0
            for k in 0..<c.channels { sum += c.gradient(p, k) * c.activation(p, k) }
            values[p] = max(sum, 0)
        }
        return Heatmap(width: c.width, height: c.height, values: values)
    }
}

/// XGradCAM (Fu et al., 2020, eq. 9): channel weights are the gradients averaged with the
/// activations' own shares as weights, `w_k = Σ_ij (A_ij / Σ_ab A_ab) G_ij`, which makes
/// the map satisfy the paper's sensitivity and conservation axioms for ReLU networks.
/// The 1e-7 in the denominator is pytorch-grad-cam's.
public struct XGradCAM: CAMWeighting {
    public init() {}
    public var name: String { "xgradcam" }

    public func weights(_ c: CAMContext) -> [Float] {
        (0..<c.channels).map { k in
            var activationSum: Float = 0, weighted: Float = 0
            for p in 0..<c.pixels {
                activationSum += c.activation(p, k)
                weighted += c.activation(p, k) * c.gradient(p, k)
            }
            return weighted / (activationSum + 1e-7)
        }
    }
}
