/// What a layer says about itself, so that code outside the core — receptive fields and CAM
/// placement, LRP and DeepLIFT, the browser's runtime — asks the layer instead of testing
/// its type. Each is a requirement of `Layer` with no default: a new layer that does not
/// answer one is a compile error, not a silent `default:` somewhere else.

/// How a layer's output grid lies on its (first) input's grid.
public enum GridMapping: Sendable, Equatable {
    /// Output cell `(i, j)` reads a window of the input: `span` cells (dilation included)
    /// moved by `stride`, the first starting `padding` cells before the grid.
    case window(span: Extent, stride: Extent, padding: Extent)
    /// Output cell `(i, j)` sits on input cell `(i, j)` (elementwise and per-channel layers,
    /// and merges of inputs on one grid).
    case sameGrid
    /// The output has no grid: a vector, a global pooling, a reshape of the values.
    case noGrid

    /// A window of `size` (dilated by `dilations`) moved by `strides`, padded by `pads`.
    static func window(
        size: (height: Int, width: Int), strides: (height: Int, width: Int), pads: Pads,
        dilations: (height: Int, width: Int) = (1, 1)
    ) -> GridMapping {
        .window(
            span: Extent((size.height - 1) * dilations.height + 1, (size.width - 1) * dilations.width + 1),
            stride: Extent(strides.height, strides.width), padding: Extent(pads.top, pads.left))
    }

    /// A height and a width.
    public struct Extent: Sendable, Equatable {
        public var height: Int
        public var width: Int

        public init(_ height: Int, _ width: Int) {
            self.height = height
            self.width = width
        }
    }
}

/// The part a layer plays when relevance (LRP) or multipliers (DeepLIFT) are handed back
/// through it, after Zennit's layer map and Captum's DeepLIFT rules.
public enum PropagationRole: Sendable, Equatable {
    /// A weighted sum with parameters (convolutions, dense layers; `AffineLayer`): LRP
    /// applies its composite's rule, DeepLIFT the secant of the activation.
    case affine
    /// A nonlinearity applied to each value: LRP passes relevance through, DeepLIFT
    /// rescales by the secant.
    case activation
    /// A fixed linear map of each value or channel (batch normalization at inference, a
    /// per-channel affine map, dropout): LRP passes relevance through; DeepLIFT's
    /// multipliers are the gradient.
    case scaling
    /// Moves values without arithmetic (flatten, reshape, padding, concatenation): both
    /// follow the gradient.
    case routing
    /// Selects maxima (max pooling): LRP follows the gradient (winner takes all), DeepLIFT
    /// uses Captum's rule for the image's and the reference's winners.
    case maximum
    /// Sums its inputs without weights (addition, average pooling): LRP shares relevance in
    /// proportion to each input's contribution (the Norm rule); DeepLIFT follows the gradient.
    case sum
    /// Multiplies its inputs together: neither method has a rule.
    case product
    /// Divides each value by a function of its neighbours (local response normalization,
    /// layer normalization):
    /// neither method has a rule (Zennit and Captum have none either), so both refuse it
    /// by name rather than pass relevance through a layer that rescales it unevenly.
    case normalization
}

/// A layer's operation as a backend reads it (the browser's runtime today): a name and
/// settings, from which the layer can be rebuilt, its shapes and parameters aside.
public struct OperationDescription: Sendable, Equatable {
    /// One setting's value.
    public enum Value: Sendable, Equatable {
        case int(Int)
        case ints([Int])
        case floats([Float])
        case float(Float)
        case bool(Bool)
        case activation(Activation)
    }

    /// The operation (`conv2d`, `maxpool`, `identity`, …).
    public let name: String
    /// Its settings, by key.
    public let attributes: [String: Value]

    public init(_ name: String, _ attributes: [String: Value] = [:]) {
        self.name = name
        self.attributes = attributes
    }
}
