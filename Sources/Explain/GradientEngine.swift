import CNN

/// Batched forward and backward passes for explanations: the logits of `n` images, and
/// the gradient of each image's target logit with respect to a layer's output (or the
/// input), with the activations there.
///
/// Many-pass methods (SmoothGrad, Integrated Gradients, Score-CAM, occlusion) put all
/// their passes in one batch, which is where they gain on per-pass frameworks.
public struct GradientEngine: Sendable {
    public let model: Model

    public init(model: Model) { self.model = model }

    /// The result of one batched pass.
    public struct Pass: Sendable {
        /// `[n, classes]` pre-softmax scores.
        public let logits: Tensor
        /// The output of the layer the gradient was taken at (`[n, …]`), or the input.
        public let activations: Tensor
        /// d logit[target] / d activations, same shape.
        public let gradients: Tensor
    }

    /// Logits only, `[n, classes]`.
    public func logits(_ input: Tensor) -> Tensor { model.logits(input) }

    /// For each image `i`, d logits[i, classes[i]] / d (output of `layer`), where `layer`
    /// -1 is the input. With `guided`, ReLUs backpropagate as guided backpropagation.
    public func gradients(_ input: Tensor, classes: [Int], at layer: Int = -1, guided: Bool = false,
                          batchSize: Int = 64) -> Pass {
        let n = input.batchSize, last = model.layers.count - 1, classCount = model.classCount
        let shape = layer < 0 ? model.inputShape : model.layers[layer].outputShape
        let size = shape.elementCount, inSize = model.inputShape.elementCount
        var logits = [Float](repeating: 0, count: n * classCount)
        var activations = [Float](repeating: 0, count: n * size), gradients = activations
        let workspace = Workspace(model: model, capacity: min(batchSize, max(n, 1)))
        var start = 0
        while start < n {
            let count = min(workspace.capacity, n - start)
            let threads = count == 1 ? Parallelism.workers : 1
            input.scalars.withUnsafeBufferPointer { workspace.input.update(from: $0.baseAddress! + start * inSize, count: count * inSize) }
            model.forward(workspace, batch: count, threads: threads)
            var seed = Tensor(shape: [count, classCount])
            for i in 0..<count { seed.scalars[i * classCount + classes[start + i]] = 1 }
            workspace.setGradient(of: last, seed)
            model.backward(workspace, batch: count, from: last, to: layer, threads: threads, guided: guided)
            let out = workspace.output(of: last, batch: count, shape: [classCount])
            logits.replaceSubrange(start * classCount ..< (start + count) * classCount, with: out.scalars)
            activations.replaceSubrange(start * size ..< (start + count) * size,
                                        with: workspace.output(of: layer, batch: count, shape: shape).scalars)
            gradients.replaceSubrange(start * size ..< (start + count) * size,
                                      with: workspace.gradient(of: layer, batch: count, shape: shape).scalars)
            start += count
        }
        return Pass(logits: Tensor(shape: [n, classCount], scalars: logits),
                    activations: Tensor(shape: [n] + shape, scalars: activations),
                    gradients: Tensor(shape: [n] + shape, scalars: gradients))
    }

    /// The class a target names for an image with the given logits and label.
    public func resolve(_ target: Target, logits: ArraySlice<Float>, label: Int?) throws(ExplainError) -> Int {
        switch target {
        case .predicted:
            var best = logits.startIndex
            for i in logits.indices where logits[i] > logits[best] { best = i }
            return best - logits.startIndex
        case .trueLabel:
            guard let label else { throw .noLabel }
            return label
        case .class(let k):
            guard (0..<model.classCount).contains(k) else { throw .classOutOfRange(k, classes: model.classCount) }
            return k
        }
    }
}
