import CNN
import Render

/// How far different methods' maps of the same images agree (the "disagreement problem",
/// Krishna et al., 2022): for every pair of methods, per image, the rank correlation of
/// their magnitudes and the share of their `k` strongest pixels they have in common; with
/// the noise floor of each measure, what two maps that know nothing of each other score.
/// Maps are compared by magnitude, so a signed map and an unsigned one read alike.
public struct MethodAgreement: Sendable, Equatable {
    public enum Measure: String, Sendable, CaseIterable {
        /// Spearman's ρ of the magnitudes over every pixel.
        case spearman
        /// The same over the pixels where the input has ink: two maps that both light up
        /// the digit correlate over all pixels whatever else they say.
        case inkSpearman = "ink-spearman"
        /// |top-k(a) ∩ top-k(b)| / k, the k largest magnitudes of each map (ties to the
        /// lower pixel index).
        case topK = "top-k"
    }

    /// One pair of methods (indices into `methods`, `first < second`): per measure, the value
    /// on each image (NaN where undefined: a constant map, fewer than two inked pixels).
    public struct Pair: Sendable, Equatable {
        public let first: Int
        public let second: Int
        public let values: [Measure: [Double]]
    }

    public let methods: [String]
    public let measures: [Measure]
    /// How many pixels the top-k overlap keeps.
    public let k: Int
    public let pairs: [Pair]
    /// Per measure, the mean over the images of two independent uniform random maps' score:
    /// chance agreement (k / pixels for the overlap, about 0 for the correlations).
    public let noiseFloor: [Measure: Double]

    /// Compares `maps[m][i]`, method `m`'s map of image `i` (all on the input's grid);
    /// `ink[i]` marks image `i`'s non-zero pixels. `seed` draws the random maps of the floor.
    public static func measure(
        _ maps: [[Heatmap]], methods: [String], ink: [[Bool]], k: Int, measures: [Measure] = Measure.allCases,
        seed: UInt64 = 0
    ) -> MethodAgreement {
        precondition(maps.count == methods.count && maps.allSatisfy { $0.count == ink.count })
        var pairs: [Pair] = []
        for a in maps.indices {
            for b in maps.indices where b > a {
                var values: [Measure: [Double]] = [:]
                for measure in measures {
                    values[measure] = ink.indices.map { i in score(measure, maps[a][i], maps[b][i], ink: ink[i], k: k) }
                }
                pairs.append(Pair(first: a, second: b, values: values))
            }
        }
        // Two random maps per image, drawn once and scored by every measure.
        let noise = ink.indices.map { i -> (Heatmap, Heatmap) in
            let template = maps.first![i]
            func draw(_ stream: UInt64) -> Heatmap {
                var random = SeededRandom(seed: seed, stream: UInt64(i), stream)
                return Heatmap(
                    width: template.width, height: template.height,
                    values: template.values.map { _ in random.nextUnit() })
            }
            return (draw(0), draw(1))
        }
        var floor: [Measure: Double] = [:]
        for measure in measures {
            floor[measure] = mean(ink.indices.map { i in score(measure, noise[i].0, noise[i].1, ink: ink[i], k: k) })
        }
        return MethodAgreement(methods: methods, measures: measures, k: k, pairs: pairs, noiseFloor: floor)
    }

    /// The pair of methods `a` and `b` (either order).
    public func pair(_ a: Int, _ b: Int) -> Pair? {
        pairs.first { ($0.first, $0.second) == (min(a, b), max(a, b)) }
    }

    /// The mean of the finite values, NaN when there are none.
    public static func mean(_ values: [Double]) -> Double {
        let finite = values.filter(\.isFinite)
        return finite.isEmpty ? .nan : finite.reduce(0, +) / Double(finite.count)
    }

    /// The sample standard deviation of the finite values, NaN for fewer than two.
    public static func standardDeviation(_ values: [Double]) -> Double {
        let finite = values.filter(\.isFinite)
        guard finite.count > 1 else { return .nan }
        let m = mean(finite)
        return (finite.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(finite.count - 1)).squareRoot()
    }

    static func score(_ measure: Measure, _ a: Heatmap, _ b: Heatmap, ink: [Bool], k: Int) -> Double {
        switch measure {
        case .spearman: MapSimilarity.spearman.callAsFunction(a, b, ink: ink)
        case .inkSpearman: MapSimilarity.inkSpearman.callAsFunction(a, b, ink: ink)
        case .topK: topKOverlap(a.values, b.values, k: k)
        }
    }

    /// The share of the `k` largest magnitudes of `a` and of `b` at the same pixels.
    static func topKOverlap(_ a: [Float], _ b: [Float], k: Int) -> Double {
        precondition(a.count == b.count)
        let k = min(k, a.count)
        guard k > 0 else { return .nan }
        func top(_ v: [Float]) -> Set<Int> {
            Set(v.indices.sorted { abs(v[$0]) > abs(v[$1]) || (abs(v[$0]) == abs(v[$1]) && $0 < $1) }.prefix(k))
        }
        return Double(top(a).intersection(top(b)).count) / Double(k)
    }
}
