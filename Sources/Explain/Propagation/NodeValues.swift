import CNN

/// Every node's values for a batch of inputs (node -1: the input), from one inference
/// pass on the exact (im2col) kernels: what rules that replace the backward pass read.
struct NodeValues {
    let model: Model
    let batch: Int
    private let values: [[Float]]

    init(model: Model, input: Tensor, threads: Int = Parallelism.workers) {
        self.model = model
        batch = input.batchSize
        let workspace = Workspace(model: model, capacity: batch)
        workspace.setInput(input)
        model.forward(workspace, batch: batch, threads: threads)
        let n = batch
        values =
            [input.scalars]
            + model.layers.indices.map {
                workspace.output(of: $0, batch: n, shape: model.layers[$0].outputShape).scalars
            }
    }

    /// Node `node`'s values (-1: the input).
    subscript(node: Int) -> [Float] { values[node + 1] }

    /// The values layer `layer` reads, one array per input.
    func inputs(of layer: Int) -> [[Float]] { model.inputs[layer].map { self[$0] } }

    /// Layer `layer`'s slice of the parameter vector.
    func parameters(of layer: Int) -> [Float] {
        let start = model.parameters.layerOffsets[layer]
        let count = model.layers[layer].parameterShapes.reduce(0) { $0 + $1.shape.elementCount }
        return Array(model.parameters.values[start..<start + count])
    }
}

extension Model {
    /// Walks the layers from the last down, handing each layer the quantity on its output
    /// (relevance, multipliers) and adding what `step` returns for each of its inputs into
    /// the nodes they read; returns what reaches the input. Layers the output does not
    /// depend on are skipped.
    func propagateBack(
        _ seed: [Float], batch: Int,
        step: (_ layer: Int, _ outgoing: [Float]) throws(ExplainError) -> [[Float]]
    ) throws(ExplainError) -> [Float] {
        var incoming: [[Float]?] = Array(repeating: nil, count: layers.count + 1)
        incoming[layers.count] = seed
        for i in layers.indices.reversed() {
            guard let outgoing = incoming[i + 1] else { continue }
            incoming[i + 1] = nil
            let parts = try step(i, outgoing)
            for (node, part) in zip(inputs[i], parts) {
                if var sum = incoming[node + 1] {
                    for k in sum.indices { sum[k] += part[k] }
                    incoming[node + 1] = sum
                } else {
                    incoming[node + 1] = part
                }
            }
        }
        return incoming[0] ?? [Float](repeating: 0, count: batch * inputShape.elementCount)
    }
}
