/// Channels picked from each position in a given order: output channel `k` is input channel
/// `channels[k]`. A permutation is ShuffleNet's channel shuffle (exported as a reshape of the
/// channels into groups, a transpose of the groups and a reshape back); a range is one part
/// of an ONNX `Split` or a `Slice` along the channels (ShuffleNetV2's `chunk`).
public struct ChannelGather: Layer {
    public let name: String
    public let inputShape: [Int]
    /// For each output channel, the input channel it takes.
    public let channels: [Int]
    /// The class name shown in summaries (`ChannelShuffle`, `Split`, `Slice`).
    public let kind: String

    public var outputShape: [Int] { Array(inputShape.dropLast()) + [channels.count] }
    public var activation: Activation { .linear }
    public var parameterShapes: [ParameterShape] { [] }
    public var multiplyAccumulates: Int { 0 }

    public init(name: String, inputShape: [Int], channels: [Int], kind: String = "ChannelGather") {
        precondition(
            !inputShape.isEmpty && !channels.isEmpty && channels.allSatisfy { (0..<inputShape.last!).contains($0) },
            "a channel gather needs channels of its input")
        self.name = name
        self.inputShape = inputShape
        self.channels = channels
        self.kind = kind
    }

    /// The permutation that splits `channels` into `groups` and reads them group-interleaved
    /// (ShuffleNet's shuffle: reshape to [groups, channels / groups], transpose, flatten).
    public static func shuffle(channels: Int, groups: Int) -> [Int] {
        let perGroup = channels / groups
        return (0..<channels).map { k in (k % groups) * perGroup + k / groups }
    }

    public func scratchCount(batch: Int) -> Int { 0 }

    public func forward(_ io: LayerIO) {
        let c = inputShape.last!, m = channels.count, positions = io.batch * inputShape.elementCount / c
        channels.withUnsafeBufferPointer { picked in
            for p in 0..<positions {
                let x = io.input + p * c, y = io.output + p * m
                for k in 0..<m { y[k] = x[picked[k]] }
            }
        }
    }

    public func backward(_ io: LayerIO, _ gradients: LayerGradients) {
        guard let dx = gradients.input else { return }
        let c = inputShape.last!, m = channels.count, positions = io.batch * inputShape.elementCount / c
        dx.update(repeating: 0, count: positions * c)
        channels.withUnsafeBufferPointer { picked in
            for p in 0..<positions {
                let g = gradients.output + p * m, d = dx + p * c
                for k in 0..<m { d[picked[k]] += g[k] }
            }
        }
    }
}
