import CNN
import Render

/// The model-parameter randomization test (Adebayo et al., "Sanity Checks for Saliency
/// Maps", 2018, §3.1): the layers with weights are re-initialized from the top, one after
/// another on top of the last (`cascading`) or one at a time (`independent`), and after each
/// the explanation is recomputed and compared with the trained model's. A map that stays
/// similar while the weights it should depend on are destroyed is not explaining the model.
public struct SanityCheck: Sendable {
    public enum Order: String, Sendable, CaseIterable { case cascading, independent }

    public var seed: UInt64
    public var order: Order

    public init(seed: UInt64 = 0, order: Order = .cascading) {
        self.seed = seed
        self.order = order
    }

    public struct Step: Sendable, Equatable {
        /// The layer randomized at this step (cascading: all layers above it too).
        public let layer: String
        /// Spearman's ρ between the trained map and this step's map.
        public let correlation: Double
        /// ρ between the maps' absolute values, which ignores sign flips.
        public let absoluteCorrelation: Double
    }

    /// `explain` computes a map for a model; it is called once for the trained model and
    /// once per randomized layer.
    public func run(model: Model, explain: (Model) throws -> Heatmap) rethrows -> [Step] {
        let original = try explain(model)
        return try randomizedModels(model).map { layer, randomized in
            let map = try explain(randomized)
            return Step(
                layer: layer, correlation: spearman(original.values, map.values),
                absoluteCorrelation: spearman(original.values.map(abs), map.values.map(abs)))
        }
    }

    /// One model per layer with weights, from the top down: that layer re-initialized
    /// (cascading: with every layer above it).
    public func randomizedModels(_ model: Model) -> [(layer: String, model: Model)] {
        let fresh = Self.fresh(model, seed: seed)
        var cascade = model, models: [(layer: String, model: Model)] = []
        for index in model.layers.indices.reversed() where !model.layers[index].parameterShapes.isEmpty {
            if order == .cascading {
                Self.randomize(&cascade, layer: index, from: fresh, seed: seed)
                models.append((model.layers[index].name, cascade))
            } else {
                var single = model
                Self.randomize(&single, layer: index, from: fresh, seed: seed)
                models.append((model.layers[index].name, single))
            }
        }
        return models
    }

    /// Two models with every weighted layer re-initialized, from this seed and the next
    /// one: two networks that share nothing learned. How alike their maps are is the noise
    /// floor of a similarity — what it scores for maps of unrelated models, which for a map
    /// that copies the input is far above 0.
    public func unrelatedModels(_ model: Model) -> (Model, Model) {
        func randomizedFully(_ seed: UInt64) -> Model {
            var m = model
            let fresh = Self.fresh(model, seed: seed)
            for index in model.layers.indices where !model.layers[index].parameterShapes.isEmpty {
                Self.randomize(&m, layer: index, from: fresh, seed: seed)
            }
            return m
        }
        return (randomizedFully(seed), randomizedFully(seed &+ 1))
    }

    /// A model as `model` was before training (`seed` chooses its initial weights): what
    /// `randomize` draws fresh values from.
    static func fresh(_ model: Model, seed: UInt64) -> Model {
        Model(
            name: model.name, inputShape: model.inputShape, layers: model.layers, inputs: model.inputs,
            seed: seed &+ 0x5A17)
    }

    /// Gives layer `index` of `model` the fresh model's values. Keras initializes biases
    /// (and BatchNorm's beta) to zero; those are randomized too, on the kernel's scale.
    /// Scales and moving statistics restart fresh; constants of the graph (a Rescaling's
    /// 1/255) are not learned, so they stay.
    static func randomize(_ model: inout Model, layer index: Int, from fresh: Model, seed: UInt64) {
        for entry in model.parameters.entries where entry.layer == index && entry.role != .constant {
            var values = fresh.parameters[entry.key]!
            if entry.initializer == .zeros && entry.trainable {
                var random = SeededRandom(seed: seed, stream: UInt64(index))
                values.scalars = values.scalars.map { _ in random.uniform(-0.05, 0.05) }
            }
            model.parameters.set(entry.key, values)
        }
    }
}

/// Spearman's rank correlation: Pearson's correlation of the ranks (ties averaged).
/// 0 when either side is constant.
public func spearman(_ a: [Float], _ b: [Float]) -> Double {
    precondition(a.count == b.count)
    func ranks(_ v: [Float]) -> [Double] {
        let order = v.indices.sorted { v[$0] < v[$1] }
        var r = [Double](repeating: 0, count: v.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && v[order[j + 1]] == v[order[i]] { j += 1 }
            for k in i...j { r[order[k]] = Double(i + j) / 2 + 1 }
            i = j + 1
        }
        return r
    }
    let (ra, rb) = (ranks(a), ranks(b))
    let n = Double(a.count), ma = ra.reduce(0, +) / n, mb = rb.reduce(0, +) / n
    var cov = 0.0, va = 0.0, vb = 0.0
    for i in 0..<a.count {
        cov += (ra[i] - ma) * (rb[i] - mb); va += (ra[i] - ma) * (ra[i] - ma); vb += (rb[i] - mb) * (rb[i] - mb)
    }
    return va > 0 && vb > 0 ? cov / (va * vb).squareRoot() : 0
}
