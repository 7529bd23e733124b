/// `y = x · scale[c] + shift[c]` over the last (channel) axis: what ONNX graphs spell as a
/// `Mul` and an `Add` by per-channel constants (Caffe2's exports of BatchNorm, for one).
public struct ChannelAffine: Layer {
    public let name: String
    public let inputShape: [Int]
    /// The class name shown in summaries (Keras's `Rescaling`, `Normalization`, `Add` of a
    /// constant, …).
    public let kind: String
    public var outputShape: [Int] { inputShape }
    public var activation: Activation { .linear }
    public var multiplyAccumulates: Int { inputShape.elementCount }
    /// Whether the scale and the shift are learned, statistics or constants: a Rescaling's
    /// are constants, a LayerScale's scale is learned and its shift a constant zero.
    public let scaleRole: ParameterShape.Role, shiftRole: ParameterShape.Role
    var channels: Int { inputShape.last! }

    public init(
        name: String, inputShape: [Int], kind: String = "ChannelAffine", scale: ParameterShape.Role = .learned,
        shift: ParameterShape.Role = .learned
    ) {
        self.name = name
        self.inputShape = inputShape
        self.kind = kind
        scaleRole = scale
        shiftRole = shift
    }

    public var parameterShapes: [ParameterShape] {
        [
            ParameterShape(key: "scale", shape: [channels], initializer: .ones, role: scaleRole),
            ParameterShape(key: "shift", shape: [channels], initializer: .zeros, role: shiftRole),
        ]
    }

    public func scratchCount(batch: Int) -> Int { 0 }

    public func forward(_ io: LayerIO) {
        let c = channels, rows = io.batch * inputShape.elementCount / c
        let scale = io.parameters, shift = io.parameters + c
        for r in 0..<rows {
            for k in 0..<c { io.output[r * c + k] = io.input[r * c + k] * scale[k] + shift[k] }
        }
    }

    public func backward(_ io: LayerIO, _ gradients: LayerGradients) {
        let c = channels, rows = io.batch * inputShape.elementCount / c
        let scale = io.parameters, dy = gradients.output
        if let dp = gradients.parameters {
            // Only learned values get a gradient; constants and statistics keep theirs.
            if scaleRole == .learned {
                for r in 0..<rows { for k in 0..<c { dp[k] += dy[r * c + k] * io.input[r * c + k] } }
            }
            if shiftRole == .learned {
                for r in 0..<rows { for k in 0..<c { dp[c + k] += dy[r * c + k] } }
            }
        }
        if let dx = gradients.input {
            for r in 0..<rows { for k in 0..<c { dx[r * c + k] = dy[r * c + k] * scale[k] } }
        }
    }
}

// What it says about itself (LayerDescription.swift).
extension ChannelAffine {
    public var operation: OperationDescription { OperationDescription("affine") }
    public var gridMapping: GridMapping { .sameGrid }
    public var propagation: PropagationRole { .scaling }
}
