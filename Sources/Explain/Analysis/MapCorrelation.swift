import Render

/// Pearson's correlation of two maps of one size over every value (NaN when either is
/// constant): how alike two classes' maps of one image are, or two optimized images.
public func mapCorrelation(_ a: Heatmap, _ b: Heatmap) -> Double {
    MetricMath.pearson(a.values.map(Double.init), b.values.map(Double.init))
}

/// How alike several images optimized for one unit are: the mean of Pearson's correlation
/// over every pair of them (Lucid's diversity term pushes it down).
public func meanPairwiseCorrelation(_ images: [Heatmap]) -> Double {
    var total = 0.0, pairs = 0
    for i in images.indices {
        for j in images.indices where j > i {
            total += mapCorrelation(images[i], images[j])
            pairs += 1
        }
    }
    return pairs > 0 ? total / Double(pairs) : .nan
}
