/// Grad-CAM (Selvaraju et al., 2017, eq. 1–2): `w_k` is the spatial mean of the gradient
/// of the target logit with respect to channel `k`.
public struct GradCAM: CAMWeighting {
    public init() {}
    public var name: String { "gradcam" }

    public func weights(_ c: CAMContext) -> [Float] {
        (0..<c.channels).map { k in
            var sum: Float = 0
            for p in 0..<c.pixels { sum += c.gradient(p, k) }
            return sum / Float(c.pixels)
        }
    }
}
