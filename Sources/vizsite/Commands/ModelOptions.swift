import ArgumentParser
import CNN
import Site

/// The model spec and data folder most commands take.
struct ModelOptions: ParsableArguments {
    @Argument(
        help: ArgumentHelp(
            "The model: a spec (YAML), e.g. Content/models/mnist-cnn.yml, or a model file (.onnx, .keras, .h5) "
                + "with its optional sidecar (FILE.yml)."))
    var spec: String = "Content/models/mnist-cnn.yml"

    @Option(
        help: ArgumentHelp(
            "The dataset folder: MNIST's IDX files, CIFAR-10's binary batches or an image folder "
                + "(<split>/<class>/*.png|jpg) (default: the spec's Content/data/mnist).",
            valueName: "folder"))
    var data: String?

    func load() throws -> ModelSpec { try ModelSpec.load(path: spec) }

    /// The spec's model with weights: the file named by `weights`, an imported model's own,
    /// else trained once on the dataset's train split and cached in `.vizsite/models`.
    func network(_ spec: ModelSpec, weights: String?) throws -> Model {
        if let weights {
            var network = spec.model
            try network.loadWeights(path: weights)
            return network
        }
        // An imported model brings its weights: no dataset is needed (and none may exist here).
        if spec.isImported { return spec.model }
        let store = TrainedModels(cacheDirectory: ".vizsite/models", contentDirectory: contentRoot(forSpec: self.spec))
        let bar = ProgressBar()
        let folder = try DatasetFolder(path: dataDirectory(spec: self.spec, override: data))
        return try store.model(
            for: spec, data: folder,
            load: {
                let data = try dataset(for: spec)
                return (try trainSplit(data), try data.evaluationSplit.map { try data.inputs($0) })
            }, progress: bar.update
        ).model
    }

    /// The dataset's train split, as `dataset(for:)`.
    func trainSplit(_ data: ModelData) throws -> Dataset {
        guard data.splitNames.contains("train") else {
            throw ValidationErrorText(
                "\(data.name) has no train split; it has \(data.splitNames.joined(separator: ", "))")
        }
        return try data.inputs("train")
    }

    /// The dataset, its images fitted to `spec`'s input and normalized as its sidecar says.
    func dataset(for spec: ModelSpec) throws -> ModelData {
        try ModelData(path: dataDirectory(spec: self.spec, override: data), for: spec)
    }

    /// The dataset's held-out split (test, else val, …), as `dataset(for:)`.
    func heldOut(_ data: ModelData) throws -> (name: String, set: Dataset) {
        guard let split = data.evaluationSplit else {
            throw ValidationErrorText(
                "\(data.name) has no split to evaluate on (test, val, valid or validation); it has "
                    + data.splitNames.joined(separator: ", "))
        }
        return (split, try data.inputs(split))
    }
}
