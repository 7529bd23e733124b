/// Inverted dropout (Keras `Dropout`): identity at inference; in training each input is
/// zeroed with probability `rate` and the survivors scaled by `1 / (1 - rate)`.
///
/// A sample's mask is drawn from a generator keyed by the training seed, the step, the
/// layer and the sample's index in the batch, so training is reproducible however the
/// batch is split across threads.
public struct Dropout: Layer {
    public let name: String
    public let inputShape: [Int]
    public let rate: Float

    public var kind: String { "Dropout" }
    public var outputShape: [Int] { inputShape }
    public var activation: Activation { .linear }
    public var parameterShapes: [ParameterShape] { [] }
    public var multiplyAccumulates: Int { 0 }

    public init(name: String, inputShape: [Int], rate: Float) {
        self.name = name
        self.inputShape = inputShape
        self.rate = rate
    }

    /// The mask of the last training forward pass.
    public func scratchCount(batch: Int) -> Int { batch * inputShape.elementCount }

    public func forward(_ io: LayerIO) {
        let size = inputShape.elementCount
        guard let key = io.dropout, rate > 0 else {
            copyFloats(io.output, from: io.input, count: io.batch * size)
            return
        }
        let keep = 1 / (1 - rate)
        for b in 0..<io.batch {
            var random = SeededRandom(
                seed: key.seed, stream: key.step, UInt64(io.layerIndex),
                UInt64(key.firstSample + b))
            let mask = io.scratch + b * size, x = io.input + b * size, y = io.output + b * size
            for i in 0..<size {
                mask[i] = random.nextUnit() < rate ? 0 : keep
                y[i] = x[i] * mask[i]
            }
        }
    }

    public func backward(_ io: LayerIO, _ gradients: LayerGradients) {
        guard let dx = gradients.input else { return }
        let count = io.batch * inputShape.elementCount
        if io.dropout != nil && rate > 0 {
            for i in 0..<count { dx[i] = gradients.output[i] * io.scratch[i] }
        } else {
            copyFloats(dx, from: gradients.output, count: count)
        }
    }
}

// What it says about itself (LayerDescription.swift): it only rearranges or keeps values, so a
// backend runs it as the identity on flat buffers.
extension Dropout {
    public var operation: OperationDescription { OperationDescription("identity") }
    public var gridMapping: GridMapping { .sameGrid }
    public var propagation: PropagationRole { .scaling }
}
