import Common

/// Reads one entry of a model spec's `layers` list: its type, name, inputs and fields,
/// checked against the shapes of the layers it reads.
struct LayerSpecReader {
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
        let names = KerasLayerClass.names
        guard let type = KerasLayerClass.named(typeName) else {
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
        let merges = KerasLayerClass.merges.contains(type)
        if merges && inputs.count < 2 {
            throw (fields["inputs"] ?? typeValue).error("\(type) needs at least two inputs, listed in 'inputs'")
        }
        if !merges && inputs.count != 1 {
            throw fields["inputs"]!.error("\(type) reads one input, but 'inputs' lists \(inputs.count)")
        }
    }

    /// Builds the entry's layers (a separable convolution makes two), naming it Keras's way
    /// when the spec gives no name.
    func layers(
        counters: inout [String: Int], isLast: Bool
    ) throws(SourceError) -> KerasVocabulary<SpecLayerOptions>.Layers {
        try fields.checkKeys(["type", "name", "inputs"] + KerasLayerClass.options(of: type), in: "a \(type) layer")
        let prefix = KerasLayerClass.prefix(of: type)
        counters[prefix, default: 0] += 1
        let name = try fields["name"]?.string() ?? "\(prefix)_\(counters[prefix]!)"
        let options = SpecLayerOptions(item: item, fields: fields, typeValue: typeValue)
        return try KerasVocabulary(
            type: type, name: name, options: options, inputShapes: inputShapes, isLast: isLast
        ).build()
    }
}
