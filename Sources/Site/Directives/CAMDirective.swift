import Common
import CNN
import Explain
import Foundation

/// Class activation maps on a convolution layer.
struct CAMDirective: Directive {
    static let name = "cam"
    static let summary =
        "A class activation heatmap (Grad-CAM and its relatives) of a layer with a spatial grid for each image."
    static let options: [OptionSpec] =
        [
            SharedOption.method.documented(
                type: "one of \(MethodCatalogue.family(.cam).map(\.name).joined(separator: ", "))", default: "gradcam",
                "How channels are weighted."
            ).spec,
            SharedOption.layer.documented("The layer whose activations are weighted.").spec,
        ] + DirectiveOptions.parameterSpecs(MethodCatalogue.family(.cam)) + AttributionFigure.optionSpecs
        + DirectiveOptions.heatmapPanelSpecs(colormap: defaultColormap)
    /// Sequential and perceptually uniform, as lesson 9 advises (jet's bright bands mislead).
    static let defaultColormap = "viridis"
    static let example = "method: gradcam\nlayer: conv2d_2\nimages: test[0:8]\ntarget: predicted"

    let attribution: AttributionFigure

    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        let method = try options.method(from: MethodCatalogue.family(.cam), default: "gradcam", model: model)
        let layer = method.layer!
        attribution = try AttributionFigure(
            method, options: options, model: model, signed: false, colormap: Self.defaultColormap)
        // A token layer's map is its patch grid; a Swin stage's [1, H, W, C] its H × W.
        let index = model.layerIndex(named: layer)!
        let shape = model.spatialLayout(layer: index)?.shape ?? model.layers[index].outputShape
        resolution = "\(shape[1])×\(shape[0])"
    }

    /// The layer's map size, for the notes.
    let resolution: String
    var method: ConfiguredMethod { attribution.method }
    var inputFiles: [String] { attribution.images.files }
    var caption: String {
        "\(method.title) at \(method.layer!) for \(attribution.images.text), target \(attribution.target)."
    }
    var alt: String { "\(method.title) heatmap at \(method.layer!)" }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        try attribution.run(
            context, figure: figure, name: "cam-\(method.name)",
            notes: [
                FigureText.t("method", ["name": method.name]),
                FigureText.t("layer_resolution", ["layer": method.layer!, "size": resolution]),
            ])
    }
}
