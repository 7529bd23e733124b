import Common
import Foundation

/// A model described in YAML (`Content/models/*.yml`), checked and built.
///
///     name: mnist-cnn
///     input: [28, 28, 1]
///     dataset: mnist
///     layers:
///       - {type: Conv2D, filters: 32, kernel_size: 3, activation: relu}
///       - {type: Dense, name: preds, units: 10, activation: softmax}
///     training: {optimizer: adam, learning_rate: 0.001, batch_size: 128, epochs: 1, seed: 1}
///     weights: models/mnist-cnn.safetensors   # optional: use these instead of training
///
/// Layers are named as Keras names them (`conv2d_1`, `max_pooling2d_1`, …) unless the
/// spec gives a name. A layer reads the one before it, or the layers its `inputs` name
/// (`input` is the model's input), which makes graphs such as residual blocks:
///
///       - {type: Conv2D, name: a, filters: 8, kernel_size: 3, padding: same, activation: relu}
///       - {type: Conv2D, filters: 8, kernel_size: 3, padding: same}
///       - {type: Add, inputs: [a, conv2d_1]}
///
/// Every error points at the offending line and column.
public struct ModelSpec: Sendable {
    public let model: Model
    /// The kind of images the model is made for: `mnist` (28×28×1), `cifar10` (32×32×3) or
    /// `images` (any size); the folder it trains on is the site's or lesson's `data`.
    public let dataset: String
    /// Committed weights to use instead of training, relative to the spec's content folder.
    public let weights: String?
    public let weightsLocation: SourceLocation?
    /// The spec's text, as written (empty for an imported model).
    public let source: String
    /// For a model imported from an ONNX or Keras file: the SHA-256 of its bytes (external
    /// data included), which stands for its weights in cache keys.
    public let importedDigest: String?
    /// Preprocessing, class names and the default CAM layer of an imported model.
    public let sidecar: ModelSidecar

    /// Values a spec's options fix (a Rescaling's scale), by parameter key; nil when none.
    /// Part of the canonical form, which leaves the model's parameters out.
    public let constants: [String: Tensor]?

    public init(
        model: Model, dataset: String, weights: String?, weightsLocation: SourceLocation?, source: String,
        importedDigest: String? = nil, sidecar: ModelSidecar = ModelSidecar(), constants: [String: Tensor] = [:]
    ) {
        self.constants = constants.isEmpty ? nil : constants
        self.sidecar = sidecar
        self.model = model
        self.dataset = dataset
        self.weights = weights
        self.weightsLocation = weightsLocation
        self.source = source
        self.importedDigest = importedDigest
    }

    /// Whether the model came with its weights from another framework's file.
    public var isImported: Bool { importedDigest != nil }

    /// Whether the weights come from training (no committed weights, not imported).
    public var needsTraining: Bool { weights == nil && !isImported }

    /// What determines anything computed from the model, as canonical text: the parsed
    /// input, layers, dataset, training settings and committed weights' path. Not the
    /// text, so a comment or reformatting changes no cache key. The initial parameters
    /// follow from the layers and the training seed; the convolution kernel a CPU picks
    /// changes no number a figure shows beyond rounding (see Conv2D).
    public var canonical: String {
        CanonicalForm.text(self, excluding: ["source", "weightsLocation", "parameters", "forwardKernel"])
    }

    /// The layer types a spec may use (`type:`), as Keras names them.
    public static var layerTypes: [String] { KerasLayerClass.names }

    /// Limits that keep a mistyped number from asking for terabytes: the largest filter
    /// count, unit count, window or stride; values per image of any layer's output. The
    /// parameters in all are bounded by the machine's memory (`MemoryBudget`).
    public static let maxSize = 65_536
    public static let maxActivations = 4_000_000
    static let topLevelKeys = ["name", "description", "input", "dataset", "layers", "training", "weights"]

    /// Reads and checks the spec at `path`, or imports the model there when it is an ONNX
    /// or Keras file (`importedExtensions`); `displayPath` is how errors name the file.
    public static func load(path: String, displayPath: String? = nil) throws(SourceError) -> ModelSpec {
        let shown = displayPath ?? path
        if importedExtensions.contains((path as NSString).pathExtension.lowercased()) {
            return try imported(path: path, displayPath: shown)
        }
        let data: Data
        do { data = try ConfinedFile.read(path, inside: nil, limit: 16 << 20) } catch {
            throw SourceError(
                "cannot read model spec: " + error.describe((shown as NSString).lastPathComponent, folder: ""),
                at: SourceLocation(file: shown, line: 0, column: 0))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SourceError("model spec is not UTF-8 text", at: SourceLocation(file: shown, line: 0, column: 0))
        }
        return try parse(text, file: shown)
    }

    /// Checks and builds a spec from its YAML text.
    /// The weights must fit `budget` at `MemoryBudget.bytesPerTrainedWeight` bytes each.
    public static func parse(
        _ text: String, file: String, budget: MemoryBudget = .machine
    ) throws(SourceError) -> ModelSpec {
        let root = try YAMLValue.parse(text, file: file)
        let top = try root.mapping()
        try top.checkKeys(topLevelKeys, in: "a model spec")
        let name = try top.required("name", in: "the model spec").string()
        let inputValue = try top.required("input", in: "the model spec")
        let inputShape = try inputValue.list().map { (v) throws(SourceError) -> Int in try v.int() }
        guard inputShape.count == 3, inputShape.allSatisfy({ $0 > 0 }) else {
            throw inputValue.error("expected the input shape as [height, width, channels] of positive integers")
        }
        let datasets = ["mnist": [28, 28, 1], "cifar10": [32, 32, 3], "images": []]
        let dataset = try top["dataset"]?.string() ?? (inputShape == [28, 28, 1] ? "mnist" : "images")
        guard let expectedShape = datasets[dataset] else {
            throw top["dataset"]!.error(
                "unknown dataset kind '\(dataset)', expected mnist, cifar10 or images",
                suggestion: nearestName(to: dataset, in: datasets.keys.sorted()))
        }
        let training = try top["training"].map { (v) throws(SourceError) in try parseTraining(v) } ?? TrainingSettings()
        let layersValue = try top.required("layers", in: "the model spec")
        let layerItems = try layersValue.list()
        guard !layerItems.isEmpty else { throw layersValue.error("a model needs at least one layer") }

        guard expectedShape.isEmpty || inputShape == expectedShape else {
            throw inputValue.error("\(dataset) images are \(expectedShape), but the spec's input is \(inputShape)")
        }

        var graph = GraphBuilder(inputShape: inputShape)
        var counters: [String: Int] = [:], constants: [String: Tensor] = [:]
        var parameterCount = 0
        for (index, item) in layerItems.enumerated() {
            let reader = try LayerSpecReader(item, modelInput: inputShape, earlier: graph.layers)
            let built = try reader.layers(counters: &counters, isLast: index == layerItems.count - 1)
            var nodes: [Int] = []
            for (layer, reads) in built.layers {
                if graph.names.contains(layer.name) {
                    throw (reader.fields["name"] ?? item).error("duplicate layer name '\(layer.name)'")
                }
                let outputs = layer.outputShape.reduce(1) { $0.multipliedReportingOverflow(by: $1).partialValue }
                guard outputs <= maxActivations else {
                    throw item.error(
                        "\(layer.name) outputs \(outputs.grouped) values per image; at most \(maxActivations.grouped) "
                            + "are supported")
                }
                parameterCount += layer.parameterShapes.reduce(0) { $0 + $1.shape.reduce(1, *) }
                do {
                    try budget.check(
                        parameters: parameterCount, at: layer.name, bytesPerWeight: MemoryBudget.bytesPerTrainedWeight)
                } catch { throw item.error(error.message + " (to train it: weights, gradients and Adam's moments)") }
                let sources = reads.map { (source) -> Int in
                    switch source {
                    case .input(let i): reader.inputs[i]
                    case .built(let j): nodes[j]
                    }
                }
                nodes.append(graph.append(layer, reading: sources))
                if let problem = graph.problem(at: graph.layers.count - 1) {
                    throw reader.typeValue.error("\(layer.name) \(problem)")
                }
            }
            constants.merge(built.constants) { $1 }
        }
        let layers = graph.layers
        let shape = layers.last!.outputShape
        // Keras applies Dense to a map's last axis, position by position: a forgotten Flatten
        // leaves a map of scores.
        let flatten =
            shape.count == 3 && layers.contains { $0.kind == "Dense" }
            ? "; Dense works on a map's last axis, at every position — add a Flatten (or global pooling) before the "
                + "first Dense" : ""
        if dataset != "images" {
            guard shape == [10] else {
                throw layerItems.last!.error(
                    "the last layer must output the 10 \(dataset) classes, but it outputs \(shape)\(flatten)")
            }
        } else {
            guard shape.count == 1, shape[0] >= 2 else {
                throw layerItems.last!.error(
                    "the last layer must output one score per class, but it outputs \(shape)\(flatten)")
            }
        }
        var model = Model(
            name: name, inputShape: inputShape, layers: layers, inputs: graph.inputs, training: training,
            seed: training.seed)
        for (key, value) in constants { model.parameters.set(key, value) }
        if let shortcut = training.shortcut, shortcut.label >= model.classCount,
            let value = try top["training"]?.mapping()["shortcut"]?.mapping()["class"]
        {
            throw value.error("the model has \(model.classCount) classes; class \(shortcut.label) does not exist")
        }
        if let shortcut = training.shortcut, shortcut.size + 2 > min(inputShape[0], inputShape[1]),
            let value = try top["training"]?.mapping()["shortcut"]
        {
            throw value.error("a \(shortcut.size)-pixel mark does not fit a \(inputShape[0])×\(inputShape[1]) input")
        }
        return ModelSpec(
            model: model, dataset: dataset, weights: try top["weights"]?.string(),
            weightsLocation: top["weights"]?.location, source: text, constants: constants)
    }

    /// `{class: 7, size: 3, corner: top-left}`; the class is checked against the model's
    /// outputs once the layers are known.
    private static func parseShortcut(_ value: YAMLValue) throws(SourceError) -> Shortcut {
        let fields = try value.mapping()
        try fields.checkKeys(["class", "size", "corner"], in: "shortcut")
        guard let label = fields["class"] else { throw value.error("shortcut needs a class (the class marked)") }
        var shortcut = Shortcut(label: try label.int())
        guard shortcut.label >= 0 else { throw label.error("class must be a non-negative integer") }
        if let v = fields["size"] {
            shortcut.size = try v.int()
            guard (1...8).contains(shortcut.size) else { throw v.error("size must be from 1 to 8 pixels") }
        }
        if let v = fields["corner"] { shortcut.corner = try v.choice(Shortcut.Corner.self) }
        return shortcut
    }

    private static func parseTraining(_ value: YAMLValue) throws(SourceError) -> TrainingSettings {
        let fields = try value.mapping()
        try fields.checkKeys(
            [
                "optimizer", "learning_rate", "momentum", "batch_size", "epochs", "seed", "loss", "shortcut", "images",
                "labels",
            ],
            in: "training")
        var settings = TrainingSettings()
        if let v = fields["optimizer"] { settings.optimizer = try v.choice(TrainingSettings.OptimizerKind.self) }
        if let v = fields["learning_rate"] {
            settings.learningRate = Float(try v.double())
            guard settings.learningRate > 0 else { throw v.error("learning_rate must be positive") }
        }
        if let v = fields["momentum"] {
            settings.momentum = Float(try v.double())
            guard (0..<1).contains(settings.momentum) else { throw v.error("momentum must be in [0, 1)") }
        }
        if let v = fields["batch_size"] {
            settings.batchSize = try v.int()
            guard settings.batchSize > 0 else { throw v.error("batch_size must be a positive integer") }
        }
        if let v = fields["epochs"] {
            settings.epochs = try v.int()
            guard settings.epochs > 0 else { throw v.error("epochs must be a positive integer") }
        }
        if let v = fields["seed"] {
            let seed = try v.int()
            guard seed >= 0 else { throw v.error("seed must be a non-negative integer") }
            settings.seed = UInt64(seed)
        }
        if let v = fields["shortcut"] { settings.shortcut = try parseShortcut(v) }
        if let v = fields["images"] {
            settings.images = try v.int()
            guard settings.images! > 0 else { throw v.error("images must be a positive integer") }
        }
        if let v = fields["labels"] {
            let labels = try v.choice(TrainingSettings.Labels.self)
            // Spelled out as the default, it keys the cache as if absent.
            settings.labels = labels == .given ? nil : labels
        }
        if let v = fields["loss"], try v.string() != "categorical_crossentropy" {
            throw v.error(
                "unknown loss '\(try v.string())', expected categorical_crossentropy",
                suggestion: nearestName(to: try v.string(), in: ["categorical_crossentropy"]))
        }
        return settings
    }
}
