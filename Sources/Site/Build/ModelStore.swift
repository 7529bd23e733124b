import Common
import CNN
import Explain
import Foundation
import Synchronization

/// The models a build uses: specs loaded once per path, cache keys, and trained weights
/// obtained (loaded from cache or trained) only when a figure needs them.
final class ModelStore: Sendable {
    let paths: ContentPaths
    let trained: TrainedModels
    let data: DataStore
    /// Reports training progress (the progress bar).
    let progress: @Sendable (String, TrainingProgress) -> Void

    /// Per spec path: the parsed spec; per spec and data: the trained weights and the
    /// evaluations on each split.
    private let specs = Mutex<[String: ModelSpec]>([:])
    private let weights = Mutex<[String: Lazy<(Model, [EpochLog]?)>]>([:])
    private let evaluations = Mutex<[String: Lazy<Evaluation>]>([:])

    var digests: FileDigests { data.digests }

    init(paths: ContentPaths, cacheDirectory: String, progress: @escaping @Sendable (String, TrainingProgress) -> Void)
    {
        self.paths = paths
        let digests = FileDigests(file: (cacheDirectory as NSString).appendingPathComponent("digests.json"))
        data = DataStore(paths: paths, digests: digests)
        trained = TrainedModels(
            cacheDirectory: (cacheDirectory as NSString).appendingPathComponent("models"), contentDirectory: paths.root,
            digest: { digests.digest($0) })
        self.progress = progress
    }

    /// The spec at `relative` (inside the content folder); `location` is where it was named.
    func spec(_ relative: String, at location: SourceLocation) throws(SourceError) -> ModelSpec {
        if let spec = specs.withLock({ $0[relative] }) { return spec }
        let real = try paths.resolve(relative, at: location)
        guard FileManager.default.fileExists(atPath: real) else {
            let available = ((try? FileManager.default.contentsOfDirectory(atPath: paths.display("models"))) ?? [])
                .filter { (["yml"] + ModelSpec.importedExtensions).contains(($0 as NSString).pathExtension) }
                .map { "models/\($0)" }
            throw SourceError(
                "no model spec '\(relative)' in \(paths.root)/", at: location,
                suggestion: nearestName(to: relative, in: available))
        }
        let spec = try ModelSpec.load(path: real, displayPath: paths.display(relative))
        if let w = spec.weights {
            _ = try paths.resolve(
                w, at: spec.weightsLocation ?? SourceLocation(file: paths.display(relative), line: 0, column: 0))
        }
        specs.withLock { $0[relative] = spec }
        return spec
    }

    /// What determines the weights: committed weights' bytes, or the spec and training data.
    func weightsKey(_ spec: ModelSpec, data: DatasetFolder) -> String {
        if let digest = spec.importedDigest { return digest }
        if let w = spec.weights {
            return digests.digest((paths.root as NSString).appendingPathComponent(w))
        }
        return trained.key(for: spec, data: data)
    }

    /// The trained model and its training log, computed once per spec (and per dataset, for
    /// a spec trained by vizsite).
    func model(
        _ relative: String, spec: ModelSpec, data dataPath: String, at location: SourceLocation
    ) throws -> (Model, [EpochLog]?) {
        let id = spec.needsTraining ? "\(relative)|\(dataPath)" : relative
        let lazy = weights.withLock { weights in
            let lazy =
                weights[id]
                ?? Lazy { [trained, progress, data] in
                    let folder = try data.folder(dataPath, at: location)
                    let result = try trained.model(
                        for: spec, data: folder,
                        load: {
                            let loaded = try data.data(dataPath, for: spec, at: location).get()
                            guard loaded.splitNames.contains("train") else {
                                throw SourceError(
                                    "cannot train \(spec.model.name): \(dataPath) has no train split "
                                        + "(it has \(loaded.splitNames.joined(separator: ", ")))",
                                    at: location)
                            }
                            return (
                                try loaded.inputs("train"), try loaded.evaluationSplit.map { try loaded.inputs($0) }
                            )
                        }
                    ) { progress(spec.model.name, $0) }
                    return (result.model, result.log)
                }
            weights[id] = lazy
            return lazy
        }
        return try lazy.get()
    }

    /// The trained model evaluated on a split of the data, computed once per spec, data
    /// and split.
    func evaluation(
        _ relative: String, spec: ModelSpec, data dataPath: String, split: String, at location: SourceLocation
    ) -> Lazy<Evaluation> {
        evaluations.withLock { evaluations in
            let id = "\(relative)|\(dataPath)|\(split)"
            if let e = evaluations[id] { return e }
            let lazy = Lazy { [unowned self] in
                let loaded = try data.data(dataPath, for: spec, at: location).get()
                // Trained weights have their held-out evaluation cached beside them.
                let path =
                    spec.needsTraining && split == loaded.evaluationSplit
                    ? trained.cachedEvaluationPath(for: spec, data: try data.folder(dataPath, at: location)) : nil
                let model = try self.model(relative, spec: spec, data: dataPath, at: location).0
                if let path,
                    let cached = FileManager.default.contents(atPath: path).flatMap({
                        try? JSONDecoder().decode(Evaluation.self, from: $0)
                    })
                {
                    return cached
                }
                let set = try loaded.inputs(split)
                let evaluation = Evaluation(model: model, data: set)
                if let path {
                    try? JSONEncoder().encode(evaluation).write(to: URL(fileURLWithPath: path), options: .atomic)
                }
                return evaluation
            }
            evaluations[id] = lazy
            return lazy
        }
    }
}
