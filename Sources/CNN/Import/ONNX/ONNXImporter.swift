import Common
import Foundation

/// Reads an ONNX model (as `torch.onnx.export` writes it, with either exporter, external
/// data included) into vizsite's graph: NCHW tensors become NHWC, OIHW kernels HWIO, and
/// a dense layer after a channels-first flatten gets its kernel rows permuted into
/// (h, w, c) order, so that every number equals the source framework's.
///
/// Layers are named after their nodes (`/layer1/layer1.0/conv1/Conv`, `node_relu_4`); a
/// node's output tensor name also resolves. Shape arithmetic the exporters leave in the
/// graph (`Shape` → `Gather` → `Concat` → `Reshape`) is folded at load time. A node that
/// cannot be run exactly is an error naming it, its op and the file.
public struct ONNXImporter {
    /// The ops vizsite runs, and the ones it folds away.
    public static let supportedOps = [
        "Conv", "Gemm", "MatMul", "BatchNormalization", "Relu", "LeakyRelu", "Clip", "Sigmoid", "HardSigmoid", "Tanh",
        "HardSwish", "Gelu", "Mul (two tensors of one shape, a map by a per-channel gate, or by a constant)",
        "Div (by a constant)", "Div/Erf/Add/Mul (GELU, as exported before opset 20)",
        "Softmax", "LogSoftmax", "MaxPool", "AveragePool", "LRN", "LayerNormalization (over the last axis)",
        "MatMul of a channels-last map (a 1×1 convolution)",
        "GlobalAveragePool", "GlobalMaxPool", "ReduceMean", "Add", "Sum", "Concat", "Flatten",
        "Reshape (to [batch, features], or splitting and rejoining channels in a channel shuffle)", "Pad", "Identity",
        "Dropout", "Transpose (NCHW ↔ NHWC, before a flatten or after an NHWC input, and of channel groups)",
        "Constant", "ConstantOfShape", "Shape", "Gather", "Cast",
        "Add, Sub, Mul and Div of integer constants (shape arithmetic, folded)", "Split and Slice (along the channels)",
        "Resize and Upsample (nearest and linear)",
        "Squeeze and Unsqueeze (a 1×1 map ↔ a vector, and of constants)",
        "on tensors of any rank (Vision Transformers' tokens and heads): MatMul of two tensors, Softmax over the last "
            + "axis, Reshape, Transpose, Gather, Slice, Split, Concat with a constant before (a class token), Add of a "
            + "constant of the input's shape (a position embedding)",
        "Equal, Where, Not, Mod, Sqrt, Expand, Neg, Pow, ScatterND, Range and arithmetic of constants (folded)",
    ]

    /// The op types `convert` handles (those `supportedOps` describes).
    static let operatorNames: Set<String> = [
        "Conv", "Gemm", "MatMul", "BatchNormalization", "Relu", "LeakyRelu", "Clip", "Sigmoid", "HardSigmoid", "Tanh",
        "HardSwish", "Gelu", "Mul", "Div", "Erf", "Softmax", "LogSoftmax", "MaxPool", "AveragePool", "LRN",
        "LayerNormalization", "GlobalAveragePool", "GlobalMaxPool", "ReduceMean", "Add", "Sum", "Concat", "Flatten",
        "Reshape", "Pad",
        "Identity", "Dropout", "Transpose", "Constant", "ConstantOfShape", "Shape", "Gather", "Unsqueeze", "Squeeze",
        "Slice", "Cast", "Split", "Resize", "Upsample", "Sub", "Equal", "Where", "Mod", "Sqrt", "Expand", "Neg", "Pow",
        "Not",
        "ScatterND", "Range",
    ]

    /// How a value flows through the graph being built.
    enum Value {
        /// A layer's output (or -1, the model input) in vizsite's layout.
        case node(Int, Layout)
        /// A tensor known at load time (weights, shapes).
        case constant(ONNXTensor)
        /// Part of GELU as the exporters spell it before opset 20, `x · 0.5 · (1 + erf(x / √2))`:
        /// after `stage` of its five nodes, on node `source` — Div 1, Erf 2, Add 3, then the
        /// product by x 4 or (torch.export's order) by ½ 5.
        case gelu(source: Int, layout: Layout, stage: Int)
        /// An image whose channels a Reshape split into groups of `dims` (ONNX
        /// `[N, d₁, …, dₖ, H, W]`, row-major), channel `order[i]` of node `source` at flat
        /// position `i`: a channel shuffle in progress, until a Reshape joins them back.
        case channelGroups(source: Int, dims: [Int], order: [Int])
    }

    /// What a node output's data is, in ONNX's terms, next to how vizsite holds it.
    enum Layout: Equatable {
        /// ONNX `[N, C, H, W]`, held as `[H, W, C]`.
        case image
        /// ONNX `[N, F]`, held as `[F]` in the same order.
        case flat
        /// ONNX `[N, C·H·W]` flattened channels-first, held in (h, w, c) order.
        case flatChannelsFirst(height: Int, width: Int, channels: Int)
        /// ONNX `[N, H, W, C]` (an image transposed channels-last, or an NHWC input), held
        /// as `[H, W, C]` — the same memory as `image`.
        case channelsLast
        /// ONNX's own shape with a batch of one, held whole in the same order: a token
        /// sequence `[1, T, F]`, attention heads, any tensor (ONNXImporter+Tensors.swift).
        /// The node's output may differ from it by reshaping only.
        case tensor([Int])
    }

    /// Stands for the unknown batch size in folded shapes.
    static let batch: Int64 = -0x5EED
    /// The largest model file read: protobuf's own limit for one message (2 GB); larger
    /// models keep their weights in external data files. Whether the weights fit the
    /// machine is `MemoryBudget`'s question, asked before they are decoded.
    public static let maximumFileSize = Int(Int32.max)

    let file: String
    let directory: String
    var graph: ONNXGraph
    /// The layers made so far, with what they read and their weights.
    var built = GraphBuilder()
    var layers: [any Layer] { built.layers }
    var inputs: [[Int]] { built.inputs }
    var values: [String: Value] = [:]
    /// The initializers' names: tensors the file holds as weights, as opposed to constants
    /// of the graph (Constant nodes, values folded at load time).
    var initializerNames: Set<String> = []
    var aliases: [String: String] = [:]
    var inputShape: [Int] {
        get { built.inputShape }
        set { built.inputShape = newValue }
    }
    /// The height and width to give an input whose file leaves them open.
    var inputSize: (height: Int, width: Int)?
    /// The node that produced each tensor made by a layer, by tensor name (for fusing SiLU).
    var producers: [String: ONNXNode] = [:]
    /// Per tensor name, the nodes that read it.
    var readers: [String: [ONNXNode]] = [:]
    /// Outputs of nodes already converted as part of a fused pattern.
    var fused: Set<String> = []
    /// The memory the weights may take.
    let budget: MemoryBudget
    /// Per image node, the layer that holds it in ONNX's channels-first order.
    var channelsFirst: [Int: Int] = [:]

    /// Loads the model at `path`; `displayPath` is how errors name it.
    public static func load(path: String, displayPath: String? = nil) throws(ImportError) -> Model {
        let shown = displayPath ?? path
        let bytes: [UInt8]
        do { bytes = try ConfinedFile.bytes(path, inside: nil, limit: maximumFileSize) } catch {
            throw ImportError(
                file: shown,
                "cannot read the ONNX model: " + error.describe((shown as NSString).lastPathComponent, folder: ""))
        }
        return try load(
            bytes: bytes, directory: ResolvedPath.parent(path), displayPath: shown)
    }

    /// Loads a model from its bytes; external data is looked for in `directory`.
    /// `inputSize` (height, width) fixes an input whose height or width the file leaves
    /// open (a sidecar's `input_size`). The weights must fit `budget`.
    public static func load(
        bytes: [UInt8], directory: String, displayPath: String, inputSize: (height: Int, width: Int)? = nil,
        budget: MemoryBudget = .machine
    ) throws(ImportError) -> Model {
        let model: ONNXModel
        do {
            model = try ONNXModel(bytes: ArraySlice(bytes))
        } catch {
            throw ImportError(file: displayPath, "not a valid ONNX model (\(error.reason))")
        }
        var importer = ONNXImporter(file: displayPath, directory: directory, graph: model.graph, budget: budget)
        importer.inputSize = inputSize
        return try importer.build(name: ((displayPath as NSString).lastPathComponent as NSString).deletingPathExtension)
    }

    init(file: String, directory: String, graph: ONNXGraph, budget: MemoryBudget) {
        self.file = file
        self.directory = directory
        self.graph = graph
        self.budget = budget
    }

    func error(_ message: String) -> ImportError { ImportError(file: file, message) }

    func error(_ node: ONNXNode, _ message: String) -> ImportError {
        ImportError(file: file, "node '\(Self.name(of: node))' (\(node.opType)): \(message)")
    }

    static func name(of node: ONNXNode) -> String { node.name.isEmpty ? node.outputs.first ?? "?" : node.name }

    mutating func build(name: String) throws(ImportError) -> Model {
        for tensor in graph.initializers { values[tensor.name] = .constant(tensor) }
        initializerNames = Set(graph.initializers.map(\.name))
        for node in graph.nodes { for input in node.inputs { readers[input, default: []].append(node) } }
        let dataInputs = graph.inputs.filter { values[$0.name] == nil }
        guard dataInputs.count == 1 else {
            throw error("the model has \(dataInputs.count) inputs; vizsite runs models with one image input")
        }
        let input = dataInputs[0]
        let shown =
            "[" + input.shape.map { $0.flatMap { $0 > 0 ? String($0) : nil } ?? "?" }.joined(separator: ", ") + "]"
        // An NHWC input (tf2onnx's, or a model that permutes its input first) is read only
        // by transposes to NCHW; its dimensions are then [N, H, W, C].
        let channelsLast =
            input.shape.count == 4
            && readers[input.name, default: []].allSatisfy {
                $0.opType == "Transpose" && ints($0, "perm") == [0, 3, 1, 2]
            }
            && !readers[input.name, default: []].isEmpty
        let (cAxis, hAxis, wAxis) = channelsLast ? (3, 1, 2) : (1, 2, 3)
        func known(_ i: Int) -> Int? {
            input.shape.count == 4 ? input.shape[i].flatMap { $0 > 0 ? Int($0) : nil } : nil
        }
        if let size = inputSize, let h = known(hAxis), let w = known(wAxis), (h, w) != size {
            throw error(
                "input '\(input.name)' is fixed at \(h)×\(w); the sidecar's input_size \(size.height)×\(size.width) "
                    + "differs")
        }
        guard let c = known(cAxis), let h = known(hAxis) ?? inputSize?.height, let w = known(wAxis) ?? inputSize?.width,
            c <= 4096, h <= 65_536, w <= 65_536
        else {
            throw error(
                "input '\(input.name)' has shape \(shown); vizsite needs an image input [batch, channels, height, "
                    + "width] (or [batch, height, width, channels] transposed to it) with known channels, height and "
                    + "width (a sidecar's input_size: [height, width] gives those the file leaves open)")
        }
        inputShape = [h, w, c]
        values[input.name] = .node(-1, channelsLast ? .channelsLast : .image)
        try checkOperators()
        try checkMemory()
        for node in graph.nodes {
            if fused.contains(node.outputs.first ?? "") { continue }
            try convert(node)
        }
        guard graph.outputs.count == 1 else {
            throw error("the model has \(graph.outputs.count) outputs; vizsite runs models with one output")
        }
        guard let output = values[graph.outputs[0].name] else {
            throw error("the graph's output '\(graph.outputs[0].name)' is produced by no node")
        }
        guard case .node(var last, let layout) = output, last >= 0 else {
            throw error("the output '\(graph.outputs[0].name)' is not a vector of class scores [batch, classes]")
        }
        if layout == .image && shape(of: last).prefix(2) == [1, 1] {
            // Class scores from a 1×1 convolution, [batch, classes, 1, 1]: flattened.
            last = append(
                Flatten(name: graph.outputs[0].name + "/flatten", inputShape: shape(of: last)), reading: [last])
        } else if case .tensor(let scores) = layout, scores.count >= 2, scores.elementCount == scores.last! {
            // A transformer's class scores, [1, classes].
            last = append(
                Reshape(
                    name: uniqueName(graph.outputs[0].name + "/flatten"), inputShape: shape(of: last),
                    outputShape: [scores.last!]),
                reading: [last])
        } else if layout != .flat {
            throw error("the output '\(graph.outputs[0].name)' is not a vector of class scores [batch, classes]")
        }
        return try assemble(name: name, output: last)
    }

    /// Every node of an op vizsite does not run, in one error: one try tells whether a
    /// file can load at all (ConvNeXt took three rounds of fixing to learn it could not).
    func checkOperators() throws(ImportError) {
        var unsupported = UnsupportedList(kind: ("operator", "operators"), item: ("node", "nodes"))
        var first: ONNXNode?
        for node in graph.nodes {
            let op: String
            if !(node.domain.isEmpty || node.domain == "ai.onnx") {
                op = "\(node.domain).\(node.opType)"
            } else if node.attributes.values.contains(where: \.hasGraph) {
                op = "\(node.opType) (control flow, with a subgraph)"
            } else if !Self.operatorNames.contains(node.opType) {
                op = node.opType
            } else {
                continue
            }
            first = first ?? node
            unsupported.add(op, at: Self.name(of: node))
        }
        guard let first else { return }
        let supported = "vizsite runs " + Self.supportedOps.joined(separator: ", ")
        if unsupported.isSingle { throw error(first, "this operator is not supported; \(supported)") }
        throw error(unsupported.message(supported: supported))
    }

    func assemble(name: String, output: Int) throws(ImportError) -> Model {
        try built.importedModel(name: name, output: output, aliases: aliases, file: file)
    }

    // MARK: - Helpers for the op handlers

    func value(_ name: String, of node: ONNXNode) throws(ImportError) -> Value {
        guard let value = values[name] else {
            throw error(node, "input '\(name)' is produced by no node before it")
        }
        return value
    }

    func nodeInput(_ node: ONNXNode, _ index: Int = 0) throws(ImportError) -> (index: Int, layout: Layout) {
        guard index < node.inputs.count, !node.inputs[index].isEmpty else {
            throw error(node, "input \(index) is missing")
        }
        let input = try value(node.inputs[index], of: node)
        if case .channelGroups = input {
            throw error(
                node,
                "input '\(node.inputs[index])' holds channels split into groups; vizsite runs a channel shuffle (a "
                    + "transpose of the groups, then a reshape back to [N, C, H, W]) and nothing else on them")
        }
        guard case .node(let i, let layout) = input else {
            throw error(node, "input '\(node.inputs[index])' is a constant; vizsite expects a computed tensor there")
        }
        return (i, layout)
    }

    func constant(_ node: ONNXNode, _ index: Int) throws(ImportError) -> ONNXTensor? {
        guard index < node.inputs.count, !node.inputs[index].isEmpty else { return nil }
        guard case .constant(let tensor) = try value(node.inputs[index], of: node) else {
            throw error(node, "input '\(node.inputs[index])' must be a constant (an initializer), but it is computed")
        }
        return tensor
    }

    func floats(_ tensor: ONNXTensor, of node: ONNXNode) throws(ImportError) -> [Float] {
        do { return try tensor.floats(directory: directory) } catch { throw self.error(node, error.reason) }
    }

    func integers(_ tensor: ONNXTensor, of node: ONNXNode) throws(ImportError) -> [Int64] {
        do { return try tensor.integers(directory: directory) } catch { throw self.error(node, error.reason) }
    }

    func shape(of index: Int) -> [Int] { index < 0 ? inputShape : layers[index].outputShape }

    /// The shape a layer reading node `index` of `layout` declares: a tensor's ONNX shape,
    /// or the node's own.
    func heldShape(_ index: Int, _ layout: Layout) -> [Int] {
        if case .tensor(let shape) = layout { return shape }
        return shape(of: index)
    }

    /// Appends a layer reading `sources`, bound to no node output; returns its index.
    @discardableResult
    mutating func append(_ layer: any Layer, reading sources: [Int]) -> Int {
        built.append(layer, reading: sources)
    }

    /// Adds a layer reading `sources` as the value of `node`'s output `output` (its first by
    /// default).
    mutating func add(
        _ layer: any Layer, reading sources: [Int], for node: ONNXNode, layout: Layout, output: String? = nil
    ) {
        let output = output ?? node.outputs[0]
        values[output] = .node(append(layer, reading: sources), layout)
        if output != layer.name { aliases[output] = layer.name }
        producers[output] = node
    }

    /// A unique layer name for `node`.
    func layerName(_ node: ONNXNode) -> String { uniqueName(Self.name(of: node)) }

    /// A name no layer has yet: `base`, or `base_2`, `base_3`, ….
    func uniqueName(_ base: String) -> String {
        var name = base, n = 1
        while built.names.contains(name) {
            n += 1
            name = "\(base)_\(n)"
        }
        return name
    }

    func int(_ node: ONNXNode, _ key: String, default value: Int64) -> Int64 { node.attributes[key]?.int ?? value }

    func ints(_ node: ONNXNode, _ key: String) -> [Int64]? {
        guard let attribute = node.attributes[key] else { return nil }
        return attribute.ints
    }
}
