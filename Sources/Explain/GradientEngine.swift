import CNN

/// Batched forward and backward passes for explanations: the logits of `n` images, and
/// the gradient of each image's target logit with respect to a layer's output (or the
/// input), with the activations there.
///
/// Many-pass methods (SmoothGrad, Integrated Gradients, Score-CAM, occlusion) put all
/// their passes in one batch, which is where they gain on per-pass frameworks.
public struct GradientEngine: Sendable {
    public let model: Model
    /// A class whose logit every gradient subtracts (a contrastive target's second).
    public var subtract: Int?

    public init(model: Model) { self.model = model }

    /// The bytes a many-image pass's workspace may take per core (see `gradients`).
    static let workspaceBudget = 64 << 20

    /// An engine for `target`: a contrast's gradients are of `logit[a] − logit[b]`.
    public init(model: Model, target: Target) {
        self.model = model
        subtract = target.subtracted
    }

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
    /// -1 is the input. `rule` may replace the ReLUs' gradient (guided backpropagation, deconvnet).
    public func gradients(
        _ input: Tensor, classes: [Int], at layer: Int = -1, rule: ReLUBackwardRule = .gradient,
        batchSize: Int = 32
    ) -> Pass {
        // A resolver that cannot fail.
        try! gradients(input, at: layer, rule: rule, batchSize: batchSize) { i, _ in classes[i] }.pass
    }

    /// As above, choosing each image's class from its logits in the same forward pass
    /// (so explaining the predicted class costs one forward pass, not two).
    ///
    /// The layers up to `layer` run on the fast kernels (Winograd), whose last bits depend
    /// on a value's position in its tile; that moves max pooling's ties (a blank background)
    /// to another cell of the window, which no channel-averaged map notices. With
    /// `exactKernels` they run exactly, for maps that read each cell's own gradient.
    public func gradients(
        _ input: Tensor, at layer: Int = -1, rule: ReLUBackwardRule = .gradient, batchSize: Int = 32,
        exactKernels: Bool = false,
        classFor: (_ index: Int, _ logits: ArraySlice<Float>) throws(ExplainError) -> Int
    )
        throws(ExplainError) -> (pass: Pass, classes: [Int])
    {
        let n = input.batchSize, classCount = model.classCount
        let shape = layer < 0 ? model.inputShape : model.layers[layer].outputShape
        let size = shape.elementCount
        let logits = FloatBuffer(count: n * classCount), activations = FloatBuffer(count: n * size)
        let gradients = FloatBuffer(count: n * size)
        var classes = [Int](repeating: 0, count: n)
        // One image: every GEMM split across the cores. Several: one shard of images per
        // core, each in its own workspace — forward passes in parallel, then the classes
        // are chosen, then backward passes in parallel.
        let shards = n == 1 ? [0..<1] : splitRange(n, parts: Parallelism.workers)
        let threads = n == 1 ? Parallelism.workers : 1
        // Images per pass: at most what fits a workspace of about 64 MB. A 224×224 model's
        // workspace for 25 images took a gigabyte, and every layer then streamed its
        // batch from memory: SqueezeNet's SmoothGrad ran at half Captum's speed.
        let capacity = Workspace.capacity(
            model, upTo: min(batchSize, shards.map(\.count).max() ?? 1), within: GradientEngine.workspaceBudget)
        let model = self.model
        return try WorkspacePool.with(model, capacity: capacity, count: shards.count) {
            (workspaces) throws(ExplainError) in
            // Each shard walks its images in near-equal chunks of at most the workspace's
            // capacity (25 images as 7+6+6+6, not 8+8+8+1: a one-image chunk reads the dense
            // weights for a single row).
            let chunks = shards.map { shard in
                splitRange(shard.count, parts: (shard.count + capacity - 1) / capacity).filter { !$0.isEmpty }
                    .map { $0.lowerBound + shard.lowerBound..<$0.upperBound + shard.lowerBound }
            }
            for round in 0..<(chunks.map(\.count).max() ?? 0) {
                let work = chunks.indices.compactMap { s in round < chunks[s].count ? (s, chunks[s][round]) : nil }
                Parallelism.run(work.count) { w in
                    let (s, chunk) = work[w], ws = workspaces[s]
                    input.scalars.withUnsafeBufferPointer {
                        copyFloats(
                            ws.input, from: $0.baseAddress! + chunk.lowerBound * model.inputShape.elementCount,
                            count: chunk.count * model.inputShape.elementCount)
                    }
                    // The backward pass stops at `layer`'s output: the layers up to it
                    // need only their outputs, so their convolutions may run Winograd.
                    if layer >= 0 {
                        model.forward(
                            ws, batch: chunk.count, through: layer, threads: threads, outputsOnly: !exactKernels)
                    }
                    model.forward(ws, batch: chunk.count, from: layer + 1, threads: threads, exactKernels: exactKernels)
                    logits.copy(
                        from: ws, layer: model.layers.count - 1, batch: chunk.count, to: chunk.lowerBound * classCount)
                }
                for (_, chunk) in work {
                    for i in chunk {
                        classes[i] = try classFor(i, logits.values[i * classCount..<(i + 1) * classCount])
                    }
                }
                let chosen = classes
                Parallelism.run(work.count) { w in
                    let (s, chunk) = work[w], ws = workspaces[s], last = model.layers.count - 1
                    let seed = chunk.flatMap { model.targetSeed(chosen[$0], subtract: subtract) }
                    ws.setGradient(of: last, Tensor(shape: [chunk.count, classCount], scalars: seed))
                    model.backward(ws, batch: chunk.count, from: last, to: layer, threads: threads, rule: rule)
                    activations.copy(from: ws, layer: layer, batch: chunk.count, to: chunk.lowerBound * size)
                    gradients.copyGradient(from: ws, layer: layer, batch: chunk.count, to: chunk.lowerBound * size)
                }
            }
            let pass = Pass(
                logits: Tensor(shape: [n, classCount], scalars: logits.values),
                activations: Tensor(shape: [n] + shape, scalars: activations.values),
                gradients: Tensor(shape: [n] + shape, scalars: gradients.values))
            return (pass, classes)
        }
    }

    /// The class a target names for an image with the given logits and label.
    public func resolve(_ target: Target, logits: ArraySlice<Float>, label: Int?) throws(ExplainError) -> Int {
        switch target {
        case .predicted:
            return logits.offsetOfMax
        case .trueLabel:
            guard let label else { throw .noLabel }
            return label
        case .class(let k):
            guard (0..<model.classCount).contains(k) else { throw .classOutOfRange(k, classes: model.classCount) }
            return k
        case .contrast(let a, let b):
            for k in [a, b] where !(0..<model.classCount).contains(k) {
                throw .classOutOfRange(k, classes: model.classCount)
            }
            guard a != b else { throw .contrastOfOneClass(a) }
            return a
        }
    }
}

extension Model {
    /// The output seed of one image's explanation: 1 at the target class, −1 at a
    /// contrast's subtracted class.
    func targetSeed(_ k: Int, subtract: Int?) -> [Float] {
        var seed = [Float](repeating: 0, count: classCount)
        seed[k] = 1
        if let b = subtract { seed[b] = -1 }
        return seed
    }
}

/// A result buffer that worker threads fill in disjoint ranges.
final class FloatBuffer: @unchecked Sendable {  // a raw buffer; workers fill disjoint ranges
    private let pointer: UnsafeMutablePointer<Float>
    let count: Int

    init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { pointer.deallocate() }

    var values: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    /// Copies the first `batch` samples of layer `layer`'s output (-1: the input) to `offset`.
    func copy(from ws: Workspace, layer: Int, batch: Int, to offset: Int) {
        ws.copyOutput(of: layer, batch: batch, to: pointer + offset)
    }

    func copyGradient(from ws: Workspace, layer: Int, batch: Int, to offset: Int) {
        ws.copyGradient(of: layer, batch: batch, to: pointer + offset)
    }
}
