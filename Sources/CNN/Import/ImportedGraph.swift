/// The model of the imported layers `output` depends on, in their order, with their
/// weights: layers no path leads from to the output (a fused pattern's leftovers, an
/// auxiliary head) are dropped, and aliases of dropped layers with them.
func assembleImportedModel(
    name: String, inputShape: [Int], layers: [any Layer], inputs: [[Int]], parameters: [String: Tensor],
    aliases: [String: String], output: Int, file: String, allowMissing: Bool = false
) throws(ImportError) -> Model {
    var keep = [Bool](repeating: false, count: layers.count)
    keep[output] = true
    for i in stride(from: output, through: 0, by: -1) where keep[i] {
        for input in inputs[i] where input >= 0 { keep[input] = true }
    }
    var renumber = [Int](repeating: -1, count: layers.count)
    var kept: [any Layer] = [], keptInputs: [[Int]] = []
    for i in 0...output where keep[i] {
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
