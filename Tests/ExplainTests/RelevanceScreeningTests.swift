import Render
import Testing

@testable import Explain

/// The screen on hand-made maps: one class whose relevance sits where no other class has
/// ink stands out; classes alike do not.
@Suite struct RelevanceScreeningTests {
    /// A 4×4 picture with ink at `pixels`.
    static func picture(_ pixels: [Int], value: Float = 1) -> Heatmap {
        Heatmap(width: 4, height: 4, values: (0..<16).map { pixels.contains($0) ? value : 0 })
    }

    @Test func aClassExplainedWhereNoOtherHasInkIsFlagged() {
        // Every class writes in the middle (5, 6, 9, 10); class 3 also carries a mark at pixel 0,
        // and its maps put half their relevance there.
        let middle = [5, 6, 9, 10]
        var maps: [[Heatmap]] = [], images: [[Heatmap]] = []
        for k in 0..<6 {
            let marked = k == 3
            images.append([Self.picture(marked ? middle + [0] : middle), Self.picture(middle)])
            let map = Heatmap(
                width: 4, height: 4,
                values: (0..<16).map { i in
                    if marked && i == 0 { return 4 }
                    return middle.contains(i) ? Float(1 + (i + k) % 2) : 0
                })
            maps.append([map, map])
        }
        let results = RelevanceScreening().run(maps: maps, images: images)
        #expect(results.map(\.classIndex) == Array(0..<6))
        // Class 3: 4 of its map's 4 + 6 = 10 relevance at pixel 0, where no other class has ink.
        let three = results[3]
        #expect(abs(three.values[.outside]! - 0.4) < 1e-12)
        #expect(three.elsewhereBlank == (0..<16).map { !middle.contains($0) })
        #expect(results.filter { $0.classIndex != 3 }.allSatisfy { $0.values[.outside] == 0 })
        #expect(three.flagged.contains(.outside))
        #expect(results.filter { !$0.flagged.isEmpty }.map(\.classIndex) == [3])
        // The strongest 1 % of 16 pixels is one pixel: 0.4 for class 3, 2/6 for the others.
        #expect(abs(three.values[.peak]! - 0.4) < 1e-12)
        #expect(abs(results[0].values[.peak]! - 2.0 / 6) < 1e-12)
    }

    @Test func modifiedZScoresFollowIglewiczAndHoaglin() {
        // median 2, MAD 1: 0.6745 (v − 2).
        #expect(RelevanceScreening.modifiedZScores([1, 2, 3, 2, 10]) == [1, 2, 3, 2, 10].map { 0.6745 * ($0 - 2) })
        #expect(RelevanceScreening.modifiedZScores([1, 1, 1]) == [0, 0, 0])
        // MAD 0: the mean absolute deviation (0.4 / 5) stands in.
        let z = RelevanceScreening.modifiedZScores([0, 0, 0.4, 0, 0])
        #expect(abs(z[2] - 0.4 / (1.253314 * 0.08)) < 1e-12 && z[0] == 0)
    }
}
