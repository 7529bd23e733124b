import CNN
import Render

/// IROF, iterative removal of features (Rieger & Hansen, 2020): the image is cut into SLIC
/// superpixels (`Superpixels`, scikit-image's defaults), ranked by the map's mean over
/// each, and removed most relevant first, each replaced by the mean value of the image as
/// it stands then (Quantus's `"mean"` baseline); after each removal the target's
/// probability is divided by the original one. The score is the area over that curve,
/// `1 − trapezoid(p₁/p₀, …, p_N/p₀) / N` over the N removals: Quantus 0.6's value divided by
/// N, so that it does not grow with the number of segments. Higher is better.
public struct IROF: ExplanationMetric {
    public var segments: Int
    public var compactness: Double

    public init(segments: Int = 100, compactness: Double = 10) {
        self.segments = segments
        self.compactness = compactness
    }

    public var name: String { "IROF" }
    public var family: MetricFamily { .faithfulness }
    public var higherIsBetter: Bool { true }
    public var settings: [String] {
        ["segmentation = SLIC (n_segments = \(segments), compactness = \(compactness))", "baseline = mean", "softmax"]
    }

    public func scores(_ input: MetricInput) -> [Double] {
        let model = input.model, shape = model.inputShape, (h, w, c) = (shape[0], shape[1], shape[2])
        let size = h * w * c
        return input.images.indices.map { n in
            let image = input.images[n].scalars, a = input.maps[n].values
            let superpixels = Superpixels(
                image, height: h, width: w, channels: c, segments: segments, compactness: compactness)
            var sums = [Double](repeating: 0, count: superpixels.count), sizes = sums
            for (p, label) in superpixels.labels.enumerated() {
                sums[label] += Double(a[p])
                sizes[label] += 1
            }
            let means = zip(sums, sizes).map { $0 / $1 }
            let ranked = means.indices.sorted { means[$0] > means[$1] || (means[$0] == means[$1] && $0 < $1) }
            var current = image, batch = image
            batch.reserveCapacity((ranked.count + 1) * size)
            for segment in ranked {
                let fill = current.reduce(0, +) / Float(size)
                for (p, label) in superpixels.labels.enumerated() where label == segment {
                    for ch in 0..<c { current[p * c + ch] = fill }
                }
                batch += current
            }
            let p = softmax(model.logits(Tensor(shape: [ranked.count + 1] + shape, scalars: batch))).scalars
            let k = model.classCount, target = input.targets[n], original = Double(p[target])
            guard original > 0 else { return .nan }
            let curve = (1...ranked.count).map { Double(p[$0 * k + target]) / original }
            return 1 - Faithfulness.trapezoid(curve) / Double(curve.count)
        }
    }
}
