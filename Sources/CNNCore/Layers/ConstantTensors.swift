/// The input plus a tensor of its own shape that the layer holds (ONNX `Add` of a constant
/// of the input's full shape): a Vision Transformer's position embedding.
public struct AddTensor: Layer {
    public let name: String
    public let inputShape: [Int]

    public var kind: String { "AddTensor" }
    public var outputShape: [Int] { inputShape }
    public var activation: Activation { .linear }
    public var multiplyAccumulates: Int { 0 }
    /// Learned (a position embedding) or a constant (a mask, a bias gathered at load time).
    public let role: ParameterShape.Role
    public var parameterShapes: [ParameterShape] {
        [ParameterShape(key: "tensor", shape: inputShape, initializer: .zeros, role: role)]
    }

    public init(name: String, inputShape: [Int], role: ParameterShape.Role = .learned) {
        self.name = name
        self.inputShape = inputShape
        self.role = role
    }

    public func scratchCount(batch: Int) -> Int { 0 }

    public func forward(_ io: LayerIO) {
        let size = inputShape.elementCount
        for b in 0..<io.batch {
            let x = io.input + b * size, y = io.output + b * size
            for i in 0..<size { y[i] = x[i] + io.parameters[i] }
        }
    }

    public func backward(_ io: LayerIO, _ gradients: LayerGradients) {
        let size = inputShape.elementCount
        if let dp = gradients.parameters, role == .learned {
            for b in 0..<io.batch { for i in 0..<size { dp[i] += gradients.output[b * size + i] } }
        }
        if let dx = gradients.input { copyFloats(dx, from: gradients.output, count: io.batch * size) }
    }
}

/// A tensor the layer holds, placed before the input along one axis (ONNX `Concat` of a
/// constant and a computed tensor): a Vision Transformer's class token (and a DeiT's
/// distillation token) ahead of the patch tokens.
public struct PrependTensor: Layer {
    public let name: String
    public let inputShape: [Int]
    /// The axis within a sample's shape, from 0.
    public let axis: Int
    /// How many entries along `axis` the held tensor has (the tokens it adds).
    public let count: Int

    public var kind: String { "PrependTensor" }
    public var outputShape: [Int] {
        var shape = inputShape
        shape[axis] += count
        return shape
    }
    public var activation: Activation { .linear }
    public var multiplyAccumulates: Int { 0 }
    public var parameterShapes: [ParameterShape] {
        var shape = inputShape
        shape[axis] = count
        return [ParameterShape(key: "tensor", shape: shape, initializer: .zeros, role: role)]
    }
    /// Learned (a class token) or a constant.
    public let role: ParameterShape.Role

    public init(name: String, inputShape: [Int], axis: Int, count: Int, role: ParameterShape.Role = .learned) {
        precondition(inputShape.indices.contains(axis) && count > 0, "PrependTensor: bad axis or count")
        self.name = name
        self.inputShape = inputShape
        self.axis = axis
        self.count = count
        self.role = role
    }

    public func scratchCount(batch: Int) -> Int { 0 }

    /// Blocks per sample: how many, the held tensor's and the input's length in each.
    private var blocks: (outer: Int, held: Int, input: Int) {
        let inner = inputShape[(axis + 1)...].reduce(1, *)
        return (inputShape[..<axis].reduce(1, *), count * inner, inputShape[axis] * inner)
    }

    public func forward(_ io: LayerIO) {
        let (outer, held, input) = blocks
        for o in 0..<io.batch * outer {
            let y = io.output + o * (held + input)
            copyFloats(y, from: io.parameters + (o % outer) * held, count: held)
            copyFloats(y + held, from: io.input + o * input, count: input)
        }
    }

    public func backward(_ io: LayerIO, _ gradients: LayerGradients) {
        let (outer, held, input) = blocks
        for o in 0..<io.batch * outer {
            let g = gradients.output + o * (held + input)
            if let dp = gradients.parameters, role == .learned {
                let d = dp + (o % outer) * held
                for i in 0..<held { d[i] += g[i] }
            }
            if let dx = gradients.input { copyFloats(dx + o * input, from: g + held, count: input) }
        }
    }
}

// What it says about itself (LayerDescription.swift).
extension AddTensor {
    public var operation: OperationDescription { OperationDescription("addtensor") }
    public var gridMapping: GridMapping { .sameGrid }
    /// A fixed shift, as a bias: relevance passes through, DeepLIFT follows the gradient.
    public var propagation: PropagationRole { .scaling }
}

// What it says about itself (LayerDescription.swift).
extension PrependTensor {
    public var operation: OperationDescription {
        OperationDescription("prepend", ["axis": .int(axis), "count": .int(count)])
    }
    public var gridMapping: GridMapping { .noGrid }
    public var propagation: PropagationRole { .routing }
}
