import CNN
import Foundation
import Render

/// Faithfulness correlation (Bhatt et al., 2020): over `runs` random subsets S of
/// `subsetSize` pixels, Pearson's correlation between the map's sum over S and the drop of
/// the target's logit when S is set to the baseline (0, black). The map is normalized as
/// Quantus does (positives by their maximum, negatives by theirs). From −1 to 1; higher:
/// the map's values predict what removing pixels does.
public struct FaithfulnessCorrelation: ExplanationMetric {
    public var runs: Int
    public var subsetSize: Int
    public var seed: UInt64

    public init(runs: Int = 100, subsetSize: Int = 224, seed: UInt64 = 0) {
        self.runs = runs
        self.subsetSize = subsetSize
        self.seed = seed
    }

    public var name: String { "FaithfulnessCorrelation" }
    public var family: MetricFamily { .faithfulness }
    public var higherIsBetter: Bool { true }
    public var settings: [String] {
        ["nr_runs = \(runs)", "subset_size = \(subsetSize)", "baseline = black", "logits", "normalise = by negative"]
    }

    public func scores(_ input: MetricInput) -> [Double] {
        let model = input.model, shape = model.inputShape, (h, w, c) = (shape[0], shape[1], shape[2])
        let pixels = h * w, size = pixels * c
        return input.images.indices.map { n in
            let a = MetricMath.byNegative(input.maps[n].values), subsets = subsets(pixels: pixels, n, input)
            let sums = subsets.map { $0.reduce(0.0) { $0 + a[$1] } }
            let key = ModelQueries.Key(metric: settingsKey, stream: input.streams[n], target: input.targets[n])
            let drops = input.queries.values(key) {
                let image = input.images[n].scalars
                var batch = image
                batch.reserveCapacity((runs + 1) * size)
                for subset in subsets {
                    var copy = image
                    for p in subset { for ch in 0..<c { copy[p * c + ch] = 0 } }
                    batch += copy
                }
                let logits = MetricMath.logits(model, batch, count: runs + 1, target: input.targets[n])
                return logits.dropFirst().map { logits[0] - $0 }
            }
            return MetricMath.pearson(sums, drops)
        }
    }

    /// Image `n`'s random subsets: each the first `subsetSize` of a partial Fisher–Yates
    /// shuffle continuing the last.
    private func subsets(pixels: Int, _ n: Int, _ input: MetricInput) -> [[Int]] {
        var random = SeededRandom(seed: seed, stream: input.streams[n])
        var indices = Array(0..<pixels)
        let subset = min(subsetSize, pixels)
        return (0..<runs).map { _ in
            for i in 0..<subset {
                let j = i + Int(random.next() % UInt64(pixels - i))
                indices.swapAt(i, j)
            }
            return Array(indices.prefix(subset))
        }
    }

    private var settingsKey: String { "FaithfulnessCorrelation \(runs) \(subsetSize) \(seed)" }
}

/// The order pixels are removed in: most relevant first (MoRF; a faithful map makes the
/// score fall fast) or least relevant first (LeRF; it should barely move).
public enum PerturbationOrder: String, Sendable, CaseIterable {
    case morf = "MoRF"
    case lerf = "LeRF"

    /// Pixel indices of `map`, in this order; ties keep pixel order.
    func ranking(_ map: [Float]) -> [Int] {
        map.indices.sorted { i, j in
            self == .morf
                ? map[i] > map[j] || (map[i] == map[j] && i < j) : map[i] < map[j] || (map[i] == map[j] && i < j)
        }
    }
}

/// Pixel-flipping (Bach et al., 2015), as a curve: pixels are set to the baseline (0,
/// black) in the map's order, `steps` equal shares at a time, and the target class's
/// probability is recorded after each share. The score is the area under the curve over
/// the fraction removed (trapezoid rule). MoRF: lower is better; LeRF: higher. On MNIST
/// black is the background, so removing background pixels changes nothing; `ROAD` imputes.
public struct PixelFlipping: CurveMetric {
    public var order: PerturbationOrder
    public var steps: Int

    public init(order: PerturbationOrder = .morf, steps: Int = 28) {
        self.order = order
        self.steps = steps
    }

    public var name: String { "PixelFlipping" + (order == .morf ? "" : "-LeRF") }
    public var family: MetricFamily { .faithfulness }
    public var higherIsBetter: Bool { order == .lerf }
    public var settings: [String] { ["order = \(order.rawValue)", "steps = \(steps)", "baseline = black", "softmax"] }

    public var curveAxis: (label: String, values: [Double], yLabel: String) {
        ("fraction of pixels set to black", (0...steps).map { Double($0) / Double(steps) }, "probability of the target")
    }

    public func curves(_ input: MetricInput) -> [[Double]] { input.images.indices.map { curve(input, $0) } }

    public func score(curve: [Double]) -> Double { Self.area(curve) }

    /// The target's probability after 0, 1, …, `steps` shares.
    func curve(_ input: MetricInput, _ n: Int) -> [Double] {
        let model = input.model, shape = model.inputShape, (h, w, c) = (shape[0], shape[1], shape[2])
        let size = h * w * c, image = input.images[n].scalars
        let ranking = order.ranking(input.maps[n].values)
        var batch = [Float](repeating: 0, count: (steps + 1) * size)
        for s in 0...steps {
            let removed = (h * w * s + steps - 1) / steps
            batch.replaceSubrange(s * size..<(s + 1) * size, with: image)
            for p in ranking.prefix(removed) { for ch in 0..<c { batch[s * size + p * c + ch] = 0 } }
        }
        let p = softmax(model.logits(Tensor(shape: [steps + 1] + shape, scalars: batch))).scalars
        return (0...steps).map { Double(p[$0 * model.classCount + input.targets[n]]) }
    }

    /// The trapezoid-rule area of equally spaced values over [0, 1] (as the deletion curves').
    static func area(_ values: [Double]) -> Double { Faithfulness.area(values) }
}

/// ROAD, RemOve And Debias (Rong et al., 2022): the share of `percentages` at which the
/// model still predicts the target after that share of pixels, taken in the map's order,
/// is removed by noisy linear imputation — each removed pixel the weighted mean of its
/// eight neighbours (1/6 for the four beside it, 1/12 for the corners), solved jointly,
/// plus Gaussian noise of σ `noise`. Imputation does not leak the removed pixels' places as
/// a black fill does. MoRF: lower is better; LeRF: higher.
public struct ROAD: CurveMetric {
    public var order: PerturbationOrder
    public var percentages: [Int]
    public var noise: Float
    public var seed: UInt64

    public init(
        order: PerturbationOrder = .morf, percentages: [Int] = Array(stride(from: 10, through: 90, by: 10)),
        noise: Float = 0.01, seed: UInt64 = 0
    ) {
        self.order = order
        self.percentages = percentages
        self.noise = noise
        self.seed = seed
    }

    public var name: String { "ROAD" + (order == .morf ? "" : "-LeRF") }
    public var family: MetricFamily { .faithfulness }
    public var higherIsBetter: Bool { order == .lerf }
    public var settings: [String] {
        [
            "order = \(order.rawValue)", "percentages = \(percentages.map(String.init).joined(separator: ","))",
            "noise = \(noise)", "imputation = noisy linear",
        ]
    }

    public var curveAxis: (label: String, values: [Double], yLabel: String) {
        ("fraction of pixels removed and imputed", percentages.map { Double($0) / 100 }, "share still predicted")
    }

    public func score(curve: [Double]) -> Double { curve.reduce(0, +) / Double(max(curve.count, 1)) }

    /// Per image: 1 at each percentage where the model still predicts the target, else 0.
    public func curves(_ input: MetricInput) -> [[Double]] {
        let model = input.model, shape = model.inputShape, (h, w, c) = (shape[0], shape[1], shape[2])
        let size = h * w * c
        return input.images.indices.map { n in
            let image = input.images[n].scalars, ranking = order.ranking(input.maps[n].values)
            var random = SeededRandom(seed: seed, stream: input.streams[n])
            var batch: [Float] = []
            batch.reserveCapacity(percentages.count * size)
            for percent in percentages {
                var removed = [Bool](repeating: false, count: h * w)
                for p in ranking.prefix(h * w * percent / 100) { removed[p] = true }
                batch += NoisyLinearImputation.impute(
                    image, removed: removed, height: h, width: w, channels: c, noise: noise, random: &random)
            }
            let logits = model.logits(Tensor(shape: [percentages.count] + shape, scalars: batch)).scalars
            let k = model.classCount
            return percentages.indices.map { i -> Double in
                logits[i * k..<(i + 1) * k].offsetOfMax == input.targets[n] ? 1 : 0
            }
        }
    }
}

/// ROAD's imputation: removed pixels solved so that each equals the weighted mean of its
/// neighbours, then Gaussian noise added to them. The system — for each removed pixel i,
/// `Σⱼ wᵢⱼ (vᵢ − vⱼ) = 0` over its neighbours j, known ones moved to the right-hand side — is
/// symmetric and positive definite when every hole touches a known pixel, and is solved by
/// conjugate gradients (Gauss–Seidel needs hundreds of sweeps to fill a large hole).
enum NoisyLinearImputation {
    static let neighbours: [(dy: Int, dx: Int, weight: Double)] = [
        (-1, 0, 1 / 6), (1, 0, 1 / 6), (0, -1, 1 / 6), (0, 1, 1 / 6),
        (-1, -1, 1 / 12), (-1, 1, 1 / 12), (1, -1, 1 / 12), (1, 1, 1 / 12),
    ]

    static func impute(
        _ image: [Float], removed: [Bool], height h: Int, width w: Int, channels c: Int, noise: Float,
        random: inout SeededRandom
    ) -> [Float] {
        var out = image
        let missing = removed.indices.filter { removed[$0] }
        guard !missing.isEmpty else { return out }
        var slot = [Int](repeating: -1, count: h * w)
        for (i, p) in missing.enumerated() { slot[p] = i }
        // Per unknown: its diagonal and its (unknown neighbour, weight) pairs.
        var diagonal = [Double](repeating: 0, count: missing.count)
        var links: [[(Int, Double)]] = Array(repeating: [], count: missing.count)
        for (i, p) in missing.enumerated() {
            let (y, x) = (p / w, p % w)
            for (dy, dx, weight) in neighbours {
                let (ny, nx) = (y + dy, x + dx)
                guard ny >= 0, ny < h, nx >= 0, nx < w else { continue }
                diagonal[i] += weight
                let q = ny * w + nx
                if slot[q] >= 0 { links[i].append((slot[q], weight)) }
            }
        }
        func apply(_ v: [Double]) -> [Double] {
            (0..<v.count).map { i in links[i].reduce(diagonal[i] * v[i]) { $0 - $1.1 * v[$1.0] } }
        }
        for ch in 0..<c {
            var b = [Double](repeating: 0, count: missing.count)
            for (i, p) in missing.enumerated() {
                let (y, x) = (p / w, p % w)
                for (dy, dx, weight) in neighbours {
                    let (ny, nx) = (y + dy, x + dx)
                    guard ny >= 0, ny < h, nx >= 0, nx < w, slot[ny * w + nx] < 0 else { continue }
                    b[i] += weight * Double(image[(ny * w + nx) * c + ch])
                }
            }
            var v = [Double](repeating: 0, count: missing.count), r = b, d = b
            var rr = r.reduce(0) { $0 + $1 * $1 }
            let tolerance = max(rr, 1e-30) * 1e-14
            for _ in 0..<missing.count where rr > tolerance {
                let ad = apply(d)
                let dad = zip(d, ad).reduce(0) { $0 + $1.0 * $1.1 }
                guard dad > 0 else { break }
                let alpha = rr / dad
                for i in v.indices {
                    v[i] += alpha * d[i]
                    r[i] -= alpha * ad[i]
                }
                let next = r.reduce(0) { $0 + $1 * $1 }
                for i in d.indices { d[i] = r[i] + next / rr * d[i] }
                rr = next
            }
            for (i, p) in missing.enumerated() { out[p * c + ch] = Float(v[i]) }
        }
        for p in missing { for ch in 0..<c { out[p * c + ch] += noise * random.normal() } }
        return out
    }
}

/// Infidelity (Yeh et al., 2019), with Quantus's default perturbation: each
/// `patch`×`patch` square of the grid in turn set to the baseline (0, black). For a
/// perturbation I, the map predicts the logit's drop as `Σᵢ aᵢ Iᵢ` (I = the values
/// removed) — it reads the map as a rate of change, as a gradient is; the score is the
/// mean squared error of that prediction against the drop the model shows, over the
/// patches. 0 for a linear model's gradient. Lower is better. (With a black baseline the
/// patches are fixed, so Quantus's repeated samples are identical; one is taken.)
public struct Infidelity: ExplanationMetric {
    public var patch: Int

    public init(patch: Int = 4) { self.patch = patch }

    public var name: String { "Infidelity" }
    public var family: MetricFamily { .faithfulness }
    public var higherIsBetter: Bool { false }
    public var settings: [String] { ["perturb_patch_sizes = [\(patch)]", "baseline = black", "loss = MSE", "logits"] }

    public func scores(_ input: MetricInput) -> [Double] {
        let model = input.model, shape = model.inputShape, (h, w, c) = (shape[0], shape[1], shape[2])
        let patches = stride(from: 0, to: h, by: patch).flatMap { y in stride(from: 0, to: w, by: patch).map { (y, $0) }
        }
        return input.images.indices.map { n in
            let image = input.images[n].scalars, a = input.maps[n].values
            let predicted = patches.map { y0, x0 in
                var sum = 0.0
                for y in y0..<min(y0 + patch, h) {
                    for x in x0..<min(x0 + patch, w) {
                        let p = y * w + x
                        for ch in 0..<c { sum += Double(a[p]) * Double(image[p * c + ch]) }
                    }
                }
                return sum
            }
            let key = ModelQueries.Key(
                metric: "Infidelity \(patch)", stream: input.streams[n], target: input.targets[n])
            let drops = input.queries.values(key) {
                var batch = image
                for (y0, x0) in patches {
                    var copy = image
                    for y in y0..<min(y0 + patch, h) {
                        for x in x0..<min(x0 + patch, w) { for ch in 0..<c { copy[(y * w + x) * c + ch] = 0 } }
                    }
                    batch += copy
                }
                let logits = MetricMath.logits(model, batch, count: patches.count + 1, target: input.targets[n])
                return logits.dropFirst().map { logits[0] - $0 }
            }
            return zip(predicted, drops).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(patches.count)
        }
    }
}

/// Region perturbation (Samek et al., 2017): the `patch`×`patch` squares of the grid are
/// ranked by the map's sum over them and replaced, most relevant first, by uniform noise in
/// [0, 1); the score is the AOPC, the mean drop of the target's logit over all steps,
/// `1/(L+1) Σₖ₌₀ᴸ f(x) − f(x⁽ᵏ⁾)`. Higher: the map's top regions matter more.
public struct RegionPerturbation: ExplanationMetric {
    public var patch: Int
    public var seed: UInt64

    public init(patch: Int = 4, seed: UInt64 = 0) {
        self.patch = patch
        self.seed = seed
    }

    public var name: String { "RegionPerturbation" }
    public var family: MetricFamily { .faithfulness }
    public var higherIsBetter: Bool { true }
    public var settings: [String] { ["patch_size = \(patch)", "order = MoRF", "baseline = uniform", "AOPC", "logits"] }

    public func scores(_ input: MetricInput) -> [Double] {
        let model = input.model, shape = model.inputShape, (h, w, c) = (shape[0], shape[1], shape[2])
        let patches = stride(from: 0, to: h, by: patch).flatMap { y in stride(from: 0, to: w, by: patch).map { (y, $0) }
        }
        return input.images.indices.map { n in
            let image = input.images[n].scalars, a = input.maps[n].values
            func relevance(_ r: (Int, Int)) -> Double {
                var sum = 0.0
                for y in r.0..<min(r.0 + patch, h) {
                    for x in r.1..<min(r.1 + patch, w) { sum += Double(a[y * w + x]) }
                }
                return sum
            }
            let ranked = patches.indices.sorted {
                relevance(patches[$0]) > relevance(patches[$1])
                    || (relevance(patches[$0]) == relevance(patches[$1]) && $0 < $1)
            }
            var random = SeededRandom(seed: seed, stream: input.streams[n])
            var current = image, batch = image
            for index in ranked {
                let (y0, x0) = patches[index]
                for y in y0..<min(y0 + patch, h) {
                    for x in x0..<min(x0 + patch, w) {
                        for ch in 0..<c { current[(y * w + x) * c + ch] = random.nextUnit() }
                    }
                }
                batch += current
            }
            let logits = MetricMath.logits(model, batch, count: patches.count + 1, target: input.targets[n])
            return logits.reduce(0.0) { $0 + logits[0] - $1 } / Double(logits.count)
        }
    }
}
