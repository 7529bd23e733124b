import Foundation

/// Layer normalization over the last axis (Ba et al. 2016): each position's feature vector
/// (an image's channels, a token's features) shifted to mean 0 and scaled to variance 1,
/// then `y = gamma · x̂ + beta` per feature. ConvNeXt applies it to channels-last maps,
/// Vision Transformers to tokens; ONNX `LayerNormalization` with `axis = -1`, Keras
/// `LayerNormalization(axis=-1)`. The variance is the biased one, as both frameworks use.
public struct LayerNormalization: Layer {
    public let name: String
    public let inputShape: [Int]
    public let epsilon: Float

    public var kind: String { "LayerNormalization" }
    public var outputShape: [Int] { inputShape }
    public var activation: Activation { .linear }
    public var multiplyAccumulates: Int { 4 * inputShape.elementCount }
    var features: Int { inputShape[inputShape.count - 1] }

    public init(name: String, inputShape: [Int], epsilon: Float = 1e-5) {
        precondition(!inputShape.isEmpty, "LayerNormalization needs a shape with features")
        self.name = name
        self.inputShape = inputShape
        self.epsilon = epsilon
    }

    public var parameterShapes: [ParameterShape] {
        [
            ParameterShape(key: "gamma", shape: [features], initializer: .ones),
            ParameterShape(key: "beta", shape: [features], initializer: .zeros),
        ]
    }

    public func scratchCount(batch: Int) -> Int { 0 }

    /// The mean and 1 / standard deviation of the `n` values at `x`, accumulated in Double.
    @inline(__always)
    private func statistics(_ x: UnsafePointer<Float>, _ n: Int) -> (mean: Float, inverse: Float) {
        var sum = 0.0
        for k in 0..<n { sum += Double(x[k]) }
        let mean = sum / Double(n)
        var squares = 0.0
        for k in 0..<n { squares += (Double(x[k]) - mean) * (Double(x[k]) - mean) }
        return (Float(mean), Float(1 / (squares / Double(n) + Double(epsilon)).squareRoot()))
    }

    public func forward(_ io: LayerIO) {
        let n = features, rows = io.batch * inputShape.elementCount / n
        let gamma = io.parameters, beta = io.parameters + n
        for r in 0..<rows {
            let x = io.input + r * n, y = io.output + r * n
            let (mean, inverse) = statistics(x, n)
            for k in 0..<n { y[k] = (x[k] - mean) * inverse * gamma[k] + beta[k] }
        }
    }

    /// With x̂ the normalized input and g = gamma · dy:
    /// dx = (g − mean(g) − x̂ · mean(g · x̂)) / σ; dgamma = Σ dy · x̂; dbeta = Σ dy.
    public func backward(_ io: LayerIO, _ gradients: LayerGradients) {
        let n = features, rows = io.batch * inputShape.elementCount / n
        let gamma = io.parameters, dy = gradients.output
        for r in 0..<rows {
            let x = io.input + r * n, d = dy + r * n
            let (mean, inverse) = statistics(x, n)
            if let dp = gradients.parameters {
                for k in 0..<n {
                    dp[k] += d[k] * (x[k] - mean) * inverse
                    dp[n + k] += d[k]
                }
            }
            guard let dx = gradients.input else { continue }
            var meanG = 0.0, meanGX = 0.0
            for k in 0..<n {
                let g = Double(gamma[k] * d[k])
                meanG += g
                meanGX += g * Double((x[k] - mean) * inverse)
            }
            meanG /= Double(n)
            meanGX /= Double(n)
            for k in 0..<n {
                let xHat = (x[k] - mean) * inverse
                dx[r * n + k] = (gamma[k] * d[k] - Float(meanG) - xHat * Float(meanGX)) * inverse
            }
        }
    }
}

// What it says about itself (LayerDescription.swift).
extension LayerNormalization {
    public var operation: OperationDescription { OperationDescription("layernorm", ["epsilon": .float(epsilon)]) }
    public var gridMapping: GridMapping { .sameGrid }
    public var propagation: PropagationRole { .normalization }
}
