import Common
import CNN
import Explain
import Foundation

/// Where a Vision Transformer's class token draws from: attention rollout or
/// gradient-weighted attention, on the patch grid.
struct AttentionDirective: Directive {
    static let name = "attention"
    static let summary =
        "Where a Vision Transformer's class token draws its information from, followed through every block's "
        + "attention (rollout, or weighted by the class's gradient), for each image."
    static let options: [OptionSpec] =
        [
            SharedOption.method.documented(
                type: "one of \(MethodCatalogue.family(.attention).map(\.name).joined(separator: ", "))",
                default: "rollout", "How the blocks' attention is combined."
            ).spec
        ] + AttributionFigure.optionSpecs + DirectiveOptions.heatmapPanelSpecs(colormap: "viridis")
    static let example = "method: rollout\nimages: test[0:8]"

    let attribution: AttributionFigure
    /// The blocks followed and the patch grid, for the notes.
    let blocks: Int
    let grid: String

    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        let method = try options.method(from: MethodCatalogue.family(.attention), default: "rollout", model: model)
        guard let attention = model.attentionLayers else {
            throw options.error(
                "\(method.name) follows a Vision Transformer's attention from its class token, and this model has "
                    + "none: a CNN has no attention, and a Swin Transformer's runs within windows, so no token "
                    + "attends across the image; use the cam or saliency directive",
                option: SharedOption.method.name)
        }
        attribution = try AttributionFigure(method, options: options, model: model, signed: false, colormap: "viridis")
        blocks = attention.layers.count
        grid = "\(attention.grid.width)×\(attention.grid.height)"
    }

    var method: ConfiguredMethod { attribution.method }
    var inputFiles: [String] { attribution.images.files }
    var caption: String { "\(method.title) for \(attribution.images.text), target \(attribution.target)." }
    var alt: String { "\(method.title) heatmap on the patch grid" }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        try attribution.run(
            context, figure: figure, name: "attention-\(method.name)",
            notes: [
                FigureText.t("method", ["name": method.name]),
                FigureText.t("attention_blocks", ["count": String(blocks), "size": grid]),
            ])
    }
}
