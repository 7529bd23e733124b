import Foundation

/// An update rule for the flat parameter vector. The trainer does the bookkeeping
/// (gradients, batches); an optimizer supplies only the rule.
public protocol Optimizer: Sendable {
    /// Applies one step to `parameters[range]` given the gradients of the mean loss.
    /// Called for disjoint ranges in parallel after `beginStep()`.
    func update(_ parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>, range: Range<Int>)
    /// Advances the step counter once per batch, before the `update` calls.
    mutating func beginStep()
}

/// Adam (Kingma & Ba, 2015) as Keras implements it: the bias corrections folded into the
/// step size, `lr_t = lr · √(1 − β₂ᵗ) / (1 − β₁ᵗ)`, and ε = 1e-7 added to √v.
public struct Adam: Optimizer {
    public var learningRate: Float
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-7
    private let moments: MomentBuffers
    private var step = 0
    private var stepSize: Float = 0

    public init(learningRate: Float, parameterCount: Int) {
        self.learningRate = learningRate
        moments = MomentBuffers(count: parameterCount, buffers: 2)
    }

    public mutating func beginStep() {
        step += 1
        let t = Double(step)
        stepSize = Float(Double(learningRate) * (1 - pow(Double(beta2), t)).squareRoot() / (1 - pow(Double(beta1), t)))
    }

    public func update(_ p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>, range: Range<Int>) {
        let m = moments.pointers[0], v = moments.pointers[1]
        let (b1, b2, eps, lr) = (beta1, beta2, epsilon, stepSize)
        for i in range {
            m[i] = b1 * m[i] + (1 - b1) * g[i]
            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
            p[i] -= lr * m[i] / (v[i].squareRoot() + eps)
        }
    }
}

/// Stochastic gradient descent with (optional) momentum, as Keras's `SGD`:
/// `v ← μ·v − lr·g; p ← p + v`.
public struct SGD: Optimizer {
    public var learningRate: Float
    public var momentum: Float
    private let velocity: MomentBuffers

    public init(learningRate: Float, momentum: Float = 0, parameterCount: Int) {
        self.learningRate = learningRate
        self.momentum = momentum
        velocity = MomentBuffers(count: parameterCount, buffers: 1)
    }

    public mutating func beginStep() {}

    public func update(_ p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>, range: Range<Int>) {
        let v = velocity.pointers[0]
        for i in range {
            v[i] = momentum * v[i] - learningRate * g[i]
            p[i] += v[i]
        }
    }
}

/// Per-parameter optimizer state, zero-initialized; updated in place from several
/// threads on disjoint ranges.
final class MomentBuffers: @unchecked Sendable {  // raw buffers updated on disjoint ranges
    let pointers: [UnsafeMutablePointer<Float>]

    init(count: Int, buffers: Int) {
        pointers = (0..<buffers).map { _ in
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
            p.initialize(repeating: 0, count: max(count, 1))
            return p
        }
    }

    deinit { pointers.forEach { $0.deallocate() } }
}
