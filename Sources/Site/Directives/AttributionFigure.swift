import Common
import CNN
import Explain
import Foundation
import Render

/// What the saliency, cam and occlusion directives share: one method on some images,
/// drawn as panels with a colorbar, the raw maps as JSON.
struct AttributionFigure: Sendable {
    let method: ConfiguredMethod
    let images: [ImageSelector]
    let target: Target
    let panels: HeatmapPanels
    let rows: [String]
    let location: SourceLocation

    /// The options it reads besides the panel options.
    static let images = SharedOption.images.documented("The images to explain.")
    static let optionSpecs = [images.spec, DirectiveOptions.preprocessSpec, SharedOption.target.spec]

    /// Reads `images`, `target`, `panels` and the panel options shared by the three.
    init(
        _ method: ConfiguredMethod, options: DirectiveOptions, model: Model, signed: Bool, colormap: String
    ) throws(SourceError) {
        self.method = method
        images = try Self.images.images(options, default: "test[0:4]", classes: model.classes)
        target = try SharedOption.target.target(options, classes: model.classes)
        try method.checkContrast(target, options: options)
        panels = try options.heatmapPanels(
            signed: signed, defaultColormap: colormap, imageCount: images.reduce(0) { $0 + $1.count })
        rows = try options.panels()
        location = Self.images.location(in: options)
    }

    func run(
        _ context: DirectiveContext, figure: FigureBuilder, name: String, notes: [String]
    ) throws -> (body: String, notes: [String]) {
        let selected = try context.images(images, at: location)
        let explanations = try selected.map { try method.explain($0, target: target, model: context.model) }
        // A contrast k − j: how alike the two classes' own maps are (Pearson's r per image),
        // the overlap the contrast removes.
        var classCorrelation: [Double]?
        if case .contrast(let first, let second) = target {
            classCorrelation = try selected.map { image in
                mapCorrelation(
                    try method.explain(image, target: .class(first), model: context.model).map,
                    try method.explain(image, target: .class(second), model: context.model).map)
            }
        }
        try figure.json(
            AttributionValues(
                method: method.name, settings: method.settings.values,
                images: zip(selected, explanations).map(ExplanationValues.init),
                ink: AttributionValues.Ink(selected, explanations, model: context.model),
                classCorrelation: classCorrelation),
            name: name)
        // The parameters that change what the map means, named under the figure.
        let meaning = method.settings["aggregate"].map { [FigureText.t("aggregate", ["name": $0])] } ?? []
        let (html, _) = panels.figure(
            images: selected, explanations: explanations, rows: rows, figure: figure, name: name)
        let placement =
            explanations.first.map { $0.placement == .identity ? [] : [FigureText.note($0.placement)] } ?? []
        return (html, panels.notes(extra: notes + meaning + [FigureText.note(target)] + placement))
    }
}

extension [ImageSelector] {
    /// PNG paths among the selectors.
    var files: [String] { compactMap { if case .file(let p, _) = $0 { p } else { nil } } }
    /// The selectors as a reader sees them.
    var text: String { map(\.description).joined(separator: ", ") }
}

extension FigureText {
    /// "target predicted", "target 3", "target 3 − 5", in the edition's words.
    static func note(_ target: Target) -> String {
        switch target {
        case .predicted: t("target_predicted")
        case .trueLabel: t("target_label")
        case .class(let k): t("target_class", ["class": "\(k)"])
        case .contrast(let a, let b): t("target_contrast", ["class": "\(a)", "other": "\(b)"])
        }
    }

    /// How a map is laid on the input, as the figure's note says it.
    static func note(_ placement: MapPlacement) -> String {
        switch placement {
        case .centres(0, 0, 1, 1): return t("maps_at_input_resolution")
        case .centres(let x, let y, let sx, let sy):
            return t(
                "maps_at_centres",
                [
                    "offset": "\(MethodParameter.format(y))×\(MethodParameter.format(x))",
                    "stride": "\(MethodParameter.format(sy))×\(MethodParameter.format(sx))",
                ])
        case .stretch: return t("maps_stretched")
        }
    }
}
