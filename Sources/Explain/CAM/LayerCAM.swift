import Render

/// Layer-CAM (Jiang et al., 2021, eq. 5): each location weighs its own activation by its
/// positive gradient, `ReLU(Σ_k ReLU(G_k) ⊙ A_k)`; finer than Grad-CAM on early layers.
public struct LayerCAM: CAMWeighting {
    public init() {}
    public var name: String { "layercam" }
    public var readsCellGradients: Bool { true }

    /// Layer-CAM has no per-channel weights; these are the mean spatial weights, for reports.
    public func weights(_ c: CAMContext) -> [Float] {
        (0..<c.channels).map { k in (0..<c.pixels).reduce(0) { $0 + max(c.gradient($1, k), 0) } / Float(c.pixels) }
    }

    public func map(_ c: CAMContext) -> Heatmap {
        var values = [Float](repeating: 0, count: c.pixels)
        for p in 0..<c.pixels {
            var sum: Float = 0
            for k in 0..<c.channels { sum += max(c.gradient(p, k), 0) * c.activation(p, k) }
            values[p] = max(sum, 0)
        }
        return Heatmap(width: c.width, height: c.height, values: values)
    }
}
