/// The element-wise sum of several inputs of one shape (Keras `Add`, ONNX `Add`): the
/// join of a residual block.
public struct Add: Layer {
    public let name: String
    public let inputShapes: [[Int]]

    public var kind: String { "Add" }
    public var inputShape: [Int] { inputShapes[0] }
    public var outputShape: [Int] { inputShapes[0] }
    public var activation: Activation { .linear }
    public var parameterShapes: [ParameterShape] { [] }
    public var multiplyAccumulates: Int { 0 }

    public init(name: String, inputShapes: [[Int]]) {
        precondition(inputShapes.count >= 2 && inputShapes.allSatisfy { $0 == inputShapes[0] }, "Add: unequal shapes")
        self.name = name
        self.inputShapes = inputShapes
    }

    public func scratchCount(batch: Int) -> Int { 0 }

    public func forward(_ io: LayerIO) {
        let count = io.batch * outputShape.elementCount
        copyFloats(io.output, from: io.input, count: count)
        for x in io.extraInputs { for i in 0..<count { io.output[i] += x[i] } }
    }

    public func backward(_ io: LayerIO, _ gradients: LayerGradients) {
        let count = io.batch * outputShape.elementCount
        for dx in [gradients.input] + gradients.extraInputs {
            if let dx { copyFloats(dx, from: gradients.output, count: count) }
        }
    }
}

/// Inputs joined along one axis (Keras `Concatenate`, ONNX `Concat`); `axis` counts the
/// per-sample dimensions, so -1 (the default) is the channels of an NHWC image.
public struct Concatenate: Layer {
    public let name: String
    public let inputShapes: [[Int]]
    /// The axis within a sample's shape, from 0.
    public let axis: Int

    public var kind: String { "Concatenate" }
    public var inputShape: [Int] { inputShapes[0] }
    public var outputShape: [Int] {
        var shape = inputShapes[0]
        shape[axis] = inputShapes.reduce(0) { $0 + $1[axis] }
        return shape
    }
    public var activation: Activation { .linear }
    public var parameterShapes: [ParameterShape] { [] }
    public var multiplyAccumulates: Int { 0 }

    /// `axis` may count from the end (-1: the last).
    public init(name: String, inputShapes: [[Int]], axis: Int = -1) {
        let rank = inputShapes[0].count
        let axis = axis < 0 ? axis + rank : axis
        precondition(inputShapes.count >= 2 && (0..<rank).contains(axis), "Concatenate: bad axis")
        precondition(
            inputShapes.allSatisfy { s in
                s.count == rank && s.indices.allSatisfy { $0 == axis || s[$0] == inputShapes[0][$0] }
            },
            "Concatenate: shapes differ off the axis")
        self.name = name
        self.inputShapes = inputShapes
        self.axis = axis
    }

    public func scratchCount(batch: Int) -> Int { 0 }

    /// Visits, for each input, its blocks: (input index, offset in it, offset in the output, length).
    @inline(__always)
    private func forEachBlock(batch: Int, _ body: (_ input: Int, _ from: Int, _ to: Int, _ count: Int) -> Void) {
        let inner = inputShapes[0][(axis + 1)...].reduce(1, *)
        let outer = batch * inputShapes[0][..<axis].reduce(1, *)
        let total = outputShape[axis] * inner
        var start = 0
        for (n, shape) in inputShapes.enumerated() {
            let block = shape[axis] * inner
            for o in 0..<outer { body(n, o * block, o * total + start, block) }
            start += block
        }
    }

    public func forward(_ io: LayerIO) {
        let sources = [io.input] + io.extraInputs
        forEachBlock(batch: io.batch) { n, from, to, count in
            copyFloats(io.output + to, from: sources[n] + from, count: count)
        }
    }

    public func backward(_ io: LayerIO, _ gradients: LayerGradients) {
        let targets = [gradients.input] + gradients.extraInputs
        forEachBlock(batch: io.batch) { n, from, to, count in
            if let dx = targets[n] { copyFloats(dx + from, from: gradients.output + to, count: count) }
        }
    }
}

/// The same values in another per-sample shape (Keras `Reshape`); memory is unchanged.
public struct Reshape: Layer {
    public let name: String
    public let inputShape: [Int]
    public let outputShape: [Int]

    public var kind: String { "Reshape" }
    public var activation: Activation { .linear }
    public var parameterShapes: [ParameterShape] { [] }
    public var multiplyAccumulates: Int { 0 }

    public init(name: String, inputShape: [Int], outputShape: [Int]) {
        precondition(inputShape.elementCount == outputShape.elementCount, "Reshape changes the element count")
        self.name = name
        self.inputShape = inputShape
        self.outputShape = outputShape
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

/// The element-wise product of two inputs (Keras `Multiply`, ONNX `Mul`): of one shape, or
/// a feature map times a per-channel vector of the same sample (`[1, 1, C]`, as global
/// pooling with kept dimensions makes it), broadcast over the positions — the gate of a
/// squeeze-and-excitation block (Hu et al., 2018), as MobileNetV3 and EfficientNet have.
public struct Multiply: Layer {
    public let name: String
    public let inputShapes: [[Int]]

    public var kind: String { "Multiply" }
    public var inputShape: [Int] { inputShapes[0] }
    public var outputShape: [Int] { inputShapes[0] }
    public var activation: Activation { .linear }
    public var parameterShapes: [ParameterShape] { [] }
    public var multiplyAccumulates: Int { inputShapes[0].elementCount }

    /// Whether the second input is one value per channel, broadcast over the positions.
    public var broadcastsChannels: Bool { inputShapes[1] != inputShapes[0] }

    /// Whether `b` can multiply `a`: the same shape, or ones but for `a`'s channel count last.
    public static func fits(_ a: [Int], _ b: [Int]) -> Bool {
        a == b || (b.last == a.last && b.dropLast().allSatisfy { $0 == 1 } && b.count <= a.count)
    }

    public init(name: String, inputShapes: [[Int]]) {
        precondition(inputShapes.count == 2 && Self.fits(inputShapes[0], inputShapes[1]), "Multiply: shapes differ")
        self.name = name
        self.inputShapes = inputShapes
    }

    public func scratchCount(batch: Int) -> Int { 0 }

    /// Per sample: positions, channels, and the second input's values per sample.
    private var layout: (positions: Int, channels: Int, other: Int) {
        let channels = inputShapes[0].last ?? 1
        return (inputShapes[0].elementCount / channels, channels, inputShapes[1].elementCount)
    }

    public func forward(_ io: LayerIO) {
        let (positions, channels, other) = layout
        let a = SharedPointer(io.input), b = SharedPointer(io.extraInputs[0]), y = SharedPointer(io.output)
        let broadcasts = broadcastsChannels
        eachPart(io, rows: io.batch * positions) { rows in
            for r in rows {
                let n = r / positions, at = r * channels
                let an = a.base + at, yn = y.base + at
                let bn = b.base + n * other + (broadcasts ? 0 : (r % positions) * channels)
                for c in 0..<channels { yn[c] = an[c] * bn[c] }
            }
        }
    }

    public func backward(_ io: LayerIO, _ gradients: LayerGradients) {
        let (positions, channels, other) = layout
        let a = SharedPointer(io.input), b = SharedPointer(io.extraInputs[0]), dy = SharedPointer(gradients.output)
        let broadcasts = broadcastsChannels
        let db = gradients.extraInputs[0].map(SharedPointer.init)
        if let db {
            if broadcasts {
                // Per sample, the gradient of each channel's factor: a sum over the positions.
                eachPart(io, rows: io.batch) { samples in
                    for n in samples {
                        let dbn = db.base + n * other
                        dbn.update(repeating: 0, count: channels)
                        for p in 0..<positions {
                            let at = (n * positions + p) * channels
                            let dyp = dy.base + at, ap = a.base + at
                            for c in 0..<channels { dbn[c] += dyp[c] * ap[c] }
                        }
                    }
                }
            } else {
                eachPart(io, rows: io.batch * positions) { rows in
                    for r in rows {
                        let at = r * channels
                        for c in 0..<channels { db.base[at + c] = dy.base[at + c] * a.base[at + c] }
                    }
                }
            }
        }
        if let da = gradients.input.map(SharedPointer.init) {
            eachPart(io, rows: io.batch * positions) { rows in
                for r in rows {
                    let at = r * channels
                    let bn = b.base + (r / positions) * other + (broadcasts ? 0 : (r % positions) * channels)
                    let dan = da.base + at, dyr = dy.base + at
                    for c in 0..<channels { dan[c] = dyr[c] * bn[c] }
                }
            }
        }
    }

    /// Runs `body` over `0..<rows` split across the layer's threads, in parts of at least
    /// `minimumPart` elements: a region costs more than a small map takes.
    private func eachPart(_ io: LayerIO, rows: Int, _ body: @Sendable (Range<Int>) -> Void) {
        let elements = io.batch * inputShape.elementCount
        let parts = splitRange(rows, parts: min(io.threads, Parallelism.workers, max(1, elements / Self.minimumPart)))
        Parallelism.run(parts.count) { p in body(parts[p]) }
    }

    /// Elements below which one thread does a part alone.
    private static let minimumPart = 16_384
}

// What it says about itself (LayerDescription.swift).
extension Add {
    public var operation: OperationDescription { OperationDescription("add") }
    public var gridMapping: GridMapping { .sameGrid }
    public var propagation: PropagationRole { .sum }
}

// What it says about itself (LayerDescription.swift).
extension Multiply {
    public var operation: OperationDescription { OperationDescription("multiply") }
    public var gridMapping: GridMapping { .sameGrid }
    public var propagation: PropagationRole { .product }
}

// What it says about itself (LayerDescription.swift).
extension Concatenate {
    public var operation: OperationDescription { OperationDescription("concat", ["axis": .int(axis)]) }
    /// Inputs joined along their channels share one grid; joined along another axis, they do not.
    public var gridMapping: GridMapping {
        outputShape.count == 3 && axis == 2 ? .sameGrid : .noGrid
    }
    public var propagation: PropagationRole { .routing }
}

// What it says about itself (LayerDescription.swift): it only rearranges or keeps values, so a
// backend runs it as the identity on flat buffers.
extension Reshape {
    public var operation: OperationDescription { OperationDescription("identity") }
    public var gridMapping: GridMapping { .noGrid }
    public var propagation: PropagationRole { .routing }
}
