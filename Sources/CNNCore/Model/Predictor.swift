/// Inference with preallocated workspaces, for repeated calls without allocation.
///
/// Batches of at least two samples per core are split into one shard per core, each
/// with single-threaded BLAS. Within a shard, the spatial layers (up to the first
/// Dense) run in micro-batches of `microBatch` samples, whose large activations stay in
/// cache; the dense layers then run on the whole shard at once, so their weights are
/// read once per shard rather than once per micro-batch. Smaller batches (one image)
/// run in one workspace with every GEMM split across the cores.
public final class Predictor: @unchecked Sendable {  // owns raw workspaces; one call at a time
    public let model: Model
    public let maxBatch: Int
    /// Per core: a micro-batch workspace for the spatial layers and a shard workspace.
    private let microWorkspaces: [Workspace]
    private let workspaces: [Workspace]
    /// The first layer that runs on the whole shard.
    private let split: Int

    public static let microBatch = 8

    public convenience init(model: Model, maxBatch: Int, workers: Int = Parallelism.workers) {
        let workers = max(1, workers)
        let (capacity, micro) = Predictor.capacities(model, maxBatch: maxBatch, workers: workers)
        self.init(
            model: model, maxBatch: maxBatch,
            workspaces: (0..<workers).map { _ in Workspace(model: model, capacity: capacity, inferenceOnly: true) },
            microWorkspaces: (0..<workers).map { _ in Workspace(model: model, capacity: micro, inferenceOnly: true) })
    }

    /// A predictor over inference-only workspaces made by `capacities` (from `WorkspacePool`, say).
    init(model: Model, maxBatch: Int, workspaces: [Workspace], microWorkspaces: [Workspace]) {
        self.model = model
        self.maxBatch = maxBatch
        self.workspaces = workspaces
        self.microWorkspaces = microWorkspaces
        split = model.cutPoint(atOrAfter: model.layers.firstIndex { $0 is Dense } ?? model.layers.count)
    }

    /// The shard and micro-batch workspace capacities for a batch of `maxBatch`: micro-batches
    /// of up to `microBatch` samples whose inference-only workspace fits `microBytes`, so
    /// that a layer's outputs stay in the caches for the next, or more where a Winograd
    /// layer's transformed kernels are too large to read for a few tiles
    /// (`Conv2D.winogradImagesPerCall`). At batch 32, 32 MB measured best for the mobile
    /// models (MobileNetV2 191 images/s, against 156 at 64 MB and 121–135 with full
    /// workspaces), while ResNet-18 ran 57 images/s in micro-batches of 32 MB and 81 in eights.
    static func capacities(_ model: Model, maxBatch: Int, workers: Int) -> (shard: Int, micro: Int) {
        let shard = max(1, (maxBatch + workers - 1) / workers), limit = min(shard, microBatch)
        let cached = Workspace.capacity(model, upTo: limit, within: microBytes, inferenceOnly: true)
        let kernels = model.layers.compactMap { ($0 as? Conv2D)?.winogradImagesPerCall }.max() ?? 1
        return (shard, max(cached, min(kernels, limit)))
    }

    /// The bytes a micro-batch workspace may take (see `capacities`).
    static let microBytes = 32 << 20

    /// Writes the logits of `count` samples at `input` to `output` (`count × classes`).
    public func logits(_ input: UnsafePointer<Float>, count: Int, into output: UnsafeMutablePointer<Float>) {
        precondition(count <= maxBatch, "batch \(count) exceeds the predictor's \(maxBatch)")
        let size = model.inputShape.elementCount, classes = model.classCount, last = model.layers.count - 1
        if count >= 2 * workspaces.count {
            let parts = splitRange(count, parts: workspaces.count)
            let input = SharedPointer(UnsafeMutablePointer(mutating: input)), output = SharedPointer(output)
            let model = self.model, workspaces = self.workspaces, microWorkspaces = self.microWorkspaces
            let split = self.split, splitSize = split > 0 ? model.layers[split - 1].outputShape.elementCount : size
            Parallelism.run(parts.count) { p in
                let part = parts[p], ws = workspaces[p], micro = microWorkspaces[p]
                var start = 0
                while start < part.count && split > 0 {
                    let n = min(micro.capacity, part.count - start)
                    copyFloats(micro.input, from: input.base + (part.lowerBound + start) * size, count: n * size)
                    model.forward(micro, batch: n, through: split - 1, outputsOnly: true)
                    copyFloats(
                        ws.activations[split] + start * splitSize, from: micro.activations[split], count: n * splitSize)
                    start += n
                }
                if split == 0 {
                    copyFloats(ws.input, from: input.base + part.lowerBound * size, count: part.count * size)
                }
                model.forward(ws, batch: part.count, from: split, outputsOnly: true)
                (output.base + part.lowerBound * classes).update(
                    from: ws.activations[last + 1], count: part.count * classes)
            }
        } else {
            var start = 0
            let ws = workspaces[0]
            while start < count {
                let n = min(ws.capacity, count - start)
                copyFloats(ws.input, from: input + start * size, count: n * size)
                model.forward(ws, batch: n, threads: workspaces.count, outputsOnly: true)
                (output + start * classes).update(from: ws.activations[last + 1], count: n * classes)
                start += n
            }
        }
    }
}
