import CNNCore

/// Tensors of any rank, as Vision Transformers compute them: token sequences `[1, T, F]`,
/// heads `[1, H, T, D]`, attention weights `[1, H, T, T]`. A sample is held whole in ONNX's
/// own order with a batch of one (`Layout.tensor`), so every op means what ONNX says on it,
/// wherever an exporter moves the batch axis (`nn.MultiheadAttention` puts it second and
/// folds it into the heads). Reshapes, squeezes and transposes that only move axes of
/// length 1 are new shapes for the same memory, not layers.
extension ONNXImporter {
    /// Whether one of `node`'s inputs is a computed tensor of any rank.
    func readsTensor(_ node: ONNXNode) -> Bool {
        node.inputs.contains { if case .node(_, .tensor)? = values[$0] { true } else { false } }
    }

    /// A computed input as ONNX shapes it (batch 1), and the node whose memory holds it in
    /// that order. An image is transposed from vizsite's HWC to ONNX's CHW once.
    mutating func tensorInput(_ node: ONNXNode, _ index: Int = 0) throws(ImportError) -> (index: Int, shape: [Int]) {
        let (source, layout) = try nodeInput(node, index)
        let held = shape(of: source)
        switch layout {
        case .tensor(let shape): return (source, shape)
        case .flat, .channelsLast: return (source, [1] + held)
        case .flatChannelsFirst:
            throw error(node, "reads a channels-first flatten as a tensor; vizsite reads it only in a dense layer")
        case .image:
            let nchw = [1, held[2], held[0], held[1]]
            if let transposed = channelsFirst[source] { return (transposed, nchw) }
            let name = uniqueName((source < 0 ? "input" : layers[source].name) + "/nchw")
            let transposed = append(
                Transpose(name: name, inputShape: [1] + held, permutation: [0, 3, 1, 2]), reading: [source])
            channelsFirst[source] = transposed
            return (transposed, nchw)
        }
    }

    /// The ops on tensors of any rank; false when `node` reads none (or is handled where
    /// every layout is: activations, identities, GELU's exported pattern).
    mutating func convertTensor(_ node: ONNXNode) throws(ImportError) -> Bool {
        guard readsTensor(node) else { return false }
        switch node.opType {
        case "Reshape", "Flatten", "Squeeze", "Unsqueeze": try reshapeTensor(node)
        case "Transpose": try transposeTensor(node)
        case "Gather": try gatherTensor(node)
        case "Slice": try sliceTensor(node)
        case "Split": try splitTensor(node)
        case "MatMul":
            guard case .node? = values[node.inputs.count > 1 ? node.inputs[1] : ""] else { return false }
            try matrixProduct(node)
        case "Softmax", "LogSoftmax": try softmaxTensor(node)
        case "Concat": try concatenateTensor(node)
        case "Pad": try padTensor(node)
        case "ReduceMean": try meanTensor(node)
        case "GlobalAveragePool", "GlobalMaxPool": try meanTensor(node)
        case "Add", "Mul", "Div": return try arithmeticTensor(node)
        case "Sub", "Conv", "MaxPool", "AveragePool",
            "BatchNormalization", "LRN", "Resize", "Upsample", "Sum":
            let shapes = node.inputs.compactMap { name -> [Int]? in
                if case .node(_, .tensor(let shape))? = values[name] { shape } else { nil }
            }
            throw error(
                node,
                "is not supported on a tensor of shape \(shapes.first ?? []); vizsite runs it on images [N, C, H, W]")
        default: return false
        }
        return true
    }

    /// The target of a Reshape, Flatten, Squeeze or Unsqueeze of a tensor of `input`.
    private func reshapedShape(_ node: ONNXNode, _ input: [Int]) throws(ImportError) -> [Int] {
        let count = input.elementCount
        func axes() throws(ImportError) -> [Int64]? {
            if node.inputs.count > 1, let t = try constant(node, 1) { return try integers(t, of: node) }
            return ints(node, "axes")
        }
        switch node.opType {
        case "Flatten":
            var axis = Int(int(node, "axis", default: 1))
            if axis < 0 { axis += input.count }
            guard (0...input.count).contains(axis) else { throw error(node, "axis \(axis) is out of range") }
            return [input[..<axis].reduce(1, *), input[axis...].reduce(1, *)]
        case "Squeeze":
            let given = try axes()
            let removed = Set((given ?? []).map { Int($0 < 0 ? $0 + Int64(input.count) : $0) })
            guard removed.allSatisfy({ input.indices.contains($0) && input[$0] == 1 }) else {
                throw error(node, "squeezes axes \(given ?? []) of \(input), which are not all of length 1")
            }
            return input.enumerated().filter { removed.isEmpty ? $0.element != 1 : !removed.contains($0.offset) }
                .map(\.element)
        case "Unsqueeze":
            guard let given = try axes() else { throw error(node, "needs axes") }
            let rank = Int64(input.count + given.count)
            var shape = input
            for axis in given.map({ $0 < 0 ? $0 + rank : $0 }).sorted() {
                guard (0...Int64(shape.count)).contains(axis) else { throw error(node, "axis \(axis) is out of range") }
                shape.insert(1, at: Int(axis))
            }
            return shape
        default:
            guard let target = try constant(node, 1) else { throw error(node, "needs a constant target shape") }
            let dims = try integers(target, of: node), keepZero = int(node, "allowzero", default: 0) == 1
            var shape: [Int] = [], unknown: Int?
            for (i, d) in dims.enumerated() {
                switch d {
                case Self.batch: shape.append(1)
                case 0 where !keepZero:
                    guard i < input.count else { throw error(node, "copies axis \(i) of \(input), which has none") }
                    shape.append(input[i])
                case -1 where unknown == nil:
                    unknown = i
                    shape.append(1)
                case 1...Int64(count): shape.append(Int(d))
                default: throw error(node, "cannot reshape \(input) to \(dims)")
                }
            }
            if let unknown {
                let known = shape.reduce(1, *)
                guard known > 0, count % known == 0 else { throw error(node, "cannot reshape \(input) to \(dims)") }
                shape[unknown] = count / known
            }
            guard shape.elementCount == count else { throw error(node, "cannot reshape \(input) to \(dims)") }
            return shape
        }
    }

    /// A Reshape, Flatten, Squeeze or Unsqueeze: the same memory in a new shape.
    mutating func reshapeTensor(_ node: ONNXNode) throws(ImportError) {
        let (source, input) = try tensorInput(node)
        values[node.outputs[0]] = .node(source, .tensor(try reshapedShape(node, input)))
    }

    /// A Transpose: a layer, unless it only moves axes of length 1.
    mutating func transposeTensor(_ node: ONNXNode) throws(ImportError) {
        let (source, input) = try tensorInput(node)
        let perm = (ints(node, "perm") ?? (0..<Int64(input.count)).reversed()).map(Int.init)
        guard perm.sorted() == Array(input.indices) else {
            throw error(node, "perm \(perm) is not a permutation of the \(input.count) axes of \(input)")
        }
        let output = perm.map { input[$0] }, moved = perm.filter { input[$0] != 1 }
        // An image's [1, C, H·W] transposed to [1, H·W, C] (a ViT's patch tokens) is the
        // image's own memory: its channels-first copy is left unread, and pruned.
        if perm == [0, 2, 1], input.first == 1, let image = channelsFirst.first(where: { $0.value == source })?.key {
            let held = shape(of: image)
            if input == [1, held[2], held[0] * held[1]] {
                return values[node.outputs[0]] = .node(image, .tensor(output))
            }
        }
        if moved == moved.sorted() {
            values[node.outputs[0]] = .node(source, .tensor(output))
            return
        }
        add(
            Transpose(name: layerName(node), inputShape: input, permutation: perm), reading: [source], for: node,
            layout: .tensor(output))
    }

    /// A Gather by constant indices along one axis: a scalar index drops the axis (a
    /// ViT's class token, or one of query, key and value).
    private mutating func gatherTensor(_ node: ONNXNode) throws(ImportError) {
        let (source, input) = try tensorInput(node)
        guard let given = try constant(node, 1) else { throw error(node, "needs constant indices") }
        let axis = try normalizedAxis(node, int(node, "axis", default: 0), rank: input.count)
        var indices: [Int] = []
        for i in try integers(given, of: node) {
            let j = Int(i < 0 ? i + Int64(input[axis]) : i)
            guard (0..<input[axis]).contains(j) else { throw error(node, "index \(i) is out of range for \(input)") }
            indices.append(j)
        }
        guard !indices.isEmpty else { throw error(node, "gathers nothing") }
        let output = Array(input[..<axis]) + given.dims.map(Int.init) + Array(input[(axis + 1)...])
        add(
            Gather(name: layerName(node), inputShape: input, axis: axis, indices: indices), reading: [source],
            for: node, layout: .tensor(output))
    }

    /// A Slice with constant starts, ends, axes and steps: one gather per axis it cuts.
    private mutating func sliceTensor(_ node: ONNXNode) throws(ImportError) {
        var (source, shape) = try tensorInput(node)
        func list(_ i: Int) throws(ImportError) -> [Int64]? {
            guard let t = try constant(node, i) else { return nil }
            return try integers(t, of: node)
        }
        guard let starts = try list(1), let ends = try list(2), starts.count == ends.count else {
            throw error(node, "needs constant starts and ends of one length")
        }
        let axes = try list(3) ?? (0..<Int64(starts.count)).map { $0 }
        let steps = try list(4) ?? [Int64](repeating: 1, count: starts.count)
        guard axes.count == starts.count, steps.count == starts.count else {
            throw error(node, "starts, ends, axes and steps differ in length")
        }
        var cuts: [(axis: Int, indices: [Int])] = []
        for (n, axis) in axes.enumerated() {
            let a = try normalizedAxis(node, axis, rank: shape.count), length = Int64(shape[a]), step = steps[n]
            guard step != 0 else { throw error(node, "has a step of 0") }
            func clamp(_ v: Int64, _ low: Int64, _ high: Int64) -> Int64 { max(low, min(v < 0 ? v + length : v, high)) }
            let indices =
                step > 0
                ? Array(stride(from: clamp(starts[n], 0, length), to: clamp(ends[n], 0, length), by: Int(step)))
                : Array(
                    stride(from: clamp(starts[n], 0, length - 1), to: clamp(ends[n], -1, length - 1), by: Int(step)))
            guard !indices.isEmpty else { throw error(node, "keeps nothing of axis \(a) of \(shape)") }
            if indices.map(Int.init) != Array(0..<Int(length)) { cuts.append((a, indices.map(Int.init))) }
        }
        guard !cuts.isEmpty else { return values[node.outputs[0]] = .node(source, .tensor(shape)) }
        for (n, cut) in cuts.enumerated() {
            let name = n == cuts.count - 1 ? layerName(node) : uniqueName("\(Self.name(of: node))/axis\(cut.axis)")
            let layer = Gather(name: name, inputShape: shape, axis: cut.axis, indices: cut.indices, kind: "Slice")
            shape = layer.outputShape
            if n == cuts.count - 1 {
                add(layer, reading: [source], for: node, layout: .tensor(shape))
            } else {
                source = append(layer, reading: [source])
            }
        }
    }

    /// A Split along one axis: a gather per output.
    private mutating func splitTensor(_ node: ONNXNode) throws(ImportError) {
        let (source, input) = try tensorInput(node)
        let axis = try normalizedAxis(node, int(node, "axis", default: 0), rank: input.count), length = input[axis]
        var sizes: [Int]
        if node.inputs.count > 1, let given = try constant(node, 1) {
            sizes = try integers(given, of: node).map { Int(clamping: $0) }
        } else if let given = ints(node, "split") {
            sizes = given.map { Int(clamping: $0) }
        } else {
            let parts = node.outputs.count, each = (length + parts - 1) / parts
            sizes = (0..<parts).map { max(0, min(each, length - $0 * each)) }
        }
        guard sizes.count == node.outputs.count, sizes.allSatisfy({ $0 > 0 }), sizes.reduce(0, +) == length else {
            throw error(node, "split sizes \(sizes) do not divide axis \(axis) of \(input) into \(node.outputs.count)")
        }
        var start = 0
        for (output, size) in zip(node.outputs, sizes) {
            let name = uniqueName(output.isEmpty ? Self.name(of: node) : "\(Self.name(of: node))/\(output)")
            let layer = Gather(
                name: name, inputShape: input, axis: axis, indices: Array(start..<(start + size)), kind: "Split")
            add(layer, reading: [source], for: node, layout: .tensor(layer.outputShape), output: output)
            start += size
        }
    }

    /// A MatMul of two computed tensors (attention's queries by keys, weights by values),
    /// batched over the same leading axes; a shorter operand is read with leading 1s.
    private mutating func matrixProduct(_ node: ONNXNode) throws(ImportError) {
        var (a, sa) = try tensorInput(node, 0), (b, sb) = try tensorInput(node, 1)
        if sa.count < sb.count { sa = [Int](repeating: 1, count: sb.count - sa.count) + sa }
        if sb.count < sa.count { sb = [Int](repeating: 1, count: sa.count - sb.count) + sb }
        guard MatMul.fits(sa, sb) else {
            throw error(
                node, "multiplies \(sa) by \(sb); vizsite needs [..., m, k] by [..., k, n] with equal leading axes")
        }
        let layer = MatMul(name: layerName(node), inputShapes: [sa, sb])
        add(layer, reading: [a, b], for: node, layout: .tensor(layer.outputShape))
    }

    /// A softmax over the last axis: attention weights inside the model, or the class
    /// scores at its end (where the model keeps its logits, as everywhere in vizsite).
    private mutating func softmaxTensor(_ node: ONNXNode) throws(ImportError) {
        let (source, input) = try tensorInput(node)
        let axis = try normalizedAxis(node, int(node, "axis", default: -1), rank: input.count)
        guard axis == input.count - 1 else {
            throw error(node, "normalizes axis \(axis) of \(input); vizsite runs a softmax over the last axis")
        }
        if isModelOutput(node.outputs[0]) && input.elementCount == input.last! {
            let layer = ActivationLayer(name: layerName(node), inputShape: input, activation: .softmax, kind: "Softmax")
            return add(layer, reading: [source], for: node, layout: .tensor(input))
        }
        guard node.opType == "Softmax" else {
            throw error(node, "a log-softmax is only supported at the model's output, over its class scores")
        }
        add(Softmax(name: layerName(node), inputShape: input), reading: [source], for: node, layout: .tensor(input))
    }

    /// A Concat of computed tensors, or of constants placed before one (a ViT's class token).
    private mutating func concatenateTensor(_ node: ONNXNode) throws(ImportError) {
        var held: [ONNXTensor] = [], sources: [Int] = [], shapes: [[Int]] = []
        for (i, name) in node.inputs.enumerated() {
            if case .constant(let tensor)? = values[name] {
                guard sources.isEmpty else {
                    throw error(node, "joins a constant after a computed tensor; vizsite places constants before")
                }
                held.append(tensor)
            } else {
                let (source, shape) = try tensorInput(node, i)
                sources.append(source)
                shapes.append(shape)
            }
        }
        let rank = shapes[0].count, axis = try normalizedAxis(node, int(node, "axis", default: 0), rank: rank)
        guard
            shapes.allSatisfy({ s in s.count == rank && s.indices.allSatisfy { $0 == axis || s[$0] == shapes[0][$0] } })
        else { throw error(node, "joins \(shapes), which differ off axis \(axis)") }
        var source = sources[0], first = shapes[0]
        if !held.isEmpty {
            var count = 0, scalars: [Float] = []
            for tensor in held {
                let dims = tensor.dims.map(Int.init)
                guard dims.count == rank, dims.indices.allSatisfy({ $0 == axis || dims[$0] == first[$0] }) else {
                    throw error(node, "joins a constant of shape \(dims) to \(first) along axis \(axis)")
                }
                count += dims[axis]
                scalars += try floats(tensor, of: node)
            }
            guard held.count == 1 || axis == 0 || first[..<axis].allSatisfy({ $0 == 1 }) else {
                throw error(node, "joins several constants along an inner axis")
            }
            let learned = held.allSatisfy { initializerNames.contains($0.name) }
            let layer = PrependTensor(
                name: sources.count == 1 ? layerName(node) : uniqueName(Self.name(of: node) + "/constant"),
                inputShape: first, axis: axis, count: count, role: learned ? .learned : .constant)
            built.parameters["\(layer.name)/tensor"] = Tensor(shape: layer.parameterShapes[0].shape, scalars: scalars)
            first = layer.outputShape
            if sources.count == 1 { return add(layer, reading: [source], for: node, layout: .tensor(first)) }
            source = append(layer, reading: [source])
        }
        let layer = Concatenate(name: layerName(node), inputShapes: [first] + shapes.dropFirst(), axis: axis)
        add(layer, reading: [source] + sources.dropFirst(), for: node, layout: .tensor(layer.outputShape))
    }

    /// Add, Mul and Div on tensors: of two computed tensors, or by a constant per feature
    /// (a bias, a scale: folded into the dense layer before, or a `ChannelAffine`), or plus a
    /// constant of the input's whole shape (a position embedding); or a step of GELU's
    /// exported pattern.
    private mutating func arithmeticTensor(_ node: ONNXNode) throws(ImportError) -> Bool {
        guard node.inputs.count == 2 else { throw error(node, "needs two inputs") }
        if try geluStage(node) { return true }
        let computed = node.inputs.filter { if case .node? = values[$0] { true } else { false } }
        if computed.count == 2 {
            let (a, sa) = try tensorInput(node, 0), (b, sb) = try tensorInput(node, 1)
            let name = layerName(node)
            switch node.opType {
            case "Add" where sa == sb:
                add(Add(name: name, inputShapes: [sa, sb]), reading: [a, b], for: node, layout: .tensor(sa))
            case "Mul" where Multiply.fits(sa, sb):
                add(Multiply(name: name, inputShapes: [sa, sb]), reading: [a, b], for: node, layout: .tensor(sa))
            default:
                throw error(node, "combines tensors of shapes \(sa) and \(sb); vizsite needs one shape")
            }
            return true
        }
        let k = node.inputs.first { name in !computed.contains(name) }!
        guard case .constant(let constant)? = values[k] else { throw error(node, "input '\(k)' is not a constant") }
        let (source, input) = try tensorInput(node, node.inputs[0] == k ? 1 : 0)
        let dims = constant.dims.map(Int.init).drop { $0 == 1 }
        if node.opType == "Add", dims.count <= 1, dims.first ?? 1 == input.last!, try denseBias(node, source, constant)
        {
            return true
        }
        if try channelConstant(node, scale: node.opType != "Add", reciprocal: node.opType == "Div") { return true }
        let shape = constant.dims.map(Int.init)
        guard node.opType == "Add", shape.count <= input.count, (try? broadcast(node, [input, shape])) == input else {
            throw error(
                node,
                "\(node.opType == "Add" ? "adds" : "multiplies by") a constant of shape \(constant.dims) to \(input); "
                    + "vizsite runs one value, one per feature, or (added) a tensor that broadcasts to the input")
        }
        // A constant that broadcasts (Swin's relative position bias over its windows, its
        // shifted windows' mask over the heads) is held at the input's whole shape.
        let given = try floats(constant, of: node), read = reader(of: shape, in: input)
        // Held whole as the file gives it (a position embedding), a learned tensor; broadcast
        // or computed at load time, a constant of the graph.
        let learned = initializerNames.contains(k) && shape.elementCount == input.elementCount
        let layer = AddTensor(name: layerName(node), inputShape: input, role: learned ? .learned : .constant)
        built.parameters["\(layer.name)/tensor"] = Tensor(
            shape: input, scalars: (0..<input.elementCount).map { given[read($0)] })
        add(layer, reading: [source], for: node, layout: .tensor(input))
        return true
    }

    /// A bias added to the output of a dense layer nothing else reads yet: the layer's own.
    private mutating func denseBias(_ node: ONNXNode, _ source: Int, _ bias: ONNXTensor) throws(ImportError) -> Bool {
        guard source >= 0, let dense = layers[source] as? Dense, !dense.useBias,
            inputs.allSatisfy({ !$0.contains(source) }),
            case .node(_, let layout)? = values[
                node.inputs.first { name in
                    if case .node? = values[name] { true } else { false }
                } ?? ""]
        else { return false }
        let b = try floats(bias, of: node)
        built.replace(
            source,
            with: Dense(
                name: dense.name, inputShape: dense.inputShape, units: dense.units, activation: dense.activation,
                useBias: true))
        built.parameters["\(dense.name)/bias"] = Tensor(shape: [dense.units], scalars: b)
        values[node.outputs[0]] = .node(source, layout)
        aliases[node.outputs[0]] = dense.name
        return true
    }

    /// Constant zero padding: nothing when every pad is 0 (Swin's, at sizes its windows
    /// divide), else the padding of two axes before an unpadded last one (a channels-last
    /// map `[1, H, W, C]`) as a `ZeroPadding2D`.
    mutating func padTensor(_ node: ONNXNode) throws(ImportError) {
        let (source, input) = try tensorInput(node), rank = input.count
        guard (node.attributes["mode"]?.string ?? "constant") == "constant" else {
            throw error(node, "only constant padding is supported")
        }
        var pads = ints(node, "pads")
        if let t = try constant(node, 1) { pads = try integers(t, of: node) }
        if let t = try constant(node, 2), try floats(t, of: node).contains(where: { $0 != 0 }) {
            throw error(node, "only zero padding is supported")
        }
        if node.inputs.count > 3, !node.inputs[3].isEmpty { throw error(node, "padding chosen axes is not supported") }
        guard let p = pads, p.count == 2 * rank, p.allSatisfy({ (0...65_536).contains($0) }) else {
            throw error(node, "needs \(2 * rank) non-negative pads for \(input)")
        }
        let padded = (0..<rank).filter { p[$0] != 0 || p[rank + $0] != 0 }
        guard let first = padded.first else { return values[node.outputs[0]] = .node(source, .tensor(input)) }
        guard padded.allSatisfy({ $0 == first || $0 == first + 1 }), first + 2 == rank - 1,
            input[..<first].allSatisfy({ $0 == 1 })
        else {
            throw error(
                node, "pads axes \(padded) of \(input); vizsite pads the height and width of a [1, H, W, C] map")
        }
        let layer = ZeroPadding2D(
            name: layerName(node), inputShape: Array(input[first...]),
            pads: Pads(
                top: Int(p[first]), bottom: Int(p[rank + first]), left: Int(p[first + 1]),
                right: Int(p[rank + first + 1])))
        add(layer, reading: [source], for: node, layout: .tensor(Array(input[..<first]) + layer.outputShape))
    }

    /// A mean over consecutive axes with one axis kept after them (tokens `[1, T, F]` over
    /// T, a channels-last map over H and W) or before them (an NCHW map over H and W, after
    /// a transpose of its channels last): a global pooling. GlobalAveragePool and
    /// GlobalMaxPool pool every axis after the second.
    private mutating func meanTensor(_ node: ONNXNode) throws(ImportError) {
        var (source, input) = try tensorInput(node)
        var given = ints(node, "axes")
        if given == nil, let t = try constant(node, 1) { given = try integers(t, of: node) }
        if node.opType != "ReduceMean" { given = (2..<Int64(input.count)).map { $0 } }
        var axes: [Int] = []
        for axis in given ?? [] { axes.append(try normalizedAxis(node, axis, rank: input.count)) }
        axes.sort()
        let keep = node.opType != "ReduceMean" || int(node, "keepdims", default: 1) == 1
        guard let a = axes.first, let b = axes.last, axes == Array(a...b), a > 0 else {
            throw error(
                node, "averages axes \(given ?? []) of \(input); vizsite averages consecutive axes after the first")
        }
        let outputShape =
            keep
            ? input.indices.map { axes.contains($0) ? 1 : input[$0] }
            : input.indices.filter { !axes.contains($0) }.map { input[$0] }
        if b == input.count - 1 {
            // The kept axis comes first: moved last.
            guard input[..<(a - 1)].allSatisfy({ $0 == 1 }) else {
                throw error(node, "averages axes \(axes) of \(input) with more than one axis kept")
            }
            let permutation = Array(0..<(a - 1)) + Array(a...b) + [a - 1]
            let transposed = Transpose(
                name: uniqueName(Self.name(of: node) + "/channels_last"), inputShape: input, permutation: permutation)
            source = append(transposed, reading: [source])
            input = transposed.outputShape
            return try globalMean(node, source, input, axes: (a - 1)...(b - 1), outputShape)
        }
        guard b == input.count - 2, input[..<a].allSatisfy({ $0 == 1 }) else {
            throw error(node, "averages axes \(axes) of \(input) with more than one axis kept")
        }
        try globalMean(node, source, input, axes: a...b, outputShape)
    }

    /// The mean over `axes` of a tensor of `input`, the one axis after them kept.
    private mutating func globalMean(
        _ node: ONNXNode, _ source: Int, _ input: [Int], axes: ClosedRange<Int>, _ outputShape: [Int]
    ) throws(ImportError) {
        let cells = input[axes].reduce(1, *), channels = input.last!
        add(
            GlobalPool2D(
                name: layerName(node), inputShape: [cells, 1, channels],
                reduction: node.opType == "GlobalMaxPool" ? .max : .average, keepDims: false),
            reading: [source], for: node, layout: .tensor(outputShape))
    }

    /// `axis` (negative counts from the end) of a tensor of `rank` axes, from 0.
    func normalizedAxis(_ node: ONNXNode, _ axis: Int64, rank: Int) throws(ImportError) -> Int {
        let a = axis < 0 ? axis + Int64(rank) : axis
        guard (0..<Int64(rank)).contains(a) else { throw error(node, "axis \(axis) is out of range for rank \(rank)") }
        return Int(a)
    }
}
