import Foundation

/// What the trainer reports after every step.
public struct TrainingProgress: Sendable {
    public var epoch: Int
    public var epochs: Int
    public var step: Int
    public var steps: Int
    /// Mean loss and accuracy over the epoch so far.
    public var loss: Double
    public var accuracy: Double
    public var imagesPerSecond: Double
    /// Seconds since the epoch began.
    public var elapsed: Double
}

/// One epoch's figures: the training loss and accuracy (with dropout on), and the test
/// loss and accuracy when a test set was given.
public struct EpochLog: Sendable, Codable, Equatable {
    public var epoch: Int
    public var loss: Double
    public var accuracy: Double
    public var testLoss: Double?
    public var testAccuracy: Double?
    public var seconds: Double
    /// Loss and accuracy over windows of steps within the epoch (about 50 points), for
    /// training curves of short runs.
    public var history: [HistoryPoint]?

    /// The mean loss and accuracy over the steps since the previous point.
    public struct HistoryPoint: Sendable, Codable, Equatable {
        /// Progress in epochs (e.g. 0.5 halfway through the first epoch).
        public var epoch: Double
        public var loss: Double
        public var accuracy: Double

        public init(epoch: Double, loss: Double, accuracy: Double) {
            self.epoch = epoch
            self.loss = loss
            self.accuracy = accuracy
        }
    }
}

/// Mini-batch training with softmax cross-entropy, data-parallel across cores.
///
/// Each batch is split into one shard per core; every shard runs forward and backward
/// in its own workspace with single-threaded BLAS, the shard gradients are summed in a
/// fixed order, and the optimizer updates the parameters in parallel ranges. Batches are
/// drawn from a seeded shuffle and dropout masks are keyed per sample, so the same seed
/// on the same machine gives bit-identical weights.
///
/// A model with batch statistics (BatchNormalization) trains in one shard with the GEMMs
/// split across cores instead, so that its statistics are those of the whole batch as in
/// Keras; after each step its layers fold them into their moving statistics.
public final class Trainer {
    public private(set) var model: Model
    public let settings: TrainingSettings
    private var optimizer: any Optimizer
    private let shards: [Shard]
    /// BLAS threads per shard: one, or every core when the batch is one shard.
    private let shardThreads: Int
    private var gradients: [Float]
    private var globalStep: UInt64 = 0
    /// The test-set evaluation after the last epoch of `train`, when a test set was given.
    public private(set) var lastTestEvaluation: Evaluation?

    /// One core's share of a batch: its workspace, labels and parameter gradients.
    private final class Shard: @unchecked Sendable {  // a raw workspace; each shard has one worker at a time
        let workspace: Workspace
        var labels: [Int32]
        var gradients: [Float]
        var lossSum = 0.0
        var correct = 0

        init(model: Model, capacity: Int) {
            workspace = Workspace(model: model, capacity: capacity)
            labels = [Int32](repeating: 0, count: capacity)
            gradients = [Float](repeating: 0, count: model.parameters.count)
        }
    }

    public init(model: Model, settings: TrainingSettings? = nil, workers: Int = Parallelism.workers) {
        self.model = model
        let settings = settings ?? model.training
        self.settings = settings
        let count = model.parameters.count
        optimizer =
            switch settings.optimizer {
            case .adam: Adam(learningRate: settings.learningRate, parameterCount: count)
            case .sgd: SGD(learningRate: settings.learningRate, momentum: settings.momentum, parameterCount: count)
            }
        let batchStatistics = model.layers.contains { $0.hasState }
        let shardCount = batchStatistics ? 1 : max(1, min(workers, settings.batchSize))
        shardThreads = batchStatistics ? max(1, workers) : 1
        let capacity = (settings.batchSize + shardCount - 1) / shardCount
        shards = (0..<shardCount).map { _ in Shard(model: model, capacity: capacity) }
        gradients = [Float](repeating: 0, count: count)
    }

    /// Trains for `epochs` epochs over `data` (as the settings take it: their `images`
    /// first, with their `labels`), evaluating on `test` when given: after each epoch, or
    /// for more than ten, after every ⌈epochs / 10⌉-th and the last.
    /// `progress` is called after every step.
    public func train(
        on data: Dataset, epochs: Int? = nil, test: Dataset? = nil,
        progress: (TrainingProgress) -> Void = { _ in }
    ) -> [EpochLog] {
        let epochs = epochs ?? settings.epochs
        let data = settings.trainingSet(data)
        let batchSize = settings.batchSize
        let steps = (data.count + batchSize - 1) / batchSize
        var random = SeededRandom(seed: settings.seed, stream: 0x5A4D)
        var order = Array(0..<data.count)
        var logs: [EpochLog] = []
        for epoch in 1...max(epochs, 1) {
            order.shuffle(using: &random)
            let start = Date()
            var lossSum = 0.0, correct = 0, seen = 0
            var history: [EpochLog.HistoryPoint] = []
            var window = (loss: 0.0, correct: 0, seen: 0)
            let windowSteps = max(1, steps / 50)
            for step in 0..<steps {
                let indices = order[step * batchSize..<min((step + 1) * batchSize, data.count)]
                let (loss, right) = trainStep(data: data, indices: indices)
                lossSum += loss; correct += right; seen += indices.count
                window.loss += loss; window.correct += right; window.seen += indices.count
                if (step + 1) % windowSteps == 0 || step == steps - 1 {
                    history.append(
                        EpochLog.HistoryPoint(
                            epoch: Double(epoch - 1) + Double(step + 1) / Double(steps),
                            loss: window.loss / Double(window.seen),
                            accuracy: Double(window.correct) / Double(window.seen)))
                    window = (0, 0, 0)
                }
                let elapsed = Date().timeIntervalSince(start)
                progress(
                    TrainingProgress(
                        epoch: epoch, epochs: epochs, step: step + 1, steps: steps,
                        loss: lossSum / Double(seen), accuracy: Double(correct) / Double(seen),
                        imagesPerSecond: Double(seen) / max(elapsed, 1e-9), elapsed: elapsed))
            }
            var log = EpochLog(
                epoch: epoch, loss: lossSum / Double(max(seen, 1)), accuracy: Double(correct) / Double(max(seen, 1)),
                seconds: Date().timeIntervalSince(start), history: history)
            // Long runs are evaluated ten times or so, not every epoch: 60 passes over 10,000
            // held-out images would cost more than training on a small subset.
            let evaluationStride = max(1, (epochs + 9) / 10)
            if let test, epoch % evaluationStride == 0 || epoch == epochs {
                let result = Evaluation(model: model, data: test)
                lastTestEvaluation = result
                log.testLoss = result.loss
                log.testAccuracy = result.accuracy
            }
            logs.append(log)
        }
        return logs
    }

    /// One optimizer step on the samples at `indices`; returns the summed loss and the
    /// number of correct predictions.
    @discardableResult
    public func trainStep(data: Dataset, indices: ArraySlice<Int>) -> (lossSum: Double, correct: Int) {
        let batch = indices.count
        let parts = splitRange(batch, parts: shards.count)
        let sampleSize = model.inputShape.elementCount, classes = model.classCount
        let last = model.layers.count - 1
        let model = self.model, seed = settings.seed, step = globalStep
        let shards = self.shards, threads = shardThreads
        let images = data.images, labels = data.labels
        let indexList = Array(indices)
        Parallelism.run(parts.count) { p in
            let shard = shards[p], part = parts[p], ws = shard.workspace
            images.scalars.withUnsafeBufferPointer { pixels in
                for (j, i) in part.enumerated() {
                    let sample = indexList[i]
                    (ws.input + j * sampleSize).update(
                        from: pixels.baseAddress! + sample * sampleSize, count: sampleSize)
                    shard.labels[j] = Int32(labels[sample])
                }
            }
            let key = DropoutKey(seed: seed, step: step, firstSample: part.lowerBound)
            model.forward(ws, batch: part.count, threads: threads, dropout: key)
            let result = shard.labels.withUnsafeBufferPointer { l in
                SoftmaxCrossEntropy.evaluate(
                    logits: ws.activations[last + 1], labels: l.baseAddress!, batch: part.count,
                    classes: classes, normalizer: batch, gradient: ws.gradients[last + 1])
            }
            shard.lossSum = result.lossSum
            shard.correct = result.correct
            shard.gradients.withUnsafeMutableBufferPointer { g in
                g.update(repeating: 0)
                model.backward(
                    ws, batch: part.count, from: last, to: last, threads: threads, dropout: key,
                    parameterGradients: g.baseAddress!)
            }
        }
        globalStep += 1
        optimizer.beginStep()
        let optimizer = self.optimizer
        let ranges = splitRange(gradients.count, parts: Parallelism.workers)
        gradients.withUnsafeMutableBufferPointer { total in
            let totalPointer = SharedPointer(total.baseAddress!)
            self.model.parameters.values.withUnsafeMutableBufferPointer { params in
                let paramPointer = SharedPointer(params.baseAddress!)
                Parallelism.run(ranges.count) { r in
                    let range = ranges[r]
                    // Sum the shard gradients in shard order, then apply the update rule.
                    shards[0].gradients.withUnsafeBufferPointer { first in
                        for i in range { totalPointer.base[i] = first[i] }
                    }
                    for shard in shards.dropFirst() {
                        shard.gradients.withUnsafeBufferPointer { g in
                            for i in range { totalPointer.base[i] += g[i] }
                        }
                    }
                    optimizer.update(paramPointer.base, gradients: totalPointer.base, range: range)
                }
            }
        }
        updateLayerState()
        return (
            shards.prefix(parts.count).reduce(0) { $0 + $1.lossSum },
            shards.prefix(parts.count).reduce(0) { $0 + $1.correct }
        )
    }

    /// Lets layers with state (BatchNormalization) fold the step's batch statistics in.
    private func updateLayerState() {
        let model = self.model, workspace = shards[0].workspace
        self.model.parameters.values.withUnsafeMutableBufferPointer { values in
            for (i, layer) in model.layers.enumerated() where layer.hasState {
                layer.updateState(
                    parameters: values.baseAddress! + model.parameters.layerOffsets[i], scratch: workspace.scratch[i])
            }
        }
    }
}
