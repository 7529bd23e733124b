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
        let (input, output) = (SharedPointer(io.input), SharedPointer(io.output))
        let parts = Self.parts(io.batch * inputShape.elementCount, threads: io.threads)
        Parallelism.run(parts.count) { p in
            let range = parts[p]
            activation.apply(input.base + range.lowerBound, into: output.base + range.lowerBound, count: range.count)
        }
    }

    public func backward(_ io: LayerIO, _ gradients: LayerGradients) {
        guard let dx = gradients.input else { return }
        let (input, output, dy) = (SharedPointer(io.input), SharedPointer(io.output), SharedPointer(gradients.output))
        let shared = SharedPointer(dx), rule = gradients.rule
        let parts = Self.parts(io.batch * inputShape.elementCount, threads: io.threads)
        Parallelism.run(parts.count) { p in
            let at = parts[p].lowerBound
            activation.backward(
                output: output.base + at, outputGradient: dy.base + at, into: shared.base + at, count: parts[p].count,
                rule: rule, preActivation: input.base + at)
        }
    }

    /// Contiguous pieces for the threads, each at least 32,768 values (a smaller one costs
    /// more to hand over than to compute) and starting on a multiple of 8.
    private static func parts(_ count: Int, threads: Int) -> [Range<Int>] {
        let pieces = max(1, min(threads, Parallelism.workers, count / 32_768))
        return (0..<pieces).map { p in
            let start = p == 0 ? 0 : count * p / pieces / 8 * 8
            let end = p == pieces - 1 ? count : count * (p + 1) / pieces / 8 * 8
            return start..<end
        }
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
