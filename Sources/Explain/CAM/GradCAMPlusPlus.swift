/// Grad-CAM++ (Chattopadhyay et al., 2018, eq. 19), with exponential scores as
/// pytorch-grad-cam implements it: `α_ij = G² / (2G² + Σ_ab A_ab · G³)` (0 where G = 0),
/// `w_k = Σ_ij α_ij · ReLU(G_ij)`.
public struct GradCAMPlusPlus: CAMWeighting {
    public init() {}
    public var name: String { "gradcam++" }

    public func weights(_ c: CAMContext) -> [Float] {
        (0..<c.channels).map { k in
            var activationSum: Float = 0
            for p in 0..<c.pixels { activationSum += c.activation(p, k) }
            var w: Float = 0
            for p in 0..<c.pixels {
                let g = c.gradient(p, k)
                guard g != 0 else { continue }
                let g2 = g * g, g3 = g2 * g
                let alpha = g2 / (2 * g2 + activationSum * g3 + 1e-7)
                w += alpha * max(g, 0)
            }
            return w
        }
    }
}
