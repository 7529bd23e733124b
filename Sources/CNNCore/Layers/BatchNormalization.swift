import Foundation

/// Batch normalization over the last (channel) axis (Ioffe & Szegedy, 2015; Keras
/// `BatchNormalization`, ONNX `BatchNormalization`):
/// `y = γ · (x − μ) / √(σ² + ε) + β`.
///
/// Inference uses the moving mean and variance. Training normalizes with the batch's own
/// mean and (biased) variance, and after each step folds them into the moving statistics
/// as Keras does: `moving = momentum · moving + (1 − momentum) · batch`. The moving
/// statistics are non-trainable parameters: they get no gradient.
public struct BatchNormalization: Layer {
    public let name: String
    public let inputShape: [Int]
    public let epsilon: Float
    public let momentum: Float
    /// Whether the layer has `beta` (center) and `gamma` (scale); without, they are 0 and 1.
    public let center: Bool
    public let scale: Bool

    public var kind: String { "BatchNormalization" }
    public var outputShape: [Int] { inputShape }
    public var activation: Activation { .linear }
    public var multiplyAccumulates: Int { inputShape.elementCount }
    var channels: Int { inputShape.last! }

    public init(
        name: String, inputShape: [Int], epsilon: Float = 1e-3, momentum: Float = 0.99, center: Bool = true,
        scale: Bool = true
    ) {
        self.name = name
        self.inputShape = inputShape
        self.epsilon = epsilon
        self.momentum = momentum
        self.center = center
        self.scale = scale
    }

    public var parameterShapes: [ParameterShape] {
        let c = [channels]
        return (scale ? [ParameterShape(key: "gamma", shape: c, initializer: .ones)] : [])
            + (center ? [ParameterShape(key: "beta", shape: c, initializer: .zeros)] : [])
            + [
                ParameterShape(key: "moving_mean", shape: c, initializer: .zeros, role: .statistic),
                ParameterShape(key: "moving_variance", shape: c, initializer: .ones, role: .statistic),
            ]
    }

    /// Offsets of the four vectors in the layer's parameter slice (nil: absent).
    private var offsets: (gamma: Int?, beta: Int?, mean: Int, variance: Int) {
        let c = channels
        let gamma: Int? = scale ? 0 : nil
        let beta: Int? = center ? (scale ? c : 0) : nil
        let mean = ((scale ? 1 : 0) + (center ? 1 : 0)) * c
        return (gamma, beta, mean, mean + c)
    }

    /// The batch mean, variance and 1/√(σ² + ε) per channel, then x̂ for the whole batch.
    public func scratchCount(batch: Int) -> Int { 3 * channels + batch * inputShape.elementCount }

    public func forward(_ io: LayerIO) {
        let c = channels, rows = io.batch * inputShape.elementCount / c
        let p = io.parameters, o = offsets
        let mean = io.scratch, variance = io.scratch + c, inverse = io.scratch + 2 * c
        if io.isTraining {
            // Two passes in Double: one-pass variance loses digits when |μ| ≫ σ.
            var sums = [Double](repeating: 0, count: c), squares = [Double](repeating: 0, count: c)
            for r in 0..<rows { for k in 0..<c { sums[k] += Double(io.input[r * c + k]) } }
            for k in 0..<c { sums[k] /= Double(max(rows, 1)) }
            for r in 0..<rows {
                for k in 0..<c {
                    let d = Double(io.input[r * c + k]) - sums[k]
                    squares[k] += d * d
                }
            }
            for k in 0..<c {
                mean[k] = Float(sums[k])
                variance[k] = Float(squares[k] / Double(max(rows, 1)))
            }
        } else {
            for k in 0..<c {
                mean[k] = p[o.mean + k]
                variance[k] = p[o.variance + k]
            }
        }
        for k in 0..<c { inverse[k] = 1 / (variance[k] + epsilon).squareRoot() }
        let xhat = io.scratch + 3 * c
        let gamma = (0..<c).map { k in o.gamma.map { p[$0 + k] } ?? 1 }
        let beta = (0..<c).map { k in o.beta.map { p[$0 + k] } ?? 0 }
        for r in 0..<rows {
            for k in 0..<c {
                let i = r * c + k
                let n = (io.input[i] - mean[k]) * inverse[k]
                xhat[i] = n
                io.output[i] = n * gamma[k] + beta[k]
            }
        }
    }

    public func backward(_ io: LayerIO, _ gradients: LayerGradients) {
        let c = channels, rows = io.batch * inputShape.elementCount / c
        let p = io.parameters, o = offsets, dy = gradients.output
        let inverse = io.scratch + 2 * c, xhat = io.scratch + 3 * c
        var sumDy = [Double](repeating: 0, count: c), sumDyXhat = [Double](repeating: 0, count: c)
        for r in 0..<rows {
            for k in 0..<c {
                let i = r * c + k
                sumDy[k] += Double(dy[i])
                sumDyXhat[k] += Double(dy[i]) * Double(xhat[i])
            }
        }
        if let dp = gradients.parameters {
            for k in 0..<c {
                if let g = o.gamma { dp[g + k] += Float(sumDyXhat[k]) }
                if let b = o.beta { dp[b + k] += Float(sumDy[k]) }
            }
        }
        guard let dx = gradients.input else { return }
        let gamma = (0..<c).map { k in o.gamma.map { p[$0 + k] } ?? 1 }
        if io.isTraining {
            // dx = γ/σ · (dy − mean(dy) − x̂ · mean(dy · x̂)): μ and σ depend on every input.
            let m = Double(max(rows, 1))
            for r in 0..<rows {
                for k in 0..<c {
                    let i = r * c + k
                    let centred = Double(dy[i]) - sumDy[k] / m - Double(xhat[i]) * sumDyXhat[k] / m
                    dx[i] = Float(Double(gamma[k] * inverse[k]) * centred)
                }
            }
        } else {
            for r in 0..<rows {
                for k in 0..<c { dx[r * c + k] = dy[r * c + k] * gamma[k] * inverse[k] }
            }
        }
    }

    public func updateState(parameters p: UnsafeMutablePointer<Float>, scratch: UnsafePointer<Float>) {
        let c = channels, o = offsets
        for k in 0..<c {
            p[o.mean + k] = momentum * p[o.mean + k] + (1 - momentum) * scratch[k]
            p[o.variance + k] = momentum * p[o.variance + k] + (1 - momentum) * scratch[c + k]
        }
    }
}

// What it says about itself (LayerDescription.swift).
extension BatchNormalization {
    public var operation: OperationDescription { OperationDescription("batchnorm", ["epsilon": .float(epsilon)]) }
    public var gridMapping: GridMapping { .sameGrid }
    public var propagation: PropagationRole { .scaling }
}
