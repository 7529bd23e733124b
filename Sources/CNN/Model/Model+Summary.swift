extension Model {
    /// The model as Keras's `model.summary()` prints it, plus the multiply-accumulates of
    /// one forward pass for one sample.
    public func summary() -> String {
        let rule = String(repeating: "_", count: 65), double = String(repeating: "=", count: 65)
        func pad(_ text: String, _ width: Int) -> String {
            text.count >= width
                ? String(text.prefix(width - 1)) + " " : text + String(repeating: " ", count: width - text.count)
        }
        var lines = [
            "Model: \"\(name)\"", rule,
            pad("Layer (type)", 29) + pad("Output Shape", 21) + "Param #", double,
        ]
        for (index, layer) in layers.enumerated() {
            let shape = "(None, " + layer.outputShape.map(String.init).joined(separator: ", ") + ")"
            lines.append(
                pad("\(layer.name) (\(layer.kind))", 29) + pad(shape, 21) + String(parameterCount(layer: index)))
            lines.append(index == layers.count - 1 ? double : rule)
        }
        let total = parameters.count
        lines.append("Total params: \(total.grouped)")
        lines.append("Trainable params: \(total.grouped)")
        lines.append("Non-trainable params: 0")
        lines.append("Multiply-accumulates per forward pass: \(multiplyAccumulates.grouped)")
        lines.append(rule)
        return lines.joined(separator: "\n")
    }

    /// Parameters of layer `index`.
    public func parameterCount(layer index: Int) -> Int {
        layers[index].parameterShapes.reduce(0) { $0 + $1.shape.elementCount }
    }

    /// Multiply-accumulates of one forward pass for one sample.
    public var multiplyAccumulates: Int { layers.reduce(0) { $0 + $1.multiplyAccumulates } }
}
