import Foundation

/// Local response normalization across channels (AlexNet, GoogLeNet, ZFNet; ONNX `LRN`):
/// each value divided by a power of the sum of squares in a window of neighbouring channels,
///
///     y[c] = x[c] / (bias + alpha / size · Σ x[i]²)^beta,   i from c − before to c + after,
///
/// clipped to the channels there are. ONNX puts ⌊(size − 1) / 2⌋ channels before and the
/// rest after; an odd size centres the window as Caffe and PyTorch do.
public struct LocalResponseNormalization: Layer {
    public let name: String
    public let inputShape: [Int]
    public let size: Int
    public let alpha: Float
    public let beta: Float
    public let bias: Float
    /// Channels of the window before the value's own.
    public let before: Int

    public var kind: String { "LRN" }
    public var outputShape: [Int] { inputShape }
    public var activation: Activation { .linear }
    public var parameterShapes: [ParameterShape] { [] }
    public var multiplyAccumulates: Int { inputShape.elementCount * size }

    public init(name: String, inputShape: [Int], size: Int, alpha: Float, beta: Float, bias: Float, before: Int? = nil)
    {
        precondition(size > 0 && !inputShape.isEmpty, "LRN needs a positive size and a shape with channels")
        self.name = name
        self.inputShape = inputShape
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.bias = bias
        self.before = before ?? (size - 1) / 2
    }

    public func scratchCount(batch: Int) -> Int { 0 }

    private var channels: Int { inputShape[inputShape.count - 1] }

    /// The channels whose window holds channel `c`'s square, or that `c`'s window reads.
    private func window(_ c: Int) -> Range<Int> {
        max(0, c - before)..<min(channels, c + size - before)
    }

    /// `bias + alpha / size · Σ x²` over each channel's window, at one position.
    private func denominators(_ x: UnsafePointer<Float>, into s: UnsafeMutableBufferPointer<Float>) {
        let scale = alpha / Float(size)
        for c in 0..<channels {
            var sum: Float = 0
            for i in window(c) { sum += x[i] * x[i] }
            s[c] = bias + scale * sum
        }
    }

    public func forward(_ io: LayerIO) {
        let c = channels, positions = io.batch * inputShape.elementCount / c
        withUnsafeTemporaryAllocation(of: Float.self, capacity: c) { s in
            for p in 0..<positions {
                let x = io.input + p * c, y = io.output + p * c
                denominators(x, into: s)
                for k in 0..<c { y[k] = x[k] * Foundation.pow(s[k], -beta) }
            }
        }
    }

    /// dx[k] = g[k]·s[k]^−β − (2αβ / size)·x[k]·Σ g[c]·x[c]·s[c]^(−β−1), over the channels c
    /// whose window holds k.
    public func backward(_ io: LayerIO, _ gradients: LayerGradients) {
        guard let dx = gradients.input else { return }
        let c = channels, positions = io.batch * inputShape.elementCount / c
        let factor = 2 * alpha * beta / Float(size)
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * c) { buffer in
            let s = UnsafeMutableBufferPointer(rebasing: buffer[0..<c])
            let t = UnsafeMutableBufferPointer(rebasing: buffer[c..<(2 * c)])
            for p in 0..<positions {
                let x = io.input + p * c, g = gradients.output + p * c, d = dx + p * c
                denominators(x, into: s)
                for k in 0..<c { t[k] = g[k] * x[k] * Foundation.pow(s[k], -beta - 1) }
                for k in 0..<c {
                    // Channel k sits in the windows of channels k − after … k + before.
                    var sum: Float = 0
                    for j in max(0, k - (size - 1 - before))..<min(c, k + before + 1) { sum += t[j] }
                    d[k] = g[k] * Foundation.pow(s[k], -beta) - factor * x[k] * sum
                }
            }
        }
    }
}

// What it says about itself (LayerDescription.swift).
extension LocalResponseNormalization {
    public var operation: OperationDescription {
        OperationDescription(
            "lrn",
            [
                "size": .int(size), "alpha": .float(alpha), "beta": .float(beta), "bias": .float(bias),
                "before": .int(before),
            ])
    }
    public var gridMapping: GridMapping { .sameGrid }
    public var propagation: PropagationRole { .normalization }
}
