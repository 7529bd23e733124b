/// The graph a reader puts together — a model spec, a Keras file or an ONNX file: layers in
/// order, the nodes each reads (-1: the model input), and the values a file gives their
/// parameters. The one place every reader adds layers, and the one place the graph is
/// checked before it becomes a `Model` (whose initializer traps on a malformed graph), so
/// a reader's mistake on a hostile file is an error naming the layer, not a crash.
struct GraphBuilder {
    var inputShape: [Int]
    private(set) var layers: [any Layer] = []
    private(set) var inputs: [[Int]] = []
    /// The layers' names, so naming a new layer is a lookup, not a scan (a 40,000-node ONNX
    /// graph took 16.6 s to load when each name scanned every layer).
    private(set) var names: Set<String> = []
    /// Values for parameters, by key (`<layer>/<parameter>`): the file's weights, and the
    /// constants a layer's options fix.
    var parameters: [String: Tensor] = [:]

    init(inputShape: [Int] = []) { self.inputShape = inputShape }

    func shape(of node: Int) -> [Int] { node < 0 ? inputShape : layers[node].outputShape }

    /// Appends `layer` reading `sources`; returns its node.
    @discardableResult
    mutating func append(_ layer: any Layer, reading sources: [Int]) -> Int {
        layers.append(layer)
        names.insert(layer.name)
        inputs.append(sources)
        return layers.count - 1
    }

    /// Puts `layer` in place of node `index` (a dense layer given the bias that follows it).
    mutating func replace(_ index: Int, with layer: any Layer) {
        names.remove(layers[index].name)
        layers[index] = layer
        names.insert(layer.name)
    }

    /// What is wrong with node `index`: it reads a later node, or another number or size
    /// of inputs than its layer takes, or its output has no cells. Nil when nothing is.
    func problem(at index: Int) -> String? {
        let layer = layers[index], sources = inputs[index]
        guard sources.count == layer.inputShapes.count else {
            return "reads \(sources.count) inputs, but takes \(layer.inputShapes.count)"
        }
        for (source, expected) in zip(sources, layer.inputShapes) {
            guard (-1..<index).contains(source) else { return "reads a node that comes after it" }
            let given = shape(of: source)
            guard given.elementCount == expected.elementCount else {
                return "takes an input of shape \(expected), but is given \(given)"
            }
        }
        guard layer.outputShape.allSatisfy({ $0 > 0 }) else { return "its output \(layer.outputShape) is empty" }
        return nil
    }

    /// The model of the layers `output` depends on, in their order, with the parameters'
    /// values: layers no path leads from to the output (a fused pattern's leftovers, an
    /// auxiliary head) are dropped, and aliases of dropped layers with them. Every kept
    /// layer is checked (`problem(at:)`); `allowMissing` keeps initial values for
    /// parameters without one (a Keras config read without weights).
    func importedModel(
        name: String, output: Int, aliases: [String: String], file: String, allowMissing: Bool = false
    ) throws(ImportError) -> Model {
        var keep = [Bool](repeating: false, count: layers.count)
        keep[output] = true
        for i in stride(from: output, through: 0, by: -1) where keep[i] {
            for input in inputs[i] where input >= 0 { keep[input] = true }
        }
        var renumber = [Int](repeating: -1, count: layers.count)
        var kept: [any Layer] = [], keptInputs: [[Int]] = []
        for i in 0...output where keep[i] {
            if let problem = problem(at: i) {
                throw ImportError(file: file, "layer '\(layers[i].name)' (\(layers[i].kind)) \(problem)")
            }
            renumber[i] = kept.count
            kept.append(layers[i])
            keptInputs.append(inputs[i].map { $0 < 0 ? -1 : renumber[$0] })
        }
        var model = Model(
            name: name, inputShape: inputShape, layers: kept, inputs: keptInputs, seed: allowMissing ? 0 : nil)
        for entry in model.parameters.entries {
            guard let tensor = parameters[entry.key] else {
                if allowMissing { continue }
                throw ImportError(file: file, "the file has no weights for '\(entry.key)'")
            }
            guard tensor.shape.elementCount == entry.shape.elementCount else {
                throw ImportError(
                    file: file, "weights '\(entry.key)' have shape \(tensor.shape), the layer needs \(entry.shape)")
            }
            model.parameters.set(entry.key, Tensor(shape: entry.shape, scalars: tensor.scalars))
        }
        let names = Set(kept.map(\.name))
        model.aliases = aliases.filter { names.contains($0.value) && !names.contains($0.key) }
        return model
    }
}
