import CNN
import Render
import Synchronization

/// What a metric reads: the model, the images with the class each explanation is for,
/// the explanations (one value per input pixel), and the method again, for metrics that
/// explain perturbed inputs or other classes.
public struct MetricInput: Sendable {
    public let model: Model
    /// `[1, h, w, c]` each, as the model takes them.
    public let images: [Tensor]
    /// The class each map explains.
    public let targets: [Int]
    /// One map per image, `h × w` (a layer's map already placed on the input).
    public let maps: [Heatmap]
    /// Explains `image` for class `target` with `model` (maybe another model, randomized),
    /// at the input's resolution — the method the maps came from.
    public let explain: @Sendable (_ model: Model, _ image: Tensor, _ target: Int) throws -> Heatmap
    /// The random stream each image's draws come from (noise, subsets, the other class):
    /// its pixels' hash, so that an image scores the same whichever images it is run with
    /// and however the run is split across cores.
    public let streams: [UInt64]
    /// Model outputs that depend on the image alone, shared by every method scored on it.
    public let queries: ModelQueries
    /// Per image, where the evidence is known to be (`h × w`), or nil without a ground
    /// truth: what localisation metrics score against.
    public let masks: [[Bool]?]

    public init(
        model: Model, images: [Tensor], targets: [Int], maps: [Heatmap], queries: ModelQueries = ModelQueries(),
        masks: [[Bool]?]? = nil, explain: @escaping @Sendable (Model, Tensor, Int) throws -> Heatmap
    ) {
        precondition(images.count == targets.count && images.count == maps.count)
        self.model = model
        self.images = images
        self.targets = targets
        self.maps = maps
        self.explain = explain
        streams = images.map(\.contentHash)
        self.queries = queries
        self.masks = masks ?? images.map { _ in nil }
    }
}

/// The model's outputs for perturbations that the image alone fixes — the random subsets
/// of `FaithfulnessCorrelation`, the patches of `Infidelity` — kept so that every method
/// scored on the same images and the same model reads them instead of running the model
/// again (the maps differ per method; what the model does to the copies does not).
public final class ModelQueries: Sendable {
    /// A metric's settings, the image's stream and the class read.
    struct Key: Hashable {
        let metric: String
        let stream: UInt64
        let target: Int
    }

    private let stored = Mutex<[Key: [Double]]>([:])

    public init() {}

    /// How many entries are stored.
    var count: Int { stored.withLock { $0.count } }

    /// The values stored under `key`, computed by `compute` the first time.
    func values(_ key: Key, compute: () -> [Double]) -> [Double] {
        if let known = stored.withLock({ $0[key] }) { return known }
        let values = compute()
        stored.withLock { $0[key] = values }
        return values
    }
}

/// The families Quantus sorts its metrics into (Hedström et al., 2023).
public enum MetricFamily: String, Sendable, CaseIterable {
    case faithfulness, robustness, localisation, complexity, randomisation, axiomatic
}

/// A measure of explanations, named as Quantus names it and defined as its paper defines
/// it. `scores` gives one number per image (NaN where it is undefined, say a constant map
/// for a correlation); tables report their mean and standard deviation.
public protocol ExplanationMetric: Sendable {
    /// Quantus's class name (`Sparseness`, `FaithfulnessCorrelation`).
    var name: String { get }
    var family: MetricFamily { get }
    /// Whether a higher score is the better one.
    var higherIsBetter: Bool { get }
    /// The settings in force, as `name = value` notes for tables and JSON.
    var settings: [String] { get }
    func scores(_ input: MetricInput) throws -> [Double]
}

/// Mean and sample standard deviation of the finite values (NaN when there are none).
/// A metric that measures a curve per image (a score after each step of a removal) and
/// reduces it to one number: the curves themselves can be drawn, averaged over images.
public protocol CurveMetric: ExplanationMetric {
    /// The x value of each point of a curve, what it is, and what the curve's values are.
    var curveAxis: (label: String, values: [Double], yLabel: String) { get }
    /// Each image's curve, one value per point of `curveAxis`.
    func curves(_ input: MetricInput) -> [[Double]]
    /// The score of one curve (its area, its mean).
    func score(curve: [Double]) -> Double
}

extension CurveMetric {
    public func scores(_ input: MetricInput) -> [Double] { curves(input).map(score) }
}

public struct MetricSummary: Sendable, Codable, Equatable {
    public let mean: Double
    public let std: Double
    /// How many images had a finite score.
    public let count: Int
    /// Half the width of the mean's 95 % confidence interval, `t · std / √count` with
    /// Student's t for `count − 1` degrees of freedom (NaN for fewer than two scores).
    public let ci95: Double

    public init(_ values: [Double]) {
        let finite = values.filter(\.isFinite)
        count = finite.count
        guard !finite.isEmpty else {
            mean = .nan
            std = .nan
            ci95 = .nan
            return
        }
        let m = finite.reduce(0, +) / Double(finite.count)
        mean = m
        std =
            finite.count > 1
            ? (finite.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(finite.count - 1)).squareRoot() : 0
        ci95 = finite.count > 1 ? Self.t975(degrees: finite.count - 1) * std / Double(finite.count).squareRoot() : .nan
    }

    /// The 97.5 % quantile of Student's t: tabulated to 30 degrees of freedom, then the
    /// Cornish–Fisher expansion around the normal's 1.95996 (within 1e-4 of the exact value).
    static func t975(degrees n: Int) -> Double {
        let table = [
            12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281, 2.2010, 2.1788, 2.1604,
            2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860, 2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555,
            2.0518, 2.0484, 2.0452, 2.0423,
        ]
        if n >= 1 && n <= table.count { return table[n - 1] }
        let z = 1.959964, v = Double(n), z3 = z * z * z, z5 = z3 * z * z
        let first = (z3 + z) / (4 * v)
        let second = (5 * z5 + 16 * z3 + 3 * z) / (96 * v * v)
        return z + first + second
    }
}

/// Shared helpers: map normalizations as Quantus applies them, correlation.
enum MetricMath {
    /// Quantus's `normalise_by_max`: divided by the largest magnitude (unchanged if all 0).
    static func byMax(_ a: [Float]) -> [Double] {
        let m = a.map { abs(Double($0)) }.max() ?? 0
        return a.map { m > 0 ? Double($0) / m : Double($0) }
    }

    /// Quantus's `normalise_by_negative`: positives divided by the largest, negatives by
    /// the magnitude of the smallest, so both parts span up to 1.
    static func byNegative(_ a: [Float]) -> [Double] {
        let high = Double(a.max() ?? 0), low = Double(a.min() ?? 0)
        return a.map { v in
            let x = Double(v)
            return x > 0 ? (high > 0 ? x / high : x) : x < 0 ? (low < 0 ? x / -low : x) : 0
        }
    }

    /// Pearson's correlation; NaN when either side is constant.
    static func pearson(_ a: [Double], _ b: [Double]) -> Double {
        let n = Double(a.count)
        guard a.count == b.count, a.count > 1 else { return .nan }
        let ma = a.reduce(0, +) / n, mb = b.reduce(0, +) / n
        var sab = 0.0, saa = 0.0, sbb = 0.0
        for (x, y) in zip(a, b) {
            sab += (x - ma) * (y - mb)
            saa += (x - ma) * (x - ma)
            sbb += (y - mb) * (y - mb)
        }
        guard saa > 0, sbb > 0 else { return .nan }
        return sab / (saa * sbb).squareRoot()
    }

    /// The target's logit for each image of `batch` (`[n, h, w, c]`).
    static func logits(_ model: Model, _ batch: [Float], count: Int, target: Int) -> [Double] {
        let logits = model.logits(Tensor(shape: [count] + model.inputShape, scalars: batch)).scalars
        let k = model.classCount
        return (0..<count).map { Double(logits[$0 * k + target]) }
    }
}
