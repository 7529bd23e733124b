import Common
import CNN
import Explain
import Foundation
import Render

/// A layer's activations for one image.
struct FeatureMapsDirective: Directive {
    static let name = "feature-maps"
    static let summary = "The activations (feature maps) of a layer for one image, one small image per channel."
    static let layer = DirectiveOption(
        "layer", "layer name", default: "the first convolution", "The layer whose output is shown.")
    static let image = DirectiveOption("image", "image selector (one image)", default: "test[0]", "The input image.")
    static let count = DirectiveOption(
        "count", "integer 1–512", default: "all channels", "How many channels to show, from the first.")
    static let colormap = DirectiveOption("colormap", "a colormap name", default: "viridis", "The colormap.")
    static let scale = DirectiveOption(
        "scale", "integer 1–16", default: "3, more for small maps",
        "Display pixels per activation. By default 3, or as many as make each map at least \(minimumMapWidth) px "
            + "wide (6 for 12×12 maps), so that small maps' cells stay large enough to see and point at.")
    /// How wide a map is drawn at least when the author gives no scale.
    static let minimumMapWidth = 72
    static let options = [
        layer.spec, image.spec, DirectiveOptions.preprocessSpec, count.spec, colormap.spec, scale.spec,
    ]
    static let example = "layer: conv2d_1\nimage: test[0]\ncount: 16"

    let layer: String
    let image: [ImageSelector]
    let count: Int?
    let colormap: Colormap
    let scale: Int
    let location: SourceLocation

    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        let layer = try Self.layer.layer(
            options, model: model, requirement: .maps,
            default: model.firstConvolution ?? model.layers[0].name)
        self.layer = layer
        image = try Self.image.images(options, default: "test[0]", classes: model.classes)
        let channels = model.spatialLayout(layer: model.layerIndex(named: layer)!)?.shape[2] ?? 1
        if image.count != 1
            || image.first.map({ if case .dataset(_, _, let r) = $0 { r.count != 1 } else { false } }) == true
        {
            throw options.error(
                "feature-maps shows one image; give a single selector such as test[0]", option: Self.image.name)
        }
        count = options[Self.count.name] == nil ? nil : try Self.count.int(options, default: channels, in: 1...channels)
        colormap = try Self.colormap.colormap(options, default: "viridis")
        let width = model.spatialLayout(layer: model.layerIndex(named: layer)!)?.shape[1] ?? 24
        scale = try Self.scale.int(
            options, default: min(16, max(3, (Self.minimumMapWidth + width - 1) / max(width, 1))), in: 1...16)
        location = Self.image.location(in: options)
    }

    var inputFiles: [String] { image.files }
    var caption: String {
        "\(count.map { "The first \($0) feature maps" } ?? "The feature maps") of \(layer) for \(image.text), on one "
            + "shared scale: bright where a filter responds."
    }
    var alt: String { "feature maps of \(layer)" }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        let selected = try context.images(image, at: location)[0]
        var maps = try FeatureMaps.compute(context.model, image: selected.pixels, layer: layer)
        if let count { maps = Array(maps.prefix(count)) }
        let range = Normalization.minMax.range(of: maps.flatMap(\.values))
        let isRow = maps.count == 1 && maps[0].height == 1
        let input = selected.heatmap
        let digit = figure.image(
            RGBAImage.grayscale(width: input.width, height: input.height, values: input.values).upscaled(by: 4),
            name: "feature-input", alt: FigureText.t("alt_input_named", ["image": selected.name]))
        var cells: [(html: String, label: String)] = []
        if isRow {
            // A flat layer: its units as one strip, 4 pixels each.
            let strip = maps[0].render(colormap, normalization: .fixed(low: range.low, high: range.high)).image
                .upscaled(by: 4)
            cells.append(
                (
                    figure.image(
                        strip, name: "feature-\(layer)", alt: FigureText.t("alt_activations", ["layer": layer]),
                        thumbnail: true),
                    FigureText.t("units", ["n": "\(maps[0].width)"])
                ))
        } else {
            let pictures = maps.map {
                $0.render(colormap, normalization: .fixed(low: range.low, high: range.high)).image.upscaled(by: scale)
            }
            cells = pictures.enumerated().map { i, picture in
                (
                    figure.image(
                        picture, name: "feature-\(layer)",
                        alt: FigureText.t("alt_channel", ["k": "\(i)", "layer": layer])), "\(i)"
                )
            }
            figure.card(pictures)
        }
        let bar = figure.svg(
            Colorbar(colormap: colormap, low: range.low, high: range.high, label: FigureText.t("activation")).svg(
                height: 120),
            name: "feature-colorbar", title: FigureText.t("colorbar_named", ["colormap": FigureText.t("activation")]))
        try figure.json(
            FeatureMapsValues(layer: layer, image: selected.name, maps: maps.map(MapValues.init)),
            name: "feature-maps-\(layer)")
        // The dot-product view: how each value came from the layer below (convolutions and
        // max pooling), its numbers in a script the page loads on first use.
        let dots =
            isRow
            ? nil : FeatureDotProducts(model: context.model, image: selected.pixels, layer: layer, channels: maps.count)
        let dotsPath = dots.map { figure.add(Data($0.script.utf8), name: "feature-dots-\(layer)", ext: "js") }
        let attributes =
            dots.map { " fm-dots\" data-dots=\"\(Figure.root)\(dotsPath!)\" data-key=\"\(HTML.escape($0.key))" } ?? ""
        let body =
            "<div class=\"viz-row\(attributes)\"><div class=\"viz-cell\">\(digit)<span "
            + "class=\"viz-label\">\(HTML.escape(imageHeader(selected)))</span></div>"
            + FigureLayout.grid(cells) + "<div class=\"viz-colorbar\">\(bar)</div>"
            + (dots == nil
                ? ""
                : "<p class=\"fm-dot-hint\">" + FigureText.t("dot_hint", ["layer": HTML.escape(layer)]) + "</p>"
                    + "<div class=\"fm-dot-panel\" aria-live=\"polite\" hidden></div>")
            + "</div>"
        return (
            body,
            [
                FigureText.t("colormap", ["name": colormap.name]),
                FigureText.t(
                    "minmax_shared_range",
                    [
                        "low": String(format: "%.3g", Double(range.low)),
                        "high": String(format: "%.3g", Double(range.high)),
                    ]),
            ]
        )
    }
}
