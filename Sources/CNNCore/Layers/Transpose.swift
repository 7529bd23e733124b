/// The axes of each sample permuted: output axis `i` is input axis `permutation[i]` (ONNX
/// `Transpose` and PyTorch's `permute` on the per-sample shape). Vision Transformers
/// move tokens, heads and features around with it between their matrix products.
public struct Transpose: Layer {
    public let name: String
    public let inputShape: [Int]
    /// For each output axis, the input axis it is.
    public let permutation: [Int]

    public var kind: String { "Transpose" }
    public var outputShape: [Int] { permutation.map { inputShape[$0] } }
    public var activation: Activation { .linear }
    public var parameterShapes: [ParameterShape] { [] }
    public var multiplyAccumulates: Int { 0 }

    public init(name: String, inputShape: [Int], permutation: [Int]) {
        precondition(permutation.sorted() == Array(inputShape.indices), "Transpose needs a permutation of the axes")
        self.name = name
        self.inputShape = inputShape
        self.permutation = permutation
    }

    public func scratchCount(batch: Int) -> Int { 0 }

    /// Calls `body(i, offset)` for each output element `i` in order with the offset of the
    /// input element it copies: an odometer over the output's axes, no table allocated.
    @inline(__always)
    private func forEachSource(_ body: (Int, Int) -> Void) {
        var strides = [Int](repeating: 1, count: inputShape.count)
        for axis in inputShape.indices.dropLast().reversed() {
            strides[axis] = strides[axis + 1] * inputShape[axis + 1]
        }
        let shape = outputShape, steps = permutation.map { strides[$0] }
        var index = [Int](repeating: 0, count: shape.count), offset = 0
        for i in 0..<shape.elementCount {
            body(i, offset)
            var axis = shape.count - 1
            while axis >= 0 {
                index[axis] += 1
                offset += steps[axis]
                if index[axis] < shape[axis] { break }
                offset -= steps[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }

    public func forward(_ io: LayerIO) {
        let size = inputShape.elementCount
        for n in 0..<io.batch {
            let x = io.input + n * size, y = io.output + n * size
            forEachSource { i, from in y[i] = x[from] }
        }
    }

    public func backward(_ io: LayerIO, _ gradients: LayerGradients) {
        guard let dx = gradients.input else { return }
        let size = inputShape.elementCount
        for n in 0..<io.batch {
            let g = gradients.output + n * size, d = dx + n * size
            forEachSource { i, from in d[from] = g[i] }
        }
    }
}

// What it says about itself (LayerDescription.swift).
extension Transpose {
    public var operation: OperationDescription {
        OperationDescription("transpose", ["permutation": .ints(permutation)])
    }
    public var gridMapping: GridMapping { .noGrid }
    public var propagation: PropagationRole { .routing }
}
