import CNN
import Render
import Testing
import TestSupport

@testable import Explain

/// The sanity check's similarity measures and models.
@Suite struct SanityCheckMeasureTests {
    /// scikit-image 0.24's `hog(img, orientations=9, pixels_per_cell=(4, 4),
    /// cells_per_block=(2, 2), block_norm='L2-Hys')` of this image: 1,296 values summing to
    /// 117.14376389496181, the first six below (scikit-image keeps some sums in float32:
    /// within 1e-8 per value).
    @Test func hogMatchesScikitImage() {
        var image = (0..<784).map { Double(($0 * 7) % 13) / 13 }
        for y in 10..<18 { for x in 5..<20 { image[y * 28 + x] = 1 } }
        let f = HOGFeatures(image, width: 28, height: 28).values
        #expect(f.count == 1296)
        #expect(abs(f.reduce(0, +) - 117.14376389496181) < 1e-6)
        let first = [0.06467589456494197, 0.0, 0.0, 0.3448815915621273, 0.12935178912988393, 0.0]
        for (a, b) in zip(f.prefix(6), first) { #expect(abs(a - b) < 1e-8) }
    }

    /// Maps equal on the ink and different off it: 1 over the ink, less over all pixels;
    /// SSIM and HOG of a map with itself are 1; undefined (constant ink values) is NaN.
    @Test func measuresOfKnownPairs() {
        let ink = (0..<784).map { $0 % 28 > 10 && $0 % 28 < 16 }
        let a = Heatmap(width: 28, height: 28, values: (0..<784).map { Float($0 % 17) })
        var b = a
        for p in b.values.indices where !ink[p] { b.values[p] = Float((p * 5) % 11) }
        #expect(abs(MapSimilarity.inkSpearman(a, b, ink: ink) - 1) < 1e-12)
        #expect(MapSimilarity.spearman(a, b, ink: ink) < 0.9)
        #expect(abs(MapSimilarity.ssim(a, a, ink: ink) - 1) < 1e-12)
        #expect(abs(MapSimilarity.hog(a, a, ink: ink) - 1) < 1e-12)
        // Sign does not matter: maps are compared by magnitude.
        let negated = Heatmap(width: 28, height: 28, values: a.values.map { -$0 })
        #expect(abs(MapSimilarity.spearman(a, negated, ink: ink) - 1) < 1e-12)
        let flat = Heatmap(width: 28, height: 28, values: [Float](repeating: 1, count: 784))
        #expect(MapSimilarity.inkSpearman(flat, a, ink: ink).isNaN)
    }

    /// Independent randomization changes exactly one weighted layer per model, cascading
    /// every layer from the top down to it; the two unrelated models differ from the
    /// trained one and from each other in every weighted layer.
    @Test func randomizedModelsChangeTheRightLayers() {
        let model = tinyModel(seed: 4, filters: (4, 8), hidden: 16)
        let weighted = model.layers.indices.filter { !model.layers[$0].parameterShapes.isEmpty }
        func changed(_ a: Model, _ b: Model) -> Set<Int> {
            Set(a.parameters.entries.filter { a.parameters[$0.key]! != b.parameters[$0.key]! }.map(\.layer))
        }
        let independent = SanityCheck(seed: 2, order: .independent).randomizedModels(model)
        let cascading = SanityCheck(seed: 2, order: .cascading).randomizedModels(model)
        for (i, layer) in weighted.reversed().enumerated() {
            #expect(changed(model, independent[i].model) == [layer])
            #expect(changed(model, cascading[i].model) == Set(weighted.filter { $0 >= layer }))
        }
        let (a, b) = SanityCheck(seed: 2).unrelatedModels(model)
        #expect(changed(model, a) == Set(weighted) && changed(model, b) == Set(weighted))
        #expect(changed(a, b) == Set(weighted))
    }

    /// The curves of a map that ignores the model sit at 1 with a floor of 1; a map of the
    /// model's weights (its first kernel, tiled) falls at the stage that randomizes them, and
    /// every randomized model explains the class the trained one chose.
    @Test func curvesFollowWhatTheMapReads() {
        let model = tinyModel(seed: 4, filters: (4, 8), hidden: 16)
        let trials = SanityCheck(seed: 1).trials(model, count: 2)
        #expect(trials.count == 2 && trials[0].randomized.map(\.layer) == ["preds", "dense_1", "conv2d_2", "conv2d_1"])
        let ink = [[Bool]](repeating: (0..<784).map { $0 % 3 == 0 }, count: 3)
        let image = Heatmap(width: 28, height: 28, values: (0..<784).map { Float($0 % 29) })
        let fixed = SanityCheck.curves(trials, trained: model, images: 3, ink: ink, measures: [.spearman, .ssim]) {
            _, _, _ in (image, 3)
        }
        #expect(fixed.stages == [[[1, 1, 1, 1, 1], [1, 1, 1, 1, 1]], [[1, 1, 1, 1, 1], [1, 1, 1, 1, 1]]])
        #expect(fixed.floors == [[1, 1], [1, 1]])
        var targets: [Target] = []
        let kernel = SanityCheck.curves(trials, trained: model, images: 1, ink: [ink[0]], measures: [.spearman]) {
            m, _, target in
            targets.append(target)
            let w = m.parameters["conv2d_1/kernel"]!.scalars
            return (Heatmap(width: 28, height: 28, values: (0..<784).map { w[$0 % w.count] }), 7)
        }
        // conv2d_1 is the fourth layer randomized: the map is the trained one until then.
        #expect(kernel.stages[0].allSatisfy { Array($0.prefix(4)) == [1, 1, 1, 1] && $0[4] < 0.9 })
        #expect(targets.first == .predicted && targets.dropFirst().allSatisfy { $0 == .class(7) })
        #expect(targets.count == 1 + 2 * (4 + 2))
    }
}
