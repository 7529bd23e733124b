import CNN
import Explain
import Render
import Testing

/// The agreement between methods' maps, on maps whose agreement is known by construction.
@Suite struct AgreementTests {
    func map(_ values: [Float]) -> Heatmap { Heatmap(width: values.count, height: 1, values: values) }

    @Test func topKOverlapCountsSharedStrongestPixels() {
        // Magnitudes: a's top 2 are pixels 0 and 3, b's are 3 (−5) and 1; one in common.
        let a = map([4, 1, 0, -3, 2]), b = map([0, 2, 1, -5, 0.5])
        let ink = [Bool](repeating: true, count: 5)
        let agreement = MethodAgreement.measure(
            [[a], [b], [a.negated]], methods: ["a", "b", "minus-a"], ink: [ink], k: 2)
        #expect(agreement.pairs.map { [$0.first, $0.second] } == [[0, 1], [0, 2], [1, 2]])
        #expect(agreement.pair(1, 0)?.values[.topK] == [0.5])
        // A map and its negation agree completely: maps are compared by magnitude.
        #expect(agreement.pair(0, 2)?.values[.topK] == [1])
        #expect(agreement.pair(0, 2)?.values[.spearman] == [1])
        // Spearman of |a| = [4, 1, 0, 3, 2] and |b| = [0, 2, 1, 5, 0.5]: ranks [5, 2, 1, 4, 3] and
        // [1, 4, 3, 5, 2], Σd² = 16 + 4 + 4 + 1 + 1 = 26, ρ = 1 − 6·26 / (5·24) = −0.3.
        #expect(abs(agreement.pair(0, 1)!.values[.spearman]![0] - (-0.3)) < 1e-12)
    }

    @Test func inkOnlyCorrelationReadsTheInkedPixels() {
        // Equal over the ink, opposite off it.
        let a = map([1, 2, 3, 9, 8, 7]), b = map([1, 2, 3, 7, 8, 9])
        let ink = [true, true, true, false, false, false]
        let agreement = MethodAgreement.measure([[a], [b]], methods: ["a", "b"], ink: [ink], k: 3)
        #expect(agreement.pair(0, 1)?.values[.inkSpearman] == [1])
        #expect(agreement.pair(0, 1)!.values[.spearman]![0] < 1)
        // A constant map has no ranks: undefined, not "unrelated".
        let flat = MethodAgreement.measure([[a], [map([1, 1, 1, 1, 1, 1])]], methods: ["a", "c"], ink: [ink], k: 3)
        #expect(flat.pair(0, 1)!.values[.spearman]![0].isNaN)
        #expect(MethodAgreement.mean([.nan, 0.5, 0.7]) == 0.6)
    }

    @Test func noiseFloorIsChanceAgreement() {
        // 20 images of 784 pixels: two random maps share k/N of their top k on average
        // (hypergeometric mean), and their rank correlation is about 0.
        let images = 20, n = 784, k = 50
        let maps = [[Heatmap]](
            repeating: (0..<images).map { _ in Heatmap(width: 28, height: 28, values: .init(repeating: 0, count: n)) },
            count: 2)
        let ink = [[Bool]](repeating: .init(repeating: true, count: n), count: images)
        let agreement = MethodAgreement.measure(maps, methods: ["x", "y"], ink: ink, k: k, seed: 3)
        #expect(abs(agreement.noiseFloor[.topK]! - Double(k) / Double(n)) < 0.025)
        #expect(abs(agreement.noiseFloor[.spearman]!) < 0.05)
        #expect(abs(agreement.noiseFloor[.inkSpearman]!) < 0.05)
        let again = MethodAgreement.measure(maps, methods: ["x", "y"], ink: ink, k: k, seed: 3)
        #expect(agreement.noiseFloor == again.noiseFloor)
    }
}

extension Heatmap {
    var negated: Heatmap { Heatmap(width: width, height: height, values: values.map { -$0 }) }
}
