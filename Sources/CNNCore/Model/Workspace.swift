/// Preallocated buffers for running a model on up to `capacity` samples at once: every
/// layer's output, every gradient, every layer's scratch. Training and inference reuse
/// one workspace per thread, so the hot loop allocates nothing.
///
/// An inference-only workspace (`inferenceOnly`) holds what an outputs-only forward pass
/// needs and no more: outputs share buffers once nothing reads them any longer (see
/// `InferencePlan`), the layers share one scratch buffer, and there are no gradients. Only
/// the input, the last layer's output and outputs still to be read hold their values after
/// a pass.
///
/// Index 0 is the model's input; index `i + 1` is the output of layer `i`.
public final class Workspace: @unchecked Sendable {  // used by one thread at a time
    public let capacity: Int
    /// Whether this workspace takes only outputs-only forward passes.
    public let inferenceOnly: Bool
    let sampleSizes: [Int]
    let activations: [UnsafeMutablePointer<Float>]
    let gradients: [UnsafeMutablePointer<Float>]
    let scratch: [UnsafeMutablePointer<Float>]
    /// Buffers for the gradients of nodes that feed several layers, summed after each
    /// layer's backward pass (none for a chain).
    let spares: [UnsafeMutablePointer<Float>]
    /// Every buffer, each once (an inference-only workspace's arrays repeat them).
    private let owned: [UnsafeMutablePointer<Float>]
    /// The bytes its buffers hold.
    public let byteCount: Int

    public init(model: Model, capacity: Int, inferenceOnly: Bool = false) {
        self.capacity = capacity
        self.inferenceOnly = inferenceOnly
        sampleSizes = [model.inputShape.elementCount] + model.layers.map { $0.outputShape.elementCount }
        var owned: [UnsafeMutablePointer<Float>] = [], floats = 0
        func buffer(_ count: Int) -> UnsafeMutablePointer<Float> {
            floats += max(count, 1)
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
            p.initialize(repeating: 0, count: max(count, 1))
            owned.append(p)
            return p
        }
        if inferenceOnly {
            let plan = InferencePlan(model)
            let slots = plan.slotSizes.map { buffer($0 * capacity) }
            activations = plan.slotOfNode.map { slots[$0] }
            let none = buffer(0)
            gradients = sampleSizes.map { _ in none }
            let shared = buffer(model.layers.map { $0.scratchCount(batch: capacity) }.max() ?? 0)
            scratch = model.layers.map { _ in shared }
            spares = []
        } else {
            activations = sampleSizes.map { buffer($0 * capacity) }
            gradients = sampleSizes.map { buffer($0 * capacity) }
            scratch = model.layers.map { buffer($0.scratchCount(batch: capacity)) }
            let spareCount = model.isChain ? 0 : model.inputs.map(\.count).max() ?? 0
            let largest = sampleSizes.max() ?? 0
            spares = (0..<spareCount).map { _ in buffer(largest * capacity) }
        }
        self.owned = owned
        byteCount = floats * MemoryLayout<Float>.stride
    }

    /// The bytes of a workspace for `capacity` samples, as `init` allocates them.
    public static func byteCount(_ model: Model, capacity: Int, inferenceOnly: Bool = false) -> Int {
        if inferenceOnly {
            let plan = InferencePlan(model)
            let scratch = model.layers.map { $0.scratchCount(batch: capacity) }.max() ?? 0
            let floats = plan.slotSizes.reduce(0) { $0 + max($1 * capacity, 1) } + 1 + max(scratch, 1)
            return floats * MemoryLayout<Float>.stride
        }
        let sizes = [model.inputShape.elementCount] + model.layers.map { $0.outputShape.elementCount }
        let scratch = model.layers.reduce(0) { $0 + max($1.scratchCount(batch: capacity), 1) }
        let spares = model.isChain ? 0 : (model.inputs.map(\.count).max() ?? 0) * (sizes.max() ?? 0) * capacity
        return (2 * sizes.reduce(0) { $0 + max($1 * capacity, 1) } + scratch + spares) * MemoryLayout<Float>.stride
    }

    /// The largest capacity up to `limit` whose workspace takes at most `bytes` (at least 1).
    public static func capacity(
        _ model: Model, upTo limit: Int, within bytes: Int, inferenceOnly: Bool = false
    )
        -> Int
    {
        var capacity = max(limit, 1)
        while capacity > 1 && byteCount(model, capacity: capacity, inferenceOnly: inferenceOnly) > bytes {
            capacity = capacity * 3 / 4
        }
        return capacity
    }

    deinit {
        for p in owned { p.deallocate() }
    }

    /// The model's input buffer.
    public var input: UnsafeMutablePointer<Float> { activations[0] }

    /// Copies `batch` samples into the input buffer.
    public func setInput(_ tensor: Tensor) {
        precondition(tensor.count <= sampleSizes[0] * capacity, "input larger than the workspace")
        tensor.scalars.withUnsafeBufferPointer { copyFloats(input, from: $0.baseAddress!, count: tensor.count) }
    }

    /// The output of layer `layer` (or the input for -1) for the first `batch` samples.
    public func output(of layer: Int, batch: Int, shape: [Int]) -> Tensor {
        let count = sampleSizes[layer + 1] * batch
        return Tensor(
            shape: [batch] + shape, scalars: Array(UnsafeBufferPointer(start: activations[layer + 1], count: count)))
    }

    /// The gradient with respect to layer `layer`'s output (or the input for -1).
    public func gradient(of layer: Int, batch: Int, shape: [Int]) -> Tensor {
        let count = sampleSizes[layer + 1] * batch
        return Tensor(
            shape: [batch] + shape, scalars: Array(UnsafeBufferPointer(start: gradients[layer + 1], count: count)))
    }

    /// Copies the output of layer `layer` (-1: the input) for `batch` samples to `destination`.
    public func copyOutput(of layer: Int, batch: Int, to destination: UnsafeMutablePointer<Float>) {
        copyFloats(destination, from: activations[layer + 1], count: sampleSizes[layer + 1] * batch)
    }

    /// Copies the gradient with respect to layer `layer`'s output for `batch` samples.
    public func copyGradient(of layer: Int, batch: Int, to destination: UnsafeMutablePointer<Float>) {
        copyFloats(destination, from: gradients[layer + 1], count: sampleSizes[layer + 1] * batch)
    }

    /// Sets the gradient with respect to layer `layer`'s output, where backward starts.
    public func setGradient(of layer: Int, _ tensor: Tensor) {
        precondition(tensor.count <= sampleSizes[layer + 1] * capacity, "gradient larger than the workspace")
        tensor.scalars.withUnsafeBufferPointer {
            copyFloats(gradients[layer + 1], from: $0.baseAddress!, count: tensor.count)
        }
    }
}
