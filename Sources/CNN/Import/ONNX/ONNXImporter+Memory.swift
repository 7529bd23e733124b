import Common

extension ONNXImporter {
    /// Before any weight is decoded: the weights each node reads (initializers, and the
    /// tensors `ConstantOfShape` would fill, by their declared shapes), added up in graph
    /// order, must fit the memory budget. The refusal names the node where they outgrow it,
    /// so a model too large for the machine costs a fraction of a second, not a full load.
    func checkMemory() throws(ImportError) {
        let floatTypes: Set<Int64> = [
            ONNXTensor.DataType.float.rawValue, ONNXTensor.DataType.float16.rawValue,
            ONNXTensor.DataType.double.rawValue,
        ]
        var filled: [String: Int] = [:]
        for node in graph.nodes where node.opType == "ConstantOfShape" && !node.outputs.isEmpty {
            guard let input = node.inputs.first, case .constant(let shape)? = values[input],
                let dims = try? shape.integers(directory: directory)
            else { continue }
            var count = 1
            for dim in dims {
                let (product, overflow) = count.multipliedReportingOverflow(by: Int(clamping: max(dim, 0)))
                count = overflow ? .max : product
            }
            filled[node.outputs[0]] = count
        }
        var counted: Set<String> = [], total = 0
        for node in graph.nodes where node.opType != "ConstantOfShape" {
            for input in node.inputs where !counted.contains(input) {
                let count: Int
                if let n = filled[input] {
                    count = n
                } else if case .constant(let tensor)? = values[input], floatTypes.contains(tensor.dataType) {
                    count = tensor.elementCount
                } else {
                    continue
                }
                counted.insert(input)
                total = total.addingReportingOverflow(count).overflow ? .max : total + count
            }
            do {
                try budget.check(
                    parameters: total, at: Self.name(of: node), bytesPerWeight: MemoryBudget.bytesPerLoadedWeight)
            } catch { throw self.error(error.message) }
        }
    }
}
