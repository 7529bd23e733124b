/// All trainable values of a model in one flat vector, with the name, layer, offset and
/// shape of each tensor (`conv2d_1/kernel`, `conv2d_1/bias`, …).
///
/// One flat vector keeps optimizers to a single loop and lets each layer find its
/// parameters as one contiguous slice.
public struct ParameterSet: Sendable, Equatable {
    /// One named tensor inside the flat vector.
    public struct Entry: Sendable, Equatable {
        /// `<layer>/<parameter>`, the safetensors key.
        public let key: String
        public let layer: Int
        public let offset: Int
        public let shape: [Int]
        public let initializer: ParameterShape.Initializer
        public let role: ParameterShape.Role
        /// Whether gradient descent changes it: false for moving statistics and constants,
        /// which get no gradient.
        public var trainable: Bool { role == .learned }
        public var count: Int { shape.elementCount }
        public var range: Range<Int> { offset..<offset + count }
    }

    public var values: [Float]
    public let entries: [Entry]
    /// Offset of each layer's slice (layers without parameters get the next offset).
    public let layerOffsets: [Int]

    /// A zero-filled set laid out for `layers`.
    public init(layers: [any Layer]) {
        var entries: [Entry] = [], offsets: [Int] = [], offset = 0
        for (index, layer) in layers.enumerated() {
            offsets.append(offset)
            for parameter in layer.parameterShapes {
                entries.append(
                    Entry(
                        key: "\(layer.name)/\(parameter.key)", layer: index, offset: offset, shape: parameter.shape,
                        initializer: parameter.initializer, role: parameter.role))
                offset += parameter.shape.elementCount
            }
        }
        self.entries = entries
        self.layerOffsets = offsets
        self.values = [Float](repeating: 0, count: offset)
    }

    /// The values held, constants included.
    public var count: Int { values.count }

    /// The values counted as the model's parameters, as PyTorch and Keras count them:
    /// learned ones and moving statistics, not constants of the graph.
    public var parameterCount: Int { entries.filter { $0.role != .constant }.reduce(0) { $0 + $1.count } }

    /// The number of values training changes by gradient descent.
    public var trainableCount: Int { entries.filter(\.trainable).reduce(0) { $0 + $1.count } }

    public func entry(_ key: String) -> Entry? { entries.first { $0.key == key } }

    /// The named tensor, copied out.
    public subscript(key: String) -> Tensor? {
        guard let entry = entry(key) else { return nil }
        return Tensor(shape: entry.shape, scalars: Array(values[entry.range]))
    }

    /// Replaces the named tensor's values; the shape must match.
    public mutating func set(_ key: String, _ tensor: Tensor) {
        guard let entry = entry(key) else { preconditionFailure("no parameter \(key)") }
        precondition(entry.shape == tensor.shape, "\(key): shape \(tensor.shape) != \(entry.shape)")
        values.replaceSubrange(entry.range, with: tensor.scalars)
    }
}
