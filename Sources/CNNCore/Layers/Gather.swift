/// Entries picked along one axis in a given order: output entry `k` of `axis` is input
/// entry `indices[k]`. Along the channels, a permutation is ShuffleNet's channel shuffle
/// (exported as a reshape of the channels into groups, a transpose of the groups and a
/// reshape back) and a range one part of an ONNX `Split` or `Slice` (ShuffleNetV2's
/// `chunk`); along another axis, it is a Vision Transformer's query, key and value taken
/// apart, or its class token taken out for the classifier.
public struct Gather: Layer {
    public let name: String
    public let inputShape: [Int]
    /// The axis within a sample's shape, from 0.
    public let axis: Int
    /// For each output entry along `axis`, the input entry it takes.
    public let indices: [Int]
    /// The class name shown in summaries (`ChannelShuffle`, `Split`, `Slice`, `Gather`).
    public let kind: String

    public var outputShape: [Int] {
        var shape = inputShape
        shape[axis] = indices.count
        return shape
    }
    public var activation: Activation { .linear }
    public var parameterShapes: [ParameterShape] { [] }
    public var multiplyAccumulates: Int { 0 }

    /// `axis` may count from the end (-1, the default: the channels).
    public init(name: String, inputShape: [Int], axis: Int = -1, indices: [Int], kind: String = "Gather") {
        let axis = axis < 0 ? axis + inputShape.count : axis
        precondition(
            inputShape.indices.contains(axis) && !indices.isEmpty
                && indices.allSatisfy { (0..<inputShape[axis]).contains($0) },
            "a gather needs entries of its input's axis")
        self.name = name
        self.inputShape = inputShape
        self.axis = axis
        self.indices = indices
        self.kind = kind
    }

    /// The permutation that splits `channels` into `groups` and reads them group-interleaved
    /// (ShuffleNet's shuffle: reshape to [groups, channels / groups], transpose, flatten).
    public static func shuffle(channels: Int, groups: Int) -> [Int] {
        let perGroup = channels / groups
        return (0..<channels).map { k in (k % groups) * perGroup + k / groups }
    }

    public func scratchCount(batch: Int) -> Int { 0 }

    /// Per sample: the blocks before the axis, the axis's length and the values per entry.
    private var layout: (outer: Int, length: Int, inner: Int) {
        (inputShape[..<axis].reduce(1, *), inputShape[axis], inputShape[(axis + 1)...].reduce(1, *))
    }

    public func forward(_ io: LayerIO) {
        let (outer, length, inner) = layout, m = indices.count
        indices.withUnsafeBufferPointer { picked in
            for o in 0..<io.batch * outer {
                let x = io.input + o * length * inner, y = io.output + o * m * inner
                if inner == 1 {
                    for k in 0..<m { y[k] = x[picked[k]] }
                } else {
                    for k in 0..<m { copyFloats(y + k * inner, from: x + picked[k] * inner, count: inner) }
                }
            }
        }
    }

    public func backward(_ io: LayerIO, _ gradients: LayerGradients) {
        guard let dx = gradients.input else { return }
        let (outer, length, inner) = layout, m = indices.count
        dx.update(repeating: 0, count: io.batch * outer * length * inner)
        indices.withUnsafeBufferPointer { picked in
            for o in 0..<io.batch * outer {
                let g = gradients.output + o * m * inner, d = dx + o * length * inner
                for k in 0..<m {
                    let from = g + k * inner, to = d + picked[k] * inner
                    for i in 0..<inner { to[i] += from[i] }
                }
            }
        }
    }
}

// What it says about itself (LayerDescription.swift).
extension Gather {
    public var operation: OperationDescription {
        OperationDescription("gather", ["axis": .int(axis), "indices": .ints(indices)])
    }
    /// Channels picked from an image keep its grid; entries of another axis do not.
    public var gridMapping: GridMapping { inputShape.count == 3 && axis == 2 ? .sameGrid : .noGrid }
    public var propagation: PropagationRole { .routing }
}
