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
            guard case .node(let source, let layout) = try value(node.inputs[0], of: node) else {
                result = ONNXTensor(name: "", dims: [], int64s: [])
                break
            }
            let s = shape(of: source)
            let dims: [Int64] =
                switch layout {
                case .image: [Self.batch, Int64(s[2]), Int64(s[0]), Int64(s[1])]
                case .channelsLast: [Self.batch, Int64(s[0]), Int64(s[1]), Int64(s[2])]
                case .flat, .flatChannelsFirst: [Self.batch, Int64(s[0])]
                case .tensor(let shape): shape.map(Int64.init)
                }
            var start = Int(int(node, "start", default: 0)), end = Int(int(node, "end", default: Int64(dims.count)))
            if start < 0 { start += dims.count }
            if end < 0 { end += dims.count }
            let slice = Array(dims[max(0, min(start, dims.count))..<max(0, min(end, dims.count))])
            return store(node, slice, dims: [Int64(slice.count)])
        case "Gather":
            let data = try ints(0), index = try ints(1)
            guard int(node, "axis", default: 0) == 0, !data.isEmpty else {
                throw error(node, "only axis 0 is supported")
            }
            var picked: [Int64] = []
            for i in index {
                let j = i < 0 ? Int(i) + data.count : Int(i)
                guard (0..<data.count).contains(j) else { throw error(node, "index \(i) is out of range") }
                picked.append(data[j])
            }
            let indexDims = try constant(node, 1)?.dims ?? []
            return store(node, picked, dims: indexDims)
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
        case "Concat":
            var all: [Int64] = []
            for i in node.inputs.indices { all += try ints(i) }
            return store(node, all, dims: [Int64(all.count)])
        case "Add", "Sub", "Mul", "Div":
            // Shape arithmetic (ShuffleNetV2's `chunk`: a channel count plus one, halved, for
            // a Slice's end), elementwise with a scalar broadcast.
            guard let left = try constant(node, 0), let right = try constant(node, 1) else {
                throw error(node, "needs two inputs")
            }
            let integer: Set<Int64> = [ONNXTensor.DataType.int64.rawValue, ONNXTensor.DataType.int32.rawValue]
            guard integer.contains(left.dataType), integer.contains(right.dataType) else {
                throw error(node, "arithmetic on constants is folded for integers (shapes) only")
            }
            let a = try integers(left, of: node), b = try integers(right, of: node)
            guard a.count == b.count || a.count == 1 || b.count == 1, !a.isEmpty, !b.isEmpty else {
                throw error(node, "cannot broadcast \(a.count) values with \(b.count)")
            }
            var out: [Int64] = []
            for i in 0..<max(a.count, b.count) {
                let x = a[a.count == 1 ? 0 : i], y = b[b.count == 1 ? 0 : i]
                switch node.opType {
                case "Add": out.append(x &+ y)
                case "Sub": out.append(x &- y)
                case "Mul": out.append(x &* y)
                default:
                    guard y != 0 else { throw error(node, "divides by zero") }
                    out.append(x / y)
                }
            }
            let dims = a.count >= b.count ? left.dims : right.dims
            return store(node, out, dims: dims)
        case "Slice":
            let data = try ints(0), starts = try ints(1), ends = try ints(2)
            guard let s = starts.first, let e = ends.first else { throw error(node, "needs starts and ends") }
            let n = Int64(data.count)
            let lower = max(0, min(s < 0 ? s + n : s, n)), upper = max(0, min(e < 0 ? e + n : e, n))
            let slice = lower < upper ? Array(data[Int(lower)..<Int(upper)]) : []
            return store(node, slice, dims: [Int64(slice.count)])
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
