import CNN
import Render

extension SanityCheck {
    /// The models of one randomization: each weighted layer re-initialized from the top (in
    /// this check's order), and two fully random, unrelated networks for the noise floor.
    public struct Trial: Sendable {
        public let randomized: [(layer: String, model: Model)]
        public let unrelated: (Model, Model)
    }

    /// One trial per seed, `count` seeds from this check's: seed, seed + 1, …
    public func trials(_ model: Model, count: Int) -> [Trial] {
        (0..<count).map { s in
            let check = SanityCheck(seed: seed &+ UInt64(s), order: order)
            return Trial(randomized: check.randomizedModels(model), unrelated: check.unrelatedModels(model))
        }
    }

    /// One method's curves: per similarity measure and trial, the mean over the images at
    /// each stage (the trained model's 1 first, then each randomized layer), and the noise
    /// floor (the mean similarity of the unrelated networks' maps). Undefined similarities
    /// (NaN: a constant map) are left out of the means; a stage with none is NaN.
    public struct Curves: Sendable, Equatable {
        /// [measure][trial][stage].
        public let stages: [[[Double]]]
        /// [measure][trial].
        public let floors: [[Double]]
    }

    /// Measures one method on `images` images. `explain(model, image, target)` gives the map
    /// of image `image` on the input's grid and the class it explains; the trained model's
    /// class is then explained on every randomized model, so that all maps answer the same
    /// logit. `ink[image]` marks the image's non-zero pixels.
    public static func curves(
        _ trials: [Trial], trained model: Model, images: Int, ink: [[Bool]], measures: [MapSimilarity],
        explain: (_ model: Model, _ image: Int, _ target: Target) throws -> (map: Heatmap, targetClass: Int)
    ) rethrows -> Curves {
        let stageCount = trials.first?.randomized.count ?? 0
        // Sums and counts of finite values: [measure][trial][stage], [measure][trial].
        var sums = Array(
            repeating: Array(repeating: Array(repeating: 0.0, count: stageCount), count: trials.count),
            count: measures.count)
        var counts = sums
        var floorSums = Array(repeating: Array(repeating: 0.0, count: trials.count), count: measures.count)
        var floorCounts = floorSums
        for image in 0..<images {
            let (trained, k) = try explain(model, image, .predicted)
            func map(_ m: Model) throws -> Heatmap { try explain(m, image, .class(k)).map }
            for (t, trial) in trials.enumerated() {
                let maps = try trial.randomized.map { try map($0.model) }
                let (a, b) = (try map(trial.unrelated.0), try map(trial.unrelated.1))
                for (i, measure) in measures.enumerated() {
                    for (j, randomized) in maps.enumerated() {
                        let v = measure(trained, randomized, ink: ink[image])
                        if v.isFinite { sums[i][t][j] += v; counts[i][t][j] += 1 }
                    }
                    let floor = measure(a, b, ink: ink[image])
                    if floor.isFinite { floorSums[i][t] += floor; floorCounts[i][t] += 1 }
                }
            }
        }
        return Curves(
            stages: measures.indices.map { i in
                trials.indices.map { t in
                    [1] + (0..<stageCount).map { j in counts[i][t][j] > 0 ? sums[i][t][j] / counts[i][t][j] : .nan }
                }
            },
            floors: measures.indices.map { i in
                trials.indices.map { t in floorCounts[i][t] > 0 ? floorSums[i][t] / floorCounts[i][t] : .nan }
            })
    }
}
