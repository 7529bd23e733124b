import Render

/// Screening a dataset's explanations for shortcuts without a ground truth: for each class,
/// where its relevance lies compared with the other classes, from the maps alone.
///
/// Each map's magnitudes are scaled to add up to 1 and averaged per class. Two measures per
/// class, each compared with the other classes by its modified z-score (Iglewicz & Hoaglin:
/// `0.6745 (v − median) / MAD`, flagged above 3.5):
/// - `outside`: the share of the class's relevance on pixels where the *other* classes' images
///   have no ink (their mean below `inkThreshold`): evidence where no other digit is ever
///   written — a watermark, a tag, a frame;
/// - `peak`: the share of the class's mean map in its strongest 1 % of pixels: one fixed spot
///   that explains every image of the class, where handwriting would move from writer to writer.
public struct RelevanceScreening: Sendable {
    public enum Measure: String, Sendable, CaseIterable {
        case outside
        case peak
    }

    /// One class's numbers.
    public struct ClassResult: Sendable {
        public let classIndex: Int
        public let count: Int
        /// The mean of the class's maps, each scaled to add up to 1.
        public let meanMap: Heatmap
        /// The pixels where the other classes have no ink (1) or some (0).
        public let elsewhereBlank: [Bool]
        public let values: [Measure: Double]
        public var zScores: [Measure: Double] = [:]

        public var flagged: [Measure] { Measure.allCases.filter { (zScores[$0] ?? 0) > RelevanceScreening.flagAbove } }
    }

    /// A class is flagged when a measure's modified z-score exceeds this (Iglewicz & Hoaglin's 3.5).
    public static let flagAbove = 3.5
    /// The mean value below which the other classes count as having no ink at a pixel.
    public var inkThreshold: Float

    public init(inkThreshold: Float = 0.02) { self.inkThreshold = inkThreshold }

    /// `maps[k]` and `images[k]` are class k's relevance maps (on the input's grid) and gray
    /// images, in the same order; a class without images is left out.
    public func run(maps: [[Heatmap]], images: [[Heatmap]]) -> [ClassResult] {
        let classes = maps.indices.filter { !maps[$0].isEmpty }
        guard let first = classes.first.map({ maps[$0][0] }) else { return [] }
        let n = first.values.count
        var inkSum = [[Double]](repeating: [Double](repeating: 0, count: n), count: maps.count)
        for k in classes { for image in images[k] { for i in 0..<n { inkSum[k][i] += Double(image.values[i]) } } }
        var results: [ClassResult] = []
        for k in classes {
            var mean = [Double](repeating: 0, count: n)
            for map in maps[k] {
                let total = map.values.reduce(0.0) { $0 + Double(abs($1)) }
                guard total > 0 else { continue }
                for i in 0..<n { mean[i] += Double(abs(map.values[i])) / total }
            }
            mean = mean.map { $0 / Double(maps[k].count) }
            let others = classes.filter { $0 != k }
            let otherCount = others.reduce(0) { $0 + images[$1].count }
            let blank = (0..<n).map { i in
                others.reduce(0.0) { $0 + inkSum[$1][i] } / Double(max(otherCount, 1)) < Double(inkThreshold)
            }
            let outside = zip(mean, blank).reduce(0.0) { $0 + ($1.1 ? $1.0 : 0) }
            let top = max(1, (n + 99) / 100)
            let peak = mean.sorted(by: >).prefix(top).reduce(0, +)
            results.append(
                ClassResult(
                    classIndex: k, count: maps[k].count,
                    meanMap: Heatmap(width: first.width, height: first.height, values: mean.map(Float.init)),
                    elsewhereBlank: blank, values: [.outside: outside, .peak: peak]))
        }
        for measure in Measure.allCases {
            let z = Self.modifiedZScores(results.map { $0.values[measure] ?? 0 })
            for i in results.indices { results[i].zScores[measure] = z[i] }
        }
        return results
    }

    /// `0.6745 (v − median) / MAD`. When more than half the values are equal (MAD 0), the
    /// mean absolute deviation stands in, `(v − median) / (1.253314 · MeanAD)` (as IBM's
    /// SPSS and others do); 0 for all when the values do not spread at all.
    static func modifiedZScores(_ values: [Double]) -> [Double] {
        let median = Self.median(values)
        let deviations = values.map { abs($0 - median) }
        let mad = Self.median(deviations)
        if mad > 0 { return values.map { 0.6745 * ($0 - median) / mad } }
        let meanAD = deviations.reduce(0, +) / Double(max(values.count, 1))
        guard meanAD > 0 else { return values.map { _ in 0 } }
        return values.map { ($0 - median) / (1.253314 * meanAD) }
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let m = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2
    }
}
