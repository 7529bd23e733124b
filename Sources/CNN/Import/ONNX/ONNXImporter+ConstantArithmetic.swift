import Foundation

/// Element-wise arithmetic on constants, evaluated at load time with NumPy's broadcasting:
/// what TorchScript's exporter leaves around attention (the scale `1 / √d` computed from a
/// shape, `Where`/`Equal` choosing the class token's expanded shape, `Expand` itself).
extension ONNXImporter {
    /// The ops folded when every input is a constant.
    static let constantArithmetic: Set<String> = [
        "Add", "Sub", "Mul", "Div", "Equal", "Where", "Mod", "Sqrt", "Expand", "Neg", "Pow",
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
        let arity = ["Sqrt": 1, "Neg": 1, "Where": 3][node.opType] ?? 2
        guard operands.count == arity else { throw error(node, "needs \(arity) inputs") }
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
            case "Equal": false
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
            default: out[i] = x  // Expand
            }
        }
        let name = node.outputs[0], shape = dims.map(Int64.init)
        values[name] =
            .constant(
                isFloat
                    ? floatTensor(name, out.map { Float($0) }, dims: shape)
                    : ONNXTensor(name: name, dims: shape, int64s: out.map { Int64(exactly: $0) ?? 0 }))
    }

    /// NumPy's broadcast shape of `shapes`.
    private func broadcast(_ node: ONNXNode, _ shapes: [[Int]]) throws(ImportError) -> [Int] {
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
    private func reader(of shape: [Int], in dims: [Int]) -> (Int) -> Int {
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
