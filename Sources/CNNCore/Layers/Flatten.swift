/// Flattens each sample to one dimension in (h, w, c) order, as Keras does on
/// channels-last data; the memory layout is unchanged.
public struct Flatten: Layer {
    public let name: String
    public let inputShape: [Int]

    public var kind: String { "Flatten" }
    public var outputShape: [Int] { [inputShape.elementCount] }
    public var activation: Activation { .linear }
    public var parameterShapes: [ParameterShape] { [] }
    public var multiplyAccumulates: Int { 0 }

    public init(name: String, inputShape: [Int]) {
        self.name = name
        self.inputShape = inputShape
    }

    public func scratchCount(batch: Int) -> Int { 0 }

    public func forward(_ io: LayerIO) {
        copyFloats(io.output, from: io.input, count: io.batch * inputShape.elementCount)
    }

    public func backward(_ io: LayerIO, _ gradients: LayerGradients) {
        if let dx = gradients.input {
            copyFloats(dx, from: gradients.output, count: io.batch * inputShape.elementCount)
        }
    }
}

// What it says about itself (LayerDescription.swift): it only rearranges or keeps values, so a
// backend runs it as the identity on flat buffers.
extension Flatten {
    public var operation: OperationDescription { OperationDescription("identity") }
    public var gridMapping: GridMapping { .noGrid }
    public var propagation: PropagationRole { .routing }
}
