import CNN
import Render

/// Max-sensitivity and avg-sensitivity (Yeh et al., 2019): the method explains `samples`
/// noisy copies of the image (every value plus uniform noise in ±`radius`), and each copy's
/// map is compared with the original's, relative to the original as Quantus 0.6 measures it:
/// `‖a(x + δ) − a(x)‖ / ‖a(x)‖` (Frobenius norms, the maps as the method gives them; Yeh et
/// al. take the plain difference, which depends on each method's scale). The score is the
/// largest (`max`) or the mean (`avg`) ratio. Copies whose predicted class changes are left
/// out (Quantus's `return_nan_when_prediction_changes`). Lower: more robust.
public struct Sensitivity: ExplanationMetric {
    public enum Aggregate: String, Sendable { case max, avg }
    public var aggregate: Aggregate
    public var samples: Int
    public var radius: Float
    public var seed: UInt64

    public init(_ aggregate: Aggregate, samples: Int = 10, radius: Float = 0.2, seed: UInt64 = 0) {
        self.aggregate = aggregate
        self.samples = samples
        self.radius = radius
        self.seed = seed
    }

    public var name: String { aggregate == .max ? "MaxSensitivity" : "AvgSensitivity" }
    public var family: MetricFamily { .robustness }
    public var higherIsBetter: Bool { false }
    public var settings: [String] {
        ["nr_samples = \(samples)", "lower_bound = \(radius) (uniform noise)", "‖Δa‖ / ‖a‖ (Frobenius)"]
    }

    public func scores(_ input: MetricInput) throws -> [Double] { aggregated(try ratios(input)) }

    /// Each image's ratios aggregated: their maximum or mean (NaN when none is left).
    func aggregated(_ ratios: [[Double]]) -> [Double] {
        ratios.map { r in
            r.isEmpty ? .nan : aggregate == .max ? r.max()! : r.reduce(0, +) / Double(r.count)
        }
    }

    /// Per image, the ratio of each noisy copy whose prediction stayed; max- and
    /// avg-sensitivity with the same settings share them (`MetricRun` asks once).
    func ratios(_ input: MetricInput) throws -> [[Double]] {
        let model = input.model
        return try input.images.indices.map { n in
            let image = input.images[n], original = input.maps[n].values.map(Double.init)
            let norm = original.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
            guard norm > 0 else { return [] }
            var random = SeededRandom(seed: seed, stream: input.streams[n])
            let copies = (0..<samples).map { _ in
                var noisy = image
                for i in noisy.scalars.indices { noisy.scalars[i] += random.uniform(-radius, radius) }
                return noisy
            }
            // The image and its copies in one batch: which copies keep the prediction.
            let key = ModelQueries.Key(metric: "Sensitivity \(settings)", stream: input.streams[n], target: 0)
            let classes = input.queries.values(key) {
                let batch = Tensor(
                    shape: [samples + 1] + model.inputShape,
                    scalars: image.scalars + copies.flatMap(\.scalars))
                let logits = model.logits(batch).scalars, k = model.classCount
                return (0...samples).map { Double(logits[$0 * k..<($0 + 1) * k].offsetOfMax) }
            }
            var ratios: [Double] = []
            for (copy, predicted) in zip(copies, classes.dropFirst()) where predicted == classes[0] {
                let map = try input.explain(model, copy, input.targets[n]).values.map(Double.init)
                let distance = zip(map, original).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
                ratios.append(distance / norm)
            }
            return ratios
        }
    }
}

/// The local Lipschitz estimate (Alvarez-Melis & Jaakkola, 2018): the largest ratio
/// `‖a(x) − a(x′)‖₂ / ‖x − x′‖₂` over `samples` copies x′ of the image with Gaussian noise of
/// σ `sigma` added. Lower: the map changes little where the input changes little.
public struct LocalLipschitzEstimate: ExplanationMetric {
    public var samples: Int
    public var sigma: Float
    public var seed: UInt64

    public init(samples: Int = 10, sigma: Float = 0.1, seed: UInt64 = 0) {
        self.samples = samples
        self.sigma = sigma
        self.seed = seed
    }

    public var name: String { "LocalLipschitzEstimate" }
    public var family: MetricFamily { .robustness }
    public var higherIsBetter: Bool { false }
    public var settings: [String] { ["nr_samples = \(samples)", "perturb_std = \(sigma) (Gaussian)", "norms = L2"] }

    public func scores(_ input: MetricInput) throws -> [Double] {
        try input.images.indices.map { n in
            let image = input.images[n], original = input.maps[n].values
            var random = SeededRandom(seed: seed, stream: input.streams[n])
            var largest = 0.0
            for _ in 0..<samples {
                var noisy = image, inputDistance = 0.0
                for i in noisy.scalars.indices {
                    let d = sigma * random.normal()
                    noisy.scalars[i] += d
                    inputDistance += Double(d) * Double(d)
                }
                let map = try input.explain(input.model, noisy, input.targets[n]).values
                let mapDistance = zip(map, original).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }
                guard inputDistance > 0 else { continue }
                largest = max(largest, (mapDistance / inputDistance).squareRoot())
            }
            return largest
        }
    }
}
