/// An image resized to another height and width (ONNX `Resize`, PyTorch's `Upsample` and
/// `interpolate`, Keras `UpSampling2D`): each output value a weighted sum of at most two
/// input rows and two input columns, the taps worked out once from the mode and the
/// coordinate convention.
public struct Resize2D: Layer {
    /// How output values are read from input values.
    public enum Mode: String, Sendable { case nearest, linear }

    /// Where an output coordinate lands on the input axis (ONNX's
    /// `coordinate_transformation_mode`).
    public enum Coordinates: String, Sendable {
        /// (x + 0.5) / scale − 0.5: pixel centres aligned (ONNX's default, Keras's bilinear).
        case halfPixel = "half_pixel"
        /// The same, but 0 when the output axis has one cell (PyTorch's `align_corners=False`).
        case pytorchHalfPixel = "pytorch_half_pixel"
        /// x / scale (PyTorch's and Keras's nearest upsampling).
        case asymmetric
        /// x · (in − 1) / (out − 1): the corner pixels aligned. With a scale given, `out` is
        /// `in · scale` unrounded, as ONNX defines it (onnx/onnx#2462).
        case alignCorners = "align_corners"
    }

    /// How a nearest lookup rounds (ONNX's `nearest_mode`).
    public enum Rounding: String, Sendable {
        case roundPreferFloor = "round_prefer_floor", roundPreferCeil = "round_prefer_ceil", floor, ceil
    }

    /// One output index's reading of an input axis: `(1 − weight) · x[first] + weight · x[second]`.
    public struct Tap: Sendable, Equatable {
        public let first: Int
        public let second: Int
        public let weight: Float
    }

    public let name: String
    public let inputShape: [Int]
    public let outputSize: (height: Int, width: Int)
    public let mode: Mode
    public let coordinates: Coordinates
    public let rounding: Rounding
    /// The scale of each axis, output over input, as the file gives it (ONNX computes
    /// coordinates from the given scale, not from the rounded sizes).
    public let scales: (height: Float, width: Float)
    public let rows: [Tap]
    public let columns: [Tap]

    public var kind: String { "Resize" }
    public var outputShape: [Int] { [outputSize.height, outputSize.width, inputShape[2]] }
    public var activation: Activation { .linear }
    public var parameterShapes: [ParameterShape] { [] }
    public var multiplyAccumulates: Int { outputShape.elementCount * (mode == .linear ? 4 : 1) }

    public init(
        name: String, inputShape: [Int], outputSize: (height: Int, width: Int), mode: Mode,
        coordinates: Coordinates = .halfPixel, rounding: Rounding = .roundPreferFloor,
        scales: (height: Float, width: Float)? = nil
    ) {
        precondition(inputShape.count == 3 && outputSize.height > 0 && outputSize.width > 0, "Resize2D needs sizes")
        self.name = name
        self.inputShape = inputShape
        self.outputSize = outputSize
        self.mode = mode
        self.coordinates = coordinates
        self.rounding = rounding
        let scales =
            scales ?? (Float(outputSize.height) / Float(inputShape[0]), Float(outputSize.width) / Float(inputShape[1]))
        self.scales = scales
        rows = Self.taps(
            input: inputShape[0], output: outputSize.height, scale: scales.height, mode, coordinates, rounding)
        columns = Self.taps(
            input: inputShape[1], output: outputSize.width, scale: scales.width, mode, coordinates, rounding)
    }

    /// The taps of one axis.
    static func taps(
        input: Int, output: Int, scale: Float, _ mode: Mode, _ coordinates: Coordinates, _ rounding: Rounding
    ) -> [Tap] {
        let resized = Float(input) * scale
        return (0..<output).map { i in
            let x = Float(i)
            var source: Float =
                switch coordinates {
                case .halfPixel: (x + 0.5) / scale - 0.5
                case .pytorchHalfPixel: output > 1 ? (x + 0.5) / scale - 0.5 : 0
                case .asymmetric: x / scale
                case .alignCorners: resized != 1 ? x * Float(input - 1) / (resized - 1) : 0
                }
            switch mode {
            case .nearest:
                let rounded: Float =
                    switch rounding {
                    case .roundPreferFloor:
                        source.rounded(.up) - source == 0.5 ? source.rounded(.down) : source.rounded()
                    case .roundPreferCeil: source.rounded()
                    case .floor: source.rounded(.down)
                    case .ceil: source.rounded(.up)
                    }
                let index = min(max(Int(rounded), 0), input - 1)
                return Tap(first: index, second: index, weight: 0)
            case .linear:
                source = min(max(source, 0), Float(input - 1))
                let first = Int(source.rounded(.down)), second = min(first + 1, input - 1)
                return Tap(first: first, second: second, weight: source - Float(first))
            }
        }
    }

    public func scratchCount(batch: Int) -> Int { 0 }

    public func forward(_ io: LayerIO) {
        let (h, w, c) = (inputShape[0], inputShape[1], inputShape[2]), (oh, ow) = outputSize
        for b in 0..<io.batch {
            let x = io.input + b * h * w * c, y = io.output + b * oh * ow * c
            for (i, r) in rows.enumerated() {
                for (j, t) in columns.enumerated() {
                    let out = y + (i * ow + j) * c
                    let a = x + (r.first * w + t.first) * c, b2 = x + (r.first * w + t.second) * c
                    let d = x + (r.second * w + t.first) * c, e = x + (r.second * w + t.second) * c
                    for k in 0..<c {
                        let top = a[k] + t.weight * (b2[k] - a[k]), bottom = d[k] + t.weight * (e[k] - d[k])
                        out[k] = top + r.weight * (bottom - top)
                    }
                }
            }
        }
    }

    public func backward(_ io: LayerIO, _ gradients: LayerGradients) {
        guard let dx = gradients.input else { return }
        let (h, w, c) = (inputShape[0], inputShape[1], inputShape[2]), (oh, ow) = outputSize
        dx.update(repeating: 0, count: io.batch * h * w * c)
        for b in 0..<io.batch {
            let d = dx + b * h * w * c, g = gradients.output + b * oh * ow * c
            for (i, r) in rows.enumerated() {
                for (j, t) in columns.enumerated() {
                    let dy = g + (i * ow + j) * c
                    func spread(_ row: Int, _ column: Int, _ weight: Float) {
                        guard weight != 0 else { return }
                        let target = d + (row * w + column) * c
                        for k in 0..<c { target[k] += weight * dy[k] }
                    }
                    spread(r.first, t.first, (1 - r.weight) * (1 - t.weight))
                    spread(r.first, t.second, (1 - r.weight) * t.weight)
                    spread(r.second, t.first, r.weight * (1 - t.weight))
                    spread(r.second, t.second, r.weight * t.weight)
                }
            }
        }
    }
}

// What it says about itself (LayerDescription.swift).
extension Resize2D {
    /// The taps, which the mode and coordinate convention come down to: each output row's
    /// two input rows and the weight of the second, and the same for columns.
    public var operation: OperationDescription {
        OperationDescription(
            "resize",
            [
                "rows": .ints(rows.flatMap { [$0.first, $0.second] }), "row_weights": .floats(rows.map(\.weight)),
                "columns": .ints(columns.flatMap { [$0.first, $0.second] }),
                "column_weights": .floats(columns.map(\.weight)),
            ])
    }
    /// Output cells lie on the input grid at a fractional stride, which a window cannot say.
    public var gridMapping: GridMapping { .noGrid }
    /// A weighted sum of input values with fixed, non-negative weights, as average pooling.
    public var propagation: PropagationRole { .sum }
}
