import Common
import CNN
import Explain
import Foundation
import Render
import Site

/// What `vizsite explain` computed, whichever the method, with its picture and JSON.
struct ExplanationRun {
    enum Content {
        case map(Explanation)
        case maps([Heatmap], layer: String, signed: Bool)
        case maximized(ActivationMaximization.Result, layer: String, unit: Int)
    }

    let content: Content
    let image: ExplainedImage
    /// The input as the reader sees it (in colour for an RGB model), at the input's size.
    let inputPicture: RGBAImage
    let method: String
    /// How a CAM method's layer was chosen (nil for other methods).
    private(set) var layerChoice: String?

    /// What `vizsite explain` shows besides the catalogue's attribution methods.
    static let views = ["filters", "feature-maps", "maximize"]

    init(
        model: Model, image: ExplainedImage, picture: RGBAImage? = nil, method: String, layer: String?,
        target: Target, settings: MethodSettings, steps: Int?, normalization: InputNormalization = .standard
    ) throws {
        self.image = image
        let gray = image.gray
        inputPicture = picture ?? RGBAImage.grayscale(width: gray.width, height: gray.height, values: gray.values)
        self.method = method
        let firstConv = model.layers.first { $0 is Conv2D }?.name ?? model.layers[0].name
        switch method {
        case "filters":
            let name = layer ?? firstConv
            content = .maps(try Filters.kernels(of: model, layer: name).map { $0[0] }, layer: name, signed: true)
        case "feature-maps":
            let name = layer ?? firstConv
            content = .maps(
                try FeatureMaps.compute(model, image: image.pixels, layer: name), layer: name, signed: false)
        case "maximize":
            let name = layer ?? model.layers.last!.name
            guard case .class(let unit) = target else {
                throw ValidationErrorText("maximize needs --target N: the filter or class to maximize")
            }
            var am = ActivationMaximization()
            if let steps { am.steps = steps }
            content = .maximized(
                try am.maximize(model, layer: name, unit: unit, normalization: normalization), layer: name, unit: unit)
        default:
            guard let entry = MethodCatalogue.named(method) else {
                throw ValidationErrorText("unknown method '\(method)'")
            }
            let explanation = try entry.explain(image, target: target, layer: layer, settings: settings, model: model)
            content = .map(explanation)
            if explanation.layer != nil {
                layerChoice =
                    layer != nil
                    ? "--layer"
                    : model.preferredCAMLayer != nil
                        ? "the sidecar's cam_layer" : "default: the last block's output with a spatial grid"
            }
        }
    }

    var isSigned: Bool {
        switch content {
        case .map(let e): return e.isSigned
        case .maps(_, _, let signed): return signed
        case .maximized: return false
        }
    }

    func picture(colormap: Colormap, normalization: Normalization) -> RGBAImage {
        switch content {
        case .map(let e):
            return HeatmapFigure(colormap: colormap, normalization: normalization)
                .render(picture: inputPicture, map: e.map, placement: e.placement).image
        case .maps(let maps, _, _):
            // One shared range, so channels compare; tiny kernels upscaled crisply.
            let range = normalization.range(of: maps.flatMap(\.values))
            let scale = max(1, 96 / max(maps[0].width, 1))
            let tiles = maps.map {
                $0.render(colormap, normalization: .fixed(low: range.low, high: range.high)).image.upscaled(by: scale)
            }
            return ImageGrid(columns: 8, spacing: 4).compose(tiles)
        case .maximized(let result, _, _):
            return
                (result.colour
                ?? RGBAImage.grayscale(
                    width: result.image.width, height: result.image.height, values: result.image.values)).upscaled(
                    by: result.image.width > 64 ? 2 : 8)
        }
    }

    /// The picture with a colorbar for its value range beside it, as one SVG.
    func svgFigure(colormap: Colormap, normalization: Normalization) -> String {
        let picture = self.picture(colormap: colormap, normalization: normalization)
        let values: [Float] =
            switch content {
            case .map(let e): e.map.values
            case .maps(let maps, _, _): maps.flatMap(\.values)
            case .maximized(let result, _, _): result.image.values
            }
        let range = normalization.range(of: values)
        let bar = Colorbar(colormap: colormap, low: range.low, high: range.high, label: normalization.description)
            .svg(height: Double(min(picture.height, 240)) - 20)
        var svg = SVG(width: Double(picture.width) + 90, height: Double(max(picture.height, 240)))
        svg.image(picture, x: 0, y: 0)
        svg.place(bar, dx: Double(picture.width) + 10, dy: 0)
        return svg.text
    }

    /// The raw values, in the schema of the site's figure JSON (README, "Raw values").
    func json(normalization: Normalization, imageName: String) throws -> Data {
        switch content {
        case .map(let e):
            let range = normalization.range(of: e.map.values)
            return try FigureJSON.encode(
                ExplainValues(
                    method: method, explanation: ExplanationValues(image: imageName, label: image.label, e),
                    normalization: .init(
                        method: normalization.description, low: Double(range.low), high: Double(range.high)),
                    layerChoice: layerChoice))
        case .maps(let maps, let layer, _):
            return try FigureJSON.encode(LayerMapsValues(method: method, layer: layer, maps: maps.map(MapValues.init)))
        case .maximized(let result, let layer, let unit):
            return try FigureJSON.encode(
                MaximizedValues(
                    method: method, layer: layer, unit: unit,
                    activation: Double(result.activation), image: MapValues(result.image)))
        }
    }

    var summary: String {
        switch content {
        case .map(let e):
            let p = e.probabilities[e.targetClass]
            let where_ = e.layer.map { " at \($0)" } ?? ""
            return String(
                format: "%@%@: class %d (p = %.3f), map %d×%d, values %.4g … %.4g", method, where_, e.targetClass, p,
                e.map.width, e.map.height, e.map.values.min() ?? 0, e.map.values.max() ?? 0)
        case .maps(let maps, let layer, _):
            return "\(method) of \(layer): \(maps.count) maps of \(maps[0].width)×\(maps[0].height)"
        case .maximized(let result, let layer, let unit):
            return String(format: "maximize %@ unit %d: activation %.4g", layer, unit, result.activation)
        }
    }
}

/// A plain error message, printed as `error: …`.
struct ValidationErrorText: SourceErrorConvertible {
    let sourceError: SourceError
    init(_ message: String) { sourceError = SourceError(message) }
}

/// `vizsite explain --json` for an attribution method: the explanation and the range its
/// picture's colors span.
struct ExplainValues: Encodable {
    struct Range: Encodable {
        let method: String
        let low: Double
        let high: Double
    }
    let method: String
    let explanation: ExplanationValues
    let normalization: Range
    /// For CAM methods: how the layer was chosen (`--layer`, the sidecar's `cam_layer`, or
    /// the default, the last block's output with a spatial grid).
    var layerChoice: String?

    func encode(to encoder: any Encoder) throws {
        try explanation.encode(to: encoder)
        var out = encoder.container(keyedBy: NamedKey.self)
        try out.encode(method, forKey: "method")
        try out.encode(normalization, forKey: "normalization")
        if let layerChoice { try out.encode(layerChoice, forKey: "layer_choice") }
    }
}

/// `vizsite explain --json` for filters and feature maps.
struct LayerMapsValues: Encodable {
    let method: String
    let layer: String
    let maps: [MapValues]
}

/// `vizsite explain --json` for activation maximization.
struct MaximizedValues: Encodable {
    let method: String
    let layer: String
    let unit: Int
    let activation: Double
    let image: MapValues
}
