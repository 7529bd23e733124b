/// Which outputs of an outputs-only forward pass can share a buffer: an output's buffer
/// is free again once the last layer that reads it has run, and the next output that fits
/// takes it. Sizes are per sample. The model's input and every output no layer reads (the
/// logits among them) keep buffers of their own; a layer's output never shares with its
/// inputs, which are still being read while it is written.
///
/// ResNet-18 at 224 × 224 keeps 4.5 million floats per image in its 49 outputs; the plan
/// needs a fraction of that, so a micro-batch's outputs stay in the caches.
struct InferencePlan: Equatable {
    /// The buffer of each node: 0 the input, `i + 1` layer `i`'s output.
    let slotOfNode: [Int]
    /// Floats per sample of each buffer.
    let slotSizes: [Int]

    init(_ model: Model) {
        let count = model.layers.count
        // The last layer reading each node (node j is index j + 1; -1 none).
        var lastReader = [Int](repeating: -1, count: count + 1)
        for (i, inputs) in model.inputs.enumerated() {
            for node in inputs { lastReader[node + 1] = max(lastReader[node + 1], i) }
        }
        var slotOfNode = [0], slotSizes = [model.inputShape.elementCount]
        var free: [Int] = []
        for i in 0..<count {
            let size = model.layers[i].outputShape.elementCount
            // The smallest free buffer that holds it, else the largest grown to fit, else a new one.
            let fitting = free.filter { slotSizes[$0] >= size }.min { slotSizes[$0] < slotSizes[$1] }
            let slot: Int
            if let chosen = fitting ?? free.max(by: { slotSizes[$0] < slotSizes[$1] }) {
                free.removeAll { $0 == chosen }
                slotSizes[chosen] = max(slotSizes[chosen], size)
                slot = chosen
            } else {
                slot = slotSizes.count
                slotSizes.append(size)
            }
            slotOfNode.append(slot)
            // Inputs read for the last time free their buffers (the model's input never).
            for node in Set(model.inputs[i]) where node >= 0 && lastReader[node + 1] == i {
                free.append(slotOfNode[node + 1])
            }
        }
        self.slotOfNode = slotOfNode
        self.slotSizes = slotSizes
    }
}
