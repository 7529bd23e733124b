import Common

/// Reads one entry of a model spec's `layers` list: its type, name, inputs and fields,
/// checked against the shapes of the layers it reads.
struct LayerSpecReader {
    /// The layer types specs accept, with the prefix of their default names.
    static let types: [(type: String, prefix: String)] = [
        ("Conv2D", "conv2d"), ("DepthwiseConv2D", "depthwise_conv2d"), ("Dense", "dense"),
        ("MaxPooling2D", "max_pooling2d"), ("AveragePooling2D", "average_pooling2d"),
        ("GlobalAveragePooling2D", "global_average_pooling2d"), ("GlobalMaxPooling2D", "global_max_pooling2d"),
        ("BatchNormalization", "batch_normalization"), ("Activation", "activation"), ("ReLU", "re_lu"),
        ("LeakyReLU", "leaky_re_lu"), ("Softmax", "softmax"), ("ZeroPadding2D", "zero_padding2d"),
        ("Cropping2D", "cropping2d"),
        ("Add", "add"), ("Multiply", "multiply"), ("Concatenate", "concatenate"), ("Flatten", "flatten"),
        ("Reshape", "reshape"),
        ("Dropout", "dropout"),
    ]
    static let aliases = [
        "MaxPool2D": "MaxPooling2D", "AvgPool2D": "AveragePooling2D", "BatchNorm": "BatchNormalization",
    ]

    let item: YAMLValue
    let fields: YAMLMapping
    let typeValue: YAMLValue
    let type: String
    /// The nodes the layer reads (-1: the model input) and their shapes.
    let inputs: [Int]
    let inputShapes: [[Int]]

    init(_ item: YAMLValue, modelInput: [Int], earlier: [any Layer]) throws(SourceError) {
        self.item = item
        fields = try item.mapping()
        typeValue = try fields.required("type", in: "a layer")
        let typeName = try typeValue.string()
        let names = Self.types.map(\.type)
        guard
            let type = names.first(where: { $0.lowercased() == typeName.lowercased() })
                ?? Self.aliases.first(where: { $0.key.lowercased() == typeName.lowercased() })?.value
        else {
            throw typeValue.error(
                "unknown layer type '\(typeName)', expected one of \(names.joined(separator: ", "))",
                suggestion: nearestName(to: typeName, in: names))
        }
        self.type = type
        if let value = fields["inputs"] {
            let items: [YAMLValue]
            if case .success(let list) = Result(catching: { () throws(SourceError) in try value.list() }) {
                items = list
            } else {
                items = [value]
            }
            guard !items.isEmpty else { throw value.error("inputs lists no layer") }
            var nodes: [Int] = []
            for entry in items {
                let name = try entry.string()
                if name == "input" {
                    nodes.append(-1)
                } else if let index = earlier.firstIndex(where: { $0.name == name }) {
                    nodes.append(index)
                } else {
                    throw entry.error(
                        "no earlier layer is named '\(name)'; a layer can read 'input' or the layers above it",
                        suggestion: nearestName(to: name, in: ["input"] + earlier.map(\.name)))
                }
            }
            inputs = nodes
        } else {
            inputs = [earlier.count - 1]
        }
        inputShapes = inputs.map { $0 < 0 ? modelInput : earlier[$0].outputShape }
        let merges = type == "Add" || type == "Multiply" || type == "Concatenate"
        if merges && inputs.count < 2 {
            throw (fields["inputs"] ?? typeValue).error("\(type) needs at least two inputs, listed in 'inputs'")
        }
        if !merges && inputs.count != 1 {
            throw fields["inputs"]!.error("\(type) reads one input, but 'inputs' lists \(inputs.count)")
        }
    }

    var inputShape: [Int] { inputShapes[0] }
    var shapeText: String { "(" + inputShape.map(String.init).joined(separator: ", ") + ")" }

    /// Builds the layer, naming it Keras's way when the spec gives no name.
    func layer(counters: inout [String: Int], isLast: Bool) throws(SourceError) -> any Layer {
        try fields.checkKeys(["type", "name", "inputs"] + allowedKeys, in: "a \(type) layer")
        let prefix = Self.types.first { $0.type == type }!.prefix
        counters[prefix, default: 0] += 1
        let name = try fields["name"]?.string() ?? "\(prefix)_\(counters[prefix]!)"
        let layer = try build(name: name)
        if layer.activation == .softmax && !isLast {
            throw (fields["activation"] ?? typeValue).error(
                "softmax is only supported on the last layer: vizsite explains the logits that feed it")
        }
        guard layer.outputShape.allSatisfy({ $0 > 0 }) else {
            guard case .window(let span, _, _) = layer.gridMapping else {
                throw typeValue.error("\(name) cannot take the input \(shapeText)")
            }
            throw typeValue.error(
                "a \(span.height)×\(span.width) window does not fit the input \(shapeText) of \(name)")
        }
        return layer
    }

    private var allowedKeys: [String] {
        switch type {
        case "Conv2D":
            ["filters", "kernel_size", "strides", "padding", "dilation_rate", "groups", "activation", "use_bias"]
        case "DepthwiseConv2D":
            ["kernel_size", "strides", "padding", "dilation_rate", "depth_multiplier", "activation", "use_bias"]
        case "Dense": ["units", "activation", "use_bias"]
        case "MaxPooling2D", "AveragePooling2D": ["pool_size", "strides", "padding"]
        case "GlobalAveragePooling2D", "GlobalMaxPooling2D": ["keepdims"]
        case "BatchNormalization": ["epsilon", "momentum", "center", "scale"]
        case "Activation": ["activation"]
        case "ReLU": ["max_value", "negative_slope"]
        case "LeakyReLU": ["negative_slope", "alpha"]
        case "ZeroPadding2D": ["padding"]
        case "Cropping2D": ["cropping"]
        case "Concatenate": ["axis"]
        case "Reshape": ["target_shape"]
        case "Dropout": ["rate"]
        default: []
        }
    }

    private func build(name: String) throws(SourceError) -> any Layer {
        switch type {
        case "Conv2D", "DepthwiseConv2D":
            try requireImage()
            let kernel = try pair("kernel_size", default: nil), strides = try pair("strides", default: (1, 1))
            let dilations = try pair("dilation_rate", default: (1, 1))
            let channels = inputShape[2]
            let groups = type == "Conv2D" ? try positive("groups", default: 1) : channels
            let filters =
                type == "Conv2D" ? try positive("filters") : channels * (try positive("depth_multiplier", default: 1))
            guard channels % groups == 0 && filters % groups == 0 else {
                throw fields["groups"]!.error(
                    "groups must divide the input's \(channels) channels and the \(filters) filters")
            }
            return Conv2D(
                name: name, inputShape: inputShape, filters: filters, kernelSize: kernel, strides: strides,
                pads: try pads(window: kernel, strides: strides, dilations: dilations), dilations: dilations,
                groups: groups, activation: try activation(), useBias: try flag("use_bias", default: true), kind: type)
        case "MaxPooling2D", "AveragePooling2D":
            try requireImage()
            let window = try pair("pool_size", default: (2, 2))
            let strides = try pair("strides", default: window)
            let pads = try pads(window: window, strides: strides)
            guard pads.top < window.0 && pads.bottom < window.0 && pads.left < window.1 && pads.right < window.1 else {
                throw fields["padding"]!.error("padding must be smaller than the \(window.0)×\(window.1) pool")
            }
            return type == "MaxPooling2D"
                ? MaxPool2D(name: name, inputShape: inputShape, poolSize: window, strides: strides, pads: pads)
                : AveragePool2D(name: name, inputShape: inputShape, poolSize: window, strides: strides, pads: pads)
        case "GlobalAveragePooling2D", "GlobalMaxPooling2D":
            try requireImage()
            return GlobalPool2D(
                name: name, inputShape: inputShape, reduction: type == "GlobalMaxPooling2D" ? .max : .average,
                keepDims: try flag("keepdims", default: false))
        case "BatchNormalization":
            let epsilon = try number("epsilon", default: 1e-3), momentum = try number("momentum", default: 0.99)
            guard epsilon > 0 else { throw fields["epsilon"]!.error("epsilon must be positive") }
            guard (0...1).contains(momentum) else { throw fields["momentum"]!.error("momentum must be in [0, 1]") }
            return BatchNormalization(
                name: name, inputShape: inputShape, epsilon: Float(epsilon), momentum: Float(momentum),
                center: try flag("center", default: true), scale: try flag("scale", default: true))
        case "Activation":
            return ActivationLayer(
                name: name, inputShape: inputShape, activation: try activation(required: true), kind: type)
        case "ReLU":
            let slope = try number("negative_slope", default: 0), top = try fields["max_value"]?.double()
            let activation: Activation =
                switch (slope, top) {
                case (0, nil): .relu
                case (0, let top?): .clip(low: 0, high: Float(top))
                case (_, nil): .leakyReLU(slope: Float(slope))
                default: throw fields["max_value"]!.error("max_value with a negative_slope is not supported")
                }
            return ActivationLayer(name: name, inputShape: inputShape, activation: activation, kind: type)
        case "LeakyReLU":
            // Keras 3 calls it negative_slope (default 0.3), tf-keras alpha.
            let given = try fields["negative_slope"]?.double(), legacy = try fields["alpha"]?.double()
            let slope = given ?? legacy ?? 0.3
            return ActivationLayer(
                name: name, inputShape: inputShape, activation: .leakyReLU(slope: Float(slope)), kind: type)
        case "Softmax":
            return ActivationLayer(name: name, inputShape: inputShape, activation: .softmax, kind: type)
        case "ZeroPadding2D":
            try requireImage()
            return ZeroPadding2D(name: name, inputShape: inputShape, pads: try zeroPads())
        case "Cropping2D":
            try requireImage()
            let crops = try self.crops()
            guard crops.top + crops.bottom < inputShape[0], crops.left + crops.right < inputShape[1] else {
                throw (fields["cropping"] ?? typeValue).error(
                    "cropping \(crops) leaves nothing of the input \(describe([inputShape]))")
            }
            return Cropping2D(name: name, inputShape: inputShape, crops: crops)
        case "Add":
            guard inputShapes.allSatisfy({ $0 == inputShape }) else {
                throw fields["inputs"]!.error("Add needs inputs of one shape, found \(describe(inputShapes))")
            }
            return Add(name: name, inputShapes: inputShapes)
        case "Multiply":
            guard inputShapes.count == 2, Multiply.fits(inputShapes[0], inputShapes[1]) else {
                throw fields["inputs"]!.error(
                    "Multiply needs two inputs of one shape, or a map and a per-channel [1, 1, C] gate, found "
                        + describe(inputShapes))
            }
            return Multiply(name: name, inputShapes: inputShapes)
        case "Concatenate":
            let rank = inputShape.count
            let axis = try fields["axis"]?.int() ?? -1
            guard (-rank..<rank).contains(axis) else {
                throw fields["axis"]!.error("axis must be in -\(rank)..<\(rank) for inputs of rank \(rank)")
            }
            let a = axis < 0 ? axis + rank : axis
            guard
                inputShapes.allSatisfy({ s in
                    s.count == rank && s.indices.allSatisfy { $0 == a || s[$0] == inputShape[$0] }
                })
            else {
                throw fields["inputs"]!.error(
                    "Concatenate needs inputs that differ only along axis \(axis), found \(describe(inputShapes))")
            }
            return Concatenate(name: name, inputShapes: inputShapes, axis: axis)
        case "Flatten":
            return Flatten(name: name, inputShape: inputShape)
        case "Reshape":
            return Reshape(name: name, inputShape: inputShape, outputShape: try targetShape())
        case "Dropout":
            let v = try fields.required("rate", in: "a Dropout layer")
            let rate = try v.double()
            guard rate >= 0 && rate < 1 else { throw v.error("rate must be in [0, 1), found \(rate)") }
            return Dropout(name: name, inputShape: inputShape, rate: Float(rate))
        default:  // Dense
            guard inputShape.count == 1 else {
                throw typeValue.error(
                    "Dense needs a flat input, but the previous layer outputs \(shapeText); add a Flatten layer before "
                        + "it")
            }
            return Dense(
                name: name, inputShape: inputShape, units: try positive("units"), activation: try activation(),
                useBias: try flag("use_bias", default: true))
        }
    }

    // MARK: - Fields

    private func describe(_ shapes: [[Int]]) -> String {
        shapes.map { "(" + $0.map(String.init).joined(separator: ", ") + ")" }.joined(separator: " and ")
    }

    private func requireImage() throws(SourceError) {
        guard inputShape.count == 3 else {
            throw typeValue.error(
                "\(type) needs an image-shaped input (height, width, channels), but its input is \(shapeText)")
        }
    }

    private func positive(_ key: String, default value: Int? = nil) throws(SourceError) -> Int {
        guard let v = fields[key] else {
            if let value { return value }
            throw item.error("a \(type) layer is missing the required field '\(key)'")
        }
        let n = try v.int()
        guard n > 0 else { throw v.error("\(key) must be a positive integer, found \(n)") }
        guard n <= ModelSpec.maxSize else {
            throw v.error("\(key) must be at most \(ModelSpec.maxSize.grouped), found \(n.grouped)")
        }
        return n
    }

    private func pair(_ key: String, default value: (Int, Int)?) throws(SourceError) -> (Int, Int) {
        guard let v = fields[key] else {
            if let value { return value }
            throw item.error("a \(type) layer is missing the required field '\(key)'")
        }
        let p = try v.intPair()
        guard p.0 > 0 && p.1 > 0 else { throw v.error("\(key) must be positive") }
        let limit = ModelSpec.maxSize
        guard p.0 <= limit && p.1 <= limit else { throw v.error("\(key) must be at most \(limit.grouped)") }
        return p
    }

    private func number(_ key: String, default value: Double) throws(SourceError) -> Double {
        try fields[key]?.double() ?? value
    }

    private func flag(_ key: String, default value: Bool) throws(SourceError) -> Bool {
        try fields[key]?.bool() ?? value
    }

    private func activation(required: Bool = false) throws(SourceError) -> Activation {
        guard let v = required ? try fields.required("activation", in: "an \(type) layer") : fields["activation"]
        else { return .linear }
        let text = try v.string()
        guard let activation = Activation(named: text) else {
            throw v.error(
                "unknown activation '\(text)', expected one of \(Activation.names.joined(separator: ", "))",
                suggestion: nearestName(to: text, in: Activation.names))
        }
        return activation
    }

    /// `padding: valid | same`, or explicit `[[top, bottom], [left, right]]`.
    private func pads(
        window: (Int, Int), strides: (Int, Int), dilations: (Int, Int) = (1, 1)
    )
        throws(SourceError) -> Pads
    {
        guard let v = fields["padding"] else { return .zero }
        if case .success(let mode) = Result(catching: { () throws(SourceError) in try v.choice(Padding.self) }) {
            return Pads(mode, input: inputShape, window: window, strides: strides, dilations: dilations)
        }
        guard (try? v.list()) != nil else {
            throw v.error("padding must be valid, same, or [[top, bottom], [left, right]]")
        }
        return try explicitPads(v)
    }

    /// ZeroPadding2D's `padding`: `n`, `[h, w]` or `[[top, bottom], [left, right]]`.
    private func zeroPads() throws(SourceError) -> Pads {
        guard let v = fields["padding"] else { return Pads(top: 1, bottom: 1, left: 1, right: 1) }
        if let items = try? v.list(), items.count == 2, (try? items[0].list()) != nil {
            return try explicitPads(v)
        }
        let (h, w) = try v.intPair()
        guard h >= 0 && w >= 0 else { throw v.error("padding must not be negative") }
        return Pads(top: h, bottom: h, left: w, right: w)
    }

    /// Cropping2D's `cropping`: one number, a pair, or `[[top, bottom], [left, right]]`.
    private func crops() throws(SourceError) -> Pads {
        guard let v = fields["cropping"] else { return Pads(top: 0, bottom: 0, left: 0, right: 0) }
        if let items = try? v.list(), items.count == 2, (try? items[0].list()) != nil {
            return try explicitPads(v, word: "cropping")
        }
        let (h, w) = try v.intPair()
        guard (0...ModelSpec.maxSize).contains(h) && (0...ModelSpec.maxSize).contains(w) else {
            throw v.error("cropping must be between 0 and \(ModelSpec.maxSize.grouped)")
        }
        return Pads(top: h, bottom: h, left: w, right: w)
    }

    private func explicitPads(_ v: YAMLValue, word: String = "padding") throws(SourceError) -> Pads {
        let items = try v.list()
        guard items.count == 2 else { throw v.error("expected [[top, bottom], [left, right]]") }
        let (top, bottom) = try items[0].intPair(), (left, right) = try items[1].intPair()
        guard [top, bottom, left, right].allSatisfy({ (0...ModelSpec.maxSize).contains($0) }) else {
            throw v.error("\(word) must be between 0 and \(ModelSpec.maxSize.grouped)")
        }
        return Pads(top: top, bottom: bottom, left: left, right: right)
    }

    /// Reshape's `target_shape`, where one entry may be -1 (inferred).
    private func targetShape() throws(SourceError) -> [Int] {
        let v = try fields.required("target_shape", in: "a Reshape layer")
        var shape: [Int] = []
        for entry in try v.list() { shape.append(try entry.int()) }
        let count = inputShape.elementCount, known = shape.filter { $0 != -1 }.reduce(1, *)
        guard !shape.isEmpty, shape.filter({ $0 == -1 }).count <= 1, shape.allSatisfy({ $0 == -1 || $0 > 0 }),
            known > 0, count % known == 0
        else {
            throw v.error("target_shape must be positive sizes (one may be -1) that divide \(count.grouped) values")
        }
        shape = shape.map { $0 == -1 ? count / known : $0 }
        guard shape.elementCount == count else {
            throw v.error(
                "target_shape \(shape) holds \(shape.elementCount.grouped) values, the input \(count.grouped)")
        }
        return shape
    }
}
