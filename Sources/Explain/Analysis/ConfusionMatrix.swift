import Render

/// Counts of (true class, predicted class), with the per-class accuracy and the pairs the
/// model confuses most.
public struct ConfusionMatrix: Sendable, Equatable {
    public let classes: Int
    /// `counts[true][predicted]`.
    public let counts: [[Int]]

    public init(labels: [Int], predictions: [Int], classes: Int) {
        precondition(labels.count == predictions.count)
        var counts = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        // Callers check that the data's classes are the model's; a pair outside stays uncounted.
        for (t, p) in zip(labels, predictions) where (0..<classes).contains(t) && (0..<classes).contains(p) {
            counts[t][p] += 1
        }
        self.classes = classes
        self.counts = counts
    }

    /// The fraction of each class predicted correctly (0 for an absent class).
    public var perClassAccuracy: [Double] {
        (0..<classes).map { k in
            let total = counts[k].reduce(0, +)
            return total == 0 ? 0 : Double(counts[k][k]) / Double(total)
        }
    }

    public var accuracy: Double {
        let total = counts.joined().reduce(0, +)
        return total == 0 ? 0 : Double((0..<classes).reduce(0) { $0 + counts[$1][$1] }) / Double(total)
    }

    /// Off-diagonal pairs, most frequent first (ties by true class, then predicted).
    public func mostConfused(_ n: Int) -> [(trueClass: Int, predicted: Int, count: Int)] {
        var pairs: [(trueClass: Int, predicted: Int, count: Int)] = []
        for t in 0..<classes {
            for p in 0..<classes where t != p && counts[t][p] > 0 { pairs.append((t, p, counts[t][p])) }
        }
        pairs.sort { ($0.count, -$0.trueClass, -$0.predicted) > ($1.count, -$1.trueClass, -$1.predicted) }
        return Array(pairs.prefix(n))
    }
}

/// The mean heatmap of each class's images (nil for a class with none); all maps must
/// have the same size.
public func meanHeatmaps(_ maps: [Heatmap], labels: [Int], classes: Int) -> [Heatmap?] {
    (0..<classes).map { k in
        let members = zip(maps, labels).filter { $0.1 == k }.map(\.0)
        guard let first = members.first else { return nil }
        var sum = [Float](repeating: 0, count: first.values.count)
        for m in members { for i in sum.indices { sum[i] += m.values[i] } }
        return Heatmap(width: first.width, height: first.height, values: sum.map { $0 / Float(members.count) })
    }
}
