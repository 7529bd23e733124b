import Foundation

/// The softmax over the last axis, inside the network (ONNX `Softmax` with `axis = -1` on a
/// tensor that is not the model's output): a Vision Transformer's attention weights, each
/// query's row summing to 1. A softmax on the class scores is not this layer but the last
/// layer's `Activation.softmax`, which leaves the logits in place (DESIGN.md).
public struct Softmax: Layer {
    public let name: String
    public let inputShape: [Int]

    public var kind: String { "Softmax" }
    public var outputShape: [Int] { inputShape }
    public var activation: Activation { .linear }
    public var parameterShapes: [ParameterShape] { [] }
    public var multiplyAccumulates: Int { inputShape.elementCount }
    private var width: Int { inputShape.last! }

    public init(name: String, inputShape: [Int]) {
        precondition(!inputShape.isEmpty, "Softmax needs an axis")
        self.name = name
        self.inputShape = inputShape
    }

    public func scratchCount(batch: Int) -> Int { 0 }

    public func forward(_ io: LayerIO) {
        let n = width
        for r in 0..<io.batch * inputShape.elementCount / n {
            let x = io.input + r * n, y = io.output + r * n
            var top = x[0]
            for j in 1..<n where x[j] > top { top = x[j] }
            var sum: Float = 0
            for j in 0..<n {
                y[j] = expf(x[j] - top)
                sum += y[j]
            }
            for j in 0..<n { y[j] /= sum }
        }
    }

    /// dx = y ⊙ (dy − Σ dy ⊙ y), row by row.
    public func backward(_ io: LayerIO, _ gradients: LayerGradients) {
        guard let dx = gradients.input else { return }
        let n = width
        for r in 0..<io.batch * inputShape.elementCount / n {
            let y = io.output + r * n, dy = gradients.output + r * n, d = dx + r * n
            var dot: Float = 0
            for j in 0..<n { dot += dy[j] * y[j] }
            for j in 0..<n { d[j] = y[j] * (dy[j] - dot) }
        }
    }
}

// What it says about itself (LayerDescription.swift).
extension Softmax {
    public var operation: OperationDescription { OperationDescription("softmax") }
    public var gridMapping: GridMapping { .noGrid }
    /// Each value divided by a sum over its row, as layer normalization divides.
    public var propagation: PropagationRole { .normalization }
}
