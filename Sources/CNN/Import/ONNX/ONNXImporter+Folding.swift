extension ONNXImporter {
    /// Evaluates a node whose inputs are all known at load time: the shape arithmetic
    /// exporters leave around a Reshape. The batch size stays symbolic (`batch`).
    mutating func fold(_ node: ONNXNode) throws(ImportError) {
        func ints(_ i: Int) throws(ImportError) -> [Int64] {
            guard let t = try constant(node, i) else { throw error(node, "input \(i) is missing") }
            return try integers(t, of: node)
        }
        let result: ONNXTensor
        switch node.opType {
        case "Constant":
            guard let tensor = node.attributes["value"]?.tensor else {
                if let i = node.attributes["value_int"]?.int { return store(node, [i], dims: []) }
                if let i = node.attributes["value_ints"]?.ints { return store(node, i, dims: [Int64(i.count)]) }
                if let f = node.attributes["value_float"]?.float {
                    return values[node.outputs[0]] = .constant(floatTensor(node.outputs[0], [f], dims: []))
                }
                throw error(node, "only tensor and integer constants are supported")
            }
            result = tensor
        case "Shape":
            let dims: [Int64]
            switch try value(node.inputs[0], of: node) {
            case .constant(let tensor): dims = tensor.dims
            case .node(let source, let layout):
                let s = shape(of: source)
                dims =
                    switch layout {
                    case .image: [Self.batch, Int64(s[2]), Int64(s[0]), Int64(s[1])]
                    case .channelsLast: [Self.batch, Int64(s[0]), Int64(s[1]), Int64(s[2])]
                    case .flat, .flatChannelsFirst: [Self.batch, Int64(s[0])]
                    case .tensor(let shape): shape.map(Int64.init)
                    }
            default: throw error(node, "reads the shape of a value in the middle of a pattern")
            }
            var start = Int(int(node, "start", default: 0)), end = Int(int(node, "end", default: Int64(dims.count)))
            if start < 0 { start += dims.count }
            if end < 0 { end += dims.count }
            let slice = Array(dims[max(0, min(start, dims.count))..<max(0, min(end, dims.count))])
            return store(node, slice, dims: [Int64(slice.count)])
        case "ConstantOfShape":
            // A tensor of the given shape filled with one value (weights of ONNX's test models).
            let dims = try ints(0)
            var filled = node.attributes["value"]?.tensor ?? floatTensor(node.outputs[0], [0], dims: [1])
            // The memory check has passed the sum of these; this guards the arithmetic.
            let limit = Int64(budget.largestTensor)
            var count: Int64 = 1
            for dim in dims where dim >= 0 && count <= limit {
                let (product, overflow) = count.multipliedReportingOverflow(by: dim)
                count = overflow ? limit + 1 : product
            }
            guard dims.allSatisfy({ $0 >= 0 }), count <= limit else {
                throw error(node, "shape \(dims) is negative or larger than this machine's memory holds")
            }
            if [ONNXTensor.DataType.int64.rawValue, ONNXTensor.DataType.int32.rawValue].contains(filled.dataType) {
                // Integers stay integers (TorchScript fills shapes with ones this way).
                let value = try integers(filled, of: node).first ?? 0
                return store(node, [Int64](repeating: value, count: Int(count)), dims: dims)
            }
            let value = try floats(filled, of: node).first ?? 0
            filled = floatTensor(node.outputs[0], [Float](repeating: value, count: Int(count)), dims: dims)
            values[node.outputs[0]] = .constant(filled)
            return
        case "Unsqueeze", "Squeeze", "Cast", "Identity":
            // The same values (integers stay integers, floats floats) with 1s added or removed.
            guard var tensor = try constant(node, 0) else { throw error(node, "input 0 is missing") }
            var axes = node.attributes["axes"]?.ints ?? []
            if node.inputs.count > 1, let t = try constant(node, 1) { axes = try integers(t, of: node) }
            if node.opType == "Unsqueeze" {
                let rank = tensor.dims.count + axes.count
                for axis in axes.map({ $0 < 0 ? $0 + Int64(rank) : $0 }).sorted() {
                    guard (0...Int64(tensor.dims.count)).contains(axis) else {
                        throw error(node, "axis \(axis) is out of range")
                    }
                    tensor.dims.insert(1, at: Int(axis))
                }
            } else if node.opType == "Squeeze" {
                let rank = Int64(tensor.dims.count)
                let removed = Set(axes.map { $0 < 0 ? $0 + rank : $0 })
                tensor.dims = tensor.dims.enumerated().filter {
                    removed.isEmpty ? $0.element != 1 : !removed.contains(Int64($0.offset))
                }
                .map(\.element)
            } else if node.opType == "Cast", [6, 7].contains(node.attributes["to"]?.int ?? 0) {
                let dims = tensor.dims
                tensor = ONNXTensor(name: node.outputs[0], dims: dims, int64s: try integers(tensor, of: node))
            }
            result = tensor
        default:
            throw error(node, "cannot be computed at load time with constant inputs")
        }
        var named = result
        named.name = node.outputs[0]
        values[node.outputs[0]] = .constant(named)
    }

    private mutating func store(_ node: ONNXNode, _ ints: [Int64], dims: [Int64]) {
        values[node.outputs[0]] = .constant(ONNXTensor(name: node.outputs[0], dims: dims, int64s: ints))
    }

    func floatTensor(_ name: String, _ floats: [Float], dims: [Int64]) -> ONNXTensor {
        var tensor = ONNXTensor(name: name, dims: dims, int64s: [])
        tensor.dataType = ONNXTensor.DataType.float.rawValue
        tensor.floatData = floats
        return tensor
    }
}
