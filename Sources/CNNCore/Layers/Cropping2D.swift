/// Rows and columns cut from the edges of each image (Keras `Cropping2D`, which NASNet uses
/// to align its branches).
public struct Cropping2D: Layer {
    public let name: String
    public let inputShape: [Int]
    /// The rows and columns removed at each edge.
    public let crops: Pads

    public var kind: String { "Cropping2D" }
    public var outputShape: [Int] {
        [inputShape[0] - crops.top - crops.bottom, inputShape[1] - crops.left - crops.right, inputShape[2]]
    }
    public var activation: Activation { .linear }
    public var parameterShapes: [ParameterShape] { [] }
    public var multiplyAccumulates: Int { 0 }

    public init(name: String, inputShape: [Int], crops: Pads) {
        precondition(inputShape.count == 3, "Cropping2D needs an [h, w, c] input")
        self.name = name
        self.inputShape = inputShape
        self.crops = crops
    }

    public func scratchCount(batch: Int) -> Int { 0 }

    /// Visits each output row with its offset in the input and in the output.
    @inline(__always)
    private func forEachRow(batch: Int, _ body: (_ input: Int, _ output: Int) -> Void) {
        let (h, w, c) = (inputShape[0], inputShape[1], inputShape[2]), (oh, ow) = (outputShape[0], outputShape[1])
        for b in 0..<batch {
            for y in 0..<oh { body(((b * h + y + crops.top) * w + crops.left) * c, (b * oh + y) * ow * c) }
        }
    }

    public func forward(_ io: LayerIO) {
        let row = outputShape[1] * outputShape[2]
        forEachRow(batch: io.batch) { i, o in copyFloats(io.output + o, from: io.input + i, count: row) }
    }

    public func backward(_ io: LayerIO, _ gradients: LayerGradients) {
        guard let dx = gradients.input else { return }
        let row = outputShape[1] * outputShape[2]
        dx.update(repeating: 0, count: io.batch * inputShape.elementCount)
        forEachRow(batch: io.batch) { i, o in copyFloats(dx + i, from: gradients.output + o, count: row) }
    }
}

// What it says about itself (LayerDescription.swift).
extension Cropping2D {
    public var operation: OperationDescription {
        OperationDescription("crop", ["crops": .ints([crops.top, crops.left])])
    }
    /// Output cell `(i, j)` is input cell `(i + top, j + left)`: a 1×1 window that starts
    /// inside the grid (a negative padding).
    public var gridMapping: GridMapping {
        .window(span: .init(1, 1), stride: .init(1, 1), padding: .init(-crops.top, -crops.left))
    }
    public var propagation: PropagationRole { .routing }
}
