import CNN
import Explain
import Render
import Testing
import TestSupport

@Suite struct AnalysisTests {
    @Test func confusionMatrixCountsAndRanksPairs() {
        let labels = [0, 0, 1, 1, 1, 2, 2, 2, 2]
        let predictions = [0, 1, 1, 2, 2, 2, 2, 0, 1]
        let m = ConfusionMatrix(labels: labels, predictions: predictions, classes: 3)
        #expect(m.counts == [[1, 1, 0], [0, 1, 2], [1, 1, 2]])
        #expect(m.perClassAccuracy == [0.5, 1.0 / 3.0, 0.5])
        #expect(abs(m.accuracy - 4.0 / 9.0) < 1e-12)
        let top = m.mostConfused(2)
        #expect(top.map(\.trueClass) == [1, 0] && top.map(\.predicted) == [2, 1] && top.map(\.count) == [2, 1])
    }

    @Test func spearmanMatchesHandValues() {
        #expect(spearman([1, 2, 3, 4], [10, 20, 30, 40]) == 1)
        #expect(spearman([1, 2, 3, 4], [4, 3, 2, 1]) == -1)
        // Ranks [1, 2.5, 2.5, 4] vs [1, 2, 3, 4]: ρ = 4.5 / √(4.5 · 5) = 0.9487.
        #expect(abs(spearman([1, 2, 2, 3], [1, 2, 3, 4]) - 0.9486833) < 1e-6)
        #expect(spearman([1, 1, 1], [1, 2, 3]) == 0)
    }

    @Test func meanHeatmapsPerClass() {
        let maps = [
            Heatmap(width: 1, height: 1, values: [2]), Heatmap(width: 1, height: 1, values: [4]),
            Heatmap(width: 1, height: 1, values: [7]),
        ]
        let means = meanHeatmaps(maps, labels: [1, 1, 0], classes: 3)
        #expect(means[0]?.values == [7] && means[1]?.values == [3] && means[2] == nil)
    }

    /// On a linear model over the pixels, ordering pixels by their true contribution
    /// deletes the score faster than the reverse order.
    @Test func faithfulnessPrefersTheTrueOrdering() {
        let model = Model(
            name: "l", inputShape: [28, 28, 1],
            layers: [
                Flatten(name: "f", inputShape: [28, 28, 1]), Dense(name: "d", inputShape: [784], units: 10),
            ], seed: 3)
        let image = sharedMNIST.test.images.samples(0..<1)
        let w = model.parameters["d/kernel"]!
        let target = 4
        let contribution = (0..<784).map { image.scalars[$0] * w[$0, target] }
        let good = Heatmap(width: 28, height: 28, values: contribution)
        let bad = Heatmap(width: 28, height: 28, values: contribution.map { -$0 })
        let f = Faithfulness(steps: 14)
        let a = f.curves(model: model, image: image, map: good, targetClass: target)
        let b = f.curves(model: model, image: image, map: bad, targetClass: target)
        #expect(a.deletion.count == 15 && a.insertion.count == 15)
        #expect(a.deletionAUC < b.deletionAUC)
        #expect(a.insertionAUC > b.insertionAUC)
        // Step 0 is the untouched image; the last deletion step is all black.
        let p = softmax(model.logits(image)).scalars[target]
        #expect(abs(a.deletion[0] - p) < 1e-6)
        let black = softmax(model.logits(Tensor(shape: [1, 28, 28, 1]))).scalars[target]
        #expect(abs(a.deletion[14] - black) < 1e-6)
        #expect(abs(a.insertion[14] - p) < 1e-6)
    }

    @Test func areaIsTheTrapezoidRuleOverTheFraction() {
        // A model that ignores its input gives a flat curve: area = that probability.
        let flat = Model(
            name: "z", inputShape: [28, 28, 1],
            layers: [
                Flatten(name: "f", inputShape: [28, 28, 1]), Dense(name: "d", inputShape: [784], units: 10),
            ], seed: 1)
        var zero = flat
        zero.parameters.values = [Float](repeating: 0, count: zero.parameters.count)
        let c = Faithfulness(steps: 4).curves(
            model: zero, image: sharedMNIST.test.images.samples(0..<1),
            map: Heatmap(width: 28, height: 28, values: [Float](repeating: 1, count: 784)), targetClass: 0)
        #expect(c.deletion.allSatisfy { abs($0 - 0.1) < 1e-6 })
        #expect(abs(c.deletionAUC - 0.1) < 1e-6 && abs(c.insertionAUC - 0.1) < 1e-6)
    }

    @Test func sanityCheckDecorrelatesAsLayersAreRandomized() throws {
        let model = tinyModel(seed: 4, filters: (8, 16), hidden: 32)
        var trained = model
        let trainer = Trainer(
            model: trained,
            settings: {
                var s = TrainingSettings(); s.batchSize = 32; s.learningRate = 3e-3; return s
            }())
        _ = trainer.train(on: sharedMNIST.train.prefix(1000), epochs: 1)
        trained = trainer.model
        let image = ExplainedImage(pixels: sharedMNIST.test.images.samples(0..<1), label: 7)
        let steps = try SanityCheck(seed: 1).run(model: trained) { m in
            try VanillaGradient(absolute: true).explain(image, target: .class(7), model: m).map
        }
        #expect(steps.map(\.layer) == ["preds", "dense_1", "conv2d_2", "conv2d_1"])
        // Fully randomized, the map no longer resembles the trained one.
        #expect(steps.last!.absoluteCorrelation < 0.5, "\(steps)")
        #expect(steps.allSatisfy { $0.correlation.isFinite && abs($0.correlation) <= 1 })
    }
}

/// Dataset examples against a brute-force ranking of every image's channel maximum and mean.
@Suite struct DatasetExamplesTests {
    @Test(arguments: DatasetExamples.Score.allCases)
    func topImagesMatchABruteForceRanking(_ score: DatasetExamples.Score) {
        let model = tinyModel(seed: 5)
        let images = randomTensor([37, 28, 28, 1], seed: 6, low: 0, high: 1)
        let top = DatasetExamples.top(
            model: model, layer: 1, units: [0, 3], images: images, count: 5, score: score, batchSize: 8)
        let outputs = model.outputs(images, threads: 1)[1].scalars, channels = 6, positions = 24 * 24
        for (u, unit) in [0, 3].enumerated() {
            let scores = (0..<37).map { i -> Float in
                let values = (0..<positions).map { outputs[(i * positions + $0) * channels + unit] }
                return score == .max ? values.max()! : values.reduce(0, +) / Float(positions)
            }
            let expected = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
            #expect(top[u].map(\.index) == Array(expected.prefix(5)), "unit \(unit), \(score)")
            #expect(zip(top[u], expected).allSatisfy { abs($0.score - scores[$1]) <= 1e-5 * max(1, abs(scores[$1])) })
            // The map of the best image is its channel, and its maximum is the score.
            let map = DatasetExamples.map(
                model: model, layer: 1, unit: unit, image: images.samples(expected[0]..<(expected[0] + 1)))
            #expect(map.width == 24 && map.height == 24)
            if score == .max { #expect(abs(map.values.max()! - scores[expected[0]]) <= 1e-5) }
        }
    }
}
