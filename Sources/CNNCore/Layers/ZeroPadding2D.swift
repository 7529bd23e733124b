/// Zeros around each image (Keras `ZeroPadding2D`, ONNX `Pad` with constant 0 on the
/// spatial axes).
public struct ZeroPadding2D: Layer {
    public let name: String
    public let inputShape: [Int]
    public let pads: Pads

    public var kind: String { "ZeroPadding2D" }
    public var outputShape: [Int] {
        [inputShape[0] + pads.top + pads.bottom, inputShape[1] + pads.left + pads.right, inputShape[2]]
    }
    public var activation: Activation { .linear }
    public var parameterShapes: [ParameterShape] { [] }
    public var multiplyAccumulates: Int { 0 }

    public init(name: String, inputShape: [Int], pads: Pads) {
        precondition(inputShape.count == 3, "ZeroPadding2D needs an [h, w, c] input")
        self.name = name
        self.inputShape = inputShape
        self.pads = pads
    }

    public func scratchCount(batch: Int) -> Int { 0 }

    /// Visits each input row with its offset in the input and in the output.
    @inline(__always)
    private func forEachRow(batch: Int, _ body: (_ input: Int, _ output: Int) -> Void) {
        let (h, w, c) = (inputShape[0], inputShape[1], inputShape[2]), (oh, ow) = (outputShape[0], outputShape[1])
        for b in 0..<batch {
            for y in 0..<h { body((b * h + y) * w * c, ((b * oh + y + pads.top) * ow + pads.left) * c) }
        }
    }

    public func forward(_ io: LayerIO) {
        let row = inputShape[1] * inputShape[2]
        io.output.update(repeating: 0, count: io.batch * outputShape.elementCount)
        forEachRow(batch: io.batch) { i, o in copyFloats(io.output + o, from: io.input + i, count: row) }
    }

    public func backward(_ io: LayerIO, _ gradients: LayerGradients) {
        guard let dx = gradients.input else { return }
        let row = inputShape[1] * inputShape[2]
        forEachRow(batch: io.batch) { i, o in copyFloats(dx + i, from: gradients.output + o, count: row) }
    }
}

// What it says about itself (LayerDescription.swift).
extension ZeroPadding2D {
    public var operation: OperationDescription {
        OperationDescription("zeropad", ["pads": .ints([pads.top, pads.left])])
    }
    public var gridMapping: GridMapping {
        .window(span: .init(1, 1), stride: .init(1, 1), padding: .init(pads.top, pads.left))
    }
    public var propagation: PropagationRole { .routing }
}
