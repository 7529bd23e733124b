import Common
import ArgumentParser
import CNN
import Foundation
import Site

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Train a model on a dataset's train split (MNIST by default) and write its weights (safetensors) and "
            + "training log (JSON)."
    )

    @OptionGroup var model: ModelOptions

    @Option(help: "Epochs (default: the spec's).")
    var epochs: Int?

    @Option(help: "Random seed for initialization, shuffling and dropout (default: the spec's).")
    var seed: UInt64?

    @Option(help: "Train on the first N training images only.")
    var limit: Int?

    @Option(help: "The weights file to write (default: .vizsite/models/<name>.safetensors).")
    var out: String?

    func validate() throws {
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() throws {
        let spec = try model.load()
        var settings = spec.model.training
        if let epochs { settings.epochs = epochs }
        if let seed { settings.seed = seed }
        var network = spec.model
        if seed != nil {
            // A new seed draws new initial weights too.
            network = Model(
                name: network.name, inputShape: network.inputShape, layers: network.layers,
                training: settings, seed: settings.seed)
        }
        let data = try model.dataset(for: spec)
        let full = try model.trainSplit(data)
        let test = try data.evaluationSplit.map { try data.inputs($0) }
        let train = limit.map { full.prefix($0) } ?? full
        let outPath = out ?? ".vizsite/models/\(network.name).safetensors"
        FileHandle.standardError.write(
            Data(
                ("training \(network.name) on \(min(train.count, settings.images ?? train.count)) images"
                    + (settings.labels == .shuffled ? " with shuffled labels" : "")
                    + ": \(settings.optimizer.rawValue), lr "
                    + "\(settings.learningRate), batch \(settings.batchSize), \(settings.epochs) epoch(s), seed "
                    + "\(settings.seed), BLAS \(BLAS.coreName) × \(Parallelism.workers) threads\n").utf8))

        try train.checkLabels(classes: network.classCount, model: network.name)
        try test?.checkLabels(classes: network.classCount, model: network.name)
        let trainer = Trainer(model: network, settings: settings)
        let bar = ProgressBar()
        let logs = trainer.train(on: train, test: test, progress: bar.update)
        for log in logs {
            print(
                String(
                    format: "epoch %d: loss %.4f, accuracy %.2f%%, test loss %.4f, test accuracy %.2f%% (%.1f s)",
                    log.epoch, log.loss, log.accuracy * 100, log.testLoss ?? 0, (log.testAccuracy ?? 0) * 100,
                    log.seconds))
        }
        let accuracy = logs.last?.testAccuracy ?? 0
        print(String(format: "test accuracy: %.2f%%", accuracy * 100))

        do {
            try FileManager.default.createDirectory(
                atPath: ResolvedPath.parent(outPath),
                withIntermediateDirectories: true)
            try trainer.model.saveWeights(
                path: outPath,
                metadata: [
                    "model": network.name, "seed": String(settings.seed), "epochs": String(settings.epochs),
                    "test_accuracy": String(format: "%.4f", accuracy),
                ])
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let logPath = (outPath as NSString).deletingPathExtension + ".log.json"
            try encoder.encode(logs).write(to: URL(fileURLWithPath: logPath), options: .atomic)
            print("wrote \(outPath) and \(logPath)")
        }
    }
}
