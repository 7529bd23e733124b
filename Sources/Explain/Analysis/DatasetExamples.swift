import CNN
import Render
import Synchronization

/// Dataset examples (Olah et al., 2017, "Feature Visualization", §"Dataset examples"): the
/// images of a set that activate a unit most, with where in each image it fires. Where
/// activation maximization shows what a unit *could* respond to, these show what it
/// *does* respond to in real data.
public enum DatasetExamples {
    /// How one image's response of a convolution channel becomes one number.
    public enum Score: String, Sendable, CaseIterable {
        /// The channel's largest value anywhere in the image (Distill's choice: the image
        /// holds the unit's favourite pattern somewhere).
        case max
        /// The channel's mean over the image (how much of the image it likes).
        case mean
    }

    /// One image of the set and its score.
    public struct Example: Sendable, Equatable {
        public let index: Int
        public let score: Float
    }

    /// For each of `units` of layer `layer` (a channel of a convolution, or a dense unit),
    /// the `count` images of `images` (`[n, h, w, c]`) with the highest score, highest
    /// first, ties to the lower index. Forward passes only, in shards on all cores.
    public static func top(
        model: Model, layer: Int, units: [Int], images: Tensor, count: Int, score: Score, batchSize: Int = 64
    ) -> [[Example]] {
        let n = images.batchSize, shape = model.layers[layer].outputShape
        // A transformer's patch tokens count, not the class token before them.
        let layout = model.spatialLayout(layer: layer), skipped = layout?.skipped ?? 0
        let channels = shape.last!, positions = (shape.elementCount - skipped) / channels
        let size = model.inputShape.elementCount
        let shards = splitRange(n, parts: min(Parallelism.workers, max(n, 1))).filter { !$0.isEmpty }
        let found = Mutex<[[Example]]>(Array(repeating: [], count: units.count))
        WorkspacePool.with(model, capacity: batchSize, count: shards.count) { workspaces in
            Parallelism.run(shards.count) { s in
                let workspace = workspaces[s]
                var best: [[Example]] = Array(repeating: [], count: units.count)
                var start = shards[s].lowerBound
                while start < shards[s].upperBound {
                    let batch = min(batchSize, shards[s].upperBound - start)
                    workspace.setInput(
                        Tensor(
                            shape: [batch] + model.inputShape,
                            scalars: Array(images.scalars[start * size..<(start + batch) * size])))
                    model.forward(workspace, batch: batch, through: layer, outputsOnly: true)
                    let out = workspace.output(of: layer, batch: batch, shape: shape).scalars
                    for b in 0..<batch {
                        let base = b * shape.elementCount + skipped
                        for (u, unit) in units.enumerated() {
                            var value: Float = score == .max ? -.infinity : 0
                            for p in 0..<positions {
                                let v = out[base + p * channels + unit]
                                value = score == .max ? Swift.max(value, v) : value + v
                            }
                            if score == .mean { value /= Float(positions) }
                            insert(Example(index: start + b, score: value), into: &best[u], keeping: count)
                        }
                    }
                    start += batch
                }
                found.withLock { all in
                    for u in units.indices {
                        for example in best[u] { insert(example, into: &all[u], keeping: count) }
                    }
                }
            }
        }
        return found.withLock { $0 }
    }

    /// Keeps `list` sorted by score (highest first, then lower index) and at most `count` long.
    static func insert(_ example: Example, into list: inout [Example], keeping count: Int) {
        let position =
            list.firstIndex {
                example.score > $0.score || (example.score == $0.score && example.index < $0.index)
            } ?? list.count
        guard position < count else { return }
        list.insert(example, at: position)
        if list.count > count { list.removeLast() }
    }

    /// Unit `unit`'s activations over one image (`[1, h, w, c]`): the layer's grid for a
    /// convolution (a transformer's patch grid for tokens), one value for a dense unit.
    public static func map(model: Model, layer: Int, unit: Int, image: Tensor) -> Heatmap {
        let shape = model.layers[layer].outputShape, channels = shape.last!
        let layout = model.spatialLayout(layer: layer)
        let out = WorkspacePool.with(model, capacity: 1) { workspace in
            workspace.setInput(image)
            model.forward(workspace, batch: 1, through: layer, threads: Parallelism.workers, outputsOnly: true)
            return workspace.output(of: layer, batch: 1, shape: shape).scalars
        }
        let values = stride(from: (layout?.skipped ?? 0) + unit, to: out.count, by: channels).map { out[$0] }
        guard let grid = layout?.shape else { return Heatmap(width: 1, height: 1, values: values) }
        return Heatmap(width: grid[1], height: grid[0], values: values)
    }
}
