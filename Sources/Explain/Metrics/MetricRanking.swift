/// How methods rank on each metric of a table: 1 the best mean, and which are not told
/// apart from the best by the images (their 95 % intervals overlap).
public struct MetricRanking: Sendable, Equatable {
    /// `[method][metric]`: the rank, nil for an undefined mean (ranked last, unnumbered).
    public let ranks: [[Int?]]
    /// `[method][metric]`: ranked, not the best, and within the best one's interval.
    public let tiedWithBest: [[Bool]]

    public init(_ runs: [MetricRun], metrics: [any ExplanationMetric]) {
        var ranks = [[Int?]](repeating: [Int?](repeating: nil, count: metrics.count), count: runs.count)
        for (j, metric) in metrics.enumerated() {
            let means = runs.map { $0.summaries[metric.name]!.mean }
            let order = means.indices.filter { means[$0].isFinite }.sorted {
                metric.higherIsBetter ? means[$0] > means[$1] : means[$0] < means[$1]
            }
            for (rank, i) in order.enumerated() { ranks[i][j] = rank + 1 }
        }
        self.ranks = ranks
        tiedWithBest = runs.indices.map { i in
            metrics.indices.map { j in
                guard let best = ranks.indices.first(where: { ranks[$0][j] == 1 }), best != i, ranks[i][j] != nil
                else { return false }
                let (a, b) = (runs[i].summaries[metrics[j].name]!, runs[best].summaries[metrics[j].name]!)
                guard a.ci95.isFinite && b.ci95.isFinite else { return false }
                return abs(a.mean - b.mean) <= a.ci95 + b.ci95
            }
        }
    }
}
