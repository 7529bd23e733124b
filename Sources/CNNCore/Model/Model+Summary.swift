extension Model {
    /// The model as Keras's `model.summary()` prints it, plus the multiply-accumulates of
    /// one forward pass for one sample.
    ///
    /// A graph (not a chain) gets Keras's functional layout: an input row and a
    /// "Connected to" column naming each layer's inputs, one per line.
    public func summary() -> String {
        let graph = !isChain
        // Keras's 29 columns for "name (type)", cut as Keras cuts them; wider for a graph's
        // rows, or when a name itself (an ONNX node's) would not fit.
        let widest = layers.map { $0.name.count + $0.kind.count + 4 }.max() ?? 0
        let nameWidth = graph || layers.contains(where: { $0.name.count >= 28 }) ? max(29, widest) : 29
        func shape(_ dims: [Int]) -> String { "(None, " + dims.map(String.init).joined(separator: ", ") + ")" }
        // Keras's 21 for the shape, wider for a transformer's (`(None, 3, 17, 1, 1, 32)`).
        let shapeWidth = max(21, ([inputShape] + layers.map(\.outputShape)).map { shape($0).count + 1 }.max() ?? 0)
        let width = (graph ? 98 : 65) + nameWidth - 29 + shapeWidth - 21
        let rule = String(repeating: "_", count: width), double = String(repeating: "=", count: width)
        func pad(_ text: String, _ width: Int) -> String {
            text.count >= width
                ? String(text.prefix(width - 1)) + " " : text + String(repeating: " ", count: width - text.count)
        }
        var lines = [
            "Model: \"\(name)\"", rule,
            pad("Layer (type)", nameWidth) + pad("Output Shape", shapeWidth)
                + (graph ? pad("Param #", 12) + "Connected to" : "Param #"),
            double,
        ]
        if graph {
            lines += [
                pad("input (InputLayer)", nameWidth) + pad(shape(inputShape), shapeWidth) + pad("0", 12) + "[]", rule,
            ]
        }
        for (index, layer) in layers.enumerated() {
            let row = pad("\(layer.name) (\(layer.kind))", nameWidth) + pad(shape(layer.outputShape), shapeWidth)
            if graph {
                let sources = inputNames(of: index).map { "\($0)[0][0]" }
                lines.append(row + pad(String(parameterCount(layer: index)), 12) + sources[0])
                for source in sources.dropFirst() {
                    lines.append(String(repeating: " ", count: nameWidth + shapeWidth + 12) + source)
                }
            } else {
                lines.append(row + String(parameterCount(layer: index)))
            }
            lines.append(index == layers.count - 1 ? double : rule)
        }
        let total = parameters.parameterCount, trainable = parameters.trainableCount
        lines.append("Total params: \(total.grouped)")
        lines.append("Trainable params: \(trainable.grouped)")
        lines.append("Non-trainable params: \((total - trainable).grouped)")
        lines.append("Multiply-accumulates per forward pass: \(multiplyAccumulates.grouped)")
        lines.append(rule)
        return lines.joined(separator: "\n")
    }

    /// Parameters of layer `index`, its constants not counted.
    public func parameterCount(layer index: Int) -> Int {
        layers[index].parameterShapes.reduce(0) { $0 + ($1.role == .constant ? 0 : $1.shape.elementCount) }
    }

    /// Multiply-accumulates of one forward pass for one sample.
    public var multiplyAccumulates: Int { layers.reduce(0) { $0 + $1.multiplyAccumulates } }
}
