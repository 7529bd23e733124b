import Foundation

extension ONNXImporter {
    /// Converts one node: a layer, an alias of its input, or a folded constant.
    mutating func convert(_ node: ONNXNode) throws(ImportError) {
        guard !node.outputs.isEmpty else { throw error(node, "has no output") }
        // Shape arithmetic and constants built from constants.
        if Self.constantArithmetic.contains(node.opType), node.inputs.allSatisfy({ $0.isEmpty || isConstant($0) }) {
            return try foldArithmetic(node)
        }
        if try convertTensor(node) { return }
        switch node.opType {
        case "Conv": try convolution(node)
        case "Gemm", "MatMul": try dense(node)
        case "BatchNormalization": try batchNormalization(node)
        case "Relu", "LeakyRelu", "Sigmoid", "HardSigmoid", "Tanh", "HardSwish", "Gelu", "Clip", "Softmax",
            "LogSoftmax":
            try activation(node)
        case "Mul", "Div", "Erf":
            if try geluStage(node) { return }
            if node.opType == "Div", try channelConstant(node, scale: true, reciprocal: true) { return }
            guard node.opType == "Mul" else {
                throw error(node, "only a division by a constant (one value or one per channel) is supported")
            }
            try multiply(node)
        case "MaxPool", "AveragePool": try pooling(node)
        case "LRN": try localResponseNormalization(node)
        case "LayerNormalization": try layerNormalization(node)
        case "GlobalAveragePool", "GlobalMaxPool":
            let (source, layout) = try nodeInput(node)
            guard layout == .image else { throw error(node, "needs an image input") }
            add(
                GlobalPool2D(
                    name: layerName(node), inputShape: shape(of: source),
                    reduction: node.opType == "GlobalMaxPool" ? .max : .average, keepDims: true),
                reading: [source], for: node, layout: .image)
        case "ReduceMean": try reduceMean(node)
        case "Add": try addition(node)
        case "Sum": try sum(node)
        case "Concat": try concatenation(node)
        case "Flatten", "Reshape":
            switch values[node.inputs.first ?? ""] {
            case .constant(let tensor)?: try reshapeConstant(node, tensor)
            case .channelGroups(let source, _, let order)? where node.opType == "Reshape":
                try joinChannels(node, source: source, order: order)
            default:
                if node.opType == "Reshape", let target = try constant(node, 1) {
                    let dims = try integers(target, of: node)
                    if try splitChannels(node, target: dims) { return }
                    // Not [batch, features] nor a flatten of a 1×1 map's [-1]: a tensor.
                    if dims.count != 2 && dims != [-1] { return try reshapeTensor(node) }
                }
                try flatten(node)
            }
        case "Pad": try padding(node)
        case "Transpose":
            if case .channelGroups(let source, let dims, let order)? = values[node.inputs.first ?? ""] {
                try transposeChannelGroups(node, source: source, dims: dims, order: order)
            } else {
                try transpose(node)
            }
        case "Identity", "Dropout":
            values[node.outputs[0]] = try value(node.inputs.first ?? "", of: node)
        case "Split": try split(node)
        case "Resize", "Upsample": try resize(node)
        case "Slice", "Squeeze", "Unsqueeze":
            guard case .node? = values[node.inputs.first ?? ""] else { return try fold(node) }
            if node.opType == "Slice" { try sliceChannels(node) } else { try squeezeComputed(node) }
        case "Gather":
            if case .node? = values[node.inputs.first ?? ""] { return try gatherFeatures(node) }
            try fold(node)
        case "Constant", "ConstantOfShape", "Shape", "Cast":
            try fold(node)
        default:
            throw error(
                node, "this operator is not supported; vizsite runs " + Self.supportedOps.joined(separator: ", "))
        }
    }

    /// Whether `name` is a tensor known at load time.
    private func isConstant(_ name: String) -> Bool {
        if case .constant? = values[name] { true } else { false }
    }

    // MARK: - Layers with weights

    private mutating func convolution(_ node: ONNXNode) throws(ImportError) {
        let (source, layout) = try nodeInput(node)
        guard layout == .image else { throw error(node, "needs an image input [N, C, H, W]") }
        guard let weight = try constant(node, 1), weight.dims.count == 4 else {
            throw error(node, "needs a constant 4-D weight [out, in / group, kh, kw]")
        }
        let input = shape(of: source), groups = Int(int(node, "group", default: 1))
        let (filters, perGroup, kh, kw) = (
            Int(weight.dims[0]), Int(weight.dims[1]), Int(weight.dims[2]), Int(weight.dims[3])
        )
        guard groups > 0, perGroup * groups == input[2], filters % groups == 0, kh > 0, kw > 0 else {
            throw error(node, "weight \(weight.dims) and group \(groups) do not fit \(input[2]) input channels")
        }
        let strides = try pair(node, "strides"), dilations = try pair(node, "dilations")
        let pads = try windowPads(node, input: input, window: (kh, kw), strides: strides, dilations: dilations)
        let w = try floats(weight, of: node)
        // OIHW → HWIO.
        var kernel = [Float](repeating: 0, count: w.count)
        for o in 0..<filters {
            for i in 0..<perGroup {
                for y in 0..<kh {
                    for x in 0..<kw {
                        kernel[((y * kw + x) * perGroup + i) * filters + o] = w[((o * perGroup + i) * kh + y) * kw + x]
                    }
                }
            }
        }
        let bias = try constant(node, 2)
        let name = layerName(node)
        let layer = Conv2D(
            name: name, inputShape: input, filters: filters, kernelSize: (kh, kw), strides: strides, pads: pads,
            dilations: dilations, groups: groups, useBias: bias != nil)
        guard layer.outputShape.allSatisfy({ $0 > 0 }) else { throw error(node, "the window does not fit \(input)") }
        built.parameters["\(name)/kernel"] = Tensor(shape: [kh, kw, perGroup, filters], scalars: kernel)
        if let bias {
            let b = try floats(bias, of: node)
            guard b.count == filters else { throw error(node, "bias has \(b.count) values for \(filters) filters") }
            built.parameters["\(name)/bias"] = Tensor(shape: [filters], scalars: b)
        }
        add(layer, reading: [source], for: node, layout: .image)
    }

    private mutating func dense(_ node: ONNXNode) throws(ImportError) {
        let (source, layout) = try nodeInput(node)
        guard let weight = try constant(node, 1), weight.dims.count == 2 else {
            throw error(node, "needs a constant 2-D weight")
        }
        if node.opType == "Gemm" {
            guard int(node, "transA", default: 0) == 0 else { throw error(node, "transA = 1 is not supported") }
        }
        let transposed = node.opType == "Gemm" && int(node, "transB", default: 0) == 1
        let alpha = node.opType == "Gemm" ? node.attributes["alpha"]?.float ?? 1 : 1
        let beta = node.opType == "Gemm" ? node.attributes["beta"]?.float ?? 1 : 1
        let (k, m) =
            transposed ? (Int(weight.dims[1]), Int(weight.dims[0])) : (Int(weight.dims[0]), Int(weight.dims[1]))
        if layout == .channelsLast && node.opType == "MatMul" {
            return try pointwise(node, source: source, weight: weight, inputs: k, outputs: m)
        }
        let features = heldShape(source, layout)
        let isTensor = if case .tensor = layout { true } else { false }
        guard features.count == 1 || (isTensor && (node.opType == "MatMul" || features.count == 2)), features.last == k
        else {
            throw error(node, "multiplies a \(features) input by a [\(k), \(m)] weight; it needs a flat input of \(k)")
        }
        let w = try floats(weight, of: node)
        // Rows in the order vizsite holds the input: (h, w, c) after a channels-first flatten.
        let row: (Int) -> Int
        switch layout {
        case .flat, .tensor: row = { $0 }
        case .flatChannelsFirst(let h, let wd, let c): row = { r in (r % c) * h * wd + r / c }
        case .image, .channelsLast: throw error(node, "needs a flat input; add a Flatten before it")
        }
        let sources = (0..<k).map(row)
        var kernel = [Float](repeating: 0, count: k * m)
        kernel.withUnsafeMutableBufferPointer { out in
            w.withUnsafeBufferPointer { w in
                guard transposed else {
                    for r in 0..<k { for j in 0..<m { out[r * m + j] = alpha * w[sources[r] * m + j] } }
                    return
                }
                // In 64 × 64 tiles: a plain loop reads w a column at a time, 2.6 s for VGG's fc6.
                for r0 in stride(from: 0, to: k, by: 64) {
                    for j0 in stride(from: 0, to: m, by: 64) {
                        for r in r0..<min(r0 + 64, k) {
                            let source = sources[r]
                            for j in j0..<min(j0 + 64, m) { out[r * m + j] = alpha * w[j * k + source] }
                        }
                    }
                }
            }
        }
        let bias = node.opType == "Gemm" ? try constant(node, 2) : nil
        let name = layerName(node)
        built.parameters["\(name)/kernel"] = Tensor(shape: [k, m], scalars: kernel)
        if let bias {
            let b = try floats(bias, of: node)
            guard b.count == m || b.count == 1 else { throw error(node, "bias of \(b.count) values for \(m) units") }
            built.parameters["\(name)/bias"] = Tensor(
                shape: [m], scalars: (0..<m).map { beta * b[b.count == 1 ? 0 : $0] })
        }
        add(
            Dense(name: name, inputShape: features, units: m, useBias: bias != nil), reading: [source], for: node,
            layout: isTensor ? .tensor(features.dropLast() + [m]) : .flat)
    }

    /// A MatMul of a channels-last map `[N, H, W, C]` by `[C, M]` (a `Linear` layer applied
    /// at every position, as ConvNeXt's blocks do): a 1×1 convolution, its bias left to the
    /// Add that follows (a per-channel shift).
    private mutating func pointwise(
        _ node: ONNXNode, source: Int, weight: ONNXTensor, inputs k: Int, outputs m: Int
    ) throws(ImportError) {
        let input = shape(of: source)
        guard input[2] == k else {
            throw error(node, "multiplies a map of \(input[2]) channels by a [\(k), \(m)] weight")
        }
        let name = layerName(node)
        // [C, M] is already HWIO for a 1×1 kernel.
        built.parameters["\(name)/kernel"] = Tensor(shape: [1, 1, k, m], scalars: try floats(weight, of: node))
        add(
            Conv2D(name: name, inputShape: input, filters: m, kernelSize: (1, 1), useBias: false), reading: [source],
            for: node, layout: .channelsLast)
    }

    /// LayerNormalization over the last axis: a channels-last map's channels (ConvNeXt), a
    /// vector's features, or the channels of a 1×1 map.
    private mutating func layerNormalization(_ node: ONNXNode) throws(ImportError) {
        let (source, layout) = try nodeInput(node)
        let input = heldShape(source, layout), axis = int(node, "axis", default: -1)
        let rank = layout == .image || layout == .channelsLast ? 4 : 2
        let lastAxis =
            switch layout {
            case .channelsLast: axis == -1 || axis == 3
            case .flat: axis == -1 || axis == 1
            case .image: axis == 1 && input.prefix(2) == [1, 1]
            case .flatChannelsFirst: false
            case .tensor(let shape): axis == -1 || axis == shape.count - 1
            }
        guard lastAxis else {
            throw error(
                node,
                "normalizes from axis \(axis) of a rank-\(rank) tensor; vizsite runs layer normalization over the last "
                    + "axis (channels-last maps, as ConvNeXt's blocks, and vectors)")
        }
        guard let scale = try constant(node, 1) else { throw error(node, "needs a constant scale") }
        let features = input.last!
        let gamma = try floats(scale, of: node)
        let beta = try constant(node, 2).map { (t) throws(ImportError) in try floats(t, of: node) }
        guard gamma.count == features, beta.map({ $0.count == features }) ?? true else {
            throw error(node, "scale and bias must have one value per feature (\(features))")
        }
        let epsilon = node.attributes["epsilon"]?.float ?? 1e-5
        guard epsilon.isFinite, epsilon >= 0 else { throw error(node, "epsilon \(epsilon) must be finite and ≥ 0") }
        let name = layerName(node)
        built.parameters["\(name)/gamma"] = Tensor(shape: [features], scalars: gamma)
        built.parameters["\(name)/beta"] = Tensor(
            shape: [features], scalars: beta ?? [Float](repeating: 0, count: features))
        add(
            LayerNormalization(name: name, inputShape: input, epsilon: epsilon), reading: [source], for: node,
            layout: layout)
    }

    private mutating func batchNormalization(_ node: ONNXNode) throws(ImportError) {
        let (source, layout) = try nodeInput(node)
        guard layout == .image || layout == .flat else { throw error(node, "needs an image or a flat input") }
        guard int(node, "training_mode", default: 0) == 0, node.outputs.count == 1 else {
            throw error(node, "training mode is not supported; export the model in eval() mode")
        }
        let input = shape(of: source), channels = input.last!
        var vectors: [[Float]] = []
        for i in 1...4 {
            guard let tensor = try constant(node, i) else { throw error(node, "input \(i) must be a constant") }
            let v = try floats(tensor, of: node)
            guard v.count == channels else {
                throw error(node, "input \(i) has \(v.count) values for \(channels) channels")
            }
            vectors.append(v)
        }
        let name = layerName(node)
        let epsilon = node.attributes["epsilon"]?.float ?? 1e-5, momentum = node.attributes["momentum"]?.float ?? 0.9
        for (key, v) in zip(["gamma", "beta", "moving_mean", "moving_variance"], vectors) {
            built.parameters["\(name)/\(key)"] = Tensor(shape: [channels], scalars: v)
        }
        add(
            BatchNormalization(name: name, inputShape: input, epsilon: epsilon, momentum: momentum), reading: [source],
            for: node, layout: layout)
    }

    // MARK: - Element-wise

    private mutating func activation(_ node: ONNXNode) throws(ImportError) {
        var (source, layout) = try nodeInput(node)
        let activation: Activation
        switch node.opType {
        case "Relu": activation = .relu
        case "LeakyRelu": activation = .leakyReLU(slope: node.attributes["alpha"]?.float ?? 0.01)
        case "Sigmoid": activation = .sigmoid
        case "HardSigmoid":
            activation = .hardSigmoid(
                alpha: node.attributes["alpha"]?.float ?? 0.2, beta: node.attributes["beta"]?.float ?? 0.5)
        case "Tanh": activation = .tanh
        case "HardSwish": activation = .hardSwish
        case "Gelu":
            let approximate = node.attributes["approximate"]?.string ?? "none"
            guard approximate == "none" || approximate == "tanh" else {
                throw error(node, "approximate = '\(approximate)' is not supported")
            }
            activation = .gelu(approximate: approximate == "tanh")
        case "Clip":
            var low = node.attributes["min"]?.float ?? -.greatestFiniteMagnitude
            var high = node.attributes["max"]?.float ?? .greatestFiniteMagnitude
            if let t = try constant(node, 1) { low = try floats(t, of: node).first ?? low }
            if let t = try constant(node, 2) { high = try floats(t, of: node).first ?? high }
            activation = low == 0 && high == .greatestFiniteMagnitude ? .relu : .clip(low: low, high: high)
        default:  // Softmax, LogSoftmax: the logits feed them.
            let scores = layout == .flat || (layout == .image && shape(of: source).prefix(2) == [1, 1])
            guard isModelOutput(node.outputs[0]), scores else {
                throw error(node, "a softmax is only supported at the model's output, over its class scores")
            }
            activation = .softmax
        }
        if activation == .softmax && layout == .image {
            // Class scores [N, C, 1, 1] (SqueezeNet's, from a 1×1 convolution and global
            // pooling): flattened, so that the softmax, and the model, end in a vector.
            source = append(
                Flatten(name: layerName(node) + "/flatten", inputShape: shape(of: source)), reading: [source])
            layout = .flat
        }
        let kind =
            switch node.opType {
            case "Relu": "ReLU"
            case "Softmax", "LogSoftmax": "Softmax"
            default: "Activation"
            }
        add(
            ActivationLayer(name: layerName(node), inputShape: shape(of: source), activation: activation, kind: kind),
            reading: [source], for: node, layout: layout)
    }

    /// Whether `name` is the graph's output, or becomes it through Identity nodes only
    /// (as PaddlePaddle's exporter ends its graphs).
    func isModelOutput(_ name: String) -> Bool {
        guard var output = graph.outputs.first?.name else { return false }
        for _ in 0..<graph.nodes.count {
            if output == name { return true }
            guard let producer = graph.nodes.first(where: { $0.outputs.first == output }),
                producer.opType == "Identity", let input = producer.inputs.first
            else { return false }
            output = input
        }
        return false
    }

    /// `x · sigmoid(x)`, as PyTorch exports SiLU before opset 22.
    private mutating func multiply(_ node: ONNXNode) throws(ImportError) {
        guard node.inputs.count == 2 else { throw error(node, "needs two inputs") }
        for (x, s) in [(node.inputs[0], node.inputs[1]), (node.inputs[1], node.inputs[0])] {
            guard let sigmoid = producers[s], sigmoid.opType == "Sigmoid", sigmoid.inputs.first == x,
                case .node(let source, let layout)? = values[x]
            else { continue }
            add(
                ActivationLayer(name: layerName(node), inputShape: shape(of: source), activation: .silu),
                reading: [source], for: node, layout: layout)
            return
        }
        if try channelConstant(node, scale: true) { return }
        let a = try value(node.inputs[0], of: node), b = try value(node.inputs[1], of: node)
        if case .node(let i, let li) = a, case .node(let j, let lj) = b, li == lj {
            // The full map first: a per-channel gate multiplies it, in either order.
            let (map, gate) = Multiply.fits(shape(of: i), shape(of: j)) ? (i, j) : (j, i)
            if Multiply.fits(shape(of: map), shape(of: gate)) {
                add(
                    Multiply(name: layerName(node), inputShapes: [shape(of: map), shape(of: gate)]),
                    reading: [map, gate], for: node, layout: li)
                return
            }
        }
        throw error(
            node,
            "only products of two tensors of one shape, of a map by a per-channel gate [N, C, 1, 1], and by a "
                + "per-channel constant are supported")
    }

    /// A computed tensor times (`scale`) or plus a constant that is one value, or one per
    /// channel (`[C]`, `[C, 1, 1]`, `[1, C, 1, 1]`): a `ChannelAffine`, or folded into the
    /// one that made its input when nothing else reads it. False when `node` is not that.
    mutating func channelConstant(
        _ node: ONNXNode, scale: Bool, reciprocal: Bool = false
    ) throws(ImportError) -> Bool {
        guard node.inputs.count == 2 else { return false }
        // A division's constant is its divisor, never its dividend.
        let orders = [(node.inputs[0], node.inputs[1])] + (reciprocal ? [] : [(node.inputs[1], node.inputs[0])])
        for (x, k) in orders {
            guard case .node(let source, let layout)? = values[x], case .constant(let tensor)? = values[k]
            else { continue }
            let input = heldShape(source, layout), channels = input.last!
            let dims = tensor.dims.drop { $0 == 1 }
            let perChannel = layout == .image ? [Int64(channels), 1, 1] : [Int64(channels)]
            // On NCHW data a per-channel constant is [C, 1, 1]; a plain [C] would run along the width.
            guard tensor.elementCount == 1 || Array(dims) == perChannel else { continue }
            var given = try floats(tensor, of: node)
            if reciprocal {
                guard given.allSatisfy({ $0 != 0 }) else { throw error(node, "divides by zero") }
                given = given.map { 1 / $0 }
            }
            let vector = given.count == 1 ? [Float](repeating: given[0], count: channels) : given
            // One number for every channel (attention's 1/√d) is a constant of the graph; a
            // weight per channel (a layer scale) is learned.
            let role: ParameterShape.Role = given.count > 1 && initializerNames.contains(k) ? .learned : .constant
            // Fold into the affine layer that made `x` when nothing else reads it.
            if source >= 0, let affine = layers[source] as? ChannelAffine,
                inputs.allSatisfy({ !$0.contains(source) }),
                var scaleValues = built.parameters["\(affine.name)/scale"]?.scalars,
                var shiftValues = built.parameters["\(affine.name)/shift"]?.scalars
            {
                for c in 0..<channels {
                    if scale {
                        scaleValues[c] *= vector[c]
                        shiftValues[c] *= vector[c]
                    } else {
                        shiftValues[c] += vector[c]
                    }
                }
                built.parameters["\(affine.name)/scale"] = Tensor(shape: [channels], scalars: scaleValues)
                built.parameters["\(affine.name)/shift"] = Tensor(shape: [channels], scalars: shiftValues)
                let learned = { (a: ParameterShape.Role, b: ParameterShape.Role) in
                    a == .learned || b == .learned ? ParameterShape.Role.learned : a
                }
                built.replace(
                    source,
                    with: ChannelAffine(
                        name: affine.name, inputShape: affine.inputShape, kind: affine.kind,
                        scale: scale ? learned(affine.scaleRole, role) : affine.scaleRole,
                        shift: scale ? affine.shiftRole : learned(affine.shiftRole, role)))
                values[node.outputs[0]] = .node(source, layout)
                aliases[node.outputs[0]] = affine.name
                return true
            }
            let name = layerName(node)
            built.parameters["\(name)/scale"] = Tensor(
                shape: [channels], scalars: scale ? vector : [Float](repeating: 1, count: channels))
            built.parameters["\(name)/shift"] = Tensor(
                shape: [channels], scalars: scale ? [Float](repeating: 0, count: channels) : vector)
            let layer = ChannelAffine(
                name: name, inputShape: input, scale: scale ? role : .constant, shift: scale ? .constant : role)
            add(layer, reading: [source], for: node, layout: layout)
            return true
        }
        return false
    }

    /// One node of the exported GELU pattern (see `Value.gelu`); false when `node` is not one.
    mutating func geluStage(_ node: ONNXNode) throws(ImportError) -> Bool {
        let operands = node.inputs.map { values[$0] }
        func scalar(_ value: Value?) -> Float? {
            guard case .constant(let t)? = value, t.elementCount == 1 else { return nil }
            return try? t.floats(directory: directory).first
        }
        func near(_ a: Float?, _ b: Float) -> Bool { a.map { abs($0 - b) < 1e-4 } ?? false }
        func reads(_ value: Value?, _ x: Int) -> Bool {
            if case .node(x, _)? = value { return true }
            return false
        }
        let output = node.outputs[0]
        switch node.opType {
        case "Div":
            guard operands.count == 2, case .node(let x, let layout)? = operands[0],
                near(scalar(operands[1]), 1.414_213_6)
            else { return false }
            values[output] = .gelu(source: x, layout: layout, stage: 1)
        case "Erf":
            guard case .gelu(let x, let layout, 1)? = operands.first ?? nil else {
                throw error(node, "only erf inside GELU is supported")
            }
            values[output] = .gelu(source: x, layout: layout, stage: 2)
        case "Add":
            guard case .gelu(let x, let layout, 2)? = operands.first ?? nil, near(scalar(operands.last ?? nil), 1)
            else {
                return false
            }
            values[output] = .gelu(source: x, layout: layout, stage: 3)
        default:  // Mul: (x · (erf + 1)) · ½, or x · ((erf + 1) · ½) in either order
            guard operands.count == 2 else { return false }
            for (a, b) in [(operands[0], operands[1]), (operands[1], operands[0])] {
                switch a {
                case .gelu(let x, let layout, 4)? where near(scalar(b), 0.5),
                    .gelu(let x, let layout, 5)? where reads(b, x):
                    add(
                        ActivationLayer(
                            name: layerName(node), inputShape: shape(of: x), activation: .gelu(approximate: false)),
                        reading: [x], for: node, layout: layout)
                    return true
                case .gelu(let x, let layout, 3)? where reads(b, x):
                    values[output] = .gelu(source: x, layout: layout, stage: 4)
                    return true
                case .gelu(let x, let layout, 3)? where near(scalar(b), 0.5):
                    values[output] = .gelu(source: x, layout: layout, stage: 5)
                    return true
                default: continue
                }
            }
            return false
        }
        return true
    }

    /// `x · clip(x + 3, 0, 6) / 6` as one hard-swish layer, as PaddlePaddle and older
    /// exporters write HardSwish (Add, Clip, Mul, Div); `node` is the Add. False when the
    /// nodes are not exactly that, each read only by the next.
    private mutating func hardSwishPattern(_ node: ONNXNode) throws(ImportError) -> Bool {
        // A Constant node may come after the Add in the graph's order: read it where it is.
        func scalar(_ name: String) -> Float? {
            var tensor: ONNXTensor?
            if case .constant(let t)? = values[name] { tensor = t }
            if tensor == nil, let constant = graph.nodes.first(where: { $0.outputs.first == name }),
                constant.opType == "Constant"
            {
                if let f = constant.attributes["value_float"]?.float { return f }
                tensor = constant.attributes["value"]?.tensor
            }
            guard let t = tensor, t.elementCount == 1 else { return nil }
            return try? t.floats(directory: directory).first
        }
        func only(_ name: String, _ op: String) -> ONNXNode? {
            guard let r = readers[name], r.count == 1, r[0].opType == op, !isModelOutput(name) else { return nil }
            return r[0]
        }
        guard node.inputs.count == 2, case .node(let x, let layout)? = values[node.inputs[0]],
            scalar(node.inputs[1]) == 3, let clip = only(node.outputs[0], "Clip"), clip.outputs.count == 1,
            let mul = only(clip.outputs[0], "Mul"), Set(mul.inputs) == [node.inputs[0], clip.outputs[0]],
            let div = only(mul.outputs[0], "Div"), div.inputs.first == mul.outputs[0], scalar(div.inputs[1]) == 6
        else { return false }
        let low = clip.inputs.count > 1 ? scalar(clip.inputs[1]) : clip.attributes["min"]?.float
        let high = clip.inputs.count > 2 ? scalar(clip.inputs[2]) : clip.attributes["max"]?.float
        guard low == 0, high == 6 else { return false }
        add(
            ActivationLayer(name: layerName(div), inputShape: shape(of: x), activation: .hardSwish),
            reading: [x], for: div, layout: layout)
        fused.formUnion([clip.outputs[0], mul.outputs[0], div.outputs[0]])
        return true
    }

    private mutating func addition(_ node: ONNXNode) throws(ImportError) {
        guard node.inputs.count == 2 else { throw error(node, "needs two inputs") }
        if try geluStage(node) { return }
        if try hardSwishPattern(node) { return }
        let a = try value(node.inputs[0], of: node), b = try value(node.inputs[1], of: node)
        switch (a, b) {
        case (.gelu, _), (_, .gelu):
            throw error(node, "only GELU's own additions are supported inside its exported pattern")
        case (.channelGroups, _), (_, .channelGroups):
            throw error(node, "adds channels split into groups; join them back into [N, C, H, W] first")
        case (.node(let i, let li), .node(let j, let lj)):
            guard li == lj, shape(of: i) == shape(of: j) else {
                throw error(node, "adds tensors of shapes \(shape(of: i)) and \(shape(of: j)); they must be equal")
            }
            add(
                Add(name: layerName(node), inputShapes: [shape(of: i), shape(of: j)]), reading: [i, j], for: node,
                layout: li)
        case (.node(let i, let layout), .constant(let c)), (.constant(let c), .node(let i, let layout)):
            // A bias after MatMul: folded into the dense layer.
            guard i >= 0, let dense = layers[i] as? Dense, !dense.useBias, layout == .flat,
                inputs.allSatisfy({ !$0.contains(i) })
            else {
                if try channelConstant(node, scale: false) { return }
                throw error(node, "adding a constant is only supported as a MatMul's bias or a per-channel shift")
            }
            let b = try floats(c, of: node)
            guard b.count == dense.units else {
                throw error(node, "bias of \(b.count) values for \(dense.units) units")
            }
            built.replace(
                i, with: Dense(name: dense.name, inputShape: dense.inputShape, units: dense.units, useBias: true))
            built.parameters["\(dense.name)/bias"] = Tensor(shape: [dense.units], scalars: b)
            values[node.outputs[0]] = .node(i, layout)
            aliases[node.outputs[0]] = dense.name
        default:
            try fold(node)
        }
    }

    /// ONNX's n-ary `Sum` of computed tensors of one shape.
    private mutating func sum(_ node: ONNXNode) throws(ImportError) {
        var sources: [Int] = [], layouts: [Layout] = []
        for i in node.inputs.indices {
            let (source, layout) = try nodeInput(node, i)
            sources.append(source)
            layouts.append(layout)
        }
        let shapes = sources.map(shape(of:))
        guard sources.count >= 1, shapes.allSatisfy({ $0 == shapes[0] }), layouts.allSatisfy({ $0 == layouts[0] })
        else { throw error(node, "sums tensors of shapes \(shapes); they must be equal") }
        if sources.count == 1 {
            values[node.outputs[0]] = .node(sources[0], layouts[0])
            return
        }
        add(Add(name: layerName(node), inputShapes: shapes), reading: sources, for: node, layout: layouts[0])
    }

    private mutating func concatenation(_ node: ONNXNode) throws(ImportError) {
        let all = node.inputs.map { values[$0] }
        if all.allSatisfy({ if case .constant = $0 { true } else { false } }) { return try fold(node) }
        var sources: [Int] = [], layouts: [Layout] = []
        for i in node.inputs.indices {
            let (source, layout) = try nodeInput(node, i)
            sources.append(source)
            layouts.append(layout)
        }
        let axis = int(node, "axis", default: 1)
        guard layouts.allSatisfy({ $0 == layouts[0] }), layouts[0] == .image || layouts[0] == .flat,
            axis == 1 || (axis == -1 && layouts[0] == .flat)
        else { throw error(node, "only concatenation along the channels (axis 1) is supported") }
        let shapes = sources.map(shape(of:))
        guard shapes.allSatisfy({ $0.dropLast() == shapes[0].dropLast() }) else {
            throw error(node, "concatenates \(shapes), which differ off the channel axis")
        }
        add(Concatenate(name: layerName(node), inputShapes: shapes), reading: sources, for: node, layout: layouts[0])
    }

    // MARK: - Pooling, padding, reshaping

    /// LRN across channels, with ONNX's window: ⌊(size − 1) / 2⌋ channels before, the rest after.
    private mutating func localResponseNormalization(_ node: ONNXNode) throws(ImportError) {
        let (source, layout) = try nodeInput(node)
        guard layout == .image else { throw error(node, "needs an image input [N, C, H, W]") }
        guard let size = node.attributes["size"]?.int, (1...4096).contains(size) else {
            throw error(node, "needs a size between 1 and 4096")
        }
        let (alpha, beta, bias) = (
            node.attributes["alpha"]?.float ?? 1e-4, node.attributes["beta"]?.float ?? 0.75,
            node.attributes["bias"]?.float ?? 1
        )
        guard alpha.isFinite, beta.isFinite, bias.isFinite, bias > 0 || beta == 0, alpha >= 0 else {
            throw error(node, "alpha \(alpha), beta \(beta) and bias \(bias) must be finite, with a positive bias")
        }
        add(
            LocalResponseNormalization(
                name: layerName(node), inputShape: shape(of: source), size: Int(size), alpha: alpha, beta: beta,
                bias: bias),
            reading: [source], for: node, layout: .image)
    }

    private mutating func pooling(_ node: ONNXNode) throws(ImportError) {
        let (source, layout) = try nodeInput(node)
        guard layout == .image else { throw error(node, "needs an image input") }
        guard let window = ints(node, "kernel_shape"), window.count == 2, window.allSatisfy({ $0 > 0 }) else {
            throw error(node, "needs a 2-D kernel_shape")
        }
        guard (ints(node, "dilations") ?? [1, 1]) == [1, 1] else {
            throw error(node, "dilated pooling is not supported")
        }
        guard node.outputs.count == 1 else { throw error(node, "the indices output is not supported") }
        let input = shape(of: source), size = (Int(window[0]), Int(window[1])), strides = try pair(node, "strides")
        var pads = try windowPads(node, input: input, window: size, strides: strides, dilations: (1, 1))
        if int(node, "ceil_mode", default: 0) == 1 {
            // Ceil mode adds windows that hang past the end: for max pooling, padding that never wins.
            let floor = pads.outputSize(input: input, window: size, strides: strides)
            let rows = ceilLength(input[0], pads.top + pads.bottom, size.0, strides.0)
            let cols = ceilLength(input[1], pads.left + pads.right, size.1, strides.1)
            if (rows, cols) != floor {
                guard node.opType == "MaxPool" else { throw error(node, "ceil_mode = 1 is supported for MaxPool only") }
                pads.bottom += (rows - floor.height) * strides.0
                pads.right += (cols - floor.width) * strides.1
            }
        }
        let name = layerName(node)
        let layer: any Layer =
            node.opType == "MaxPool"
            ? MaxPool2D(name: name, inputShape: input, poolSize: size, strides: strides, pads: pads)
            : AveragePool2D(
                name: name, inputShape: input, poolSize: size, strides: strides, pads: pads,
                countIncludePad: int(node, "count_include_pad", default: 0) == 1)
        guard layer.outputShape.allSatisfy({ $0 > 0 }) else { throw error(node, "the window does not fit \(input)") }
        add(layer, reading: [source], for: node, layout: .image)
    }

    /// PyTorch's ceil-mode output length: the last window must start inside the input or
    /// its leading padding.
    private func ceilLength(_ input: Int, _ pad: Int, _ window: Int, _ stride: Int) -> Int {
        var length = (input + pad - window + stride - 1) / stride + 1
        if (length - 1) * stride >= input + pad / 2 { length -= 1 }
        return max(length, 0)
    }

    private mutating func reduceMean(_ node: ONNXNode) throws(ImportError) {
        let (source, layout) = try nodeInput(node)
        var axes = ints(node, "axes")
        if axes == nil, let t = try constant(node, 1) { axes = try integers(t, of: node) }
        let normalized = Set((axes ?? []).map { $0 < 0 ? $0 + 4 : $0 })
        guard layout == .image, normalized == [2, 3] else {
            throw error(node, "only a mean over height and width (axes [2, 3]) is supported, as global pooling")
        }
        let keep = int(node, "keepdims", default: 1) == 1
        add(
            GlobalPool2D(name: layerName(node), inputShape: shape(of: source), reduction: .average, keepDims: keep),
            reading: [source], for: node, layout: keep ? .image : .flat)
    }

    /// Flatten, or a Reshape to [batch, features].
    private mutating func flatten(_ node: ONNXNode) throws(ImportError) {
        let (source, layout) = try nodeInput(node)
        let input = shape(of: source)
        if node.opType == "Reshape" {
            guard let target = try constant(node, 1) else { throw error(node, "needs a constant target shape") }
            let dims = try integers(target, of: node)
            let count = Int64(input.elementCount)
            let isBatch: (Int64) -> Bool = { $0 == Self.batch || $0 == 0 || $0 == -1 || $0 == 1 }
            // [-1]: every value in one axis, the batch of one included (torch.export writes
            // `as_strided` of a pooled [1, C, 1, 1] map as this and a Gather).
            let wholeOfOne = dims == [-1] && layout == .image && input.prefix(2) == [1, 1]
            guard wholeOfOne || (dims.count == 2 && isBatch(dims[0]) && (dims[1] == -1 || dims[1] == count)) else {
                throw error(node, "only a reshape to [batch, features] is supported, not \(dims)")
            }
        } else {
            guard int(node, "axis", default: 1) == 1 else { throw error(node, "only axis = 1 is supported") }
        }
        switch layout {
        case .flat, .flatChannelsFirst:
            values[node.outputs[0]] = .node(source, layout)
        case .tensor: try reshapeTensor(node)
        case .image:
            let flat = input[0] * input[1] == 1
            add(
                Flatten(name: layerName(node), inputShape: input), reading: [source], for: node,
                layout: flat ? .flat : .flatChannelsFirst(height: input[0], width: input[1], channels: input[2]))
        case .channelsLast:
            // NHWC flattened is (h, w, c) order: vizsite's own.
            add(Flatten(name: layerName(node), inputShape: input), reading: [source], for: node, layout: .flat)
        }
    }

    /// NCHW ↔ NHWC, which changes how ONNX indexes the data and not vizsite's memory; the
    /// identity. Anything else (a channel shuffle) is refused.
    private mutating func transpose(_ node: ONNXNode) throws(ImportError) {
        let (source, layout) = try nodeInput(node)
        let rank = layout == .image || layout == .channelsLast ? 4 : 2
        let perm = ints(node, "perm") ?? (0..<Int64(rank)).reversed().map { $0 }
        let result: Layout
        switch (layout, perm) {
        case (_, Array(0..<Int64(rank))): result = layout
        case (.image, [0, 2, 3, 1]): result = .channelsLast
        case (.channelsLast, [0, 3, 1, 2]): result = .image
        default: return try transposeTensor(node)
        }
        values[node.outputs[0]] = .node(source, result)
    }

    /// A constant reshaped at load time (a bias exporters reshape to [1, C, 1, 1]).
    private mutating func reshapeConstant(_ node: ONNXNode, _ tensor: ONNXTensor) throws(ImportError) {
        let count = Int64(tensor.elementCount)
        var dims: [Int64]
        if node.opType == "Flatten" {
            let axis = Int(int(node, "axis", default: 1))
            guard (0...tensor.dims.count).contains(axis) else { throw error(node, "axis \(axis) is out of range") }
            dims = [tensor.dims.prefix(axis).reduce(1, *), tensor.dims.dropFirst(axis).reduce(1, *)]
        } else {
            guard let target = try constant(node, 1) else { throw error(node, "needs a constant target shape") }
            dims = try integers(target, of: node)
            for (i, d) in dims.enumerated() where d == 0 && i < tensor.dims.count { dims[i] = tensor.dims[i] }
            let known = dims.filter { $0 != -1 }.reduce(1, *)
            if dims.filter({ $0 == -1 }).count == 1, known > 0 { dims = dims.map { $0 == -1 ? count / known : $0 } }
        }
        guard dims.allSatisfy({ $0 >= 0 }), dims.reduce(1, *) == count else {
            throw error(node, "cannot reshape a constant of \(tensor.dims) to \(dims)")
        }
        var reshaped = tensor
        reshaped.name = node.outputs[0]
        reshaped.dims = dims
        values[node.outputs[0]] = .constant(reshaped)
    }

    private mutating func padding(_ node: ONNXNode) throws(ImportError) {
        let (source, layout) = try nodeInput(node)
        if layout == .channelsLast { return try padTensor(node) }
        guard layout == .image, (node.attributes["mode"]?.string ?? "constant") == "constant" else {
            throw error(node, "only constant zero padding of an image is supported")
        }
        var pads = ints(node, "pads")
        if let t = try constant(node, 1) { pads = try integers(t, of: node) }
        if let t = try constant(node, 2), try floats(t, of: node).contains(where: { $0 != 0 }) {
            throw error(node, "only zero padding is supported")
        }
        guard let p = pads, p.count == 8, p[0] == 0, p[1] == 0, p[4] == 0, p[5] == 0,
            p.allSatisfy({ $0 >= 0 && $0 <= 65_536 })
        else { throw error(node, "only non-negative padding of height and width is supported") }
        add(
            ZeroPadding2D(
                name: layerName(node), inputShape: shape(of: source),
                pads: Pads(top: Int(p[2]), bottom: Int(p[6]), left: Int(p[3]), right: Int(p[7]))),
            reading: [source], for: node, layout: .image)
    }

    // MARK: - Attributes

    private func pair(_ node: ONNXNode, _ key: String) throws(ImportError) -> (Int, Int) {
        guard let values = ints(node, key) else { return (1, 1) }
        guard values.count == 2, values.allSatisfy({ $0 > 0 && $0 <= 65_536 }) else {
            throw error(node, "\(key) \(values) must be two positive integers")
        }
        return (Int(values[0]), Int(values[1]))
    }

    /// `pads` ([top, left, bottom, right]) or `auto_pad`.
    private func windowPads(
        _ node: ONNXNode, input: [Int], window: (Int, Int), strides: (Int, Int), dilations: (Int, Int)
    ) throws(ImportError) -> Pads {
        switch node.attributes["auto_pad"]?.string ?? "NOTSET" {
        case "NOTSET":
            guard let p = ints(node, "pads") else { return .zero }
            guard p.count == 4, p.allSatisfy({ $0 >= 0 && $0 <= 65_536 }) else {
                throw error(node, "pads \(p) must be four non-negative integers")
            }
            return Pads(top: Int(p[0]), bottom: Int(p[2]), left: Int(p[1]), right: Int(p[3]))
        case "VALID": return .zero
        case "SAME_UPPER":
            return Pads(.same, input: input, window: window, strides: strides, dilations: dilations)
        case "SAME_LOWER":
            let upper = Pads(.same, input: input, window: window, strides: strides, dilations: dilations)
            return Pads(top: upper.bottom, bottom: upper.top, left: upper.right, right: upper.left)
        case let other:
            throw error(node, "auto_pad = \(other) is not supported")
        }
    }
}
