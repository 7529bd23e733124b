/// The channels of each position in another order: output channel `k` is input channel
/// `order[k]`. ShuffleNet's channel shuffle is one (exported as a reshape of the channels
/// into groups, a transpose of the groups and a reshape back).
public struct ChannelPermutation: Layer {
    public let name: String
    public let inputShape: [Int]
    /// For each output channel, the input channel it takes.
    public let order: [Int]

    public var kind: String { "ChannelPermutation" }
    public var outputShape: [Int] { inputShape }
    public var activation: Activation { .linear }
    public var parameterShapes: [ParameterShape] { [] }
    public var multiplyAccumulates: Int { 0 }

    public init(name: String, inputShape: [Int], order: [Int]) {
        precondition(
            !inputShape.isEmpty && order.count == inputShape[inputShape.count - 1]
                && Set(order) == Set(0..<order.count),
            "a channel permutation needs each channel once")
        self.name = name
        self.inputShape = inputShape
        self.order = order
    }

    /// The permutation that splits `channels` into `groups` and reads them group-interleaved
    /// (ShuffleNet's shuffle: reshape to [groups, channels / groups], transpose, flatten).
    public static func shuffle(channels: Int, groups: Int) -> [Int] {
        let perGroup = channels / groups
        return (0..<channels).map { k in (k % groups) * perGroup + k / groups }
    }

    public func scratchCount(batch: Int) -> Int { 0 }

    public func forward(_ io: LayerIO) {
        let c = order.count, positions = io.batch * inputShape.elementCount / c
        order.withUnsafeBufferPointer { order in
            for p in 0..<positions {
                let x = io.input + p * c, y = io.output + p * c
                for k in 0..<c { y[k] = x[order[k]] }
            }
        }
    }

    public func backward(_ io: LayerIO, _ gradients: LayerGradients) {
        guard let dx = gradients.input else { return }
        let c = order.count, positions = io.batch * inputShape.elementCount / c
        order.withUnsafeBufferPointer { order in
            for p in 0..<positions {
                let g = gradients.output + p * c, d = dx + p * c
                for k in 0..<c { d[order[k]] = g[k] }
            }
        }
    }
}
