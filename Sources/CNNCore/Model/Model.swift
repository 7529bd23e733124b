import Foundation

/// A CNN: its layers in an order where every layer comes after its inputs, which
/// earlier outputs each layer reads, its parameters, and how it was meant to be trained.
///
/// Nodes are numbered by layer: node `i` is layer `i`'s output and node -1 the model's
/// input. A sequential model reads node `i - 1` at layer `i`; a graph (residual
/// additions, concatenations) lists other nodes in `inputs`. The last layer's output is
/// the model's output.
public struct Model: Sendable {
    public let name: String
    /// The shape of one input sample, `[h, w, c]`.
    public let inputShape: [Int]
    public let layers: [any Layer]
    /// For each layer, the nodes it reads, in the order of its `inputShapes`.
    public let inputs: [[Int]]
    public var parameters: ParameterSet
    /// Other names that resolve to a layer (an imported node's output tensor name).
    public var aliases: [String: String] = [:]
    /// Where CAM methods look when not told (an imported model's sidecar `cam_layer`);
    /// nil: the last block's output with a spatial grid (`defaultCAMLayer`, in Explain).
    public var preferredCAMLayer: String?
    /// The training settings of the spec the model came from.
    public var training: TrainingSettings

    /// A model with Keras's initialization: Glorot-uniform kernels drawn from a
    /// generator seeded with `seed`, zero biases, unit scales and variances. `inputs`
    /// defaults to a chain (each layer reads the one before). With no seed every parameter
    /// is left at zero, for weights read from a file next (drawing VGG's 138 M initial
    /// weights only to overwrite them took a tenth of its load).
    public init(
        name: String, inputShape: [Int], layers: [any Layer], inputs: [[Int]]? = nil,
        training: TrainingSettings = TrainingSettings(), seed: UInt64?
    ) {
        self.name = name
        self.inputShape = inputShape
        self.layers = layers
        self.inputs = inputs ?? layers.indices.map { [$0 - 1] }
        precondition(self.inputs.count == layers.count, "one input list per layer")
        for (i, nodes) in self.inputs.enumerated() {
            precondition(nodes.count == layers[i].inputShapes.count, "\(layers[i].name): wrong number of inputs")
            precondition(nodes.allSatisfy { (-1..<i).contains($0) }, "\(layers[i].name) reads a later node")
            for (node, shape) in zip(nodes, layers[i].inputShapes) {
                let size = (node < 0 ? inputShape : layers[node].outputShape).elementCount
                precondition(size == shape.elementCount, "\(layers[i].name): an input of another size than \(shape)")
            }
        }
        self.training = training
        parameters = ParameterSet(layers: layers)
        guard let seed else { return }
        var random = SeededRandom(seed: seed, stream: 0x1417)
        for entry in parameters.entries where entry.initializer == .ones {
            for i in entry.range { parameters.values[i] = 1 }
        }
        for entry in parameters.entries where entry.initializer == .glorotUniform {
            // Glorot & Bengio (2010): U(-l, l), l = sqrt(6 / (fan_in + fan_out)); for a
            // kernel [..., in, out] the receptive field multiplies both fans (as Keras).
            let receptive = entry.shape.dropLast(2).reduce(1, *)
            let fanIn = receptive * entry.shape[entry.shape.count - 2], fanOut = receptive * entry.shape.last!
            let limit = Float((6.0 / Double(fanIn + fanOut)).squareRoot())
            for i in entry.range { parameters.values[i] = random.uniform(-limit, limit) }
        }
    }

    /// The number of classes (the size of the last layer's output).
    public var classCount: Int { layers.last?.outputShape.elementCount ?? 0 }

    /// The index of the layer called `name`, or whose alias it is.
    public func layerIndex(named name: String) -> Int? {
        layers.firstIndex { $0.name == name }
            ?? aliases[name].flatMap { alias in layers.firstIndex { $0.name == alias } }
    }

    /// Runs layers `first...last` on the first `batch` samples of the workspace; the
    /// nodes they read below `first` must hold their values already.
    /// With `dropout` set, dropout layers draw training masks. Set `outputsOnly` when no
    /// backward pass follows, to let convolutions use Winograd (see `LayerIO.outputsOnly`).
    /// Layers after the model's last max pooling (or global max pooling) may use Winograd in
    /// any pass but training: no tie of a pooling window is left for its rounding to move.
    /// `exactKernels` keeps them off it too, for maps that read each cell's own gradient.
    public func forward(
        _ workspace: Workspace, batch: Int, from first: Int = 0, through last: Int? = nil,
        threads: Int = 1, dropout: DropoutKey? = nil, outputsOnly: Bool = false, exactKernels: Bool = false
    ) {
        precondition(batch <= workspace.capacity)
        precondition(outputsOnly || !workspace.inferenceOnly, "an inference-only workspace takes outputs-only passes")
        let last = last ?? layers.count - 1
        guard first <= last else { return }
        let pastPooling = outputsOnly || exactKernels || dropout != nil ? layers.count : lastMaxPooling + 1
        withComputeContext { base in
            for i in first...last {
                var io = io(workspace, layer: i, batch: batch, base: base, threads: threads, dropout: dropout)
                io.outputsOnly = outputsOnly || i >= pastPooling
                layers[i].forward(io)
            }
        }
    }

    /// Propagates the gradient set on node `start`'s output back down, after a forward
    /// pass with the same arguments. Fills the workspace gradient of node `target` (-1:
    /// the model's input) and of the nodes between, and adds the parameter gradients into
    /// `parameterGradients` (laid out like `parameters.values`) when given. It visits only
    /// layers that `start` depends on and goes no lower than what was asked for needs.
    /// Where a node feeds several layers, their gradients are summed. `rule` switches
    /// the ReLUs to guided backpropagation's or deconvnet's rule.
    public func backward(
        _ workspace: Workspace, batch: Int, from start: Int, to target: Int = -1, threads: Int = 1,
        dropout: DropoutKey? = nil, parameterGradients: UnsafeMutablePointer<Float>? = nil,
        rule: ReLUBackwardRule = .gradient
    ) {
        precondition(!workspace.inferenceOnly, "an inference-only workspace has no gradients")
        let firstWithParameters = layers.indices.first { !layers[$0].parameterShapes.isEmpty } ?? 0
        let lowest = parameterGradients == nil ? target + 1 : min(target + 1, firstWithParameters)
        guard start >= lowest else { return }
        let needed = min(lowest, target)
        let visit = ancestors(of: start)
        // Whether a node's gradient buffer holds this pass's value yet: the first layer
        // to reach a node writes it, later ones go through a spare buffer and add.
        var written = [Bool](repeating: false, count: layers.count + 1)
        written[start + 1] = true
        withComputeContext { base in
            for i in stride(from: start, through: lowest, by: -1) where visit[i] {
                var pending: [(node: Int, spare: Int)] = []
                let targets: [UnsafeMutablePointer<Float>?] = inputs[i].map { node in
                    guard node >= needed else { return nil }
                    if !written[node + 1] {
                        written[node + 1] = true
                        return workspace.gradients[node + 1]
                    }
                    pending.append((node, pending.count))
                    return workspace.spares[pending.count - 1]
                }
                let grads = LayerGradients(
                    output: workspace.gradients[i + 1], input: targets[0], extraInputs: Array(targets.dropFirst()),
                    parameters: parameterGradients.map { $0 + parameters.layerOffsets[i] },
                    rule: rule)
                layers[i].backward(
                    io(workspace, layer: i, batch: batch, base: base, threads: threads, dropout: dropout), grads)
                for (node, spare) in pending {
                    let sum = workspace.gradients[node + 1], part = workspace.spares[spare]
                    for k in 0..<(workspace.sampleSizes[node + 1] * batch) { sum[k] += part[k] }
                }
            }
        }
        if target >= -1 && !written[target + 1] {
            // `start` does not depend on `target`: its gradient is zero.
            workspace.gradients[target + 1].update(repeating: 0, count: workspace.sampleSizes[target + 1] * batch)
        }
    }

    /// Runs layer `i`'s backward pass alone, after a forward pass: from the gradient of its
    /// output in the workspace into its inputs' gradient buffers (overwritten, as the first
    /// consumer's would be), no parameter gradients. For profiling (`vizsite bench --layers`).
    public func backwardLayer(_ workspace: Workspace, batch: Int, layer i: Int, threads: Int = 1) {
        withComputeContext { base in
            let targets = inputs[i].map { workspace.gradients[$0 + 1] }
            let grads = LayerGradients(
                output: workspace.gradients[i + 1], input: targets[0], extraInputs: Array(targets.dropFirst()),
                parameters: nil)
            layers[i].backward(io(workspace, layer: i, batch: batch, base: base, threads: threads, dropout: nil), grads)
        }
    }

    /// The index of the model's last layer that selects maxima (max pooling, global max
    /// pooling), or -1.
    var lastMaxPooling: Int { layers.lastIndex { $0.propagation == .maximum } ?? -1 }

    /// Runs a pass's `body` with the parameters' base address, subnormals flushed (see
    /// `SubnormalFlush`).
    private func withComputeContext(_ body: (UnsafeMutablePointer<Float>) -> Void) {
        SubnormalFlush.around {
            parameters.values.withUnsafeBufferPointer { values in
                body(UnsafeMutablePointer(mutating: values.baseAddress!))
            }
        }
    }

    private func io(
        _ workspace: Workspace, layer i: Int, batch: Int, base: UnsafeMutablePointer<Float>,
        threads: Int, dropout: DropoutKey?
    ) -> LayerIO {
        let nodes = inputs[i]
        return LayerIO(
            batch: batch, input: workspace.activations[nodes[0] + 1],
            extraInputs: nodes.dropFirst().map { workspace.activations[$0 + 1] },
            output: workspace.activations[i + 1],
            parameters: base + parameters.layerOffsets[i], scratch: workspace.scratch[i],
            threads: threads, dropout: dropout, layerIndex: i)
    }
}

// MARK: - Whole-tensor conveniences

extension Model {
    /// Every layer's output for `input` (`[n, h, w, c]`), inference mode; the last is the logits.
    public func outputs(_ input: Tensor, threads: Int = Parallelism.workers) -> [Tensor] {
        let workspace = Workspace(model: self, capacity: input.batchSize)
        workspace.setInput(input)
        forward(workspace, batch: input.batchSize, threads: threads, outputsOnly: true)
        return layers.indices.map { workspace.output(of: $0, batch: input.batchSize, shape: layers[$0].outputShape) }
    }

    /// The pre-softmax scores of the last layer, `[n, classes]`, computed in batches.
    public func logits(_ input: Tensor, batchSize: Int = 256) -> Tensor {
        let n = input.batchSize, size = inputShape.elementCount, classes = classCount
        var result = [Float](repeating: 0, count: n * classes)
        let maxBatch = min(batchSize, max(n, 1)), workers = Parallelism.workers
        let (capacity, micro) = Predictor.capacities(self, maxBatch: maxBatch, workers: workers)
        WorkspacePool.with(self, capacity: capacity, count: workers, inferenceOnly: true) { shards in
            WorkspacePool.with(self, capacity: micro, count: workers, inferenceOnly: true) { micros in
                let predictor = Predictor(model: self, maxBatch: maxBatch, workspaces: shards, microWorkspaces: micros)
                input.scalars.withUnsafeBufferPointer { x in
                    result.withUnsafeMutableBufferPointer { out in
                        var start = 0
                        while start < n {
                            let count = min(maxBatch, n - start)
                            predictor.logits(
                                x.baseAddress! + start * size, count: count, into: out.baseAddress! + start * classes)
                            start += count
                        }
                    }
                }
            }
        }
        return Tensor(shape: [n, classes], scalars: result)
    }

    /// Class probabilities: the softmax of `logits`.
    public func probabilities(_ input: Tensor) -> Tensor { softmax(logits(input)) }
}

/// Row-wise softmax of `[n, classes]` scores, computed stably.
public func softmax(_ logits: Tensor) -> Tensor {
    var out = logits
    let classes = logits.shape.last ?? 1
    for row in 0..<(logits.count / max(classes, 1)) {
        let r = row * classes..<(row + 1) * classes
        let peak = logits.scalars[r].max() ?? 0
        var total: Float = 0
        for i in r { out.scalars[i] = expf(logits.scalars[i] - peak); total += out.scalars[i] }
        for i in r { out.scalars[i] /= total }
    }
    return out
}
