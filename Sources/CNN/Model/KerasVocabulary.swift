import Common

/// Builds the layers of one entry in Keras's vocabulary (`KerasLayerClass`) from its
/// options, whichever reader holds them: a model spec (`LayerSpecReader`) and a Keras file
/// (`KerasGraph`) go through this one path, so a class, an option and its checks are written
/// once. Keras computes channels-last, as vizsite does, so each class maps onto vizsite's
/// layers one to one, but for a separable convolution (a depthwise, then a 1×1 convolution)
/// and Dense on a map (a 1×1 convolution, as Keras applies Dense to the last axis).
struct KerasVocabulary<Options: LayerOptions> {
    typealias Failure = Options.Failure

    /// What a built layer reads: the entry's inputs by position, or a layer built before it
    /// for the same entry (a separable convolution's depthwise half).
    enum Source: Equatable {
        case input(Int)
        case built(Int)
    }

    /// The layers of one entry, in order (the last carries the entry's name), and the values
    /// the options fix (a Rescaling's scale): constants of the graph, by parameter key.
    struct Layers {
        var layers: [(layer: any Layer, reads: [Source])] = []
        var constants: [String: Tensor] = [:]
    }

    /// The class, as `KerasLayerClass` names it.
    let type: String
    let name: String
    let options: Options
    let inputShapes: [[Int]]
    let isLast: Bool
    /// What `hard_sigmoid` means: Keras 3's `relu6(x + 3) / 6` unless the file is Keras 2's.
    var hardSigmoid = Activation.hardSigmoid(alpha: 1 / 6, beta: 0.5)

    var input: [Int] { inputShapes[0] }

    init(type: String, name: String, options: Options, inputShapes: [[Int]], isLast: Bool) {
        self.type = type
        self.name = name
        self.options = options
        self.inputShapes = inputShapes
        self.isLast = isLast
    }

    func build() throws(Failure) -> Layers {
        if let format = try options.string("data_format"), format != "channels_last" {
            throw options.error(
                "data_format '\(format)' is not supported; vizsite runs channels_last models", at: "data_format")
        }
        if KerasLayerClass.merges.contains(type) {
            guard inputShapes.count >= 2 else { throw options.error("\(type) needs at least two inputs", at: nil) }
        } else if inputShapes.count != 1 {
            throw options.error("\(type) reads one input, not \(inputShapes.count)", at: nil)
        }
        var built = Layers()
        let layer: any Layer
        switch type {
        case "Conv2D", "DepthwiseConv2D":
            layer = try convolution()
        case "SeparableConv2D":
            let depthwise = try separableDepthwise()
            try fits(depthwise)
            built.layers.append((depthwise, [.input(0)]))
            layer = Conv2D(
                name: name, inputShape: depthwise.outputShape, filters: try positive("filters"), kernelSize: (1, 1),
                activation: try activation(), useBias: try flag("use_bias", default: true), kind: type)
            built.layers.append((layer, [.built(0)]))
            try check(layer)
            return built
        case "Dense":
            layer = try dense()
        case "MaxPooling2D", "AveragePooling2D":
            try requireImage()
            let window = try pair("pool_size", default: (2, 2))
            let strides = try pair("strides", default: window)
            let pads = try pads(window: window, strides: strides)
            guard pads.top < window.0 && pads.bottom < window.0 && pads.left < window.1 && pads.right < window.1 else {
                throw options.error("padding must be smaller than the \(window.0)×\(window.1) pool", at: "padding")
            }
            layer =
                type == "MaxPooling2D"
                ? MaxPool2D(name: name, inputShape: input, poolSize: window, strides: strides, pads: pads)
                : AveragePool2D(name: name, inputShape: input, poolSize: window, strides: strides, pads: pads)
        case "GlobalAveragePooling2D", "GlobalMaxPooling2D":
            try requireImage()
            layer = GlobalPool2D(
                name: name, inputShape: input, reduction: type == "GlobalMaxPooling2D" ? .max : .average,
                keepDims: try flag("keepdims", default: false))
        case "BatchNormalization":
            try lastAxis("axis", what: "normalizes")
            let epsilon = try number("epsilon", default: 1e-3), momentum = try number("momentum", default: 0.99)
            guard epsilon > 0 else { throw options.error("epsilon must be positive", at: "epsilon") }
            guard (0...1).contains(momentum) else {
                throw options.error("momentum must be in [0, 1]", at: "momentum")
            }
            layer = BatchNormalization(
                name: name, inputShape: input, epsilon: Float(epsilon), momentum: Float(momentum),
                center: try flag("center", default: true), scale: try flag("scale", default: true))
        case "LayerNormalization":
            layer = try layerNormalization(&built.constants)
        case "Activation":
            guard options.has("activation") else {
                throw options.error("an Activation layer is missing the required field 'activation'", at: nil)
            }
            layer = ActivationLayer(name: name, inputShape: input, activation: try activation(), kind: type)
        case "ReLU":
            let slope = try number("negative_slope", default: 0), top = try options.double("max_value")
            guard try number("threshold", default: 0) == 0 else {
                throw options.error("a threshold is not supported", at: "threshold")
            }
            let activation: Activation =
                switch (slope, top) {
                case (0, nil): .relu
                case (0, let top?): .clip(low: 0, high: Float(top))
                case (_, nil): .leakyReLU(slope: Float(slope))
                default: throw options.error("max_value with a negative_slope is not supported", at: "max_value")
                }
            layer = ActivationLayer(name: name, inputShape: input, activation: activation, kind: type)
        case "LeakyReLU":
            // Keras 3 calls it negative_slope (default 0.3), tf-keras alpha.
            let given = try options.double("negative_slope"), legacy = try options.double("alpha")
            let slope = given ?? legacy ?? 0.3
            layer = ActivationLayer(
                name: name, inputShape: input, activation: .leakyReLU(slope: Float(slope)), kind: type)
        case "Softmax":
            try lastLayerOnly(at: "type")
            layer = ActivationLayer(name: name, inputShape: input, activation: .softmax, kind: type)
        case "ZeroPadding2D":
            try requireImage()
            layer = ZeroPadding2D(name: name, inputShape: input, pads: try edges("padding", default: 1))
        case "Cropping2D":
            try requireImage()
            let crops = try edges("cropping", default: 0)
            guard crops.top + crops.bottom < input[0], crops.left + crops.right < input[1] else {
                throw options.error(
                    "cropping \(crops) leaves nothing of the input \(describe([input]))", at: "cropping")
            }
            layer = Cropping2D(name: name, inputShape: input, crops: crops)
        case "UpSampling2D":
            layer = try upSampling()
        case "Rescaling":
            let channels = input.last!
            let scale = try perChannel("scale", channels: channels, default: 1)
            let offset = try perChannel("offset", channels: channels, default: 0)
            built.constants["\(name)/scale"] = Tensor(shape: [channels], scalars: scale)
            built.constants["\(name)/shift"] = Tensor(shape: [channels], scalars: offset)
            layer = ChannelAffine(name: name, inputShape: input, kind: type, scale: .constant, shift: .constant)
        case "Add":
            guard inputShapes.allSatisfy({ $0 == input }) else {
                throw options.error("Add needs inputs of one shape, found \(describe(inputShapes))", at: "inputs")
            }
            layer = Add(name: name, inputShapes: inputShapes)
        case "Multiply":
            // The full map first: a per-channel gate multiplies it, in either order.
            let order =
                inputShapes.count == 2 && Multiply.fits(inputShapes[1], input) && !Multiply.fits(input, inputShapes[1])
                ? [1, 0] : [0, 1]
            let shapes = order.compactMap { inputShapes.indices.contains($0) ? inputShapes[$0] : nil }
            guard inputShapes.count == 2, Multiply.fits(shapes[0], shapes[1]) else {
                throw options.error(
                    "Multiply needs two inputs of one shape, or a map and a per-channel [1, 1, C] gate, found "
                        + describe(inputShapes), at: "inputs")
            }
            let multiply = Multiply(name: name, inputShapes: shapes)
            try check(multiply)
            built.layers.append((multiply, order.map { .input($0) }))
            return built
        case "Concatenate":
            layer = try concatenate()
        case "Flatten":
            layer = Flatten(name: name, inputShape: input)
        case "Reshape":
            layer = Reshape(name: name, inputShape: input, outputShape: try targetShape())
        case "Dropout":
            guard let rate = try options.double("rate") else {
                throw options.error("a Dropout layer is missing the required field 'rate'", at: nil)
            }
            guard rate >= 0 && rate < 1 else {
                throw options.error("rate must be in [0, 1), found \(rate)", at: "rate")
            }
            layer = Dropout(name: name, inputShape: input, rate: Float(rate))
        default:
            throw options.error(
                "unknown layer type '\(type)', expected one of \(KerasLayerClass.names.joined(separator: ", "))",
                at: "type")
        }
        try check(layer)
        built.layers.append((layer, (0..<inputShapes.count).map { .input($0) }))
        return built
    }

    // MARK: - Classes with more to read

    private func convolution() throws(Failure) -> Conv2D {
        try requireImage()
        let kernel = try pair("kernel_size", default: nil), strides = try pair("strides", default: (1, 1))
        let dilations = try pair("dilation_rate", default: (1, 1))
        let channels = input[2]
        let depthwise = type == "DepthwiseConv2D"
        let groups = depthwise ? channels : try positive("groups", default: 1)
        let filters = depthwise ? channels * (try positive("depth_multiplier", default: 1)) : try positive("filters")
        guard channels % groups == 0 && filters % groups == 0 else {
            throw options.error(
                "groups must divide the input's \(channels) channels and the \(filters) filters", at: "groups")
        }
        return Conv2D(
            name: name, inputShape: input, filters: filters, kernelSize: kernel, strides: strides,
            pads: try pads(window: kernel, strides: strides, dilations: dilations), dilations: dilations,
            groups: groups, activation: try activation(), useBias: try flag("use_bias", default: true), kind: type)
    }

    /// A separable convolution's first half: depthwise, no bias, no activation, named
    /// `<name>/depthwise`; the 1×1 convolution after it carries the layer's name.
    private func separableDepthwise() throws(Failure) -> Conv2D {
        try requireImage()
        let kernel = try pair("kernel_size", default: nil), strides = try pair("strides", default: (1, 1))
        let dilations = try pair("dilation_rate", default: (1, 1))
        let multiplier = try positive("depth_multiplier", default: 1)
        return Conv2D(
            name: "\(name)/depthwise", inputShape: input, filters: input[2] * multiplier, kernelSize: kernel,
            strides: strides, pads: try pads(window: kernel, strides: strides, dilations: dilations),
            dilations: dilations, groups: input[2], useBias: false, kind: "DepthwiseConv2D")
    }

    /// Keras applies Dense to the last axis: on a map, at every position, which is a 1×1
    /// convolution (ConvNeXt's pointwise layers) whose [C, M] kernel is already HWIO.
    private func dense() throws(Failure) -> any Layer {
        let units = try positive("units"), useBias = try flag("use_bias", default: true)
        switch input.count {
        case 1:
            return Dense(name: name, inputShape: input, units: units, activation: try activation(), useBias: useBias)
        case 3:
            return Conv2D(
                name: name, inputShape: input, filters: units, kernelSize: (1, 1), activation: try activation(),
                useBias: useBias, kind: type)
        default:
            throw options.error("Dense needs a vector or an image, but its input is \(describe([input]))", at: "type")
        }
    }

    private func layerNormalization(_ constants: inout [String: Tensor]) throws(Failure) -> LayerNormalization {
        try lastAxis("axis", what: "normalizes")
        if try flag("rms_scaling", default: false) {
            throw options.error("RMS scaling is not supported", at: "rms_scaling")
        }
        let epsilon = try number("epsilon", default: 1e-3)
        guard epsilon > 0 else { throw options.error("epsilon must be positive", at: "epsilon") }
        let features = input.last!
        // Without a scale or a centre, gamma is 1 and beta 0, fixed.
        if !(try flag("scale", default: true)) {
            constants["\(name)/gamma"] = Tensor(shape: [features], scalars: [Float](repeating: 1, count: features))
        }
        if !(try flag("center", default: true)) {
            constants["\(name)/beta"] = Tensor(shape: [features], scalars: [Float](repeating: 0, count: features))
        }
        return LayerNormalization(name: name, inputShape: input, epsilon: Float(epsilon))
    }

    /// Keras repeats rows and columns (nearest: input ⌊i / s⌋) or resizes with half-pixel
    /// centres, the edges clamped (bilinear: jax.image.resize's and tf.image.resize's).
    private func upSampling() throws(Failure) -> Resize2D {
        try requireImage()
        let size = try pair("size", default: (2, 2))
        let out = (input[0] * size.0, input[1] * size.1)
        guard out.0 <= ModelSpec.maxSize, out.1 <= ModelSpec.maxSize else {
            throw options.error("size makes the map larger than \(ModelSpec.maxSize.grouped)", at: "size")
        }
        switch try options.string("interpolation") ?? "nearest" {
        case "nearest":
            return Resize2D(
                name: name, inputShape: input, outputSize: out, mode: .nearest, coordinates: .asymmetric,
                rounding: .floor)
        case "bilinear":
            return Resize2D(name: name, inputShape: input, outputSize: out, mode: .linear, coordinates: .halfPixel)
        case let other:
            throw options.error(
                "interpolation '\(other)' is not supported; vizsite runs nearest and bilinear", at: "interpolation",
                suggestion: nearestName(to: other, in: ["nearest", "bilinear"]))
        }
    }

    /// Keras counts the batch axis: 3 (or −1) joins an image's channels.
    private func concatenate() throws(Failure) -> Concatenate {
        let rank = input.count
        let axis = try options.int("axis") ?? -1
        guard (-rank...rank).contains(axis) && axis != 0 else {
            throw options.error(
                "axis must be from 1 to \(rank) (Keras counts the batch axis) or from -\(rank) to -1", at: "axis")
        }
        let a = axis < 0 ? axis + rank : axis - 1
        guard
            inputShapes.allSatisfy({ s in s.count == rank && s.indices.allSatisfy { $0 == a || s[$0] == input[$0] } })
        else {
            throw options.error(
                "Concatenate needs inputs that differ only along axis \(axis), found \(describe(inputShapes))",
                at: "inputs")
        }
        return Concatenate(name: name, inputShapes: inputShapes, axis: a)
    }

    /// Reshape's `target_shape`, where one entry may be -1 (inferred).
    private func targetShape() throws(Failure) -> [Int] {
        guard let rows = try options.intRows("target_shape") else {
            throw options.error("a Reshape layer is missing the required field 'target_shape'", at: nil)
        }
        var shape = rows.map { $0.count == 1 ? $0[0] : 0 }
        let count = input.elementCount, known = shape.filter { $0 != -1 }.reduce(1, *)
        guard !shape.isEmpty, shape.filter({ $0 == -1 }).count <= 1, shape.allSatisfy({ $0 == -1 || $0 > 0 }),
            known > 0, count % known == 0
        else {
            throw options.error(
                "target_shape must be positive sizes (one may be -1) that divide \(count.grouped) values",
                at: "target_shape")
        }
        shape = shape.map { $0 == -1 ? count / known : $0 }
        guard shape.elementCount == count else {
            throw options.error(
                "target_shape \(shape) holds \(shape.elementCount.grouped) values, the input \(count.grouped)",
                at: "target_shape")
        }
        return shape
    }
}
