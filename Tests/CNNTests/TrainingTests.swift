import Common
import CNN
import Foundation
import Testing
import TestSupport

@Suite struct TrainingTests {
    var settings: TrainingSettings {
        var s = TrainingSettings()
        s.batchSize = 32; s.learningRate = 2e-3; s.seed = 4
        return s
    }

    @Test func sameSeedGivesBitIdenticalWeights() {
        let data = sharedMNIST.train.prefix(200)
        func run() -> [Float] {
            let trainer = Trainer(model: tinyModel(), settings: settings)
            _ = trainer.train(on: data, epochs: 2)
            return trainer.model.parameters.values
        }
        let a = run(), b = run()
        #expect(a == b)
        var other = settings; other.seed = 5
        let trainer = Trainer(model: tinyModel(), settings: other)
        _ = trainer.train(on: data, epochs: 2)
        #expect(trainer.model.parameters.values != a)
    }

    @Test func shardingDoesNotChangeTheResultBeyondRounding() {
        let data = sharedMNIST.train.prefix(96)
        let one = Trainer(model: tinyModel(), settings: settings, workers: 1)
        let three = Trainer(model: tinyModel(), settings: settings, workers: 3)
        _ = one.train(on: data, epochs: 1)
        _ = three.train(on: data, epochs: 1)
        #expect(maxAbsDifference(one.model.parameters.values, three.model.parameters.values) < 1e-4)
    }

    @Test func aShortRunClearlyLearns() {
        let trainer = Trainer(model: tinyModel(filters: (8, 8), hidden: 32), settings: settings)
        let test = sharedMNIST.test.prefix(500)
        let before = Evaluation(model: trainer.model, data: test).accuracy
        let logs = trainer.train(on: sharedMNIST.train.prefix(2000), epochs: 2, test: test)
        #expect(before < 0.25)
        #expect(logs.count == 2)
        #expect(logs[1].loss < logs[0].loss)
        #expect(logs[1].testAccuracy! > 0.8, "test accuracy \(logs[1].testAccuracy!)")
    }

    /// `images` and `labels: shuffled`: the first images, their labels permuted by the seed.
    @Test func shuffledLabelsArePermutedBySeed() {
        let data = sharedMNIST.train.prefix(500), first = data.prefix(300)
        var s = settings
        s.images = 300; s.labels = .shuffled
        let a = s.trainingSet(data)
        #expect(a.count == 300 && a.images.scalars == first.images.scalars)
        #expect(a.labels.sorted() == first.labels.sorted(), "a permutation keeps each class's count")
        // About one label in ten stays by chance (30 of 300).
        #expect(zip(a.labels, first.labels).filter { $0 == $1 }.count < 60)
        #expect(s.trainingSet(data).labels == a.labels)
        var other = s
        other.seed += 1
        #expect(other.trainingSet(data).labels != a.labels)
        var given = s
        given.labels = nil
        #expect(given.trainingSet(data).labels == first.labels)
    }

    /// Zhang et al. (2017): a network memorizes labels that say nothing about the images,
    /// and then predicts held-out digits at chance. Long runs are evaluated ten times.
    @Test func aModelMemorizesShuffledLabels() {
        var s = settings
        s.images = 64; s.labels = .shuffled; s.epochs = 40
        let trainer = Trainer(model: tinyModel(filters: (8, 8), hidden: 32), settings: s)
        let test = sharedMNIST.test.prefix(500)
        let logs = trainer.train(on: sharedMNIST.train.prefix(1000), test: test)
        #expect(logs.count == 40)
        #expect(
            logs.compactMap(\.testAccuracy).count == 10 && logs[3].testAccuracy != nil && logs[39].testAccuracy != nil)
        let fit = Evaluation(model: trainer.model, data: s.trainingSet(sharedMNIST.train.prefix(1000))).accuracy
        #expect(fit > 0.9, "fits \(fit) of its shuffled labels")
        #expect(logs[39].testAccuracy! < 0.25, "held-out accuracy \(logs[39].testAccuracy!)")
    }

    @Test func adamFirstStepMovesEachWeightByTheLearningRate() {
        // With bias correction, Adam's first step is lr · g / (|g| + ε) ≈ lr · sign(g).
        var adam = Adam(learningRate: 0.1, parameterCount: 3)
        var p: [Float] = [1, 1, 1]
        let g: [Float] = [0.5, -2, 0]
        adam.beginStep()
        p.withUnsafeMutableBufferPointer { pp in
            g.withUnsafeBufferPointer { adam.update(pp.baseAddress!, gradients: $0.baseAddress!, range: 0..<3) }
        }
        #expect(allClose(p, [0.9, 1.1, 1], absolute: 1e-6))
        // Second step, same gradient: m = 0.19·g·... the ratio m̂/√v̂ stays sign(g).
        adam.beginStep()
        p.withUnsafeMutableBufferPointer { pp in
            g.withUnsafeBufferPointer { adam.update(pp.baseAddress!, gradients: $0.baseAddress!, range: 0..<3) }
        }
        #expect(allClose(p, [0.8, 1.2, 1], absolute: 1e-5))
    }

    @Test func sgdWithMomentum() {
        var sgd = SGD(learningRate: 0.1, momentum: 0.9, parameterCount: 1)
        var p: [Float] = [0]
        let g: [Float] = [1]
        for _ in 0..<2 {
            sgd.beginStep()
            p.withUnsafeMutableBufferPointer { pp in
                g.withUnsafeBufferPointer { sgd.update(pp.baseAddress!, gradients: $0.baseAddress!, range: 0..<1) }
            }
        }
        // v1 = -0.1, p1 = -0.1; v2 = -0.09 - 0.1 = -0.19, p2 = -0.29
        #expect(abs(p[0] + 0.29) < 1e-6)
    }

    @Test func crossEntropyGradientMatchesFiniteDifferences() {
        // Train one step with SGD lr 1, no momentum: the weight change is −∂L/∂w; compare
        // with a finite difference of the mean cross-entropy on the same batch.
        var s = settings; s.optimizer = .sgd; s.learningRate = 1; s.batchSize = 4
        let data = sharedMNIST.train.prefix(4)
        let noDropout = Model(
            name: "m", inputShape: [28, 28, 1],
            layers: [
                Flatten(name: "f", inputShape: [28, 28, 1]),
                Dense(name: "d", inputShape: [784], units: 10, activation: .softmax),
            ], seed: 1)
        let trainer = Trainer(model: noDropout, settings: s)
        trainer.trainStep(data: data, indices: [0, 1, 2, 3][...])
        let step = zip(noDropout.parameters.values, trainer.model.parameters.values).map { $0 - $1 }
        func meanLoss(_ m: Model) -> Double { Evaluation(model: m, data: data).loss }
        for i in [100, 3000, 7845] {
            var plus = noDropout, minus = noDropout
            plus.parameters.values[i] += 1e-2; minus.parameters.values[i] -= 1e-2
            let numeric = (meanLoss(plus) - meanLoss(minus)) / 2e-2
            #expect(abs(numeric - Double(step[i])) < 2e-3, "parameter \(i): \(numeric) vs \(step[i])")
        }
    }

    @Test("labels the model has no class for are counted wrong, in bounds, and refused before training")
    func labelsBeyondTheModelsClasses() throws {
        let model = tinyModel()
        let data = Dataset(images: randomTensor([4, 28, 28, 1], seed: 5, low: 0, high: 1), labels: [1, 12, 3, 40])
        let evaluation = Evaluation(model: model, data: data)
        #expect(evaluation.perClassCount.count == 41 && evaluation.perClassCount[40] == 1)
        #expect(evaluation.accuracy <= 0.5 && evaluation.loss.isFinite)
        #expect(throws: SourceError.self) { try data.checkLabels(classes: 10, model: "tiny") }
        try Dataset(images: data.images, labels: [0, 1, 2, 9]).checkLabels(classes: 10, model: "tiny")
    }
}
