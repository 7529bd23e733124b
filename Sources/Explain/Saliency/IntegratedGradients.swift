import CNN
import Foundation
import Render

/// Integrated Gradients (Sundararajan et al., 2017, eq. 1):
/// `IG_i(x) = (x_i − x'_i) · ∫₀¹ ∂F(x' + α(x − x'))/∂x_i dα`, the integral by
/// Gauss–Legendre quadrature with `steps` nodes on [0, 1] (Captum's default), all
/// steps in one batch. Attributions add up to `F(x) − F(x')` (completeness).
public struct IntegratedGradients: SaliencyMethod {
    public var steps: Int
    /// The baseline x' as a constant pixel value (0: a black image).
    public var baseline: Float

    public init(steps: Int = 50, baseline: Float = 0) {
        self.steps = steps
        self.baseline = baseline
    }

    public var name: String { "integrated-gradients" }
    public var isSigned: Bool { true }

    public func attribute(_ image: Tensor, targetClass: Int, engine: GradientEngine) -> Heatmap {
        let size = image.count
        let (nodes, weights) = Self.gaussLegendre(steps)
        var batch = [Float](repeating: 0, count: steps * size)
        for (s, alpha) in nodes.enumerated() {
            for i in 0..<size { batch[s * size + i] = baseline + Float(alpha) * (image.scalars[i] - baseline) }
        }
        let g = engine.gradients(
            Tensor(shape: [steps] + engine.model.inputShape, scalars: batch),
            classes: Array(repeating: targetClass, count: steps)
        ).gradients
        var integral = [Double](repeating: 0, count: size)
        for s in 0..<steps {
            for i in 0..<size { integral[i] += weights[s] * Double(g.scalars[s * size + i]) }
        }
        let attribution = (0..<size).map { Float(integral[$0]) * (image.scalars[$0] - baseline) }
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
