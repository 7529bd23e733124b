import Common
import CNN

/// Which class an explanation explains. Gradient methods always use that class's
/// pre-softmax score (logit), as keras-vis and tf-keras-vis do.
public enum Target: Sendable, Equatable, CustomStringConvertible {
    /// The class the model predicts for the image.
    case predicted
    /// The image's true label (needs a labelled image).
    case trueLabel
    /// A given class.
    case `class`(Int)
    /// The difference of two classes' scores, `logit[a] − logit[b]`: "why a and not b".
    case contrast(Int, Int)

    public var description: String {
        switch self {
        case .predicted: return "predicted"
        case .trueLabel: return "true"
        case .class(let k): return String(k)
        case .contrast(let a, let b): return "\(a)-\(b)"
        }
    }

    /// The class whose score is subtracted (a contrast's second), or nil.
    public var subtracted: Int? {
        if case .contrast(_, let b) = self { return b }
        return nil
    }

    /// Parses `predicted`, `true`, a class number, or `a-b` for a contrast.
    public init?(_ text: String) {
        switch text {
        case "predicted": self = .predicted
        case "true", "label": self = .trueLabel
        default:
            let parts = text.split(separator: "-", omittingEmptySubsequences: false)
            if parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]) {
                self = .contrast(a, b)
                return
            }
            guard let k = Int(text) else { return nil }
            self = .class(k)
        }
    }
}

/// Errors in what an explanation was asked to do.
public enum ExplainError: SourceErrorConvertible, Sendable, Equatable {
    case unknownLayer(String, suggestion: String?, layers: [String] = [])
    case notAConvolution(String)
    case classOutOfRange(Int, classes: Int)
    case noLabel
    case noConvolution(method: String)
    case notSpatial(String, [Int])
    case contrastUnsupported(method: String)
    case contrastOfOneClass(Int)
    case unsupportedLayer(method: String, layer: String, kind: String)
    case noAttention(method: String)
    case noBackground(method: String)

    /// "; expected one of a, b, …" for up to 40 layer names.
    static func expected(_ layers: [String]) -> String {
        guard !layers.isEmpty else { return "" }
        let more = layers.count > 40 ? ", … (\(layers.count) in all; vizsite summary lists them)" : ""
        return "; expected one of " + layers.prefix(40).joined(separator: ", ") + more
    }

    public var sourceError: SourceError {
        switch self {
        case let .unknownLayer(name, suggestion, layers):
            SourceError("the model has no layer '\(name)'\(Self.expected(layers))", suggestion: suggestion)
        case let .notAConvolution(name):
            SourceError("layer '\(name)' is not a convolution; this method needs a Conv2D layer")
        case let .classOutOfRange(k, classes):
            SourceError("class \(k) is out of range; the model has classes 0–\(classes - 1)")
        case let .notSpatial(name, shape):
            SourceError(
                "layer '\(name)' outputs \(shape), not an [h, w, c] image nor a transformer's tokens; CAM methods "
                    + "need a convolution or a layer after one, or a layer of patch tokens")
        case .noConvolution(let method):
            SourceError(
                "\(method) needs a layer with a spatial grid ([h, w, c], more than one cell), and the model has none")
        case .noLabel: SourceError("target 'true' needs an image with a label (a dataset image, not a PNG)")
        case .contrastUnsupported(let method):
            SourceError("\(method) does not depend on the target class, so it cannot explain a contrast (a-b)")
        case .contrastOfOneClass(let k): SourceError("the contrast \(k)-\(k) compares a class with itself")
        case let .unsupportedLayer(method, layer, kind):
            SourceError("\(method) has no rule for layer '\(layer)' (\(kind))")
        case .noAttention(let method):
            SourceError(
                "\(method) reads a transformer's attention (softmax layers over [heads, tokens, tokens] after a patch "
                    + "embedding), and the model has none; Grad-CAM and the gradient methods explain a CNN")
        case .noBackground(let method):
            SourceError(
                "\(method) with baseline 'data' draws its baselines from the training images, and this model has no "
                    + "dataset; use black, max-distance, blur or uniform")
        }
    }
}

extension Model {
    /// The index of the layer called `name`, or an error naming the nearest.
    public func requireLayer(_ name: String) throws(ExplainError) -> Int {
        guard let index = layerIndex(named: name) else {
            let names = layers.map(\.name)
            throw .unknownLayer(name, suggestion: nearestName(to: name, in: names), layers: names)
        }
        return index
    }

    /// The index of the convolution called `name`.
    public func requireConvolution(_ name: String) throws(ExplainError) -> Int {
        let index = try requireLayer(name)
        guard layers[index] is Conv2D else { throw .notAConvolution(name) }
        return index
    }

    /// The layer called `name`, which must have an image-shaped `[h, w, c]` output (what
    /// CAM methods weight: a convolution, or an activation, BatchNorm or addition after one)
    /// or, with `tokens`, a transformer's token sequence (`Model.tokenGrid`).
    public func requireSpatialLayer(_ name: String, tokens: Bool = false) throws(ExplainError) -> Int {
        let index = try requireLayer(name)
        guard channelsLastMap(layer: index) != nil || (tokens && tokenGrid(layer: index) != nil) else {
            throw .notSpatial(name, layers[index].outputShape)
        }
        return index
    }

    /// Where CAM methods look by default: the layer an imported model's sidecar names, or
    /// the output of the last block that still has a spatial grid, as pytorch-grad-cam
    /// advises (ResNet's `layer4`, DenseNet's `features`, MobileNet's last activation
    /// before global pooling): the last layer on every path from input to output whose
    /// output is `[h, w, c]` with more than one cell, stepping back over the pooling and
    /// dropout that close a block (so a plain CNN's is its last convolution, at full
    /// resolution). Never a convolution inside a branch, or a 1×1 map after global pooling.
    /// A Vision Transformer's is `defaultTokenCAMLayer`.
    public var defaultCAMLayer: String? {
        if let preferredCAMLayer { return preferredCAMLayer }
        if let defaultTokenCAMLayer { return defaultTokenCAMLayer }
        let onEveryPath = layersOnEveryPath
        func isGrid(_ i: Int) -> Bool {
            // A transpose only reorders a map (Swin's to NCHW before pooling): its input is the map.
            guard !(layers[i] is Transpose), let shape = channelsLastMap(layer: i) else { return false }
            return onEveryPath[i] && shape[0] * shape[1] > 1
        }
        guard var index = layers.indices.last(where: isGrid) else { return nil }
        while index > 0, layers[index] is MaxPool2D || layers[index] is AveragePool2D || layers[index] is Dropout,
            inputs[index] == [index - 1], isGrid(index - 1)
        {
            index -= 1
        }
        return layers[index].name
    }
}
