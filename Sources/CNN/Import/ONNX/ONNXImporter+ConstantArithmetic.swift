import Foundation

/// Element-wise arithmetic on constants, evaluated at load time with NumPy's broadcasting:
/// what TorchScript's exporter leaves around attention (the scale `1 / √d` computed from a
/// shape, `Where`/`Equal` choosing the class token's expanded shape, `Expand` itself).
extension ONNXImporter {
    /// The ops folded when every input is a constant.
    static let constantArithmetic: Set<String> = [
        "Add", "Sub", "Mul", "Div", "Equal", "Where", "Mod", "Sqrt", "Expand", "Neg", "Pow", "Not", "ScatterND",
        "Transpose", "Slice", "Concat", "Gather", "Range",
    ]

    private struct Operand {
        var dims: [Int]
        var values: [Double]
        var isFloat: Bool
    }

    mutating func foldArithmetic(_ node: ONNXNode) throws(ImportError) {
        var operands: [Operand] = []
        for i in node.inputs.indices where !node.inputs[i].isEmpty {
            guard let tensor = try constant(node, i) else { throw error(node, "input \(i) is missing") }
            let isFloat = [ONNXTensor.DataType.float, .float16, .double].map(\.rawValue).contains(tensor.dataType)
            let values =
                isFloat
                ? try floats(tensor, of: node).map(Double.init) : try integers(tensor, of: node).map(Double.init)
            guard values.count == tensor.dims.reduce(1, *) else { throw error(node, "input \(i) has the wrong size") }
            operands.append(Operand(dims: tensor.dims.map(Int.init), values: values, isFloat: isFloat))
        }
        switch node.opType {
        case "Slice": return try slice(node, operands)
        case "Concat": return try concatenate(node, operands)
        case "Gather": return try gather(node, operands)
        case "Range":
            guard operands.count == 3, let start = operands[0].values.first, let limit = operands[1].values.first,
                let delta = operands[2].values.first, delta != 0
            else { throw error(node, "needs a start, a limit and a non-zero step") }
            let count = max(Int(((limit - start) / delta).rounded(.up)), 0)
            guard count <= budget.largestTensor / 8 else { throw error(node, "makes a range larger than memory holds") }
            let values = (0..<count).map { start + Double($0) * delta }
            return store(node, Operand(dims: [count], values: values, isFloat: operands.contains { $0.isFloat }))
        default: break
        }
        let arity = ["Sqrt": 1, "Neg": 1, "Not": 1, "Transpose": 1, "Where": 3, "ScatterND": 3][node.opType] ?? 2
        guard operands.count == arity else { throw error(node, "needs \(arity) inputs") }
        if node.opType == "ScatterND" { return try scatter(node, operands) }
        if node.opType == "Transpose" { return try transpose(node, operands[0]) }
        var shapes = operands.map(\.dims)
        if node.opType == "Expand" {
            guard operands[1].values.allSatisfy({ $0 >= 0 }) else { throw error(node, "expands to a negative shape") }
            shapes[1] = operands[1].values.map { Int($0) }
        }
        let dims = try broadcast(node, shapes)
        let count = dims.reduce(1, *)
        guard count <= budget.largestTensor / 8 else { throw error(node, "makes a constant larger than memory holds") }
        let isFloat =
            switch node.opType {
            case "Sqrt": true
            case "Equal", "Not": false
            case "Where", "Expand": operands[node.opType == "Where" ? 1 : 0].isFloat
            default: operands.contains { $0.isFloat }
            }
        var out = [Double](repeating: 0, count: count)
        let readers = operands.indices.map { reader(of: operands[$0].dims, in: dims) }
        for i in 0..<count {
            let x = operands[0].values[readers[0](i)]
            let y = operands.count > 1 && node.opType != "Expand" ? operands[1].values[readers[1](i)] : 0
            switch node.opType {
            case "Add": out[i] = x + y
            case "Sub": out[i] = x - y
            case "Mul": out[i] = x * y
            case "Div":
                guard isFloat || y != 0 else { throw error(node, "divides by zero") }
                out[i] = isFloat ? x / y : (x / y).rounded(.towardZero)
            case "Mod":
                guard isFloat || y != 0 else { throw error(node, "divides by zero") }
                // fmod = 0 (integers): the remainder takes the divisor's sign, as Python's.
                let r = x.truncatingRemainder(dividingBy: y)
                out[i] = int(node, "fmod", default: 0) == 1 || r == 0 || (r < 0) == (y < 0) ? r : r + y
            case "Pow": out[i] = pow(x, y)
            case "Equal": out[i] = x == y ? 1 : 0
            case "Where": out[i] = x != 0 ? y : operands[2].values[readers[2](i)]
            case "Sqrt": out[i] = x.squareRoot()
            case "Neg": out[i] = -x
            case "Not": out[i] = x == 0 ? 1 : 0
            default: out[i] = x  // Expand
            }
        }
        store(node, Operand(dims: dims, values: out, isFloat: isFloat))
    }

    /// ScatterND (no reduction): a copy of the data with the slices the indices name
    /// replaced by the updates (Swin's attention masks are built this way from constants).
    private mutating func scatter(_ node: ONNXNode, _ operands: [Operand]) throws(ImportError) {
        let (data, indices, updates) = (operands[0], operands[1], operands[2])
        guard (node.attributes["reduction"]?.string ?? "none") == "none" else {
            throw error(node, "only ScatterND without a reduction is folded")
        }
        guard let depth = indices.dims.last, depth <= data.dims.count, !indices.isFloat else {
            throw error(node, "indices \(indices.dims) do not fit data \(data.dims)")
        }
        let slice = data.dims[depth...].reduce(1, *), count = indices.values.count / max(depth, 1)
        guard updates.values.count == count * slice else {
            throw error(node, "updates \(updates.dims) do not fit indices \(indices.dims) into data \(data.dims)")
        }
        var out = data.values
        for n in 0..<count {
            var offset = 0
            for a in 0..<depth {
                var i = Int(indices.values[n * depth + a])
                if i < 0 { i += data.dims[a] }
                guard (0..<data.dims[a]).contains(i) else { throw error(node, "index \(i) is out of range") }
                offset = offset * data.dims[a] + i
            }
            for j in 0..<slice { out[offset * slice + j] = updates.values[n * slice + j] }
        }
        store(node, Operand(dims: data.dims, values: out, isFloat: data.isFloat))
    }

    /// A constant's axes permuted.
    private mutating func transpose(_ node: ONNXNode, _ x: Operand) throws(ImportError) {
        let rank = x.dims.count
        let perm = (ints(node, "perm") ?? (0..<Int64(rank)).reversed()).map(Int.init)
        guard perm.sorted() == Array(0..<rank) else { throw error(node, "perm \(perm) does not fit \(x.dims)") }
        var strides = [Int](repeating: 1, count: rank)
        for a in stride(from: rank - 2, through: 0, by: -1) { strides[a] = strides[a + 1] * x.dims[a + 1] }
        let dims = perm.map { x.dims[$0] }
        var out = [Double](repeating: 0, count: x.values.count)
        for i in out.indices {
            var rest = i, offset = 0
            for a in stride(from: rank - 1, through: 0, by: -1) {
                offset += (rest % dims[a]) * strides[perm[a]]
                rest /= dims[a]
            }
            out[i] = x.values[offset]
        }
        store(node, Operand(dims: dims, values: out, isFloat: x.isFloat))
    }

    /// Entries `picked` of each axis (all of an axis without an entry), as a new operand.
    private func pick(_ x: Operand, _ picked: [Int: [Int]]) -> Operand {
        let rank = x.dims.count, dims = (0..<rank).map { picked[$0]?.count ?? x.dims[$0] }
        var strides = [Int](repeating: 1, count: rank)
        for a in stride(from: rank - 2, through: 0, by: -1) { strides[a] = strides[a + 1] * x.dims[a + 1] }
        let count = dims.reduce(1, *)
        var out = [Double](repeating: 0, count: count)
        for i in 0..<count {
            var rest = i, offset = 0
            for a in stride(from: rank - 1, through: 0, by: -1) {
                let j = rest % dims[a]
                offset += (picked[a]?[j] ?? j) * strides[a]
                rest /= dims[a]
            }
            out[i] = x.values[offset]
        }
        return Operand(dims: dims, values: out, isFloat: x.isFloat)
    }

    /// Slice with starts, ends and optional axes and steps, on a constant of any rank.
    private mutating func slice(_ node: ONNXNode, _ operands: [Operand]) throws(ImportError) {
        guard operands.count >= 3 else { throw error(node, "needs data, starts and ends") }
        let x = operands[0], starts = operands[1].values, ends = operands[2].values
        let axes = operands.count > 3 ? operands[3].values : (0..<starts.count).map(Double.init)
        let steps = operands.count > 4 ? operands[4].values : [Double](repeating: 1, count: starts.count)
        guard ends.count == starts.count, axes.count == starts.count, steps.count == starts.count else {
            throw error(node, "starts, ends, axes and steps differ in length")
        }
        var picked: [Int: [Int]] = [:]
        for n in starts.indices {
            var a = Int(axes[n])
            if a < 0 { a += x.dims.count }
            guard x.dims.indices.contains(a), steps[n] != 0 else { throw error(node, "bad axis or step") }
            let length = Double(x.dims[a]), step = steps[n]
            func clamp(_ v: Double, _ low: Double, _ high: Double) -> Int {
                Int(max(low, min(v < 0 ? v + length : v, high)))
            }
            picked[a] =
                step > 0
                ? Array(stride(from: clamp(starts[n], 0, length), to: clamp(ends[n], 0, length), by: Int(step)))
                : Array(
                    stride(from: clamp(starts[n], 0, length - 1), to: clamp(ends[n], -1, length - 1), by: Int(step)))
        }
        store(node, pick(x, picked))
    }

    /// Gather of a constant by constant indices along one axis.
    private mutating func gather(_ node: ONNXNode, _ operands: [Operand]) throws(ImportError) {
        guard operands.count == 2, !operands[0].dims.isEmpty else { throw error(node, "needs data and indices") }
        let x = operands[0], axis = try normalizedAxis(node, int(node, "axis", default: 0), rank: x.dims.count)
        var indices: [Int] = []
        for v in operands[1].values {
            let i = Int(v) < 0 ? Int(v) + x.dims[axis] : Int(v)
            guard (0..<x.dims[axis]).contains(i) else { throw error(node, "index \(Int(v)) is out of range") }
            indices.append(i)
        }
        var out = pick(x, [axis: indices])
        out.dims = Array(x.dims[..<axis]) + operands[1].dims + Array(x.dims[(axis + 1)...])
        store(node, out)
    }

    /// Concat of constants along one axis.
    private mutating func concatenate(_ node: ONNXNode, _ operands: [Operand]) throws(ImportError) {
        guard let first = operands.first else { throw error(node, "needs inputs") }
        let rank = first.dims.count
        guard rank > 0 else { throw error(node, "joins scalars") }
        let axis = try normalizedAxis(node, int(node, "axis", default: 0), rank: rank)
        guard
            operands.allSatisfy({ o in
                o.dims.count == rank && o.dims.indices.allSatisfy { $0 == axis || o.dims[$0] == first.dims[$0] }
            })
        else { throw error(node, "joins constants of shapes \(operands.map(\.dims)) along axis \(axis)") }
        let outer = first.dims[..<axis].reduce(1, *)
        var out: [Double] = []
        for o in 0..<outer {
            for operand in operands {
                let block = operand.dims[axis...].reduce(1, *)
                out += operand.values[o * block..<(o + 1) * block]
            }
        }
        var dims = first.dims
        dims[axis] = operands.reduce(0) { $0 + $1.dims[axis] }
        store(node, Operand(dims: dims, values: out, isFloat: operands.contains { $0.isFloat }))
    }

    private mutating func store(_ node: ONNXNode, _ x: Operand) {
        let name = node.outputs[0], shape = x.dims.map(Int64.init)
        values[name] =
            .constant(
                x.isFloat
                    ? floatTensor(name, x.values.map { Float($0) }, dims: shape)
                    : ONNXTensor(name: name, dims: shape, int64s: x.values.map { Int64(exactly: $0) ?? 0 }))
    }

    /// NumPy's broadcast shape of `shapes`.
    func broadcast(_ node: ONNXNode, _ shapes: [[Int]]) throws(ImportError) -> [Int] {
        let rank = shapes.map(\.count).max() ?? 0
        var dims = [Int](repeating: 1, count: rank)
        for shape in shapes {
            for (i, d) in shape.enumerated() {
                let a = rank - shape.count + i
                guard d == dims[a] || d == 1 || dims[a] == 1 else {
                    throw error(node, "cannot broadcast shapes \(shapes) together")
                }
                if d != 1 { dims[a] = d }
            }
        }
        return dims
    }

    /// For each flat index into `dims`, the flat index into an operand of `shape` that
    /// broadcasts to it.
    func reader(of shape: [Int], in dims: [Int]) -> (Int) -> Int {
        let offset = dims.count - shape.count
        var strides = [Int](repeating: 0, count: dims.count), stride = 1
        for a in shape.indices.reversed() {
            strides[a + offset] = shape[a] == 1 ? 0 : stride
            stride *= shape[a]
        }
        return { flat in
            var rest = flat, index = 0
            for a in dims.indices.reversed() {
                index += (rest % dims[a]) * strides[a]
                rest /= dims[a]
            }
            return index
        }
    }
}
