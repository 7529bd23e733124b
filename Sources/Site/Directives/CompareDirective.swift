import Common
import CNN
import Explain
import Foundation
import Render

/// Several methods side by side: one row per image, one column per method.
struct CompareDirective: Directive {
    static let name = "compare"
    static let summary = "Several attribution methods on the same images: one row per image, one column per method."
    static let options: [OptionSpec] =
        [
            SharedOption.methods.documented(default: "[vanilla, smoothgrad, gradcam]", "The methods, as columns.").spec,
            images.spec, DirectiveOptions.preprocessSpec, SharedOption.layer.spec, SharedOption.target.spec,
            overlay.spec,
        ] + DirectiveOptions.parameterSpecs(MethodCatalogue.all) + [colormap.spec, scale.spec]
    static let images = SharedOption.images.documented("The images, as rows.")
    static let overlay = DirectiveOption(
        "overlay", "boolean", default: "true", "Draw each map over the digit (else the heatmap alone).")
    static let colormap = DirectiveOption(
        "colormap", "a colormap name", default: "viridis", "The colormap (maps are shown as magnitudes).")
    static let scale = DirectiveOption("scale", "integer 1–16", default: "3", "Display pixels per input pixel.")
    static let example = "methods: [vanilla, smoothgrad, integrated-gradients, gradcam, scorecam]\nimages: test[0:3]"

    let methods: [ConfiguredMethod]
    let images: [ImageSelector]
    let target: Target
    let overlay: Bool
    let panels: HeatmapPanels
    let location: SourceLocation

    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        methods = try options.methods(default: ["vanilla", "smoothgrad", "gradcam"], model: model)
        images = try Self.images.images(options, default: "test[0:4]", classes: model.classes)
        target = try SharedOption.target.target(options, classes: model.classes)
        for method in methods { try method.checkContrast(target, options: options) }
        overlay = try Self.overlay.bool(options, default: true)
        panels = HeatmapPanels(
            colormap: try Self.colormap.colormap(options, default: "viridis"), normalization: .minMax, shared: false,
            scale: try Self.scale.int(options, default: 3, in: 1...16), alpha: 0.5)
        location = Self.images.location(in: options)
    }

    var inputFiles: [String] { images.files }
    var caption: String {
        "\(methods.map(\.title).joined(separator: ", ")) compared on \(images.text), target \(target)."
    }
    var alt: String { "attribution maps of several methods" }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        let selected = try context.images(images, at: location)
        var rows: [(header: String, cells: [String])] = []
        var cardTiles: [RGBAImage] = []
        var json: [CompareValues.Entry] = [], signed: [(method: String, map: Heatmap)] = []
        for (i, image) in selected.enumerated() {
            var cells: [String] = []
            var first: Explanation?
            for method in methods {
                var e = try method.explain(image, target: target, model: context.model)
                first = first ?? e
                // Magnitudes, so signed and unsigned methods read alike in one row.
                json.append(CompareValues.Entry(method: method.name, explanation: ExplanationValues(image, e)))
                signed.append((method.name, e.map))
                e = e.with(map: e.map.magnitude, isSigned: false)
                let p = panels.pictures(image: image, map: e.map, placement: e.placement, normalization: .minMax)
                if cardTiles.count < 8 { cardTiles.append(overlay ? p.overlay : p.heatmap) }
                cells.append(
                    figure.image(
                        overlay ? p.overlay : p.heatmap, name: "compare-\(method.name)",
                        alt: FigureText.t("alt_method_on", ["method": method.title, "image": image.name]),
                        thumbnail: i == 0 && cells.isEmpty, pixelated: false))
            }
            let digit = panels.pictures(image: image, map: image.heatmap, normalization: .minMax).digit
            rows.append(
                (
                    imageHeader(image, explanation: first),
                    [
                        figure.image(
                            digit, name: "compare-input", alt: FigureText.t("alt_input_named", ["image": image.name]))
                    ]
                        + cells
                ))
        }
        figure.card(cardTiles, columns: min(4, cardTiles.count))
        try figure.json(
            CompareValues(target: target.description, maps: json, explanations: signed), name: "compare")
        let table = FigureLayout.panels(
            columns: [FigureText.t("panel_input")] + methods.map(\.title), rows: rows, corner: FigureText.t("image"))
        let bar = figure.svg(
            Colorbar(colormap: panels.colormap, low: 0, high: 1, label: FigureText.t("magnitude_per_map"))
                .horizontalSVG(),
            name: "compare-colorbar",
            title: FigureText.t(
                "colorbar_title", ["colormap": panels.colormap.name, "scale": FigureText.t("magnitude_per_map")]))
        return (
            FigureLayout.withColorbarBelow(table, colorbar: bar),
            [
                FigureText.t("magnitudes_minmax"), FigureText.t("colormap", ["name": panels.colormap.name]),
                FigureText.note(target),
            ]
        )
    }
}
