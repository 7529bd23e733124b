/// Turns a Keras config's layers into vizsite layers, connected as the config says, with
/// the weights the file holds for each.
struct KerasGraph {
    let importer: KerasImporter
    var layers: [any Layer] = []
    var inputs: [[Int]] = []
    var parameters: [String: Tensor] = [:]
    var inputShape: [Int] = []
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
            if inputShape.isEmpty {
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
                sources = [position == 0 || layers.isEmpty ? -1 : layers.count - 1]
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
        guard let name = outputName, let node = nodes[name], node >= 0, layers[node].outputShape.count == 1 else {
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
        inputShape = [h, w, c]
    }

    private func shape(of node: Int) -> [Int] { node < 0 ? inputShape : layers[node].outputShape }

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

    /// Keeps the file's weights for `layer`, checked against its parameter shapes.
    private mutating func store(_ config: KerasImporter.LayerConfig, _ layer: any Layer) throws(ImportError) {
        let values = try weights(config, layer.parameterShapes.map(\.shape))
        for (p, v) in zip(layer.parameterShapes, values) {
            parameters["\(layer.name)/\(p.key)"] = Tensor(shape: p.shape, scalars: v)
        }
    }

    /// `y = x · scale + shift` per channel, its parameters set here (not read from the file):
    /// constants of the graph unless `roles` says otherwise.
    private mutating func affine(
        _ name: String, input: [Int], kind: String, scale: [Float], shift: [Float],
        roles: (ParameterShape.Role, ParameterShape.Role) = (.constant, .constant)
    ) -> ChannelAffine {
        let layer = ChannelAffine(name: name, inputShape: input, kind: kind, scale: roles.0, shift: roles.1)
        let c = input.last!
        parameters["\(name)/scale"] = Tensor(shape: [c], scalars: scale)
        parameters["\(name)/shift"] = Tensor(shape: [c], scalars: shift)
        return layer
    }

    /// A number, or one per channel, from the layer's config.
    private func perChannel(
        _ config: KerasImporter.LayerConfig, _ key: String, channels: Int, default value: Float
    ) throws(ImportError) -> [Float] {
        guard let item = config.config[key], item != .null else { return [Float](repeating: value, count: channels) }
        if let number = item.double { return [Float](repeating: Float(number), count: channels) }
        if let items = item.array, items.count == channels, case let numbers = items.compactMap(\.double),
            numbers.count == channels
        {
            return numbers.map(Float.init)
        }
        throw importer.error(config, "\(key) must be a number or one number per channel (\(channels))")
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
            mean = try perChannel(config, "mean", channels: channels, default: 0)
            variance = try perChannel(config, "variance", channels: channels, default: 1)
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
        let c = config.config
        let input = shape(of: sources[0])
        if let format = c["data_format"]?.string, format != "channels_last" {
            throw importer.error(config, "data_format '\(format)' is not supported; vizsite runs channels_last models")
        }
        func pair(_ key: String, default value: (Int, Int)) throws(ImportError) -> (Int, Int) {
            guard let v = c[key], !v.isNull else { return value }
            guard let p = v.ints(count: 2), p.count == 2, p.allSatisfy({ $0 > 0 && $0 <= 65_536 }) else {
                throw importer.error(config, "\(key) must be one or two positive integers")
            }
            return (p[0], p[1])
        }
        func padding() throws(ImportError) -> Padding {
            guard let text = c["padding"]?.string ?? Optional("valid"), let mode = Padding(rawValue: text.lowercased())
            else { throw importer.error(config, "padding must be valid or same") }
            return mode
        }
        func activation(_ key: String = "activation") throws(ImportError) -> Activation {
            guard let name = c[key]?.string else { return .linear }
            guard var activation = Activation(named: name) else {
                throw importer.error(
                    config,
                    "activation '\(name)' is not supported; vizsite runs " + Activation.names.joined(separator: ", "))
            }
            if case .hardSigmoid = activation { activation = importer.hardSigmoid }
            if activation == .softmax && !isLast {
                throw importer.error(config, "softmax is only supported on the last layer")
            }
            return activation
        }
        /// ZeroPadding2D's `padding`, Cropping2D's `cropping`: n, (rows, columns) or
        /// ((top, bottom), (left, right)).
        func edges(_ key: String) throws(ImportError) -> Pads {
            if let n = c[key]?.int, (0...65_536).contains(n) { return Pads(top: n, bottom: n, left: n, right: n) }
            guard let items = c[key]?.array, items.count == 2 else {
                throw importer.error(config, "\(key) must be a non-negative integer, a pair or a pair of pairs")
            }
            let rows = items[0].ints(count: 2) ?? items[0].int.map { [$0, $0] } ?? []
            let cols = items[1].ints(count: 2) ?? items[1].int.map { [$0, $0] } ?? []
            guard rows.count == 2, cols.count == 2, (rows + cols).allSatisfy({ (0...65_536).contains($0) }) else {
                throw importer.error(config, "\(key) must be non-negative")
            }
            return Pads(top: rows[0], bottom: rows[1], left: cols[0], right: cols[1])
        }
        func image() throws(ImportError) {
            guard input.count == 3 else { throw importer.error(config, "needs an image input, not \(input)") }
        }
        let name = config.name
        let layer: any Layer
        switch config.className {
        case "Conv2D", "DepthwiseConv2D":
            try image()
            let kernel = try pair("kernel_size", default: (0, 0)), strides = try pair("strides", default: (1, 1))
            let dilations = try pair("dilation_rate", default: (1, 1))
            let depthwise = config.className == "DepthwiseConv2D"
            let groups = depthwise ? input[2] : c["groups"]?.int ?? 1
            let filters = depthwise ? input[2] * (c["depth_multiplier"]?.int ?? 1) : c["filters"]?.int ?? 0
            guard kernel.0 > 0, filters > 0, groups > 0, input[2] % groups == 0, filters % groups == 0 else {
                throw importer.error(config, "needs positive kernel_size and filters that fit its groups")
            }
            let conv = Conv2D(
                name: name, inputShape: input, filters: filters, kernelSize: kernel, strides: strides,
                padding: try padding(), dilations: dilations, groups: groups, activation: try activation(),
                useBias: c["use_bias"]?.bool ?? true, kind: config.className)
            try store(config, conv)
            layer = conv
        case "SeparableConv2D":
            // A depthwise convolution (no bias, no activation), named `<name>/depthwise`, then a
            // 1×1 convolution that carries the Keras layer's name, bias and activation.
            try image()
            let kernel = try pair("kernel_size", default: (0, 0)), strides = try pair("strides", default: (1, 1))
            let multiplier = c["depth_multiplier"]?.int ?? 1, filters = c["filters"]?.int ?? 0
            guard kernel.0 > 0, kernel.1 > 0, multiplier > 0, filters > 0 else {
                throw importer.error(config, "needs positive kernel_size, depth_multiplier and filters")
            }
            let depthwise = Conv2D(
                name: "\(name)/depthwise", inputShape: input, filters: input[2] * multiplier, kernelSize: kernel,
                strides: strides, padding: try padding(), dilations: try pair("dilation_rate", default: (1, 1)),
                groups: input[2], useBias: false, kind: "DepthwiseConv2D")
            guard depthwise.outputShape.allSatisfy({ $0 > 0 }) else {
                throw importer.error(config, "the window does not fit \(input)")
            }
            let useBias = c["use_bias"]?.bool ?? true
            let pointwise = Conv2D(
                name: name, inputShape: depthwise.outputShape, filters: filters, kernelSize: (1, 1),
                activation: try activation(), useBias: useBias, kind: "SeparableConv2D")
            let shapes = [depthwise.parameterShapes[0].shape] + pointwise.parameterShapes.map(\.shape)
            let values = try weights(config, shapes)
            parameters["\(depthwise.name)/kernel"] = Tensor(shape: shapes[0], scalars: values[0])
            for (p, v) in zip(pointwise.parameterShapes, values.dropFirst()) {
                parameters["\(name)/\(p.key)"] = Tensor(shape: p.shape, scalars: v)
            }
            layers.append(depthwise)
            inputs.append(sources)
            sources = [layers.count - 1]
            layer = pointwise
        case "Dense" where input.count == 3:
            // Keras applies Dense to the last axis: at every position of a map, a 1×1
            // convolution (ConvNeXt's pointwise layers). Its [C, M] kernel is already HWIO.
            guard let units = c["units"]?.int, units > 0 else { throw importer.error(config, "needs positive units") }
            let useBias = c["use_bias"]?.bool ?? true
            let conv = Conv2D(
                name: name, inputShape: input, filters: units, kernelSize: (1, 1), activation: try activation(),
                useBias: useBias, kind: "Dense")
            let values = try weights(config, [[input[2], units]] + (useBias ? [[units]] : []))
            for (p, v) in zip(conv.parameterShapes, values) {
                parameters["\(name)/\(p.key)"] = Tensor(shape: p.shape, scalars: v)
            }
            layer = conv
        case "LayerNormalization":
            let axes = c["axis"]?.array?.compactMap(\.int) ?? c["axis"]?.int.map { [$0] } ?? [-1]
            guard axes == [-1] || axes == [input.count], !(c["rms_scaling"]?.bool ?? false) else {
                throw importer.error(
                    config, "normalizes axes \(axes); vizsite runs layer normalization over the last axis, not RMS")
            }
            let features = input.last!
            let (scale, center) = (c["scale"]?.bool ?? true, c["center"]?.bool ?? true)
            let values = try weights(config, (scale ? [[features]] : []) + (center ? [[features]] : []))
            let ones = [Float](repeating: 1, count: features), zeros = [Float](repeating: 0, count: features)
            parameters["\(name)/gamma"] = Tensor(shape: [features], scalars: scale ? values[0] : ones)
            parameters["\(name)/beta"] = Tensor(shape: [features], scalars: center ? values.last! : zeros)
            layer = LayerNormalization(name: name, inputShape: input, epsilon: Float(c["epsilon"]?.double ?? 1e-3))
        case "Dense":
            guard input.count == 1, let units = c["units"]?.int, units > 0 else {
                throw importer.error(config, "needs a flat input and positive units")
            }
            let dense = Dense(
                name: name, inputShape: input, units: units, activation: try activation(),
                useBias: c["use_bias"]?.bool ?? true)
            try store(config, dense)
            layer = dense
        case "MaxPooling2D", "AveragePooling2D":
            try image()
            let window = try pair("pool_size", default: (2, 2)), strides = try pair("strides", default: window)
            layer =
                config.className == "MaxPooling2D"
                ? MaxPool2D(name: name, inputShape: input, poolSize: window, strides: strides, padding: try padding())
                : AveragePool2D(
                    name: name, inputShape: input, poolSize: window, strides: strides, padding: try padding())
        case "GlobalAveragePooling2D", "GlobalMaxPooling2D":
            try image()
            layer = GlobalPool2D(
                name: name, inputShape: input, reduction: config.className == "GlobalMaxPooling2D" ? .max : .average,
                keepDims: c["keepdims"]?.bool ?? false)
        case "BatchNormalization":
            let axis = c["axis"]?.int ?? c["axis"]?.array?.first?.int ?? -1
            guard axis == -1 || axis == input.count else {
                throw importer.error(config, "normalizes axis \(axis); only the channel axis (-1) is supported")
            }
            let bn = BatchNormalization(
                name: name, inputShape: input, epsilon: Float(c["epsilon"]?.double ?? 1e-3),
                momentum: Float(c["momentum"]?.double ?? 0.99), center: c["center"]?.bool ?? true,
                scale: c["scale"]?.bool ?? true)
            try store(config, bn)
            layer = bn
        case "Activation":
            layer = ActivationLayer(name: name, inputShape: input, activation: try activation(), kind: "Activation")
        case "ReLU":
            let slope = Float(c["negative_slope"]?.double ?? 0), top = c["max_value"]?.double
            guard (c["threshold"]?.double ?? 0) == 0, slope == 0 || top == nil else {
                throw importer.error(config, "a threshold, or a max_value with a negative_slope, is not supported")
            }
            let a: Activation =
                top.map { .clip(low: 0, high: Float($0)) } ?? (slope == 0 ? .relu : .leakyReLU(slope: slope))
            layer = ActivationLayer(name: name, inputShape: input, activation: a, kind: "ReLU")
        case "LeakyReLU":
            let slope = Float(c["negative_slope"]?.double ?? c["alpha"]?.double ?? 0.3)
            layer = ActivationLayer(
                name: name, inputShape: input, activation: .leakyReLU(slope: slope), kind: "LeakyReLU")
        case "Softmax":
            guard isLast else { throw importer.error(config, "softmax is only supported on the last layer") }
            layer = ActivationLayer(name: name, inputShape: input, activation: .softmax, kind: "Softmax")
        case "Cropping2D":
            try image()
            let crops = try edges("cropping")
            guard crops.top + crops.bottom < input[0], crops.left + crops.right < input[1] else {
                throw importer.error(config, "cropping \(crops) leaves nothing of \(input)")
            }
            layer = Cropping2D(name: name, inputShape: input, crops: crops)
        case "UpSampling2D":
            // Keras repeats rows and columns (nearest: input ⌊i / s⌋) or resizes with half-pixel
            // centres, the edges clamped (bilinear: jax.image.resize's and tf.image.resize's).
            try image()
            let size = try pair("size", default: (2, 2))
            let interpolation = c["interpolation"]?.string ?? "nearest"
            let out = (input[0] * size.0, input[1] * size.1)
            guard out.0 <= 65_536, out.1 <= 65_536 else { throw importer.error(config, "size makes the map too large") }
            switch interpolation {
            case "nearest":
                layer = Resize2D(
                    name: name, inputShape: input, outputSize: out, mode: .nearest, coordinates: .asymmetric,
                    rounding: .floor)
            case "bilinear":
                layer = Resize2D(name: name, inputShape: input, outputSize: out, mode: .linear, coordinates: .halfPixel)
            default:
                throw importer.error(
                    config, "interpolation '\(interpolation)' is not supported; vizsite runs nearest and bilinear")
            }
        case "ZeroPadding2D":
            try image()
            let pads = try edges("padding")
            layer = ZeroPadding2D(name: name, inputShape: input, pads: pads)
        case _ where ["Add", "Multiply"].contains(config.className) && !config.constants.isEmpty,
            "Subtract", "TrueDivide", "Divide":
            guard sources.count == 1 else {
                throw importer.error(
                    config,
                    "combines \(sources.count) tensors; vizsite runs \(config.className) of a tensor and a number")
            }
            layer = try constantOp(config, input: input)
        case "Rescaling":
            let channels = input.last!
            let scale = try perChannel(config, "scale", channels: channels, default: 1)
            let offset = try perChannel(config, "offset", channels: channels, default: 0)
            layer = affine(name, input: input, kind: "Rescaling", scale: scale, shift: offset)
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
            let shapes = sources.map(shape(of:))
            guard shapes.count == 2, shapes[0] == shapes[1], let scale = c["scale"]?.double else {
                throw importer.error(config, "needs two inputs of one shape and a number 'scale'")
            }
            let channels = input.last!
            layers.append(
                affine(
                    "\(name)/scale", input: shapes[1], kind: "CustomScaleLayer",
                    scale: [Float](repeating: Float(scale), count: channels),
                    shift: [Float](repeating: 0, count: channels)))
            inputs.append([sources[1]])
            sources = [sources[0], layers.count - 1]
            layer = Add(name: name, inputShapes: shapes)
        case "Add", "Concatenate", "Multiply":
            var shapes = sources.map(shape(of:))
            guard shapes.count >= 2 else { throw importer.error(config, "needs at least two inputs") }
            if config.className == "Multiply" {
                // The full map first: a per-channel gate multiplies it, in either order.
                if shapes.count == 2, !Multiply.fits(shapes[0], shapes[1]), Multiply.fits(shapes[1], shapes[0]) {
                    sources.reverse()
                    shapes.reverse()
                }
                guard shapes.count == 2, Multiply.fits(shapes[0], shapes[1]) else {
                    throw importer.error(
                        config,
                        "multiplies \(shapes); vizsite multiplies two inputs of one shape, or a map by a "
                            + "per-channel gate (1, 1, C)")
                }
                layer = Multiply(name: name, inputShapes: shapes)
            } else if config.className == "Add" {
                guard shapes.allSatisfy({ $0 == shapes[0] }) else {
                    throw importer.error(config, "adds unequal shapes \(shapes)")
                }
                layer = Add(name: name, inputShapes: shapes)
            } else {
                let rank = shapes[0].count, axis = c["axis"]?.int ?? -1
                let a = axis < 0 ? axis + rank : axis - 1  // Keras counts the batch axis
                guard (0..<rank).contains(a),
                    shapes.allSatisfy({ s in
                        s.count == rank && s.indices.allSatisfy { $0 == a || s[$0] == shapes[0][$0] }
                    })
                else { throw importer.error(config, "cannot join \(shapes) along axis \(axis)") }
                layer = Concatenate(name: name, inputShapes: shapes, axis: a)
            }
        case "Flatten":
            layer = Flatten(name: name, inputShape: input)
        case "Reshape":
            guard var target = c["target_shape"]?.ints(count: 1), !target.isEmpty else {
                throw importer.error(config, "needs a target_shape")
            }
            let known = target.filter { $0 != -1 }.reduce(1, *)
            if let i = target.firstIndex(of: -1), known > 0 { target[i] = input.elementCount / known }
            guard target.allSatisfy({ $0 > 0 }), target.elementCount == input.elementCount else {
                throw importer.error(config, "cannot reshape \(input) to \(target)")
            }
            layer = Reshape(name: name, inputShape: input, outputShape: target)
        case "Dropout":
            let rate = c["rate"]?.double ?? 0
            guard (0..<1).contains(rate) else { throw importer.error(config, "rate must be in [0, 1)") }
            layer = Dropout(name: name, inputShape: input, rate: Float(rate))
        case _ where KerasImporter.identityLayers.contains(config.className):
            // Identity at inference.
            nodes[name] = sources[0]
            return
        default:
            throw importer.error(
                config,
                "this layer class is not supported; vizsite runs "
                    + KerasImporter.supportedLayers.joined(separator: ", "))
        }
        guard layer.outputShape.allSatisfy({ $0 > 0 }) else {
            throw importer.error(config, "the window does not fit \(input)")
        }
        guard layer.inputShapes.count == sources.count else {
            throw importer.error(config, "reads \(sources.count) inputs, but takes \(layer.inputShapes.count)")
        }
        layers.append(layer)
        inputs.append(sources)
        nodes[name] = layers.count - 1
    }
}
