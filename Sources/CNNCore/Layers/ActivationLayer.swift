/// An activation on its own (Keras `Activation`, `ReLU`, `LeakyReLU`, `Softmax`; an ONNX
/// `Relu`, `Sigmoid`, …): the function of `Activation`, element-wise over any shape.
///
/// The input is kept by the workspace, so every activation's derivative is computed from
/// its pre-activation values. A softmax layer outputs its input, the logits (see
/// `Activation`); specs and importers allow it only at the end of a model.
public struct ActivationLayer: Layer {
    public let name: String
    public let inputShape: [Int]
    public let activation: Activation
    public let kind: String

    public var outputShape: [Int] { inputShape }
    public var parameterShapes: [ParameterShape] { [] }
    public var multiplyAccumulates: Int { 0 }

    public init(name: String, inputShape: [Int], activation: Activation, kind: String = "Activation") {
        self.name = name
        self.inputShape = inputShape
        self.activation = activation
        self.kind = kind
    }

    public func scratchCount(batch: Int) -> Int { 0 }

    public func forward(_ io: LayerIO) {
        let count = io.batch * inputShape.elementCount
        copyFloats(io.output, from: io.input, count: count)
        activation.apply(io.output, count: count)
    }

    public func backward(_ io: LayerIO, _ gradients: LayerGradients) {
        guard let dx = gradients.input else { return }
        activation.backward(
            output: io.output, outputGradient: gradients.output, into: dx, count: io.batch * inputShape.elementCount,
            guided: gradients.guided, preActivation: io.input)
    }
}

// What it says about itself (LayerDescription.swift).
extension ActivationLayer {
    public var operation: OperationDescription {
        OperationDescription("activation", ["activation": .activation(activation)])
    }
    public var gridMapping: GridMapping { .sameGrid }
    public var propagation: PropagationRole { .activation }
}
