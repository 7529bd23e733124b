import CNN
import Render

/// Random logit (Sixt et al., 2020): the structural similarity (SSIM) between the map of
/// the explained class and the map of another class, drawn at random. An explanation that
/// looks the same whichever class it explains does not explain the class. Maps normalized
/// by their largest magnitude; SSIM of the two maps as images, as the paper compares them and
/// as scikit-image computes it (7×7 uniform windows, sample covariance, K₁ 0.01, K₂ 0.03,
/// data range 1). Quantus 0.6 flattens the maps first, so its SSIM slides a 7-value window
/// along the rows joined end to end and differs. Lower is better.
public struct RandomLogit: ExplanationMetric {
    public var seed: UInt64

    public init(seed: UInt64 = 0) { self.seed = seed }

    public var name: String { "RandomLogit" }
    public var family: MetricFamily { .randomisation }
    public var higherIsBetter: Bool { false }
    public var settings: [String] { ["similarity = SSIM (7×7)", "normalise = max", "seed = \(seed)"] }

    public func scores(_ input: MetricInput) throws -> [Double] {
        let classes = input.model.classCount
        return try input.images.indices.map { n in
            var random = SeededRandom(seed: seed, stream: input.streams[n])
            let other = (input.targets[n] + 1 + Int(random.next() % UInt64(max(classes - 1, 1)))) % classes
            let map = input.maps[n], offMap = try input.explain(input.model, input.images[n], other)
            return StructuralSimilarity.mean(
                MetricMath.byMax(map.values), MetricMath.byMax(offMap.values), width: map.width, height: map.height)
        }
    }
}

/// The mean structural similarity index (Wang et al., 2004) as scikit-image's
/// `structural_similarity` computes it for 2-D float images.
enum StructuralSimilarity {
    static func mean(
        _ a: [Double], _ b: [Double], width w: Int, height h: Int, window: Int = 7, dataRange: Double = 1
    ) -> Double {
        let win = min(window, w, h) % 2 == 0 ? min(window, w, h) - 1 : min(window, w, h)
        let pad = (win - 1) / 2, np = Double(win * win)
        let c1 = (0.01 * dataRange) * (0.01 * dataRange), c2 = (0.03 * dataRange) * (0.03 * dataRange)
        var total = 0.0, count = 0
        for y in pad..<(h - pad) {
            for x in pad..<(w - pad) {
                var sa = 0.0, sb = 0.0, saa = 0.0, sbb = 0.0, sab = 0.0
                for dy in -pad...pad {
                    for dx in -pad...pad {
                        let i = (y + dy) * w + x + dx
                        sa += a[i]
                        sb += b[i]
                        saa += a[i] * a[i]
                        sbb += b[i] * b[i]
                        sab += a[i] * b[i]
                    }
                }
                let ua = sa / np, ub = sb / np, norm = np / (np - 1)
                let va = norm * (saa / np - ua * ua), vb = norm * (sbb / np - ub * ub)
                let vab = norm * (sab / np - ua * ub)
                total += ((2 * ua * ub + c1) * (2 * vab + c2)) / ((ua * ua + ub * ub + c1) * (va + vb + c2))
                count += 1
            }
        }
        return count > 0 ? total / Double(count) : .nan
    }
}

/// The model parameter randomisation test (Adebayo et al., 2018) as a score: layers with
/// weights are given fresh random values — one after another from the top, each on top of
/// the last (`cascading`, Quantus's MPRT with `layer_order="top_down"`), or one at a time
/// (`independent`) — and after each the map is explained again and compared with the
/// trained model's by Spearman's rank correlation of the magnitudes. The score is the mean
/// correlation over the layers: a map that survives the destruction of the weights it
/// should depend on scores high. Lower is better.
public struct ModelParameterRandomisation: ExplanationMetric {
    public typealias Order = SanityCheck.Order
    public var order: Order
    public var seed: UInt64

    public init(_ order: Order = .cascading, seed: UInt64 = 0) {
        self.order = order
        self.seed = seed
    }

    public var name: String { order == .cascading ? "MPRT" : "MPRT-independent" }
    public var family: MetricFamily { .randomisation }
    public var higherIsBetter: Bool { false }
    public var settings: [String] {
        ["layer_order = \(order == .cascading ? "top_down" : "independent")", "similarity = Spearman of |a|"]
    }

    public func scores(_ input: MetricInput) throws -> [Double] {
        let models = SanityCheck(seed: seed, order: order).randomizedModels(input.model).map(\.model)
        return try input.images.indices.map { n in
            let original = input.maps[n].values.map(abs)
            var total = 0.0
            for randomized in models {
                let map = try input.explain(randomized, input.images[n], input.targets[n]).values.map(abs)
                total += spearman(original, map)
            }
            return models.isEmpty ? .nan : total / Double(models.count)
        }
    }
}
