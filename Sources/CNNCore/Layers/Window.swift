/// Keras's padding modes: `valid` (no padding) and `same` (zero padding so that the
/// output is `ceil(input / stride)`, the extra row or column going bottom/right).
/// ONNX and PyTorch models give explicit `Pads` instead.
public enum Padding: String, Sendable, CaseIterable {
    case valid, same

    /// The padding of a window of `window` cells (before dilation) moved by `stride`
    /// over `input` cells.
    func pads(input: Int, window: Int, stride: Int, dilation: Int = 1) -> (before: Int, after: Int) {
        switch self {
        case .valid:
            return (0, 0)
        case .same:
            let span = (window - 1) * dilation + 1
            let length = (input + stride - 1) / stride
            let total = max((length - 1) * stride + span - input, 0)
            return (total / 2, total - total / 2)
        }
    }
}

/// Zero (or, for max pooling, ignored) cells added around each image.
public struct Pads: Sendable, Hashable, CustomStringConvertible {
    public var top: Int
    public var bottom: Int
    public var left: Int
    public var right: Int

    public init(top: Int, bottom: Int, left: Int, right: Int) {
        self.top = top
        self.bottom = bottom
        self.left = left
        self.right = right
    }

    public static let zero = Pads(top: 0, bottom: 0, left: 0, right: 0)

    public var isZero: Bool { self == .zero }

    /// The padding Keras's mode gives a window on `input` (`[h, w, …]`).
    public init(
        _ padding: Padding, input: [Int], window: (Int, Int), strides: (Int, Int), dilations: (Int, Int) = (1, 1)
    ) {
        let rows = padding.pads(input: input[0], window: window.0, stride: strides.0, dilation: dilations.0)
        let cols = padding.pads(input: input[1], window: window.1, stride: strides.1, dilation: dilations.1)
        self.init(top: rows.before, bottom: rows.after, left: cols.before, right: cols.after)
    }

    public var description: String { "[[\(top), \(bottom)], [\(left), \(right)]]" }

    /// The number of window positions along one axis (0 when the window does not fit).
    static func outputLength(
        input: Int, before: Int, after: Int, window: Int, stride: Int, dilation: Int = 1
    )
        -> Int
    {
        let span = (window - 1) * dilation + 1, padded = input + before + after
        return padded >= span ? (padded - span) / stride + 1 : 0
    }

    /// The output height and width of a window on `input` (`[h, w, …]`).
    package func outputSize(
        input: [Int], window: (Int, Int), strides: (Int, Int), dilations: (Int, Int) = (1, 1)
    )
        -> (height: Int, width: Int)
    {
        (
            Pads.outputLength(
                input: input[0], before: top, after: bottom, window: window.0, stride: strides.0,
                dilation: dilations.0),
            Pads.outputLength(
                input: input[1], before: left, after: right, window: window.1, stride: strides.1,
                dilation: dilations.1)
        )
    }
}
