import Common

/// Turns a Keras config's layers into vizsite layers, connected as the config says, with
/// the weights the file holds for each.
struct KerasGraph {
    let importer: KerasImporter
    var graph = GraphBuilder()
    var output = -1
    /// Node of each Keras layer name (-1: the input layer; aliases of pass-through layers).
    private var nodes: [String: Int] = [:]

    init(importer: KerasImporter) { self.importer = importer }

    /// `renamed`: nested Sequential models, by the name of their last layer.
    mutating func read(
        _ configs: [KerasImporter.LayerConfig], functional: Bool, outputs: JSONValue?, renamed: [String: String] = [:]
    )
        throws(ImportError)
    {
        for (position, layer) in configs.enumerated() {
            if layer.className == "InputLayer" {
                try setInput(layer, shape: layer.config["batch_shape"] ?? layer.config["batch_input_shape"])
                nodes[layer.name] = -1
                continue
            }
            if graph.inputShape.isEmpty {
                // A Sequential model without an InputLayer: the first layer names the shape.
                try setInput(layer, shape: layer.config["batch_input_shape"] ?? layer.config["batch_shape"])
            }
            let sources: [Int]
            if functional {
                var found: [Int] = []
                for name in layer.inbound {
                    guard let node = nodes[name] else {
                        throw importer.error(layer, "reads '\(name)', which no earlier layer of the config defines")
                    }
                    found.append(node)
                }
                sources = found
            } else {
                sources = [position == 0 || graph.layers.isEmpty ? -1 : graph.layers.count - 1]
            }
            guard !sources.isEmpty else { throw importer.error(layer, "reads no layer") }
            try add(layer, reading: sources, isLast: position == configs.count - 1)
        }
        var outputName = configs.last?.name
        if functional, let outputs {
            let list = outputs.array ?? []
            let names = list.compactMap { $0.array?.first?.string } + (list.first?.string.map { [$0] } ?? [])
            guard names.count == 1 else {
                throw importer.error("the model has \(names.count) outputs; vizsite runs models with one output")
            }
            outputName = renamed[names[0]] ?? names[0]
        }
        guard let name = outputName, let node = nodes[name], node >= 0, graph.layers[node].outputShape.count == 1 else {
            throw importer.error("the model's output is not a vector of class scores")
        }
        output = node
    }

    private mutating func setInput(_ layer: KerasImporter.LayerConfig, shape: JSONValue?) throws(ImportError) {
        guard let dims = shape?.array, dims.count == 4, let h = dims[1].int, let w = dims[2].int, let c = dims[3].int,
            h > 0, w > 0, c > 0, h <= 65_536, w <= 65_536, c <= 4096
        else {
            throw importer.error(layer, "vizsite needs an image input (batch, height, width, channels) of known size")
        }
        graph.inputShape = [h, w, c]
    }

    /// The weights the file holds for `layer`, checked against the shapes vizsite expects.
    private func weights(_ layer: KerasImporter.LayerConfig, _ expected: [[Int]]) throws(ImportError) -> [[Float]] {
        let stored = importer.weights[layer.name] ?? []
        if stored.isEmpty && importer.weightsOptional {
            return expected.map { [Float](repeating: 0, count: $0.elementCount) }
        }
        guard stored.count == expected.count else {
            throw importer.error(
                layer, "the file holds \(stored.count) weight tensors, the layer needs \(expected.count)")
        }
        var values: [[Float]] = []
        for (tensor, shape) in zip(stored, expected) {
            guard tensor.shape.elementCount == shape.elementCount else {
                throw importer.error(layer, "weights of shape \(tensor.shape) where \(shape) was expected")
            }
            values.append(tensor.values)
        }
        return values
    }

    /// Keeps the file's weights for the layers built for `config`, in Keras's order: every
    /// parameter of theirs that the options did not fix, checked against its shape.
    private mutating func store(
        _ config: KerasImporter.LayerConfig, _ layers: [any Layer], constants: [String: Tensor]
    ) throws(ImportError) {
        let keys = layers.flatMap { layer in layer.parameterShapes.map { ("\(layer.name)/\($0.key)", $0.shape) } }
        let read = keys.filter { constants[$0.0] == nil }
        for ((key, shape), values) in zip(read, try weights(config, read.map(\.1))) {
            graph.parameters[key] = Tensor(shape: shape, scalars: values)
        }
        graph.parameters.merge(constants) { $1 }
    }

    /// `y = x · scale + shift` per channel, its parameters set here (not read from the file):
    /// constants of the graph unless `roles` says otherwise.
    private mutating func affine(
        _ name: String, input: [Int], kind: String, scale: [Float], shift: [Float],
        roles: (ParameterShape.Role, ParameterShape.Role) = (.constant, .constant)
    ) -> ChannelAffine {
        let layer = ChannelAffine(name: name, inputShape: input, kind: kind, scale: roles.0, shift: roles.1)
        let c = input.last!
        graph.parameters["\(name)/scale"] = Tensor(shape: [c], scalars: scale)
        graph.parameters["\(name)/shift"] = Tensor(shape: [c], scalars: shift)
        return layer
    }

    /// A Keras 3 op of a tensor and a number (`x + 3.0`, `2.0 - x`, `x / 6.0`, `x * 0.5`),
    /// as MobileNetV3's hard-sigmoid writes it: a per-channel affine map.
    private mutating func constantOp(
        _ config: KerasImporter.LayerConfig, input: [Int]
    ) throws(ImportError) -> ChannelAffine {
        guard config.constants.count == 1, let (value, first) = config.constants.first else {
            throw importer.error(
                config, "combines one tensor with \(config.constants.count) numbers; vizsite needs one")
        }
        let c = Float(value), channels = input.last!
        let (scale, shift): (Float, Float)
        switch config.className {
        case "Add": (scale, shift) = (1, c)
        case "Multiply": (scale, shift) = (c, 0)
        case "Subtract": (scale, shift) = first ? (-1, c) : (1, -c)
        default:
            guard !first else { throw importer.error(config, "divides a number by a tensor, which is not supported") }
            guard c != 0 else { throw importer.error(config, "divides by zero") }
            (scale, shift) = (1 / c, 0)
        }
        return affine(
            config.name, input: input, kind: config.className, scale: [Float](repeating: scale, count: channels),
            shift: [Float](repeating: shift, count: channels))
    }

    /// Keras's `Normalization`: `(x − mean) / max(√variance, 1e-7)` per channel (or its
    /// inverse), with the mean and variance of the config or, when it has none, of the file.
    private mutating func normalization(
        _ config: KerasImporter.LayerConfig, input: [Int]
    ) throws(ImportError) -> ChannelAffine {
        let c = config.config, channels = input.last!
        let axis = c["axis"]?.int ?? c["axis"]?.array?.first?.int ?? -1
        guard axis == -1 || axis == input.count else {
            throw importer.error(config, "normalizes axis \(axis); only the channel axis (-1) is supported")
        }
        var mean: [Float], variance: [Float]
        // Given in the config, the statistics are constants (Keras counts no parameter);
        // adapted to data, they are the file's non-trainable weights.
        let roles: (ParameterShape.Role, ParameterShape.Role)
        if let m = c["mean"], m != .null, let v = c["variance"], v != .null {
            // Read as the shared classes read a number or one per channel.
            let options = KerasVocabulary(
                type: "Normalization", name: config.name,
                options: KerasLayerOptions(config: config, importer: importer),
                inputShapes: [input], isLast: false)
            mean = try options.perChannel("mean", channels: channels, default: 0)
            variance = try options.perChannel("variance", channels: channels, default: 1)
            roles = (.constant, .constant)
        } else {
            // The adapted statistics: mean, variance and the sample count.
            let stored = try weights(config, [[channels], [channels], []])
            (mean, variance) = (stored[0], stored[1])
            roles = (.statistic, .statistic)
        }
        let spread = variance.map { Swift.max($0.squareRoot(), 1e-7) }
        if c["invert"]?.bool == true {
            return affine(config.name, input: input, kind: "Normalization", scale: spread, shift: mean, roles: roles)
        }
        let scale = spread.map { 1 / $0 }
        return affine(
            config.name, input: input, kind: "Normalization", scale: scale, shift: zip(mean, scale).map { -$0 * $1 },
            roles: roles)
    }

    private mutating func add(
        _ config: KerasImporter.LayerConfig, reading given: [Int], isLast: Bool
    )
        throws(ImportError)
    {
        var sources = given
        let input = graph.shape(of: sources[0])
        let name = config.name
        let layer: any Layer
        switch config.className {
        case _ where KerasImporter.identityLayers.contains(config.className):
            // Identity at inference.
            nodes[name] = sources[0]
            return
        case _ where ["Add", "Multiply"].contains(config.className) && !config.constants.isEmpty,
            "Subtract", "TrueDivide", "Divide":
            guard sources.count == 1 else {
                throw importer.error(
                    config,
                    "combines \(sources.count) tensors; vizsite runs \(config.className) of a tensor and a number")
            }
            layer = try constantOp(config, input: input)
        case "Normalization":
            layer = try normalization(config, input: input)
        case "LayerScale":
            // ConvNeXt's: each channel times a learned `gamma` (the file's one weight).
            let channels = input.last!
            let gamma = try weights(config, [[channels]])[0]
            layer = affine(
                name, input: input, kind: "LayerScale", scale: gamma, shift: [Float](repeating: 0, count: channels),
                roles: (.learned, .constant))
        case "CustomScaleLayer":
            // InceptionResNetV2's residual: inputs[0] + inputs[1] · scale, as a scaling of the
            // branch (`<name>/scale`) and an Add that carries the layer's name.
            let shapes = sources.map(graph.shape(of:))
            guard shapes.count == 2, shapes[0] == shapes[1], let scale = config.config["scale"]?.double else {
                throw importer.error(config, "needs two inputs of one shape and a number 'scale'")
            }
            let channels = input.last!
            let branch = affine(
                "\(name)/scale", input: shapes[1], kind: "CustomScaleLayer",
                scale: [Float](repeating: Float(scale), count: channels), shift: [Float](repeating: 0, count: channels))
            sources = [sources[0], graph.append(branch, reading: [sources[1]])]
            layer = Add(name: name, inputShapes: shapes)
        default:
            // The classes model specs share.
            guard let type = KerasLayerClass.named(config.className) else {
                throw importer.error(
                    config,
                    "this layer class is not supported; vizsite runs "
                        + KerasImporter.supportedLayers.joined(separator: ", "))
            }
            var vocabulary = KerasVocabulary(
                type: type, name: name, options: KerasLayerOptions(config: config, importer: importer),
                inputShapes: sources.map(graph.shape(of:)), isLast: isLast)
            vocabulary.hardSigmoid = importer.hardSigmoid
            let built = try vocabulary.build()
            try store(config, built.layers.map(\.layer), constants: built.constants)
            var nodes: [Int] = []
            for (layer, reads) in built.layers {
                let read = reads.map { (source) -> Int in
                    switch source {
                    case .input(let i): sources[i]
                    case .built(let j): nodes[j]
                    }
                }
                nodes.append(try append(layer, reading: read, for: config))
            }
            self.nodes[name] = nodes.last!
            return
        }
        nodes[name] = try append(layer, reading: sources, for: config)
    }

    /// Appends `layer`, checked as the graph checks it.
    private mutating func append(
        _ layer: any Layer, reading sources: [Int], for config: KerasImporter.LayerConfig
    ) throws(ImportError) -> Int {
        let node = graph.append(layer, reading: sources)
        if let problem = graph.problem(at: node) {
            throw importer.error(config, layer.name == config.name ? problem : "'\(layer.name)' \(problem)")
        }
        return node
    }
}
