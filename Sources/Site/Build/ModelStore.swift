import Common
import CNN
import Explain
import Foundation
import Synchronization

/// The models a build uses: specs loaded once per path, cache keys, and trained weights
/// obtained (loaded from cache or trained) only when a figure needs them.
final class ModelStore: Sendable {
    let paths: ContentPaths
    let dataDirectory: String
    let trained: TrainedModels
    /// Reports training progress (the progress bar).
    let progress: @Sendable (String, TrainingProgress) -> Void

    /// Per spec path: the parsed spec, the trained weights and the test evaluation.
    private let specs = Mutex<[String: ModelSpec]>([:])
    private let weights = Mutex<[String: Lazy<(Model, [EpochLog]?)>]>([:])
    private let evaluations = Mutex<[String: Lazy<Evaluation>]>([:])
    let data: Lazy<MNIST>
    /// SHA-256 of the four MNIST files.
    let dataKey: Lazy<String>

    let digests: FileDigests

    init(paths: ContentPaths, cacheDirectory: String, progress: @escaping @Sendable (String, TrainingProgress) -> Void)
    {
        self.paths = paths
        let dataDirectory = (paths.root as NSString).appendingPathComponent("data/mnist")
        self.dataDirectory = dataDirectory
        let digests = FileDigests(file: (cacheDirectory as NSString).appendingPathComponent("digests.json"))
        self.digests = digests
        trained = TrainedModels(
            cacheDirectory: (cacheDirectory as NSString).appendingPathComponent("models"), contentDirectory: paths.root,
            digest: { digests.digest($0) })
        self.progress = progress
        data = Lazy { try MNIST.load(directory: dataDirectory) }
        dataKey = Lazy {
            var hash = SHA256()
            let f = MNIST.fileNames
            for name in [f.trainImages, f.trainLabels, f.testImages, f.testLabels] {
                hash.update(
                    name + " " + digests.digest((dataDirectory as NSString).appendingPathComponent(name)) + "\n")
            }
            return hash.finalize()
        }
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
    func weightsKey(_ spec: ModelSpec) -> String {
        if let digest = spec.importedDigest { return digest }
        if let w = spec.weights {
            return digests.digest((paths.root as NSString).appendingPathComponent(w))
        }
        return trained.key(for: spec, dataDirectory: dataDirectory)
    }

    /// The trained model and its training log, computed once per spec.
    func model(_ relative: String, spec: ModelSpec) throws -> (Model, [EpochLog]?) {
        let lazy = weights.withLock { weights in
            let lazy =
                weights[relative]
                ?? Lazy { [trained, dataDirectory, progress, data] in
                    let mnist = spec.needsTraining ? try data.get() : nil
                    let result = try trained.model(for: spec, dataDirectory: dataDirectory, data: mnist) {
                        progress(spec.model.name, $0)
                    }
                    return (result.model, result.log)
                }
            weights[relative] = lazy
            return lazy
        }
        return try lazy.get()
    }

    /// The trained model evaluated on the test set, computed once per spec.
    func evaluation(_ relative: String, spec: ModelSpec) -> Lazy<Evaluation> {
        evaluations.withLock { evaluations in
            if let e = evaluations[relative] { return e }
            let data = self.data, trained = self.trained, dataDirectory = self.dataDirectory
            let lazy = Lazy { [unowned self] in
                // Trained weights have their test evaluation cached beside them.
                let path =
                    spec.needsTraining ? trained.cachedEvaluationPath(for: spec, dataDirectory: dataDirectory) : nil
                let model = try self.model(relative, spec: spec).0
                if let path,
                    let cached = FileManager.default.contents(atPath: path).flatMap({
                        try? JSONDecoder().decode(Evaluation.self, from: $0)
                    })
                {
                    return cached
                }
                let evaluation = Evaluation(model: model, data: try data.get().test)
                if let path {
                    try? JSONEncoder().encode(evaluation).write(to: URL(fileURLWithPath: path), options: .atomic)
                }
                return evaluation
            }
            evaluations[relative] = lazy
            return lazy
        }
    }
}
