import CNN
import Common
import Foundation

/// Trained weights, trained once and cached under `.vizsite/models/`, keyed by a SHA-256
/// of everything that determines them: the parsed spec, the training data, and the cache
/// format version. A spec that names committed `weights` uses those instead.
public struct TrainedModels: Sendable {
    /// Bump when training changes in a way that changes weights.
    public static let formatVersion = "weights-2"

    /// Where cached weights live (`<site>/.vizsite/models`).
    public let cacheDirectory: String
    /// The content folder spec paths such as `weights:` are relative to.
    public let contentDirectory: String

    /// Hashes a data file for the key; a caller that caches file digests passes its own.
    public let digest: @Sendable (String) -> String

    /// SHA-256 of a file's bytes.
    public static let contentDigest: @Sendable (String) -> String = {
        SHA256.hash(FileManager.default.contents(atPath: $0) ?? Data())
    }

    public init(
        cacheDirectory: String, contentDirectory: String,
        digest: @escaping @Sendable (String) -> String = TrainedModels.contentDigest
    ) {
        self.cacheDirectory = cacheDirectory
        self.contentDirectory = contentDirectory
        self.digest = digest
    }

    /// The cache key of a spec's weights trained on the training split of `data` (for
    /// MNIST, its two training files, as earlier versions keyed them).
    public func key(for spec: ModelSpec, data: DatasetFolder) -> String {
        var hash = SHA256()
        hash.update(Self.formatVersion + "\n" + spec.canonical + "\n")
        for name in data.files(split: "train") {
            hash.update(name + " " + digest((data.path as NSString).appendingPathComponent(name)) + "\n")
        }
        return hash.finalize()
    }

    /// The path cached weights for `spec` have (whether or not they exist yet).
    public func cachedWeightsPath(for spec: ModelSpec, data: DatasetFolder) -> String {
        let key = key(for: spec, data: data)
        return (cacheDirectory as NSString).appendingPathComponent("\(spec.model.name)-\(key.prefix(16)).safetensors")
    }

    /// Where the held-out evaluation of cached weights is kept (beside the weights).
    public func cachedEvaluationPath(for spec: ModelSpec, data: DatasetFolder) -> String {
        (cachedWeightsPath(for: spec, data: data) as NSString).deletingPathExtension + ".eval.json"
    }

    /// Removes cached weights (with their training log and evaluation) that no spec in
    /// `specs` uses. Only files this cache names (`<model>-<16 hex digits>.…`) are touched;
    /// weights written by `vizsite train --out` stay.
    public func prune(keeping specs: [(ModelSpec, DatasetFolder)]) -> CacheCollection {
        let kept = Set(
            specs.map {
                ((cachedWeightsPath(for: $0.0, data: $0.1) as NSString).lastPathComponent as NSString)
                    .deletingPathExtension
            })
        var freed = CacheCollection()
        let names = (try? FileManager.default.contentsOfDirectory(atPath: cacheDirectory)) ?? []
        for name in names.sorted() {
            guard let stem = Self.cacheStem(name), !kept.contains(stem) else { continue }
            freed.remove((cacheDirectory as NSString).appendingPathComponent(name))
        }
        return freed
    }

    /// `mnist-cnn-0123456789abcdef` for the files this cache writes, else nil.
    static func cacheStem(_ file: String) -> String? {
        for suffix in [".safetensors", ".log.json", ".eval.json"] where file.hasSuffix(suffix) {
            let stem = String(file.dropLast(suffix.count))
            let key = stem.suffix(17)
            guard key.count == 17, key.first == "-", key.dropFirst().allSatisfy(\.isHexDigit) else { return nil }
            return stem
        }
        return nil
    }

    /// The spec's model with trained weights: its committed weights, the cached ones, or
    /// freshly trained on `data`'s training split (then cached, with the training log and
    /// the evaluation on the held-out split beside them). `load` reads the training and
    /// held-out images, as the model takes them, only when training is needed.
    public func model(
        for spec: ModelSpec, data: DatasetFolder, load: () throws -> (train: Dataset, test: Dataset?),
        progress: (TrainingProgress) -> Void = { _ in }
    ) throws -> (model: Model, log: [EpochLog]?) {
        var model = spec.model
        if spec.isImported { return (model, nil) }
        if let weights = spec.weights {
            try model.loadWeights(path: (contentDirectory as NSString).appendingPathComponent(weights))
            return (model, nil)
        }
        let path = cachedWeightsPath(for: spec, data: data)
        let logPath = (path as NSString).deletingPathExtension + ".log.json"
        if FileManager.default.fileExists(atPath: path) {
            try model.loadWeights(path: path)
            let log = FileManager.default.contents(atPath: logPath).flatMap {
                try? JSONDecoder().decode([EpochLog].self, from: $0)
            }
            return (model, log)
        }
        let (train, test) = try load()
        try train.checkLabels(classes: model.classCount, model: model.name)
        try test?.checkLabels(classes: model.classCount, model: model.name)
        let trainer = Trainer(model: model)
        let log = trainer.train(on: train, test: test, progress: progress)
        try FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true)
        if let evaluation = trainer.lastTestEvaluation {
            try JSONEncoder().encode(evaluation).write(
                to: URL(fileURLWithPath: cachedEvaluationPath(for: spec, data: data)), options: .atomic)
        }
        try trainer.model.saveWeights(path: path, metadata: ["model": model.name, "key": key(for: spec, data: data)])
        try JSONEncoder().encode(log).write(to: URL(fileURLWithPath: logPath), options: .atomic)
        return (trainer.model, log)
    }
}
